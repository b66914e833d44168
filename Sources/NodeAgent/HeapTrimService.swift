import ServiceLifecycle

/// Gives the C heap's free memory back to the kernel after a burst of work.
///
/// glibc returns memory on its own only from the top of each heap; what a burst of pod starts
/// frees in the middle (task frames, decoded manifests, runtime configs, spread over the arenas
/// of the threads that ran them) stays resident: about 10 MiB after 100 pods started at once.
/// Every `interval` a ``HeapTrimmer`` looks at the heap's free bytes and trims once they have
/// grown by its threshold, so steady work is never trimmed and faulted back again and again.
struct HeapTrimService: Service {
    var interval: Duration = .seconds(2)
    var threshold = 4 << 20

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var trimmer = HeapTrimmer(threshold: threshold)
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                trimmer.trimIfWorthIt()
            }
        }
    }
}

import CSwiftletNetfilter

/// glibc malloc's mmap and trim thresholds, fixed at their defaults (128 KiB) once per process.
///
/// A full sync at 10,000 services allocates and frees ~100 MiB in a burst, including arrays
/// and a batch buffer of many MiB. After a large block is freed, glibc raises both thresholds
/// (up to 32 and 64 MiB); from then on, memory a later sync frees stays with the process, and
/// every full sync grows it (measured: 63 -> 87 -> 120 MiB over three full syncs). Fixed
/// thresholds keep it at ~60 MiB across syncs. Setting them turns that adjustment off for the
/// whole process, which suits a long-running agent.
enum MallocPolicy {
    /// Evaluated once, by the first proxier.
    static let fixedThresholds: Void = {
        let threshold: Int32 = 128 * 1024
        _ = mallopt(M_MMAP_THRESHOLD, threshold)
        _ = mallopt(M_TRIM_THRESHOLD, threshold)
    }()
}

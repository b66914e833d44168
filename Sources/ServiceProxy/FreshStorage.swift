import Glibc
import NFTables

/// Copies of values into storage of their own. After a full sync, what the proxier keeps (chain
/// names, element keys) shares storage with the sync's fragments, which are gone by then; their
/// survivors are scattered over every page the sync touched, so the process would keep all of
/// those pages. Copying the survivors after the sync packs them together, and the rest of the
/// heap can go back to the system.
public enum FreshStorage {
    static func string(_ text: String) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            String(unsafeUninitializedCapacity: utf8.count) { buffer in
                _ = buffer.initialize(fromContentsOf: utf8)
                return utf8.count
            }
        }
    }

    static func bytes(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: source.count) { buffer, count in
                _ = buffer.initialize(fromContentsOf: source)
                count = source.count
            }
        }
    }

    static func verdict(_ verdict: NFVerdict?, names: inout [String: String]) -> NFVerdict? {
        switch verdict {
        case .jump(let chain): .jump(name(chain, &names))
        case .goto(let chain): .goto(name(chain, &names))
        default: verdict
        }
    }

    /// One copy per distinct name (a port's chain names recur in its elements' verdicts).
    static func name(_ name: String, _ names: inout [String: String]) -> String {
        if let copy = names[name] { return copy }
        let copy = string(name)
        names[name] = copy
        return copy
    }
}

extension FreshStorage {
    /// Runs `body` on a short-lived thread of its own, waits for it and returns its result
    /// (runs it inline if no thread can be started). glibc's malloc gives a new thread its own
    /// arena while it has fewer than eight per core, so what `body` allocates lands packed
    /// together in that arena instead of in the holes of the calling thread's: copies made this
    /// way leave the old pages wholly free once the originals are gone, and garbage made this
    /// way leaves no holes among what the caller keeps. Placement only; the result is the same
    /// either way.
    public static func onFreshThread<Result>(_ body: @escaping () -> Result) -> Result {
        var result: Result?
        withoutActuallyEscaping({ result = body() }) { run in
            let job = Unmanaged.passRetained(ThreadJob(run)).toOpaque()
            var thread = pthread_t()
            let started = pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                Unmanaged<ThreadJob>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, job)
            if started == 0 {
                pthread_join(thread, nil)
            } else {
                Unmanaged<ThreadJob>.fromOpaque(job).takeRetainedValue().body()
            }
        }
        return result!
    }

    /// The work handed to the thread; the caller waits for it, so nothing runs concurrently.
    private final class ThreadJob: @unchecked Sendable {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}

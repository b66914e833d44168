import Dispatch
import Foundation
import Glibc
import Netlink
import Synchronization

/// Everything the bench makes outside its own memory — network namespaces, temporary
/// directories, child processes — recorded as it is made, so that the end of the run, a failure
/// or SIGINT/SIGTERM (`removeAll`) takes all of it away again.
final class BenchResources: Sendable {
    private struct State {
        var namespaces: [String] = []
        var directories: [String] = []
        var children: Set<pid_t> = []
        var created = 0
    }

    private let state = Mutex(State())
    /// Part of every name the run makes, so that two runs never collide.
    let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    /// A fresh network namespace under /run/netns with loopback up.
    func makeNamespace(_ role: String) throws -> NetworkNamespace {
        let serial = state.withLock { state in
            state.created += 1
            return state.created
        }
        let name = "swiftlet-bench-proxy-\(tag)-\(serial)-\(role)"
        let namespace = try NetworkNamespace.create(named: name, in: "/run/netns")
        state.withLock { $0.namespaces.append(namespace.path) }
        let batch = NetlinkBatch(capacity: 256)
        try batch.setLink(name: "lo", .init(up: true))
        try NetlinkSocket(in: namespace).execute(batch)
        return namespace
    }

    /// Unmounts a namespace made by `makeNamespace`; the kernel frees it once the last handle,
    /// socket and process in it are gone.
    func removeNamespace(_ namespace: NetworkNamespace) {
        try? NetworkNamespace.delete(path: namespace.path)
        state.withLock { $0.namespaces.removeAll { $0 == namespace.path } }
    }

    /// A fresh directory under /tmp.
    func makeDirectory() throws -> String {
        var template = Array("/tmp/swiftlet-bench-proxy-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw BenchError("mkdtemp /tmp/swiftlet-bench-proxy-XXXXXX: \(String(cString: strerror(errno)))") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        state.withLock { $0.directories.append(path) }
        return path
    }

    func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        state.withLock { $0.directories.removeAll { $0 == path } }
    }

    /// Records a child the bench started, until `release` says it has been waited for.
    func adopt(_ pid: pid_t) { _ = state.withLock { $0.children.insert(pid) } }
    func release(_ pid: pid_t) { _ = state.withLock { $0.children.remove(pid) } }

    /// From now on SIGINT and SIGTERM run `removeAll` and end the process (128 + the signal).
    /// Keep the returned sources for as long as that should hold.
    func removeAllOnSignals() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in
                FileHandle.standardError.write(Data("swiftlet-bench-proxy: signal \(signalNumber), removing what the run made\n".utf8))
                removeAll()
                exit(128 + signalNumber)
            }
            source.resume()
            return source
        }
    }

    /// Kills the children still running (by pid) and removes every namespace and directory.
    func removeAll() {
        let taken = state.withLock { state in
            defer { state = State(created: state.created) }
            return state
        }
        for pid in taken.children {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        }
        for path in taken.namespaces { try? NetworkNamespace.delete(path: path) }
        for path in taken.directories { try? FileManager.default.removeItem(atPath: path) }
    }
}

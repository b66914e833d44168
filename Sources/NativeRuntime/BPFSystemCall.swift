import CSwiftletRuntime
import Glibc

/// A program the kernel refused to load, with what its verifier said.
struct BPFLoadError: Error, Sendable, CustomStringConvertible {
    var error: SystemCallError
    /// The verifier's log of the failed load (its last lines are the reason).
    var verifierLog: String

    var description: String {
        let lines = verifierLog.split(separator: "\n").suffix(6)
        return lines.isEmpty ? "\(error)" : "\(error); verifier: \(lines.joined(separator: " | "))"
    }
}

/// The few bpf(2) commands cgroup v2 device control needs: load a `BPF_PROG_TYPE_CGROUP_DEVICE`
/// program, list, attach and detach the programs of a cgroup. `union bpf_attr` is laid out here
/// by offset (from linux/bpf.h); every call goes through ``Syscall/retrying(_:_:_:)``.
enum BPFSystemCall {
    static let programTypeCgroupDevice: UInt32 = 15
    static let attachTypeCgroupDevice: UInt32 = 6
    /// `BPF_F_ALLOW_MULTI`: programs of the cgroup and of its ancestors all run; all must allow.
    static let allowMulti: UInt32 = 2
    /// `BPF_F_REPLACE`: the attach swaps the program `replace_bpf_fd` for the new one atomically.
    static let replace: UInt32 = 4

    private enum Command: Int32 {
        case programLoad = 5, programAttach = 8, programDetach = 9, programDescriptorByID = 13, programQuery = 16

        var name: String {
            switch self {
            case .programLoad: "BPF_PROG_LOAD"
            case .programAttach: "BPF_PROG_ATTACH"
            case .programDetach: "BPF_PROG_DETACH"
            case .programDescriptorByID: "BPF_PROG_GET_FD_BY_ID"
            case .programQuery: "BPF_PROG_QUERY"
            }
        }
    }

    /// `union bpf_attr`, zeroed: the kernel rejects non-zero bytes past the fields of a command.
    private struct Attributes {
        var bytes = [UInt8](repeating: 0, count: 144)

        mutating func set(_ offset: Int, _ value: UInt32) {
            for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        }

        mutating func set(_ offset: Int, pointer: UnsafeRawPointer?) {
            let value = UInt64(UInt(bitPattern: pointer))
            for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        }

        func value(at offset: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
        }
    }

    @discardableResult
    private static func call(_ command: Command, _ subject: String, _ attributes: inout Attributes) throws(SystemCallError) -> Int32 {
        try Syscall.retrying("bpf(\(command.name))", subject) {
            attributes.bytes.withUnsafeMutableBytes { SL_bpf(command.rawValue, $0.baseAddress, UInt32($0.count)) }
        }
    }

    /// Loads a cgroup device program (`code` is its instructions, 8 bytes each) and returns its
    /// descriptor. When the kernel refuses it, loads it again with the verifier's log on and
    /// throws ``BPFLoadError`` with that log.
    static func loadDeviceProgram(_ code: [UInt8], name: String, subject: String) throws -> FileDescriptor {
        func load(logLevel: UInt32, log: inout [UInt8]) throws -> Int32 {
            var attributes = Attributes()
            attributes.set(0, programTypeCgroupDevice)
            attributes.set(4, UInt32(code.count / 8))
            for (index, byte) in name.utf8.prefix(15).enumerated() { attributes.bytes[48 + index] = byte }
            // A device program calls no GPL-only helper, so the license is only a label.
            let license: StaticString = "Apache-2.0"
            return try code.withUnsafeBytes { instructions -> Int32 in
                try log.withUnsafeMutableBytes { buffer -> Int32 in
                    attributes.set(8, pointer: instructions.baseAddress)
                    attributes.set(16, pointer: license.utf8Start)
                    if logLevel > 0 {
                        attributes.set(24, logLevel)
                        attributes.set(28, UInt32(buffer.count))
                        attributes.set(32, pointer: buffer.baseAddress)
                    }
                    return try call(.programLoad, subject, &attributes)
                }
            }
        }
        var noLog: [UInt8] = []
        do {
            return FileDescriptor(adopting: try load(logLevel: 0, log: &noLog))
        } catch let first as SystemCallError {
            guard first.errno == EINVAL || first.errno == EACCES else { throw first }
            var log = [UInt8](repeating: 0, count: 1 << 18)
            do {
                // The second load should fail the same way; if it does not, the program is loaded.
                return FileDescriptor(adopting: try load(logLevel: 1, log: &log))
            } catch {
                let text = String(decoding: log.prefix { $0 != 0 }, as: UTF8.self)
                throw BPFLoadError(error: first, verifierLog: text)
            }
        }
    }

    /// The IDs of the device programs attached to the cgroup itself (not its ancestors) and the
    /// flags they were attached with.
    static func attachedDevicePrograms(cgroup: Int32, subject: String) throws -> (ids: [UInt32], flags: UInt32) {
        var capacity = 64
        while true {
            var ids = [UInt32](repeating: 0, count: capacity)
            var attributes = Attributes()
            attributes.set(0, UInt32(bitPattern: cgroup))
            attributes.set(4, attachTypeCgroupDevice)
            attributes.set(24, UInt32(capacity))
            do {
                try ids.withUnsafeMutableBytes { buffer in
                    attributes.set(16, pointer: buffer.baseAddress)
                    try call(.programQuery, subject, &attributes)
                }
            } catch let error as SystemCallError where error.errno == ENOSPC && Int(attributes.value(at: 24)) > capacity {
                // More programs than room: the kernel wrote back how many there are.
                capacity = Int(attributes.value(at: 24))
                continue
            }
            return (Array(ids.prefix(Int(attributes.value(at: 24)))), attributes.value(at: 12))
        }
    }

    /// Runs `body` with a descriptor for the loaded program with this ID, closed after; nil when
    /// no such program is loaded (any more).
    static func withProgram<R>(id: UInt32, subject: String, _ body: (Int32) throws -> R) throws -> R? {
        var attributes = Attributes()
        attributes.set(0, id)
        let result = Result { () throws(SystemCallError) -> Int32 in
            try call(.programDescriptorByID, "\(subject) program \(id)", &attributes)
        }
        if case .failure(let error) = result, error.errno == ENOENT { return nil }
        let program = try result.get()
        defer { close(program) }
        return try body(program)
    }

    /// Attaches `program` to the cgroup as its device program; with ``replace`` in `flags`,
    /// in place of `replacing`.
    static func attach(program: Int32, cgroup: Int32, flags: UInt32, replacing: Int32 = 0, subject: String) throws(SystemCallError) {
        var attributes = Attributes()
        attributes.set(0, UInt32(bitPattern: cgroup))
        attributes.set(4, UInt32(bitPattern: program))
        attributes.set(8, attachTypeCgroupDevice)
        attributes.set(12, flags)
        attributes.set(16, UInt32(bitPattern: replacing))
        try call(.programAttach, subject, &attributes)
    }

    /// Detaches `program` from the cgroup's device programs.
    static func detach(program: Int32, cgroup: Int32, subject: String) throws(SystemCallError) {
        var attributes = Attributes()
        attributes.set(0, UInt32(bitPattern: cgroup))
        attributes.set(4, UInt32(bitPattern: program))
        attributes.set(8, attachTypeCgroupDevice)
        try call(.programDetach, subject, &attributes)
    }
}

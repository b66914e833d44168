import ContainerRuntime

/// One device cgroup rule in the cgroup v1 `devices.allow` syntax (`c 1:3 rwm`, `b *:* m`, `a`):
/// which devices (type, major, minor; `nil` numbers are `*`) may be used how.
struct DeviceRule: Sendable, Equatable, CustomStringConvertible {
    enum Kind: Character, Sendable {
        case all = "a"
        case char = "c"
        case block = "b"
    }

    /// What a process does with the device node: the kernel's `BPF_DEVCG_ACC_*` bits.
    struct Access: OptionSet, Sendable {
        let rawValue: Int32
        static let mknod = Access(rawValue: 1)
        static let read = Access(rawValue: 2)
        static let write = Access(rawValue: 4)
        static let all: Access = [.read, .write, .mknod]
    }

    var kind: Kind
    var major: UInt32?
    var minor: UInt32?
    var access: Access
    /// Whether a match allows the access (`devices.allow`) or denies it (`devices.deny`).
    var allow: Bool

    init(kind: Kind, major: UInt32? = nil, minor: UInt32? = nil, access: Access = .all, allow: Bool = true) {
        self.kind = kind
        self.major = major
        self.minor = minor
        self.access = access
        self.allow = allow
    }

    /// Parses `TYPE MAJOR:MINOR ACCESS` (numbers may be `*`) or a bare `a` (every device, `rwm`).
    /// Throws ``RuntimeError/invalidArgument(field:reason:)`` naming the rule and what was expected.
    init(parsing text: String, allow: Bool = true) throws {
        func invalid(_ reason: String) -> RuntimeError {
            .invalidArgument(field: "device rule '\(text)'", reason: reason)
        }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = fields.first, first.count == 1, let kind = Kind(rawValue: first.first!) else {
            throw invalid("expected the type a, b or c first")
        }
        if fields.count == 1, kind == .all {
            self.init(kind: .all, allow: allow)
            return
        }
        guard fields.count == 3 else { throw invalid("expected TYPE MAJOR:MINOR ACCESS, such as 'c 1:3 rwm'") }
        let numbers = fields[1].split(separator: ":", omittingEmptySubsequences: false)
        guard numbers.count == 2 else { throw invalid("expected MAJOR:MINOR, such as 1:3 or 136:*") }
        func number(_ field: Substring, _ name: String) throws -> UInt32? {
            if field == "*" { return nil }
            // The program compares against a sign-extended 32-bit immediate, as runc's does; Linux
            // device numbers are 12 (major) and 20 (minor) bits wide.
            guard let value = UInt32(field), value <= UInt32(Int32.max) else {
                throw invalid("expected the \(name) to be * or a number up to \(Int32.max), not '\(field)'")
            }
            return value
        }
        var access: Access = []
        for character in fields[2] {
            switch character {
            case "r": access.insert(.read)
            case "w": access.insert(.write)
            case "m": access.insert(.mknod)
            default: throw invalid("expected the access to be made of r, w and m, not '\(fields[2])'")
            }
        }
        self.init(
            kind: kind, major: try number(numbers[0], "major"), minor: try number(numbers[1], "minor"), access: access,
            allow: allow)
    }

    var description: String {
        let access = (self.access.contains(.read) ? "r" : "") + (self.access.contains(.write) ? "w" : "")
            + (self.access.contains(.mknod) ? "m" : "")
        return "\(kind.rawValue) \(major.map(String.init) ?? "*"):\(minor.map(String.init) ?? "*") \(access)"
    }
}

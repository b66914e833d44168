import ContainerRuntime

/// A set of Linux capabilities as a bit mask (bit n = capability number n).
public struct CapabilitySet: Sendable, Equatable, Hashable {
    public var mask: UInt64

    public init(mask: UInt64) { self.mask = mask }

    /// Capability names in kernel order (`include/uapi/linux/capability.h`), without `CAP_`.
    public static let names: [String] = [
        "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE",
    ]

    /// Every capability this table knows.
    public static let all = CapabilitySet(mask: (UInt64(1) << UInt64(names.count)) - 1)

    /// The default set of containerd's CRI plugin (and Docker): what a container of a pod gets
    /// without `capabilities.add/drop`. Configurable in `NativeRuntimeConfiguration`.
    public static let containerdDefault = CapabilitySet(names: [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ])

    /// The capability number of a name, with or without `CAP_`, in any case.
    public static func number(of name: String) -> Int? {
        var key = name.uppercased()
        if key.hasPrefix("CAP_") { key.removeFirst(4) }
        return names.firstIndex(of: key)
    }

    /// A set of known names (unknown ones are ignored; `resolve` reports them).
    public init(names: [String]) {
        mask = names.compactMap(Self.number(of:)).reduce(0) { $0 | (UInt64(1) << UInt64($1)) }
    }

    public func contains(_ name: String) -> Bool {
        guard let number = Self.number(of: name) else { return false }
        return mask & (UInt64(1) << UInt64(number)) != 0
    }

    /// The names in the set, in kernel order.
    public var memberNames: [String] {
        Self.names.enumerated().filter { mask & (UInt64(1) << UInt64($0.offset)) != 0 }.map(\.element)
    }

    /// The container's set as the CRI plugin computes it: privileged gets all; otherwise the default
    /// set, minus `drop` (`ALL` drops everything), plus `add` (`ALL` adds everything).
    /// Throws `RuntimeError.invalidArgument` naming the field for an unknown capability.
    public static func resolve(default base: CapabilitySet, add: [String], drop: [String], privileged: Bool) throws -> CapabilitySet {
        if privileged { return .all }
        for (field, list) in [("capabilities.add", add), ("capabilities.drop", drop)] {
            for name in list where name.uppercased() != "ALL" && number(of: name) == nil {
                throw RuntimeError.invalidArgument(field: "securityContext.\(field)", reason: "unknown capability \(name)")
            }
        }
        var result = base
        if drop.contains(where: { $0.uppercased() == "ALL" }) { result = CapabilitySet(mask: 0) }
        result.mask &= ~CapabilitySet(names: drop).mask
        if add.contains(where: { $0.uppercased() == "ALL" }) { return .all }
        result.mask |= CapabilitySet(names: add).mask
        return result
    }
}

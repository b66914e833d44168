/// A `BPF_PROG_TYPE_CGROUP_DEVICE` program built from device rules, the cgroup v2 counterpart of
/// v1's `devices.deny a` followed by `devices.allow` lines. The kernel runs it on every open and
/// mknod of a device node by a process of the cgroup, with a `struct bpf_cgroup_dev_ctx`
/// (`u32 access_type` with the `BPF_DEVCG_ACC_*` access in the upper 16 bits and the
/// `BPF_DEVCG_DEV_*` type in the lower, then `u32 major`, `u32 minor`); returning 0 denies the
/// access with `EPERM`, anything else allows it.
///
/// The shape is runc's device filter: a prologue loads type, access, major and minor into r2–r5,
/// then one block per rule, checked from the last rule to the first so that a later rule overrides
/// an earlier one (as in OCI `linux.resources.devices`); the first block that matches returns its
/// rule's verdict, and when none does the access is denied. A block checks only what its rule
/// pins down (type `a` checks no type, `*` no number, `rwm` no access), and a rule that matches
/// everything ends the program, as nothing after it could run.
struct DeviceProgram: Sendable, Equatable {
    /// The rules, in the order given (the last one wins).
    var rules: [DeviceRule]
    var instructions: [BPFInstruction]

    /// `BPF_DEVCG_DEV_*`: the type bits of `access_type`.
    static func typeBits(_ kind: DeviceRule.Kind) -> Int32? {
        switch kind {
        case .all: nil
        case .block: 1
        case .char: 2
        }
    }

    init(rules: [DeviceRule]) {
        self.rules = rules
        // r2 = type, r3 = access, r4 = major, r5 = minor.
        var program: [BPFInstruction] = [
            .loadWord(.r2, from: .r1, offset: 0), .and32(.r2, 0xffff),
            .loadWord(.r3, from: .r1, offset: 0), .rightShift32(.r3, 16),
            .loadWord(.r4, from: .r1, offset: 4),
            .loadWord(.r5, from: .r1, offset: 8),
        ]
        for rule in rules.reversed() {
            let block = Self.block(for: rule)
            program += block
            if block.count == 2 {
                instructions = program
                return
            }
        }
        instructions = program + [.move32(.r0, 0), .exit]
    }

    /// The instructions of one rule: its checks, each jumping past the block when the device does
    /// not match, then `return verdict`.
    static func block(for rule: DeviceRule) -> [BPFInstruction] {
        enum Check {
            case equal(BPFInstruction.Register, Int32)
            /// The requested access is within the rule's: `(r3 & access) == r3`, with r1 (the
            /// context pointer, no longer needed) as the scratch register.
            case accessWithin(Int32)
        }
        var checks: [Check] = []
        if let type = typeBits(rule.kind) { checks.append(.equal(.r2, type)) }
        if rule.access != .all { checks.append(.accessWithin(rule.access.rawValue)) }
        if let major = rule.major { checks.append(.equal(.r4, Int32(bitPattern: major))) }
        if let minor = rule.minor { checks.append(.equal(.r5, Int32(bitPattern: minor))) }

        var block: [BPFInstruction] = []
        let length = checks.reduce(2) { count, check in
            switch check {
            case .equal: count + 1
            case .accessWithin: count + 3
            }
        }
        // A jump's offset counts from the instruction after it; the target is the next block.
        func skip() -> Int16 { Int16(length - block.count - 1) }
        for check in checks {
            switch check {
            case .equal(let register, let value):
                block.append(.jumpIfNotEqual(register, value, offset: skip()))
            case .accessWithin(let access):
                block += [.move32(.r1, .r3), .and32(.r1, access)]
                block.append(.jumpIfNotEqual(.r1, .r3, offset: skip()))
            }
        }
        return block + [.move32(.r0, rule.allow ? 1 : 0), .exit]
    }

    /// The program as the kernel takes it: 8 bytes per instruction.
    var bytes: [UInt8] { instructions.flatMap(\.bytes) }
}

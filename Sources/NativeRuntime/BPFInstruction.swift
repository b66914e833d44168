/// One eBPF instruction (`struct bpf_insn`): an 8-bit opcode, destination and source registers in
/// one byte (destination in the low nibble), a signed 16-bit offset and a signed 32-bit immediate.
/// Only the handful of instructions a device program needs can be written down.
struct BPFInstruction: Sendable, Equatable, CustomStringConvertible {
    /// The eleven registers: r0 holds the return value, r1 the context pointer on entry.
    enum Register: UInt8, Sendable {
        case r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10
    }

    var opcode: UInt8
    var destination: Register
    var source: Register
    var offset: Int16
    var immediate: Int32

    // Opcode parts from linux/bpf_common.h and linux/bpf.h.
    private static let classLDX: UInt8 = 0x01, classALU: UInt8 = 0x04, classJMP: UInt8 = 0x05
    private static let sizeWord: UInt8 = 0x00, modeMemory: UInt8 = 0x60
    private static let sourceImmediate: UInt8 = 0x00, sourceRegister: UInt8 = 0x08
    private static let operationAnd: UInt8 = 0x50, operationRightShift: UInt8 = 0x70, operationMove: UInt8 = 0xb0
    private static let jumpNotEqual: UInt8 = 0x50, jumpExit: UInt8 = 0x90

    /// `dst = *(u32 *)(src + offset)`, zero-extended.
    static func loadWord(_ destination: Register, from source: Register, offset: Int16) -> Self {
        Self(opcode: classLDX | modeMemory | sizeWord, destination: destination, source: source, offset: offset, immediate: 0)
    }

    /// `dst = (u32)dst & imm` (32-bit ALU).
    static func and32(_ destination: Register, _ immediate: Int32) -> Self {
        Self(opcode: classALU | operationAnd | sourceImmediate, destination: destination, source: .r0, offset: 0, immediate: immediate)
    }

    /// `dst = (u32)dst >> imm` (32-bit ALU, logical).
    static func rightShift32(_ destination: Register, _ immediate: Int32) -> Self {
        Self(opcode: classALU | operationRightShift | sourceImmediate, destination: destination, source: .r0, offset: 0, immediate: immediate)
    }

    /// `dst = (u32)imm` (32-bit ALU).
    static func move32(_ destination: Register, _ immediate: Int32) -> Self {
        Self(opcode: classALU | operationMove | sourceImmediate, destination: destination, source: .r0, offset: 0, immediate: immediate)
    }

    /// `dst = (u32)src` (32-bit ALU).
    static func move32(_ destination: Register, _ source: Register) -> Self {
        Self(opcode: classALU | operationMove | sourceRegister, destination: destination, source: source, offset: 0, immediate: 0)
    }

    /// `if dst != imm goto pc + 1 + offset` (64-bit compare, the immediate sign-extended).
    static func jumpIfNotEqual(_ destination: Register, _ immediate: Int32, offset: Int16) -> Self {
        Self(opcode: classJMP | jumpNotEqual | sourceImmediate, destination: destination, source: .r0, offset: offset, immediate: immediate)
    }

    /// `if dst != src goto pc + 1 + offset` (64-bit compare).
    static func jumpIfNotEqual(_ destination: Register, _ source: Register, offset: Int16) -> Self {
        Self(opcode: classJMP | jumpNotEqual | sourceRegister, destination: destination, source: source, offset: offset, immediate: 0)
    }

    /// `return r0`.
    static var exit: Self { Self(opcode: classJMP | jumpExit, destination: .r0, source: .r0, offset: 0, immediate: 0) }

    /// The 8 bytes of `struct bpf_insn` in the machine's (little-endian) order.
    var bytes: [UInt8] {
        let offset = UInt16(bitPattern: self.offset), immediate = UInt32(bitPattern: self.immediate)
        return [
            opcode, destination.rawValue | source.rawValue << 4, UInt8(offset & 0xff), UInt8(offset >> 8),
            UInt8(immediate & 0xff), UInt8(immediate >> 8 & 0xff), UInt8(immediate >> 16 & 0xff), UInt8(immediate >> 24),
        ]
    }

    /// The instruction in the kernel verifier's notation, e.g. `if r2 != 0x2 goto pc+4`.
    var description: String {
        let dst = "r\(destination.rawValue)", src = "r\(source.rawValue)"
        let hex = "0x" + String(UInt32(bitPattern: immediate), radix: 16)
        switch opcode {
        case Self.classLDX | Self.modeMemory | Self.sizeWord: return "\(dst) = *(u32 *)(\(src) \(offset < 0 ? "-" : "+") \(abs(Int(offset))))"
        case Self.classALU | Self.operationAnd: return "w\(destination.rawValue) &= \(hex)"
        case Self.classALU | Self.operationRightShift: return "w\(destination.rawValue) >>= \(immediate)"
        case Self.classALU | Self.operationMove: return "w\(destination.rawValue) = \(immediate)"
        case Self.classALU | Self.operationMove | Self.sourceRegister: return "w\(destination.rawValue) = w\(source.rawValue)"
        case Self.classJMP | Self.jumpNotEqual: return "if \(dst) != \(hex) goto pc\(offset < 0 ? "" : "+")\(offset)"
        case Self.classJMP | Self.jumpNotEqual | Self.sourceRegister: return "if \(dst) != \(src) goto pc\(offset < 0 ? "" : "+")\(offset)"
        case Self.classJMP | Self.jumpExit: return "exit"
        default: return "opcode 0x\(String(opcode, radix: 16))"
        }
    }
}

// The cgroup v2 device program without the kernel: rule parsing, the instructions each rule becomes
// (runc's device filter shape), their byte encoding, and what the program decides, run by a small
// interpreter of the instructions the emitter uses.

import ContainerRuntime
import Testing

@testable import NativeRuntime

@Suite("cgroup v2 device program emitter")
struct DeviceProgramTests {
    /// The six loads every program starts with: r2 = type, r3 = access, r4 = major, r5 = minor.
    private let prologue: [BPFInstruction] = [
        .loadWord(.r2, from: .r1, offset: 0), .and32(.r2, 0xffff),
        .loadWord(.r3, from: .r1, offset: 0), .rightShift32(.r3, 16),
        .loadWord(.r4, from: .r1, offset: 4), .loadWord(.r5, from: .r1, offset: 8),
    ]
    private let denyByDefault: [BPFInstruction] = [.move32(.r0, 0), .exit]

    private func program(_ rules: String...) throws -> DeviceProgram {
        DeviceProgram(rules: try rules.map { try DeviceRule(parsing: $0) })
    }

    @Test func rulesParseIntoTypeNumbersAndAccess() throws {
        #expect(try DeviceRule(parsing: "c 1:3 rwm") == DeviceRule(kind: .char, major: 1, minor: 3, access: .all))
        #expect(try DeviceRule(parsing: "b *:* m") == DeviceRule(kind: .block, access: .mknod))
        #expect(try DeviceRule(parsing: "c 136:* rw") == DeviceRule(kind: .char, major: 136, access: [.read, .write]))
        #expect(try DeviceRule(parsing: "a") == DeviceRule(kind: .all))
        #expect(try DeviceRule(parsing: "a *:* rwm") == DeviceRule(kind: .all))
        #expect(try DeviceRule(parsing: "c 10:200 rwm").description == "c 10:200 rwm")
        #expect(try DeviceRule(parsing: "b *:* m").description == "b *:* m")
    }

    @Test(arguments: ["x 1:3 rwm", "c 1:3", "c 1-3 rwm", "c 1:3 rwx", "c 4294967295:1 r", "c -1:1 r", "", "cc 1:3 rwm", "c"])
    func malformedRulesAreRejectedNamingTheRule(_ text: String) {
        let error = #expect(throws: RuntimeError.self) { try DeviceRule(parsing: text) }
        #expect(error?.description.contains("device rule '\(text)'") == true)
    }

    @Test func anExactRuleChecksTypeMajorAndMinorAndSkipsTheAccessCheckForRWM() throws {
        // Each check jumps to the instruction after the block's exit when the device differs.
        #expect(try program("c 1:3 rwm").instructions == prologue + [
            .jumpIfNotEqual(.r2, 2, offset: 4),
            .jumpIfNotEqual(.r4, 1, offset: 3),
            .jumpIfNotEqual(.r5, 3, offset: 2),
            .move32(.r0, 1), .exit,
        ] + denyByDefault)
    }

    @Test func aPartialAccessIsCheckedAsASubsetOfTheRulesAccess() throws {
        #expect(try program("b 8:* r").instructions == prologue + [
            .jumpIfNotEqual(.r2, 1, offset: 6),
            .move32(.r1, .r3), .and32(.r1, 2), .jumpIfNotEqual(.r1, .r3, offset: 3),
            .jumpIfNotEqual(.r4, 8, offset: 2),
            .move32(.r0, 1), .exit,
        ] + denyByDefault)
    }

    @Test func wildcardNumbersAreNotChecked() throws {
        #expect(try program("c *:* m").instructions == prologue + [
            .jumpIfNotEqual(.r2, 2, offset: 5),
            .move32(.r1, .r3), .and32(.r1, 1), .jumpIfNotEqual(.r1, .r3, offset: 2),
            .move32(.r0, 1), .exit,
        ] + denyByDefault)
    }

    @Test func typeAMatchesEveryDeviceAndEndsTheProgram() throws {
        // Checked last to first: 'a' is checked first and matches everything, so the earlier rule
        // and the default verdict can never run and are not emitted.
        #expect(try program("c 1:3 rwm", "a").instructions == prologue + [.move32(.r0, 1), .exit])
        #expect(try program("a", "c 1:3 rwm").instructions == prologue + [
            .jumpIfNotEqual(.r2, 2, offset: 4), .jumpIfNotEqual(.r4, 1, offset: 3), .jumpIfNotEqual(.r5, 3, offset: 2),
            .move32(.r0, 1), .exit,
            .move32(.r0, 1), .exit,
        ])
        #expect(try program("a *:* r").instructions == prologue + [
            .move32(.r1, .r3), .and32(.r1, 2), .jumpIfNotEqual(.r1, .r3, offset: 2), .move32(.r0, 1), .exit,
        ] + denyByDefault)
    }

    @Test func noRulesDenyEverything() {
        #expect(DeviceProgram(rules: []).instructions == prologue + denyByDefault)
    }

    @Test func instructionsEncodeAsTheKernelsBPFInsn() {
        // struct bpf_insn: code, dst | src << 4, off (le16), imm (le32): as llvm-objdump prints them.
        #expect(BPFInstruction.loadWord(.r2, from: .r1, offset: 0).bytes == [0x61, 0x12, 0, 0, 0, 0, 0, 0])
        #expect(BPFInstruction.loadWord(.r4, from: .r1, offset: 4).bytes == [0x61, 0x14, 4, 0, 0, 0, 0, 0])
        #expect(BPFInstruction.and32(.r2, 0xffff).bytes == [0x54, 0x02, 0, 0, 0xff, 0xff, 0, 0])
        #expect(BPFInstruction.rightShift32(.r3, 16).bytes == [0x74, 0x03, 0, 0, 16, 0, 0, 0])
        #expect(BPFInstruction.move32(.r1, .r3).bytes == [0xbc, 0x31, 0, 0, 0, 0, 0, 0])
        #expect(BPFInstruction.move32(.r0, 1).bytes == [0xb4, 0x00, 0, 0, 1, 0, 0, 0])
        #expect(BPFInstruction.jumpIfNotEqual(.r2, 2, offset: 4).bytes == [0x55, 0x02, 4, 0, 2, 0, 0, 0])
        #expect(BPFInstruction.jumpIfNotEqual(.r1, .r3, offset: 2).bytes == [0x5d, 0x31, 2, 0, 0, 0, 0, 0])
        #expect(BPFInstruction.jumpIfNotEqual(.r5, 0, offset: -1).bytes == [0x55, 0x05, 0xff, 0xff, 0, 0, 0, 0])
        #expect(BPFInstruction.exit.bytes == [0x95, 0, 0, 0, 0, 0, 0, 0])
        #expect(DeviceProgram(rules: []).bytes.count == 8 * 8)
    }

    @Test func instructionsPrintInTheVerifiersNotation() {
        #expect(BPFInstruction.loadWord(.r4, from: .r1, offset: 4).description == "r4 = *(u32 *)(r1 + 4)")
        #expect(BPFInstruction.jumpIfNotEqual(.r2, 2, offset: 4).description == "if r2 != 0x2 goto pc+4")
        #expect(BPFInstruction.move32(.r1, .r3).description == "w1 = w3")
        #expect(BPFInstruction.exit.description == "exit")
    }

    // MARK: What the program decides

    private enum Access: Int32 { case mknod = 1, read = 2, write = 4 }

    /// Runs a device program on a `bpf_cgroup_dev_ctx` the way the kernel would: true when it
    /// returns non-zero (allow).
    private func decides(_ program: DeviceProgram, _ type: DeviceRule.Kind, _ major: UInt32, _ minor: UInt32, _ access: Access) throws -> Bool {
        let context: [UInt32] = [UInt32(access.rawValue) << 16 | UInt32(DeviceProgram.typeBits(type)!), major, minor]
        var registers = [UInt64](repeating: 0, count: 11)
        var pc = 0
        for _ in 0..<10_000 {
            let instruction = try #require(program.instructions.indices.contains(pc) ? program.instructions[pc] : nil, "ran off the end at \(pc)")
            let dst = Int(instruction.destination.rawValue), src = Int(instruction.source.rawValue)
            let immediate = UInt64(bitPattern: Int64(instruction.immediate))
            pc += 1
            switch instruction.opcode {
            case 0x61:
                // Only the context (r1 on entry) is ever read.
                registers[dst] = UInt64(context[Int(instruction.offset) / 4])
            case 0x54: registers[dst] = (registers[dst] & immediate) & 0xffff_ffff
            case 0x74: registers[dst] = (registers[dst] & 0xffff_ffff) >> immediate
            case 0xb4: registers[dst] = immediate & 0xffff_ffff
            case 0xbc: registers[dst] = registers[src] & 0xffff_ffff
            case 0x55: if registers[dst] != immediate { pc += Int(instruction.offset) }
            case 0x5d: if registers[dst] != registers[src] { pc += Int(instruction.offset) }
            case 0x95: return registers[0] != 0
            default: Issue.record("unexpected instruction \(instruction)"); return false
            }
        }
        Issue.record("the program did not finish")
        return false
    }

    @Test func runcsDefaultRulesAllowTheStandardDevicesAndMknodOnly() throws {
        let program = DeviceProgram(rules: try defaultDeviceRules.map { try DeviceRule(parsing: $0) })
        for (major, minor) in [(1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 2), (136, 0), (136, 42), (10, 200)] as [(UInt32, UInt32)] {
            #expect(try decides(program, .char, major, minor, .read), "c \(major):\(minor) read")
            #expect(try decides(program, .char, major, minor, .write), "c \(major):\(minor) write")
        }
        #expect(try !decides(program, .char, 1, 1, .read), "/dev/mem")
        #expect(try !decides(program, .char, 1, 11, .write), "/dev/kmsg")
        #expect(try !decides(program, .char, 10, 232, .read), "/dev/kvm")
        #expect(try !decides(program, .block, 8, 0, .read), "/dev/sda")
        #expect(try !decides(program, .block, 1, 3, .read), "a block device with null's numbers")
        #expect(try decides(program, .block, 8, 0, .mknod))
        #expect(try decides(program, .char, 1, 1, .mknod))
    }

    @Test func aPartialAccessRuleAllowsOnlyThatAccess() throws {
        let program = try program("c 1:3 r")
        #expect(try decides(program, .char, 1, 3, .read))
        #expect(try !decides(program, .char, 1, 3, .write))
        #expect(try !decides(program, .char, 1, 3, .mknod))
        #expect(try !decides(program, .char, 1, 4, .read))
    }

    @Test func aLaterDenyRuleOverridesAnEarlierAllow() throws {
        let program = DeviceProgram(rules: [
            DeviceRule(kind: .char, major: 1), DeviceRule(kind: .char, major: 1, minor: 5, allow: false),
        ])
        #expect(try decides(program, .char, 1, 3, .read))
        #expect(try !decides(program, .char, 1, 5, .read))
    }
}

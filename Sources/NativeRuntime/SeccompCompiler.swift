import CSeccomp
import Crypto
import CSwiftletRuntime
import Glibc
import Synchronization

/// A libseccomp filter context, released when the value goes away.
struct SeccompContext: ~Copyable {
    let raw: scmp_filter_ctx

    init(defaultAction: UInt32) throws(SystemCallError) {
        guard let context = seccomp_init(defaultAction) else { throw SystemCallError(call: "seccomp_init", errno: EINVAL) }
        raw = context
    }

    deinit { seccomp_release(raw) }
}

/// Compiles seccomp profiles to classic BPF with libseccomp, once per distinct profile: the
/// program is written to a file the init path loads with `seccomp(2)`, so no container start
/// pays for compiling.
final class SeccompCompiler: Sendable {
    /// Where the compiled programs are.
    let directory: String
    private let compiled = Mutex<[SeccompProfile: String]>([:])

    /// `directory` holds the compiled programs.
    init(directory: String) { self.directory = directory }

    /// The path of the BPF program for `profile`, compiling it on first use in this process.
    /// Files are named by the SHA-256 of the program, so an agent restarted while containers run
    /// finds the same file for the same profile instead of adding one per run.
    func programPath(for profile: SeccompProfile) throws -> String {
        if let path = compiled.withLock({ $0[profile] }) { return path }
        let program = try Self.compile(profile)
        let path = "\(directory)/\(Self.fileName(of: program))"
        if access(path, F_OK) != 0 {
            try FileSystem.makeDirectories(directory)
            try FileSystem.writeAtomically(path, program)
        }
        compiled.withLock { $0[profile] = path }
        return path
    }

    /// `<sha256 hex>.bpf`.
    static func fileName(of program: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var name = [UInt8]()
        name.reserveCapacity(68)
        for byte in SHA256.hash(data: program) {
            name.append(digits[Int(byte >> 4)])
            name.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: name, as: UTF8.self) + ".bpf"
    }

    static func actionValue(_ action: SeccompProfile.Action, errno errnoValue: UInt32?) -> UInt32 {
        switch action {
        case .kill, .killThread: 0x0000_0000
        case .killProcess: 0x8000_0000
        case .trap: 0x0003_0000
        case .errno: 0x0005_0000 | ((errnoValue ?? UInt32(EPERM)) & 0xffff)
        case .trace: 0x7ff0_0000 | ((errnoValue ?? 0) & 0xffff)
        case .allow: 0x7fff_0000
        case .log: 0x7ffc_0000
        }
    }

    static func architectureToken(_ name: String) -> UInt32? {
        let names = ["SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X32": "x32",
                     "SCMP_ARCH_AARCH64": "aarch64", "SCMP_ARCH_ARM": "arm"]
        guard let libseccompName = names[name] else { return nil }
        let token = seccomp_arch_resolve_name(libseccompName)
        return token == 0 ? nil : token
    }

    private static func comparison(_ op: SeccompProfile.Operator) -> scmp_compare {
        switch op {
        case .notEqual: SCMP_CMP_NE
        case .lessThan: SCMP_CMP_LT
        case .lessOrEqual: SCMP_CMP_LE
        case .equalTo: SCMP_CMP_EQ
        case .greaterOrEqual: SCMP_CMP_GE
        case .greaterThan: SCMP_CMP_GT
        case .maskedEqual: SCMP_CMP_MASKED_EQ
        }
    }

    /// Compiles a profile to a BPF program (an array of `struct sock_filter`).
    static func compile(_ profile: SeccompProfile) throws -> [UInt8] {
        let context = try SeccompContext(defaultAction: actionValue(profile.defaultAction, errno: profile.defaultErrnoRet))
        // The program is loaded by the init path itself, which sets no_new_privs as the spec says.
        seccomp_attr_set(context.raw, SCMP_FLTATR_CTL_NNP, 0)
        for name in profile.architectures {
            guard let token = architectureToken(name), token != seccomp_arch_native() else { continue }
            let result = seccomp_arch_add(context.raw, token)
            if result != 0 && result != -EEXIST { throw SystemCallError(call: "seccomp_arch_add", subject: name, errno: -result) }
        }
        for rule in profile.syscalls {
            let action = actionValue(rule.action, errno: rule.errnoRet)
            if action == actionValue(profile.defaultAction, errno: profile.defaultErrnoRet) { continue }
            let comparisons = rule.args.map { arg in
                scmp_arg_cmp(arg: arg.index, op: comparison(arg.op), datum_a: arg.value, datum_b: arg.valueTwo)
            }
            for name in rule.names {
                let number = seccomp_syscall_resolve_name(name)
                if number == __NR_SCMP_ERROR { continue }
                let result = comparisons.withUnsafeBufferPointer {
                    seccomp_rule_add_array(context.raw, action, number, UInt32($0.count), $0.baseAddress)
                }
                if result != 0 && result != -EEXIST {
                    throw SystemCallError(call: "seccomp_rule_add", subject: name, errno: -result)
                }
            }
        }
        let memory = try Syscall.retrying("memfd_create") { SL_memfd_cloexec("seccomp") }
        let file = FileDescriptor(adopting: memory)
        let exported = seccomp_export_bpf(context.raw, file.rawValue)
        if exported != 0 { throw SystemCallError(call: "seccomp_export_bpf", errno: -exported) }
        try Syscall.retrying("lseek") { lseek(file.rawValue, 0, SEEK_SET) }
        return try file.readAll()
    }
}

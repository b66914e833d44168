// The decisions NativeRuntime makes before any C runs: command and environment merging as
// Kubernetes defines them, users from the image, capabilities, signals and seccomp profiles.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("Native runtime decisions")
struct DecisionTests {
    let image = ImageConfig(entrypoint: ["/entry"], cmd: ["default-arg"], env: ["PATH=/image/bin", "A=1"])

    @Test func commandAndArgsMergeWithEntrypointAndCmdAsKubernetesDefines() {
        #expect(ContainerProcess.argv(image: image, command: [], args: []) == ["/entry", "default-arg"])
        #expect(ContainerProcess.argv(image: image, command: [], args: ["x"]) == ["/entry", "x"])
        #expect(ContainerProcess.argv(image: image, command: ["/bin/sh"], args: []) == ["/bin/sh"])
        #expect(ContainerProcess.argv(image: image, command: ["/bin/sh"], args: ["-c", "true"]) == ["/bin/sh", "-c", "true"])
    }

    @Test func containerEnvOverridesImageEnvInPlaceAndPathIsDefaulted() {
        #expect(ContainerProcess.environment(image: image.env, container: [KeyValue("A", "2"), KeyValue("B", "3")])
            == ["PATH=/image/bin", "A=2", "B=3"])
        #expect(ContainerProcess.environment(image: [], container: [KeyValue("B", "3")]) == [ContainerProcess.defaultPath, "B=3"])
    }

    @Test func usersResolveFromTheImagesFiles() throws {
        let layer = FileManager.default.temporaryDirectory.appendingPathComponent("layer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: layer + "/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: layer) }
        try "root:x:0:0::/root:/bin/sh\nweb:x:33:33::/var/www:/bin/sh\n".write(toFile: layer + "/etc/passwd", atomically: true, encoding: .utf8)
        try "root:x:0:\nweb:x:33:\nlogs:x:4:web\n".write(toFile: layer + "/etc/group", atomically: true, encoding: .utf8)
        let resolver = UserResolver(layers: [layer])
        #expect(try resolver.resolve(runAsUser: nil, runAsGroup: nil, user: "web", supplementalGroups: [])
            == .init(uid: 33, gid: 33, groups: [33, 4]))
        #expect(try resolver.resolve(runAsUser: nil, runAsGroup: nil, user: "33:logs", supplementalGroups: [100])
            == .init(uid: 33, gid: 4, groups: [4, 100]))
        #expect(try resolver.resolve(runAsUser: 5000, runAsGroup: 6000, user: "web", supplementalGroups: [])
            == .init(uid: 5000, gid: 6000, groups: [6000]))
        #expect(try resolver.resolve(runAsUser: nil, runAsGroup: nil, user: "", supplementalGroups: [])
            == .init(uid: 0, gid: 0, groups: [0]))
        #expect(throws: RuntimeError.self) { try resolver.resolve(runAsUser: nil, runAsGroup: nil, user: "ghost", supplementalGroups: []) }
    }

    @Test func capabilitiesFollowAddDropAndPrivileged() throws {
        let base = CapabilitySet.containerdDefault
        #expect(try CapabilitySet.resolve(default: base, add: [], drop: [], privileged: false) == base)
        let dropped = try CapabilitySet.resolve(default: base, add: ["NET_ADMIN"], drop: ["CAP_CHOWN", "kill"], privileged: false)
        #expect(dropped.contains("NET_ADMIN") && !dropped.contains("CHOWN") && !dropped.contains("KILL") && dropped.contains("SETUID"))
        #expect(try CapabilitySet.resolve(default: base, add: ["SYS_TIME"], drop: ["ALL"], privileged: false).memberNames == ["SYS_TIME"])
        #expect(try CapabilitySet.resolve(default: base, add: [], drop: ["ALL"], privileged: true) == .all)
        #expect(throws: RuntimeError.self) { try CapabilitySet.resolve(default: base, add: ["FLY"], drop: [], privileged: false) }
        #expect(base.memberNames.count == 14)
    }

    @Test func stopSignalsResolveByNameOrNumber() {
        #expect(NativeRuntime.signalNumber("") == SIGTERM)
        #expect(NativeRuntime.signalNumber("SIGQUIT") == SIGQUIT)
        #expect(NativeRuntime.signalNumber("usr1") == SIGUSR1)
        #expect(NativeRuntime.signalNumber("9") == SIGKILL)
        #expect(NativeRuntime.signalNumber("SIGNOPE") == nil)
    }

    @Test func runtimeDefaultProfileGrantsAdminCallsOnlyWithTheCapability() {
        let plain = SeccompProfile.runtimeDefault(capabilities: .containerdDefault)
        let allowed = Set(plain.syscalls.filter { $0.action == .allow && $0.args.isEmpty }.flatMap(\.names))
        #expect(!allowed.contains("mount") && !allowed.contains("unshare") && !allowed.contains("keyctl"))
        #expect(allowed.contains("read") && allowed.contains("execve"))
        #expect(plain.syscalls.contains { $0.names == ["clone3"] && $0.action == .errno && $0.errnoRet == UInt32(ENOSYS) })
        let admin = SeccompProfile.runtimeDefault(capabilities: CapabilitySet(names: ["SYS_ADMIN"]))
        let adminAllowed = Set(admin.syscalls.filter { $0.action == .allow && $0.args.isEmpty }.flatMap(\.names))
        #expect(adminAllowed.contains("mount") && adminAllowed.contains("unshare") && adminAllowed.contains("clone3"))
        #expect(plain.defaultAction == .errno && plain.defaultErrnoRet == UInt32(EPERM))
    }

    @Test func profilesCompileToAWholeNumberOfBPFInstructions() throws {
        let program = try SeccompCompiler.compile(SeccompProfile.runtimeDefault(capabilities: .containerdDefault))
        #expect(program.count > 8 && program.count % 8 == 0)
    }

    @Test func compiledProgramsAreNamedByContentSoARestartedAgentReusesTheFile() throws {
        let directory = NSTemporaryDirectory() + "swiftlet-seccomp-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plain = SeccompProfile.runtimeDefault(capabilities: .containerdDefault)
        let admin = SeccompProfile.runtimeDefault(capabilities: CapabilitySet(names: ["SYS_ADMIN"]))
        // Two compilers stand for two runs of the agent: neither remembers what the other wrote.
        let first = try SeccompCompiler(directory: directory).programPath(for: plain)
        let again = try SeccompCompiler(directory: directory).programPath(for: plain)
        let other = try SeccompCompiler(directory: directory).programPath(for: admin)
        #expect(first == again)
        #expect(other != first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [first, other].map { ($0 as NSString).lastPathComponent }.sorted())
        #expect(FileManager.default.contents(atPath: first).map(Array.init) == (try SeccompCompiler.compile(plain)))
    }

    @Test func localhostProfileInOCIJSONParses() throws {
        let json = """
            {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
             "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                          {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}
            """
        let profile = try SeccompProfile.parse(ociJSON: Array(json.utf8), file: "/profiles/p.json")
        #expect(profile.defaultAction == .errno && profile.defaultErrnoRet == 1)
        #expect(profile.syscalls.count == 2)
        #expect(profile.syscalls[1].args == [.init(index: 0, value: 8, op: .equalTo)])
        #expect(try SeccompCompiler.compile(profile).count % 8 == 0)
    }

    @Test func localhostProfileErrorsNameTheFileAndField() {
        let json = #"{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_MAYBE"}]}"#
        #expect {
            try SeccompProfile.parse(ociJSON: Array(json.utf8), file: "/profiles/bad.json")
        } throws: { error in
            let description = (error as? SeccompProfileError)?.description ?? ""
            return description.contains("/profiles/bad.json") && description.contains("syscalls[0].action")
        }
    }
}

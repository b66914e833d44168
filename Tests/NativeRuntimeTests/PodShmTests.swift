// The pod's /dev/shm, as containerd gives it: one tmpfs per sandbox (64 MiB, nosuid, nodev,
// noexec), bound into each of the pod's containers, private to the pod, gone with the sandbox.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("Native runtime pod /dev/shm", .kernelRuntime, .serialized)
struct PodShmTests {
    /// The host's mount table lines whose mount point is under `path`.
    private func hostMounts(under path: String) throws -> [String] {
        try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n")
            .filter { $0.split(separator: " ").dropFirst(4).first?.hasPrefix(path) == true }.map(String.init)
    }

    @Test func containersOfOnePodShareDevShmAndOtherPodsDoNot() async throws {
        try await RuntimeFixture.with { fixture in
            let sandboxConfig = fixture.sandboxConfig("shm")
            let sandbox = try await fixture.runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            var ids: [String] = []
            for name in ["writer", "reader"] {
                let id = try await fixture.runtime.createContainer(
                    podSandboxID: sandbox, config: fixture.containerConfig(name, ["sleep", "600"]), sandboxConfig: sandboxConfig)
                try await fixture.runtime.startContainer(id: id)
                ids.append(id)
            }
            let write = try await fixture.runtime.execSync(containerID: ids[0], command: ["sh", "-c", "echo shared > /dev/shm/note"], timeout: 10)
            #expect(write.exitCode == 0, "\(write.stderrText)")
            let read = try await fixture.runtime.execSync(containerID: ids[1], command: ["cat", "/dev/shm/note"], timeout: 10)
            #expect(read.stdoutText == "shared\n")

            let (_, other, _) = try await fixture.runContainer("other", ["sleep", "600"])
            let elsewhere = try await fixture.runtime.execSync(containerID: other, command: ["ls", "-A", "/dev/shm"], timeout: 10)
            #expect(elsewhere.exitCode == 0)
            #expect(elsewhere.stdoutText == "")
        }
    }

    @Test func podShmIsA64MiBTmpfsWithoutExecSuidOrDevicesAndIsUnmountedWithTheSandbox() async throws {
        try await RuntimeFixture.with { fixture in
            let (sandbox, id, _) = try await fixture.runContainer("shmopts", ["sleep", "600"])
            let result = try await fixture.runtime.execSync(containerID: id, command: ["grep", " /dev/shm ", "/proc/mounts"], timeout: 10)
            let fields = result.stdoutText.split(separator: " ")
            #expect(fields.count >= 4, "mount line: \(result.stdoutText)")
            if fields.count >= 4 {
                #expect(fields[2] == "tmpfs")
                let options = Set(fields[3].split(separator: ","))
                #expect(options.isSuperset(of: ["nosuid", "nodev", "noexec", "size=65536k"]), "options: \(fields[3])")
            }
            // The host's view of the mount is not checked before removal: in this test process
            // other suites run code in private mount namespaces (ImagesTests), and a Dispatch worker
            // spawned from such a thread stays in it, so whether the runtime's worker mounted in
            // the namespace this thread sees varies (0, 1 or 2 copies were seen). The container's
            // view above is the one that matters; after removal nothing may be left in ours.
            try await fixture.runtime.removePodSandbox(id: sandbox)
            #expect(try hostMounts(under: fixture.runDirectory).isEmpty)
        }
    }

    @Test func containerInTheHostIPCNamespaceGetsTheHostsDevShm() async throws {
        try await RuntimeFixture.with { fixture in
            let marker = "swiftlet-shm-\(UUID().uuidString.prefix(8))"
            _ = FileManager.default.createFile(atPath: "/dev/shm/\(marker)", contents: Data("host\n".utf8))
            defer { try? FileManager.default.removeItem(atPath: "/dev/shm/\(marker)") }
            var sandboxConfig = fixture.sandboxConfig("hostipc")
            sandboxConfig.linux.securityContext.namespaceOptions.ipc = .node
            let sandbox = try await fixture.runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            let id = try await fixture.runtime.createContainer(
                podSandboxID: sandbox,
                config: fixture.containerConfig("hostipc", ["sleep", "600"]) { $0.linux.securityContext.namespaceOptions.ipc = .node },
                sandboxConfig: sandboxConfig)
            try await fixture.runtime.startContainer(id: id)
            let read = try await fixture.runtime.execSync(containerID: id, command: ["cat", "/dev/shm/\(marker)"], timeout: 10)
            #expect(read.stdoutText == "host\n")
            #expect(try hostMounts(under: "\(fixture.runDirectory)/sandboxes/\(sandbox)/shm").isEmpty)
        }
    }
}

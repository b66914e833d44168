// A container is isolated as the issue asks: PID 1 of its own PID namespace, the pod's hostname,
// no view of host processes, the default seccomp profile denying mount/unshare/keyctl, and the
// capability set containerd gives by default.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("Native runtime isolation", .kernelRuntime, .serialized)
struct IsolationTests {
    private func withRunningContainer(
        hostname: String = "", configure: (inout ContainerConfig) -> Void = { _ in },
        _ body: (RuntimeFixture, String) async throws -> Void
    ) async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, _) = try await fixture.runContainer("iso", ["sleep", "600"], hostname: hostname, configure: configure)
            try await body(fixture, id)
        }
    }

    @Test func containerProcessIsPIDOneOfItsOwnNamespace() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer("pid", ["sh", "-c", "echo $$"])
            let status = try await fixture.waitUntilExited(id)
            #expect(status.exitCode == 0)
            #expect(try fixture.logLines(sandboxConfig, "pid").map(\.text) == ["1"])
        }
    }

    @Test func containerProcessSeesOnlyItsOwnMountsFromItsFirstInstruction() async throws {
        // A child of the init detaches the host's old root while the start is pending; the init
        // waits for it before executing the image, so even the first thing the process reads
        // shows one root (the overlay) and none of the host's mounts stacked on it.
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer("mounts", ["cat", "/proc/self/mountinfo"])
            let status = try await fixture.waitUntilExited(id)
            #expect(status.exitCode == 0)
            let lines = try fixture.logLines(sandboxConfig, "mounts").map(\.text)
            let mountPoints = lines.compactMap { line -> String? in
                let fields = line.split(separator: " ")
                return fields.count > 4 ? String(fields[4]) : nil
            }
            let roots = lines.filter { $0.split(separator: " ").dropFirst(4).first == "/" }
            #expect(roots.count == 1, "mounts at /: \(roots)")
            #expect(roots.first?.contains(" - overlay ") == true, "\(roots)")
            #expect(mountPoints.contains("/proc"))
            #expect(Set(mountPoints).count == mountPoints.count, "a mount point appears twice: \(mountPoints)")
        }
    }

    @Test func hostProcessesAreInvisibleInside() async throws {
        try await withRunningContainer { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["sh", "-c", "ls /proc | grep -E '^[0-9]+$'"], timeout: 10)
            let pids = result.stdoutText.split(separator: "\n").compactMap { Int($0) }
            // sleep (1), the exec'd sh and ls, and grep: nothing of the host's hundreds of processes.
            #expect(pids.contains(1))
            #expect(pids.count <= 4, "visible PIDs: \(pids)")
        }
    }

    @Test func containerHasThePodsHostname() async throws {
        try await withRunningContainer(hostname: "pod-host") { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["hostname"], timeout: 10)
            #expect(result.stdoutText == "pod-host\n")
            let file = try await fixture.runtime.execSync(containerID: id, command: ["cat", "/etc/hostname"], timeout: 10)
            #expect(file.stdoutText == "pod-host\n")
            let hosts = try await fixture.runtime.execSync(containerID: id, command: ["cat", "/etc/hosts"], timeout: 10)
            #expect(hosts.stdoutText.hasPrefix("127.0.0.1\tlocalhost\n"))
        }
    }

    @Test func runtimeDefaultSeccompDeniesMountUnshareAndKeyctl() async throws {
        try await withRunningContainer(configure: { $0.linux.securityContext.seccomp = .runtimeDefault }) { fixture, id in
            for call in ["mount", "unshare", "keyctl"] {
                let result = try await fixture.runtime.execSync(containerID: id, command: ["probe", call], timeout: 10)
                #expect(result.stdoutText == "EPERM\n", "\(call) gave \(result.stdoutText) \(result.stderrText) \(result.exitCode)")
            }
            let allowed = try await fixture.runtime.execSync(containerID: id, command: ["probe", "getpid"], timeout: 10)
            #expect(allowed.stdoutText == "OK\n")
        }
    }

    @Test func initProcessRunsUnderTheRuntimeDefaultFilter() async throws {
        try await RuntimeFixture.with { fixture in
            let (_, id, sandboxConfig) = try await fixture.runContainer(
                "filtered", ["sh", "-c", "grep Seccomp: /proc/self/status; probe keyctl"]
            ) { $0.linux.securityContext.seccomp = .runtimeDefault }
            _ = try await fixture.waitUntilExited(id)
            let lines = try fixture.logLines(sandboxConfig, "filtered").map(\.text)
            #expect(lines == ["Seccomp:\t2", "EPERM"])
        }
    }

    @Test func unconfinedContainerHasNoFilter() async throws {
        try await withRunningContainer(configure: { $0.linux.securityContext.seccomp = .unconfined }) { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["grep", "Seccomp:", "/proc/1/status"], timeout: 10)
            #expect(result.stdoutText == "Seccomp:\t0\n")
        }
    }

    @Test func effectiveCapabilitiesAreContainerdsDefaultSet() async throws {
        try await withRunningContainer { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["grep", "-E", "Cap(Eff|Bnd)", "/proc/1/status"], timeout: 10)
            let expected = String(format: "%016llx", CapabilitySet.containerdDefault.mask)
            #expect(result.stdoutText == "CapEff:\t\(expected)\nCapBnd:\t\(expected)\n")
        }
    }

    @Test func addedAndDroppedCapabilitiesShowInCapEff() async throws {
        try await withRunningContainer(configure: {
            $0.linux.securityContext.addCapabilities = ["NET_ADMIN"]
            $0.linux.securityContext.dropCapabilities = ["ALL"]
        }) { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["grep", "CapEff", "/proc/1/status"], timeout: 10)
            #expect(result.stdoutText == "CapEff:\t0000000000001000\n")
        }
    }

    @Test func userAndGroupsComeFromTheImagesPasswdAndGroupFiles() async throws {
        try await withRunningContainer(configure: { $0.linux.securityContext.runAsUsername = "app" }) { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["id"], timeout: 10)
            #expect(result.stdoutText == "uid=1000(app) gid=1000(app) groups=1000(app),2000(extra)\n")
        }
    }

    @Test func podWithSharedProcessNamespaceSeesItsContainersProcesses() async throws {
        try await RuntimeFixture.with { fixture in
            var sandboxConfig = fixture.sandboxConfig("shared")
            sandboxConfig.linux.securityContext.namespaceOptions.pid = .pod
            let sandboxID = try await fixture.runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            var ids: [String] = []
            for (name, argv) in [("first", ["sleep", "600"]), ("second", ["sleep", "700"])] {
                let id = try await fixture.runtime.createContainer(
                    podSandboxID: sandboxID,
                    config: fixture.containerConfig(name, argv) { $0.linux.securityContext.namespaceOptions.pid = .pod },
                    sandboxConfig: sandboxConfig)
                try await fixture.runtime.startContainer(id: id)
                ids.append(id)
            }
            let ps = try await fixture.runtime.execSync(containerID: ids[1], command: ["ps", "-o", "pid,args"], timeout: 10)
            let lines = ps.stdoutText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines.contains { $0.hasSuffix("sleep 600") }, "\(lines)")
            #expect(lines.contains { $0.hasSuffix("sleep 700") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("1 ") && $0.contains("pod-init") }, "\(lines)")
            try await fixture.runtime.stopContainer(id: ids[0], timeout: 0)
            #expect(try await fixture.runtime.containerStatus(id: ids[0]).exitCode == 137)
            try await fixture.runtime.stopPodSandbox(id: sandboxID)
            #expect(try await fixture.runtime.containerStatus(id: ids[1]).state == .exited)
        }
    }

    @Test func namespacedSysctlsApplyToThePodOnly() async throws {
        try await RuntimeFixture.with { fixture in
            var sandboxConfig = fixture.sandboxConfig("sysctl")
            sandboxConfig.linux.sysctls = ["net.ipv4.ip_unprivileged_port_start": "80", "kernel.shm_rmid_forced": "1"]
            let sandboxID = try await fixture.runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            let id = try await fixture.runtime.createContainer(
                podSandboxID: sandboxID, config: fixture.containerConfig("sysctl", ["sleep", "600"]), sandboxConfig: sandboxConfig)
            try await fixture.runtime.startContainer(id: id)
            let inside = try await fixture.runtime.execSync(
                containerID: id, command: ["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/kernel/shm_rmid_forced"],
                timeout: 10)
            #expect(inside.stdoutText == "80\n1\n")
            let host = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding: .utf8)
            #expect(host != "80\n")
            var bad = fixture.sandboxConfig("badsysctl")
            bad.linux.sysctls = ["kernel.panic": "1"]
            await #expect(throws: RuntimeError.invalidArgument(field: "linux.sysctls[kernel.panic]", reason: "not a sysctl of the pod's network or IPC namespace")) {
                _ = try await fixture.runtime.runPodSandbox(bad, runtimeHandler: "")
            }
        }
    }

    @Test func localhostSeccompProfileInOCIJSONIsEnforced() async throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        // Everything allowed but mkdir and mkdirat, which fail with EACCES (13).
        try #"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}"#
            .write(toFile: profile, atomically: true, encoding: .utf8)
        try await withRunningContainer(configure: { $0.linux.securityContext.seccomp = .localhost(profile) }) { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["mkdir", "/tmp/denied"], timeout: 10)
            #expect(result.exitCode != 0)
            #expect(result.stderrText.contains("Permission denied"), "\(result.stderrText)")
            let touch = try await fixture.runtime.execSync(containerID: id, command: ["touch", "/tmp/allowed"], timeout: 10)
            #expect(touch.exitCode == 0)
        }
    }

    @Test func callerBindAndTmpfsMountsAppearWithTheirOptions() async throws {
        let host = FileManager.default.temporaryDirectory.appendingPathComponent("bind-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: host) }
        try "from the host\n".write(toFile: host + "/file", atomically: true, encoding: .utf8)
        try await withRunningContainer(configure: {
            $0.mounts = [
                Mount(kind: .bind, containerPath: "/data/ro", hostPath: host, readonly: true),
                Mount(kind: .tmpfs, containerPath: "/scratch", sizeBytes: 1 << 20),
            ]
        }) { fixture, id in
            let read = try await fixture.runtime.execSync(containerID: id, command: ["cat", "/data/ro/file"], timeout: 10)
            #expect(read.stdoutText == "from the host\n")
            let write = try await fixture.runtime.execSync(containerID: id, command: ["touch", "/data/ro/new"], timeout: 10)
            #expect(write.stderrText.contains("Read-only file system"))
            let mounts = try await fixture.runtime.execSync(containerID: id, command: ["grep", " /scratch ", "/proc/mounts"], timeout: 10)
            #expect(mounts.stdoutText.hasPrefix("tmpfs /scratch tmpfs rw,nosuid,nodev"), "\(mounts.stdoutText)")
            #expect(mounts.stdoutText.contains("size=1024k"), "\(mounts.stdoutText)")
        }
    }

    @Test func deviceCgroupDeniesHostDevicesEvenToRootWithMknod() async throws {
        try await withRunningContainer { fixture, id in
            // CAP_MKNOD lets root create the node; the devices cgroup refuses to open it.
            let result = try await fixture.runtime.execSync(
                containerID: id, command: ["sh", "-c", "mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem"], timeout: 10)
            #expect(result.exitCode != 0)
            #expect(result.stderrText.contains("Operation not permitted"), "\(result.stderrText)")
            let null = try await fixture.runtime.execSync(containerID: id, command: ["sh", "-c", "echo x > /dev/null && echo ok"], timeout: 10)
            #expect(null.stdoutText == "ok\n")
        }
    }

    @Test func readOnlyRootFilesystemRejectsWrites() async throws {
        try await withRunningContainer(configure: { $0.linux.securityContext.readonlyRootfs = true }) { fixture, id in
            let result = try await fixture.runtime.execSync(containerID: id, command: ["touch", "/file"], timeout: 10)
            #expect(result.exitCode != 0)
            #expect(result.stderrText.contains("Read-only file system"))
        }
    }

    @Test func maskedAndReadOnlyProcPathsAreApplied() async throws {
        try await withRunningContainer { fixture, id in
            // Not every kernel has every masked file; check those this one has.
            for path in ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug"] where FileManager.default.fileExists(atPath: path) {
                let masked = try await fixture.runtime.execSync(containerID: id, command: ["wc", "-c", path], timeout: 10)
                #expect(masked.stdoutText == "0 \(path)\n", "\(path): \(masked.stdoutText) \(masked.stderrText)")
            }
            let sysctl = try await fixture.runtime.execSync(
                containerID: id, command: ["sh", "-c", "echo 1 > /proc/sys/kernel/ns_last_pid"], timeout: 10)
            #expect(sysctl.exitCode != 0)
            let dev = try await fixture.runtime.execSync(containerID: id, command: ["ls", "/dev"], timeout: 10)
            for node in ["null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "ptmx"] {
                #expect(dev.stdoutText.split(separator: "\n").contains(Substring(node)), "/dev lacks \(node)")
            }
        }
    }
}

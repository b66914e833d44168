// The runtime's two directories: the short-lived state of sandboxes and containers in the run
// directory (tmpfs under /run in production), and on the state disk only the writable layers of
// containers, whose leftovers from containers a reboot ended are removed at start.

import ContainerRuntime
import Foundation
import Testing

@testable import NativeRuntime

@Suite("Native runtime directories")
struct RunDirectoryTests {
    @Test func defaultRunDirectoryIsUnderRunAndNamedAfterTheStateDirectory() {
        let node = NativeRuntimeConfiguration.defaultRunDirectory(stateDirectory: "/var/lib/swiftlet/runtime")
        let other = NativeRuntimeConfiguration.defaultRunDirectory(stateDirectory: "/tmp/test/state")
        #expect(node.hasPrefix("/run/swiftlet/runtime/"))
        #expect(other.hasPrefix("/run/swiftlet/runtime/"))
        #expect(node != other)
        #expect(node == NativeRuntimeConfiguration.defaultRunDirectory(stateDirectory: "/var/lib/swiftlet/runtime"))
        let configuration = NativeRuntimeConfiguration(
            stateDirectory: "/var/lib/swiftlet/runtime", monitorPath: "/usr/libexec/swiftlet-monitor", rootfs: DirectoryImageStore(images: [:]),
            images: DirectoryImageStore(images: [:]))
        #expect(configuration.runDirectory == node)
    }

    @Test func writableLayersOfContainersTheRunDirectoryForgotAreRemovedAtStart() async throws {
        // A reboot empties the run directory (tmpfs) but leaves the state disk as it was.
        let root = NSTemporaryDirectory() + "swiftlet-rundir-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let orphan = root + "/state/containers/0123456789abcdef"
        try FileManager.default.createDirectory(atPath: orphan + "/upper/etc", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: orphan + "/work", withIntermediateDirectories: true)
        try Data("written by the container\n".utf8).write(to: URL(fileURLWithPath: orphan + "/upper/etc/left"))
        let store = DirectoryImageStore(images: [:])
        let runtime = try await NativeRuntime.start(configuration: NativeRuntimeConfiguration(
            stateDirectory: root + "/state", runDirectory: root + "/run", monitorPath: "/nonexistent/swiftlet-monitor",
            cgroupMode: .v1(root: root + "/cgroup", controllers: []), rootfs: store, images: store))
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(FileManager.default.fileExists(atPath: root + "/run/containers"))
        await runtime.shutdown()
        #expect(!FileManager.default.fileExists(atPath: root + "/run"), "a runtime left with nothing removes its run directory at shutdown")
    }
}

@Suite("Native runtime directories, with containers", .kernelRuntime, .serialized)
struct RunDirectoryContainerTests {
    @Test func containerStateIsInTheRunDirectoryAndOnlyItsWritableLayerOnTheStateDisk() async throws {
        try await RuntimeFixture.with { fixture in
            let config = fixture.sandboxConfig("dirs")
            let sandbox = try await fixture.runtime.runPodSandbox(config, runtimeHandler: "")
            let id = try await fixture.runtime.createContainer(
                podSandboxID: sandbox, config: fixture.containerConfig("dirs", ["sh", "-c", "echo kept > /written; sleep 600"]),
                sandboxConfig: config)
            try await fixture.runtime.startContainer(id: id)
            let manager = FileManager.default
            let run = fixture.runDirectory, state = fixture.stateDirectory
            for file in ["sandbox.json", "hosts", "hostname", "resolv.conf", "ns/net", "ns/ipc", "ns/uts", "shm"] {
                #expect(manager.fileExists(atPath: "\(run)/sandboxes/\(sandbox)/\(file)"), "sandbox file \(file)")
            }
            for file in ["container.json", "monitor.sock", "started", "rootfs"] {
                #expect(manager.fileExists(atPath: "\(run)/containers/\(id)/\(file)"), "container file \(file)")
            }
            #expect(try manager.contentsOfDirectory(atPath: state) == ["containers"])
            #expect(try manager.contentsOfDirectory(atPath: "\(state)/containers") == [id])
            #expect(Set(try manager.contentsOfDirectory(atPath: "\(state)/containers/\(id)")) == ["upper", "work"])
            // What the container writes to its root filesystem lands in its upper layer on disk.
            let written = "\(state)/containers/\(id)/upper/written"
            for _ in 0..<200 where !manager.fileExists(atPath: written) { try await Task.sleep(for: .milliseconds(50)) }
            #expect((try? String(contentsOfFile: written, encoding: .utf8)) == "kept\n")

            try await fixture.runtime.removePodSandbox(id: sandbox)
            #expect(!manager.fileExists(atPath: "\(state)/containers/\(id)"))
            #expect(!manager.fileExists(atPath: "\(run)/containers/\(id)"))
            #expect(!manager.fileExists(atPath: "\(run)/sandboxes/\(sandbox)"))
        }
    }
}

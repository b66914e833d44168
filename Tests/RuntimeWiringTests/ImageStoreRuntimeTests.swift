// The native runtime on the Images store: an image imported from an OCI layout runs, its config
// reaches the container as Kubernetes merges it, and the CRI image calls are the store's.

import ContainerRuntime
import Foundation
import Images
import NativeRuntime
import RuntimeWiring
import TestSupport
import Testing

@Suite("Runtime on the image store", .serialized, .requires(.root, .command("tar"), .path("/usr/bin/busybox")))
struct ImageStoreRuntimeTests {
    static let tag = "registry.test/busybox:wiring"
    static let defaults = ContainerDefaults(
        user: "0:0", env: ["PATH=/bin", "GREETING=from-image", "KEEP=image-only"], entrypoint: ["/bin/sh", "-c"],
        cmd: [#"echo "greeting=$GREETING keep=$KEEP cwd=$(pwd)""#], workingDir: "/tmp", stopSignal: "SIGTERM")

    @Test func importedBusyboxRunsWithTheImageConfigAndItsOutputIsInTheCRILog() async throws {
        let fixture = try WiringFixture()
        var node: NodeRuntime?
        do {
            let image = try await fixture.importBusybox(tag: Self.tag, defaults: Self.defaults)
            let opened = try await fixture.open(network: .none)
            node = opened
            let runtime = opened.runtime

            let sandboxConfig = fixture.sandboxConfig("imported")
            let sandbox = try await runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
            // No command and no args: Entrypoint + Cmd; the container's env replaces GREETING only.
            let container = try await runtime.createContainer(
                podSandboxID: sandbox,
                config: ContainerConfig(
                    metadata: ContainerMetadata(name: "hello"), image: ImageSpec(Self.tag),
                    envs: [KeyValue("GREETING", "from-container")], logPath: "hello/0.log"),
                sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: container)
            let status = try await WiringFixture.waitUntilExited(runtime, container)
            #expect(status.exitCode == 0)
            #expect(status.imageRef == image.id.description)
            #expect(try fixture.logText(sandboxConfig, "hello/0.log") == ["greeting=from-container keep=image-only cwd=/tmp"])

            // args replace Cmd and keep the Entrypoint.
            let withArgs = try await runtime.createContainer(
                podSandboxID: sandbox,
                config: ContainerConfig(
                    metadata: ContainerMetadata(name: "args"), image: ImageSpec(Self.tag), args: ["echo args-ran"], logPath: "args/0.log"),
                sandboxConfig: sandboxConfig)
            try await runtime.startContainer(id: withArgs)
            #expect(try await WiringFixture.waitUntilExited(runtime, withArgs).exitCode == 0)
            #expect(try fixture.logText(sandboxConfig, "args/0.log") == ["args-ran"])

            // The CRI image calls are the store's; an image a container uses cannot be removed.
            let listed = try await runtime.listImages(filter: nil)
            #expect(listed.map(\.id) == [image.id.description])
            #expect(listed.first?.repoTags == [Self.tag] && listed.first?.user == "0:0")
            #expect(try await runtime.imageStatus(ImageSpec(image.id.description))?.repoTags == [Self.tag])
            await #expect(throws: ImageError.self) { try await runtime.removeImage(ImageSpec(Self.tag)) }
            let fsInfo = try await runtime.imageFsInfo()
            #expect(fsInfo.imageFilesystems.first?.mountpoint == fixture.imageStore)
            #expect((fsInfo.imageFilesystems.first?.usedBytes ?? 0) > 0)

            try await runtime.removePodSandbox(id: sandbox)
            // The containers' overlay directories went with them, so the image can go now.
            #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.imageStore + "/containers").isEmpty)
            try await runtime.removeImage(ImageSpec(Self.tag))
            #expect(try await runtime.imageStatus(ImageSpec(Self.tag)) == nil)
            try await runtime.removeImage(ImageSpec(Self.tag))
        } catch {
            await fixture.tearDown(node)
            throw error
        }
        await fixture.tearDown(node)
    }
}

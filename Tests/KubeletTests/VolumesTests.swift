import ContainerRuntime
import Foundation
import KubeAPI
import Kubelet
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct VolumesTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "swiftlet-vol-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Permission bits of the file `path` leads to (following the visible symlinks).
    static func mode(_ path: String) throws -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o7777)
    }

    static let objects = ReferencedObjects(
        configMaps: ["app-config": CoreV1.ConfigMap(data: ["app.conf": "level=debug", "other": "x"], metadata: MetaV1.ObjectMeta(name: "app-config"))],
        secrets: ["creds": CoreV1.Secret(data: ["password": "czNjcjN0"], metadata: MetaV1.ObjectMeta(name: "creds"))])

    static func pod(_ volumes: [CoreV1.Volume], containers: [CoreV1.Container] = [CoreV1.Container(name: "c")]) -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(labels: ["app": "web"], name: "web", namespace: "shop", uid: "uid-" + UUID().uuidString.prefix(8)),
            spec: CoreV1.PodSpec(containers: containers, volumes: volumes))
    }

    @Test func configMapSecretDownwardAPIAndProjectedVolumesAreWrittenWithModes() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let pod = Self.pod([
            CoreV1.Volume(configMap: CoreV1.ConfigMapVolumeSource(items: [CoreV1.KeyToPath(key: "app.conf", mode: 0o600, path: "conf/app.conf")], name: "app-config"), name: "config"),
            CoreV1.Volume(name: "secret", secret: CoreV1.SecretVolumeSource(defaultMode: 0o400, secretName: "creds")),
            CoreV1.Volume(
                downwardAPI: CoreV1.DownwardAPIVolumeSource(items: [
                    CoreV1.DownwardAPIVolumeFile(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "metadata.labels"), path: "labels"),
                    CoreV1.DownwardAPIVolumeFile(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "metadata.name"), path: "name"),
                ]), name: "info"),
            CoreV1.Volume(
                name: "all",
                projected: CoreV1.ProjectedVolumeSource(sources: [
                    CoreV1.VolumeProjection(configMap: CoreV1.ConfigMapProjection(name: "app-config")),
                    CoreV1.VolumeProjection(secret: CoreV1.SecretProjection(items: [CoreV1.KeyToPath(key: "password", path: "pw")], name: "creds")),
                    CoreV1.VolumeProjection(downwardAPI: CoreV1.DownwardAPIProjection(items: [
                        CoreV1.DownwardAPIVolumeFile(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "metadata.namespace"), path: "ns")
                    ])),
                ])),
        ])
        let volumes = manager.setUp(pod: pod, objects: Self.objects, fields: PodFieldValues(pod: pod))
        #expect(volumes.failures.isEmpty)
        let uid = pod.metadata!.uid!
        let config = manager.volumeDirectory(uid: uid, plugin: "configmap", name: "config")
        #expect(volumes.prepared["config"]?.hostPath == config)
        #expect(Self.read(config + "/conf/app.conf") == "level=debug")
        #expect(try Self.mode(config + "/conf/app.conf") == 0o600)
        #expect(!FileManager.default.fileExists(atPath: config + "/other"), "only the listed items")
        let secret = manager.volumeDirectory(uid: uid, plugin: "secret", name: "secret")
        #expect(Self.read(secret + "/password") == "s3cr3t")
        #expect(try Self.mode(secret + "/password") == 0o400)
        let info = manager.volumeDirectory(uid: uid, plugin: "downward-api", name: "info")
        #expect(Self.read(info + "/labels") == "app=\"web\"")
        #expect(Self.read(info + "/name") == "web")
        #expect(try Self.mode(info + "/name") == 0o644)
        let all = manager.volumeDirectory(uid: uid, plugin: "projected", name: "all")
        #expect(Self.read(all + "/app.conf") == "level=debug")
        #expect(Self.read(all + "/pw") == "s3cr3t")
        #expect(Self.read(all + "/ns") == "shop")
    }

    @Test func changedConfigMapIsSwappedInOnRefresh() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let pod = Self.pod([CoreV1.Volume(configMap: CoreV1.ConfigMapVolumeSource(name: "app-config"), name: "config")])
        _ = manager.setUp(pod: pod, objects: Self.objects, fields: PodFieldValues(pod: pod))
        var changed = Self.objects
        changed.configMaps["app-config"]?.data = ["app.conf": "level=info"]
        _ = manager.setUp(pod: pod, objects: changed, fields: PodFieldValues(pod: pod))
        let directory = manager.volumeDirectory(uid: pod.metadata!.uid!, plugin: "configmap", name: "config")
        #expect(Self.read(directory + "/app.conf") == "level=info")
        #expect(!FileManager.default.fileExists(atPath: directory + "/other"))
    }

    @Test func missingObjectsAndKeysFailUnlessOptional() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let pod = Self.pod([
            CoreV1.Volume(configMap: CoreV1.ConfigMapVolumeSource(name: "gone"), name: "a"),
            CoreV1.Volume(configMap: CoreV1.ConfigMapVolumeSource(name: "gone", optional: true), name: "b"),
            CoreV1.Volume(name: "c", secret: CoreV1.SecretVolumeSource(items: [CoreV1.KeyToPath(key: "nokey", path: "x")], secretName: "creds")),
            CoreV1.Volume(name: "d", secret: CoreV1.SecretVolumeSource(items: [CoreV1.KeyToPath(key: "nokey", path: "x")], optional: true, secretName: "creds")),
        ])
        let volumes = manager.setUp(pod: pod, objects: Self.objects, fields: PodFieldValues(pod: pod))
        #expect(volumes.failures.map(\.description) == ["configmaps \"gone\" not found", "secret references non-existent secret key: nokey"])
        #expect(Set(volumes.prepared.keys) == ["b", "d"])
    }

    @Test func unsupportedVolumeKindsAreReportedNotIgnored() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let pod = Self.pod([
            CoreV1.Volume(name: "data", persistentVolumeClaim: CoreV1.PersistentVolumeClaimVolumeSource(claimName: "claim")),
            CoreV1.Volume(name: "token", projected: CoreV1.ProjectedVolumeSource(sources: [CoreV1.VolumeProjection(serviceAccountToken: CoreV1.ServiceAccountTokenProjection(path: "token"))])),
        ])
        let volumes = manager.setUp(pod: pod, objects: Self.objects, fields: PodFieldValues(pod: pod))
        #expect(!volumes.isComplete)
        #expect(volumes.failureMessage
            == "volume \"data\": the persistentVolumeClaim volume type is not supported by swiftlet; volume \"token\": the projected serviceAccountToken volume type is not supported by swiftlet")
    }

    @Test func emptyDirIsWorldWritableDirectoryInPodDirectoryAndRemovedWithPod() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let pod = Self.pod([CoreV1.Volume(emptyDir: CoreV1.EmptyDirVolumeSource(), name: "scratch")])
        let volumes = manager.setUp(pod: pod, objects: Self.objects, fields: PodFieldValues(pod: pod))
        let path = try #require(volumes.prepared["scratch"]?.hostPath)
        #expect(path == root + "/pods/" + pod.metadata!.uid! + "/volumes/kubernetes.io~empty-dir/scratch")
        #expect(try Self.mode(path) == 0o777)
        try manager.tearDown(uid: pod.metadata!.uid!)
        #expect(!FileManager.default.fileExists(atPath: manager.podDirectory(uid: pod.metadata!.uid!)))
    }

    @Test func mountsResolveSubPathHonourReadOnlyAndRejectEscapes() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let manager = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30, mountsTmpfs: false)
        let container = CoreV1.Container(
            name: "c",
            volumeMounts: [
                CoreV1.VolumeMount(mountPath: "/data", name: "scratch", readOnly: true),
                CoreV1.VolumeMount(mountPath: "/logs", name: "scratch", subPathExpr: "logs/$(POD_NAME)"),
                CoreV1.VolumeMount(mountPath: "/etc/app", name: "config"),
            ])
        let pod = Self.pod(
            [CoreV1.Volume(emptyDir: CoreV1.EmptyDirVolumeSource(), name: "scratch"), CoreV1.Volume(configMap: CoreV1.ConfigMapVolumeSource(name: "app-config"), name: "config")],
            containers: [container])
        let volumes = manager.setUp(pod: pod, objects: Self.objects, fields: PodFieldValues(pod: pod))
        let mounts = try manager.mounts(for: container, volumes: volumes, environment: ["POD_NAME": "web"])
        let scratch = volumes.prepared["scratch"]!.hostPath
        #expect(mounts.map(\.containerPath) == ["/data", "/logs", "/etc/app"])
        #expect(mounts.map(\.readonly) == [true, false, true], "configMap volumes are always read-only")
        #expect(mounts[1].hostPath == scratch + "/logs/web")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: scratch + "/logs/web", isDirectory: &isDirectory) && isDirectory.boolValue)

        try FileManager.default.createSymbolicLink(atPath: scratch + "/out", withDestinationPath: "/etc")
        for subPath in ["../../x", "/etc", "out"] {
            let escaping = CoreV1.Container(name: "e", volumeMounts: [CoreV1.VolumeMount(mountPath: "/x", name: "scratch", subPath: subPath)])
            #expect(throws: VolumeError.subPathOutsideVolume(volume: "scratch", subPath: subPath)) {
                try manager.mounts(for: escaping, volumes: volumes)
            }
        }
        let unknown = CoreV1.Container(name: "u", volumeMounts: [CoreV1.VolumeMount(mountPath: "/x", name: "nope")])
        #expect(throws: VolumeError.unknownVolume(container: "u", volume: "nope")) { try manager.mounts(for: unknown, volumes: volumes) }
    }

    @Test func hostPathTypeChecksAndCreatesAsUpstream() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try HostPathCheck.check(path: root + "/made/deep", type: "DirectoryOrCreate")
        #expect(FileManager.default.fileExists(atPath: root + "/made/deep"))
        try HostPathCheck.check(path: root + "/file", type: "FileOrCreate")
        #expect(FileManager.default.fileExists(atPath: root + "/file"))
        try HostPathCheck.check(path: root + "/file", type: "File")
        try HostPathCheck.check(path: "/dev/null", type: "CharDevice")
        try HostPathCheck.check(path: root + "/missing", type: nil)
        let failures: [(String, String, String)] = [
            (root + "/file", "Directory", "hostPath type check failed: \(root)/file is not a directory"),
            (root + "/missing", "Directory", "hostPath type check failed: \(root)/missing is not a directory"),
            (root, "File", "hostPath type check failed: \(root) is not a file"),
            (root, "Socket", "hostPath type check failed: \(root) is not a socket file"),
            (root, "CharDevice", "hostPath type check failed: \(root) is not a character device"),
            ("/dev/null", "BlockDevice", "hostPath type check failed: /dev/null is not a block device"),
            (root, "Fifo", "Fifo is an invalid volume type"),
        ]
        for (path, type, message) in failures {
            #expect(throws: VolumeError.hostPathTypeCheck(message)) { try HostPathCheck.check(path: path, type: type) }
        }
    }

    @Test(arguments: [
        (nil, nil, 1_073_741_824, 1_073_741_824),
        (16_777_216, nil, 1_073_741_824, 16_777_216),
        (nil, 67_108_864, 1_073_741_824, 67_108_864),
        (134_217_728, 67_108_864, 1_073_741_824, 67_108_864),
        (33_554_432, 67_108_864, 1_073_741_824, 33_554_432),
    ] as [(Int64?, Int64?, Int64, Int64)])
    func memoryEmptyDirSizeIsSmallestOfSizeLimitPodLimitAndAllocatable(
        _ sizeLimit: Int64?, _ podLimit: Int64?, _ allocatable: Int64, _ expected: Int64
    ) {
        #expect(TmpfsMount.emptyDirSize(sizeLimit: sizeLimit, podMemoryLimit: podLimit, nodeAllocatableMemory: allocatable) == expected)
    }

    /// Memory-backed emptyDir and secret volumes really are tmpfs mounts, sized from sizeLimit,
    /// and are unmounted on tear-down. Runs on one thread in a mount namespace of its own, so
    /// the host never sees the mounts.
    @Test(.requires(.root, .path("/proc/thread-self/mountinfo")))
    func memoryVolumesAreTmpfsInPrivateMountNamespaceAndUnmountedOnTearDown() async throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let pod = Self.pod([
            CoreV1.Volume(emptyDir: CoreV1.EmptyDirVolumeSource(medium: "Memory", sizeLimit: Quantity("16Mi")), name: "fast"),
            CoreV1.Volume(name: "secret", secret: CoreV1.SecretVolumeSource(secretName: "creds")),
        ])
        let outcome: Result<[String], VolumeTestFailure> = await Self.onPrivateMountNamespaceThread {
            let manager = VolumeManager(root: root, nodeAllocatableMemory: 1 << 30)
            let volumes = manager.setUp(pod: pod, objects: Self.objects, fields: PodFieldValues(pod: pod))
            guard volumes.isComplete, let fast = volumes.prepared["fast"]?.hostPath, let secret = volumes.prepared["secret"]?.hostPath else {
                return .failure(VolumeTestFailure(message: "set-up failed: \(volumes.failureMessage)"))
            }
            var notes: [String] = []
            if TmpfsMount.isTmpfs(fast) { notes.append("fast:tmpfs") }
            if TmpfsMount.isTmpfs(secret) { notes.append("secret:tmpfs") }
            if Self.mountOptions(fast)?.contains("size=16384k") == true { notes.append("fast:16Mi") }
            if Self.read(secret + "/password") == "s3cr3t" { notes.append("secret:content") }
            do {
                try manager.tearDown(uid: pod.metadata!.uid!)
            } catch {
                return .failure(VolumeTestFailure(message: "tear-down failed: \(error)"))
            }
            if !TmpfsMount.isTmpfs(fast) && !FileManager.default.fileExists(atPath: fast) { notes.append("fast:gone") }
            return .success(notes)
        }
        let notes = try outcome.get()
        #expect(notes == ["fast:tmpfs", "secret:tmpfs", "fast:16Mi", "secret:content", "fast:gone"], "observed: \(notes)")
        let hostMounts = String(decoding: FileManager.default.contents(atPath: "/proc/self/mountinfo") ?? Data(), as: UTF8.self)
        #expect(!hostMounts.contains(root), "the host's mount namespace never saw the mounts")
    }

    struct VolumeTestFailure: Error, Sendable {
        var message: String
    }

    /// The superblock options of the mount on `path`, read from this thread's mountinfo.
    static func mountOptions(_ path: String) -> String? {
        // Read to the end: procfs files report no size, and the table is long when other tests
        // hold mounts of their own.
        let data = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/thread-self/mountinfo")).readToEnd()) ?? nil
        let text = String(decoding: data ?? Data(), as: UTF8.self)
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 5, fields[4] == path { return fields.last.map(String.init) }
        }
        return nil
    }

    /// Runs `body` on a new thread that first moves into a mount namespace of its own with
    /// private propagation; the namespace ends with the thread.
    static func onPrivateMountNamespaceThread<T: Sendable>(
        _ body: @escaping @Sendable () -> Result<T, VolumeTestFailure>
    ) async -> Result<T, VolumeTestFailure> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                // unshare(2) is not in Swift's Glibc module; CLONE_NEWNS is 0x20000.
                typealias Unshare = @convention(c) (Int32) -> Int32
                guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare"),
                    unsafeBitCast(symbol, to: Unshare.self)(0x0002_0000) == 0
                else {
                    continuation.resume(returning: .failure(VolumeTestFailure(message: "unshare: \(String(cString: strerror(errno)))")))
                    return
                }
                guard mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil) == 0 else {
                    continuation.resume(returning: .failure(VolumeTestFailure(message: "make / private: \(String(cString: strerror(errno)))")))
                    return
                }
                continuation.resume(returning: body())
            }
            thread.start()
        }
    }
}

import ContainerRuntime
import KubeAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Sets up, refreshes and removes a pod's volumes under the pod's directory, as upstream's
/// volume manager and its in-tree plugins lay them out:
/// `<root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<volume>`.
///
/// Supported kinds: emptyDir (on disk, or tmpfs for `medium: Memory`, sized as upstream),
/// hostPath (with the `type` check), configMap, secret (on tmpfs), downwardAPI and projected
/// (configMap, secret and downwardAPI sources). Every other kind is reported as a failure.
/// Set-up is idempotent: calling it again rewrites changed configMap, secret, downwardAPI and
/// projected contents atomically and leaves the rest alone.
public struct VolumeManager: Sendable {
    /// The kubelet's state directory (`/var/lib/swiftlet`).
    public var root: String
    /// The node's allocatable memory, the size of a memory-backed emptyDir of a pod without a
    /// memory limit.
    public var nodeAllocatableMemory: Int64
    /// Whether memory-backed volumes (emptyDir `medium: Memory`, secrets) are mounted as tmpfs.
    /// Off only where mounting is impossible; the files are then on disk.
    public var mountsTmpfs: Bool

    public init(root: String, nodeAllocatableMemory: Int64, mountsTmpfs: Bool = true) {
        self.root = root
        self.nodeAllocatableMemory = nodeAllocatableMemory
        self.mountsTmpfs = mountsTmpfs
    }

    /// `<root>/pods/<uid>`.
    public func podDirectory(uid: String) -> String { root + "/pods/" + uid }

    /// The directory of one volume of a pod.
    public func volumeDirectory(uid: String, plugin: String, name: String) -> String {
        podDirectory(uid: uid) + "/volumes/kubernetes.io~" + plugin + "/" + name
    }

    /// Sets up (or refreshes) every volume of `pod`. Runs system calls on the calling thread.
    ///
    /// - Parameters:
    ///   - objects: the ConfigMaps and Secrets the volumes name (`ReferencedObjects.fetch`).
    ///   - fields: the pod's downward API values.
    public func setUp(pod: CoreV1.Pod, objects: ReferencedObjects, fields: PodFieldValues) -> PodVolumes {
        let uid = pod.metadata?.uid ?? ""
        var result = PodVolumes()
        for volume in pod.spec?.volumes ?? [] {
            do {
                result.prepared[volume.name] = try setUp(volume, uid: uid, pod: pod, objects: objects, fields: fields)
            } catch {
                result.failures.append(error)
            }
        }
        return result
    }

    private func setUp(
        _ volume: CoreV1.Volume, uid: String, pod: CoreV1.Pod, objects: ReferencedObjects, fields: PodFieldValues
    ) throws(VolumeError) -> PodVolumes.Prepared {
        if let emptyDir = volume.emptyDir {
            let path = volumeDirectory(uid: uid, plugin: "empty-dir", name: volume.name)
            try Self.makeDirectories(path)
            if emptyDir.medium == "Memory" && mountsTmpfs {
                let size = TmpfsMount.emptyDirSize(
                    sizeLimit: emptyDir.sizeLimit?.value, podMemoryLimit: PodResources(pod: pod).limits["memory"]?.value,
                    nodeAllocatableMemory: nodeAllocatableMemory)
                try TmpfsMount.mount(at: path, sizeBytes: size, mode: 0o777)
            } else if emptyDir.medium != nil && emptyDir.medium != "" && emptyDir.medium != "Memory" {
                throw .unsupportedKind(volume: volume.name, kind: "emptyDir medium \(emptyDir.medium ?? "")")
            }
            guard chmod(path, 0o777) == 0 else { throw .system(call: "chmod", path: path, errno: errno) }
            return .init(name: volume.name, plugin: "kubernetes.io~empty-dir", hostPath: path, alwaysReadOnly: false)
        }
        if let hostPath = volume.hostPath {
            try HostPathCheck.check(path: hostPath.path, type: hostPath.type)
            return .init(name: volume.name, plugin: "host-path", hostPath: hostPath.path, alwaysReadOnly: false)
        }
        if let source = volume.configMap {
            let name = source.name ?? ""
            let files = try VolumePayload.configMap(
                objects.configMaps[name], name: name, items: source.items, defaultMode: source.defaultMode, optional: source.optional)
            return try write(files, uid: uid, plugin: "configmap", volume: volume.name, memory: false)
        }
        if let source = volume.secret {
            let name = source.secretName ?? ""
            let files = try VolumePayload.secret(
                objects.secrets[name], name: name, items: source.items, defaultMode: source.defaultMode, optional: source.optional)
            return try write(files, uid: uid, plugin: "secret", volume: volume.name, memory: true)
        }
        if let source = volume.downwardAPI {
            let files = try VolumePayload.downwardAPI(source.items, fields: fields, defaultMode: source.defaultMode, volume: volume.name)
            return try write(files, uid: uid, plugin: "downward-api", volume: volume.name, memory: false)
        }
        if let projected = volume.projected {
            var files: [String: AtomicWriter.File] = [:]
            for source in projected.sources ?? [] {
                if let configMap = source.configMap {
                    let name = configMap.name ?? ""
                    files.merge(
                        try VolumePayload.configMap(
                            objects.configMaps[name], name: name, items: configMap.items, defaultMode: projected.defaultMode,
                            optional: configMap.optional)
                    ) { $1 }
                } else if let secret = source.secret {
                    let name = secret.name ?? ""
                    files.merge(
                        try VolumePayload.secret(
                            objects.secrets[name], name: name, items: secret.items, defaultMode: projected.defaultMode, optional: secret.optional)
                    ) { $1 }
                } else if let downward = source.downwardAPI {
                    files.merge(
                        try VolumePayload.downwardAPI(downward.items, fields: fields, defaultMode: projected.defaultMode, volume: volume.name)
                    ) { $1 }
                } else if let token = source.serviceAccountToken {
                    guard let value = objects.serviceAccountTokens[token.path] else {
                        guard let reason = objects.tokenErrors[token.path] else {
                            throw .unsupportedKind(volume: volume.name, kind: "projected " + Self.projectionKind(source))
                        }
                        throw .payload(volume: volume.name, message: reason)
                    }
                    files[token.path] = AtomicWriter.File(data: Array(value.utf8), mode: UInt32(projected.defaultMode ?? VolumePayload.defaultMode))
                } else {
                    throw .unsupportedKind(volume: volume.name, kind: "projected " + Self.projectionKind(source))
                }
            }
            return try write(files, uid: uid, plugin: "projected", volume: volume.name, memory: true)
        }
        throw .unsupportedKind(volume: volume.name, kind: Self.kind(of: volume))
    }

    private func write(
        _ files: [String: AtomicWriter.File], uid: String, plugin: String, volume: String, memory: Bool
    ) throws(VolumeError) -> PodVolumes.Prepared {
        let path = volumeDirectory(uid: uid, plugin: plugin, name: volume)
        try Self.makeDirectories(path)
        if memory && mountsTmpfs { try TmpfsMount.mount(at: path, sizeBytes: 0, mode: 0o755) }
        try AtomicWriter(targetDirectory: path).write(files)
        return .init(name: volume, plugin: "kubernetes.io~" + plugin, hostPath: path, alwaysReadOnly: true)
    }

    /// The runtime mounts of `container`'s volumeMounts: bind mounts of the prepared volumes,
    /// with `subPath` (or `subPathExpr` expanded with the container's environment) resolved
    /// inside the volume and created when missing, and `readOnly` honoured.
    ///
    /// Throws `.unknownVolume` for a mount of a volume that is not prepared and
    /// `.subPathOutsideVolume` for a subPath that leaves its volume (`..`, absolute, or a
    /// symlink pointing out).
    public func mounts(
        for container: CoreV1.Container, volumes: PodVolumes, environment: [String: String] = [:]
    ) throws(VolumeError) -> [Mount] {
        var result: [Mount] = []
        for volumeMount in container.volumeMounts ?? [] {
            guard let volume = volumes.prepared[volumeMount.name] else {
                throw .unknownVolume(container: container.name, volume: volumeMount.name)
            }
            var hostPath = volume.hostPath
            var subPath = volumeMount.subPath ?? ""
            if let expression = volumeMount.subPathExpr, !expression.isEmpty {
                subPath = VariableExpansion.expand(expression, using: environment)
            }
            if !subPath.isEmpty {
                hostPath = try Self.resolve(subPath: subPath, in: volume.hostPath, volume: volume.name)
            }
            let propagation: Mount.Propagation =
                switch volumeMount.mountPropagation {
                case "HostToContainer": .hostToContainer
                case "Bidirectional": .bidirectional
                default: .private
                }
            result.append(
                Mount(
                    kind: .bind, containerPath: volumeMount.mountPath, hostPath: hostPath,
                    readonly: volumeMount.readOnly == true || volume.alwaysReadOnly, propagation: propagation))
        }
        return result
    }

    /// Unmounts and removes every volume directory of the pod, then the pod directory. hostPath
    /// volumes are never touched.
    public func tearDown(uid: String) throws(VolumeError) {
        let volumesDirectory = podDirectory(uid: uid) + "/volumes"
        for plugin in Self.entries(of: volumesDirectory) {
            for name in Self.entries(of: volumesDirectory + "/" + plugin) {
                try TmpfsMount.unmount(volumesDirectory + "/" + plugin + "/" + name)
            }
        }
        AtomicWriter.removeTree(podDirectory(uid: uid))
    }

    // MARK: Helpers

    static func resolve(subPath: String, in volumePath: String, volume: String) throws(VolumeError) -> String {
        if subPath.hasPrefix("/") || subPath.split(separator: "/").contains("..") {
            throw .subPathOutsideVolume(volume: volume, subPath: subPath)
        }
        let path = volumePath + "/" + subPath
        var info = stat()
        if lstat(path, &info) != 0 {
            try makeDirectories(path)
        }
        guard let base = realPath(volumePath), let resolved = realPath(path),
            resolved == base || resolved.hasPrefix(base == "/" ? "/" : base + "/")
        else {
            throw .subPathOutsideVolume(volume: volume, subPath: subPath)
        }
        return resolved
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func makeDirectories(_ path: String) throws(VolumeError) {
        var info = stat()
        if stat(path, &info) == 0 { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o750) != 0 && errno != EEXIST { throw .system(call: "mkdir", path: path, errno: errno) }
    }

    private static func entries(of directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The spec field name of a volume's source, for messages.
    static func kind(of volume: CoreV1.Volume) -> String {
        let kinds: [(String, Bool)] = [
            ("persistentVolumeClaim", volume.persistentVolumeClaim != nil), ("ephemeral", volume.ephemeral != nil),
            ("csi", volume.csi != nil), ("image", volume.image != nil), ("nfs", volume.nfs != nil),
            ("iscsi", volume.iscsi != nil), ("gitRepo", volume.gitRepo != nil), ("rbd", volume.rbd != nil),
            ("cephfs", volume.cephfs != nil), ("fc", volume.fc != nil), ("flexVolume", volume.flexVolume != nil),
            ("awsElasticBlockStore", volume.awsElasticBlockStore != nil), ("gcePersistentDisk", volume.gcePersistentDisk != nil),
            ("azureDisk", volume.azureDisk != nil), ("azureFile", volume.azureFile != nil), ("cinder", volume.cinder != nil),
            ("glusterfs", volume.glusterfs != nil), ("portworxVolume", volume.portworxVolume != nil),
            ("vsphereVolume", volume.vsphereVolume != nil),
        ]
        return kinds.first { $0.1 }?.0 ?? "unknown"
    }

    private static func projectionKind(_ source: CoreV1.VolumeProjection) -> String {
        if source.serviceAccountToken != nil { return "serviceAccountToken" }
        if source.clusterTrustBundle != nil { return "clusterTrustBundle" }
        if source.podCertificate != nil { return "podCertificate" }
        return "unknown"
    }
}

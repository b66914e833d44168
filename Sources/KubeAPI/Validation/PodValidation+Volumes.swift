// Volume checks: unique DNS-1123 names, at most one source each, and the sources the agent mounts
// itself (hostPath, emptyDir, configMap, secret) checked in detail.

extension PodValidation {
    /// The volume sources a `Volume` may carry, by JSON name.
    static func sourceNames(of volume: CoreV1.Volume) -> [String] {
        let sources: [(String, Bool)] = [
            ("hostPath", volume.hostPath != nil), ("emptyDir", volume.emptyDir != nil),
            ("gcePersistentDisk", volume.gcePersistentDisk != nil), ("awsElasticBlockStore", volume.awsElasticBlockStore != nil),
            ("gitRepo", volume.gitRepo != nil), ("secret", volume.secret != nil), ("nfs", volume.nfs != nil),
            ("iscsi", volume.iscsi != nil), ("glusterfs", volume.glusterfs != nil),
            ("persistentVolumeClaim", volume.persistentVolumeClaim != nil), ("rbd", volume.rbd != nil),
            ("quobyte", volume.quobyte != nil), ("flexVolume", volume.flexVolume != nil), ("cinder", volume.cinder != nil),
            ("cephfs", volume.cephfs != nil), ("flocker", volume.flocker != nil), ("downwardAPI", volume.downwardAPI != nil),
            ("fc", volume.fc != nil), ("azureFile", volume.azureFile != nil), ("configMap", volume.configMap != nil),
            ("vsphereVolume", volume.vsphereVolume != nil), ("azureDisk", volume.azureDisk != nil),
            ("photonPersistentDisk", volume.photonPersistentDisk != nil), ("projected", volume.projected != nil),
            ("portworxVolume", volume.portworxVolume != nil), ("scaleIO", volume.scaleIO != nil),
            ("storageos", volume.storageos != nil), ("csi", volume.csi != nil), ("ephemeral", volume.ephemeral != nil),
            ("image", volume.image != nil),
        ]
        return sources.filter(\.1).map(\.0)
    }

    /// The file mode limit of configMap and secret volumes.
    static let fileModeMessage = "must be a number between 0 and 0777 (octal), both inclusive"

    /// The valid volumes' names and every problem found.
    static func validateVolumes(_ volumes: [CoreV1.Volume], at path: FieldPath) -> (Set<String>, [ValidationError]) {
        var names = Set<String>()
        var problems: [ValidationError] = []
        for (index, volume) in volumes.enumerated() {
            let itemPath = path.index(index)
            var volumeProblems = validateVolumeSource(volume, at: itemPath)
            if volume.name.isEmpty {
                volumeProblems.append(.required(itemPath.child("name"), ""))
            } else {
                volumeProblems += NameValidation.dns1123Label(volume.name).map { .invalid(itemPath.child("name"), .string(volume.name), $0) }
            }
            if names.contains(volume.name) {
                volumeProblems.append(.duplicate(itemPath.child("name"), .string(volume.name)))
            }
            if volumeProblems.isEmpty {
                names.insert(volume.name)
            } else {
                problems += volumeProblems
            }
        }
        return (names, problems)
    }

    static func validateVolumeSource(_ volume: CoreV1.Volume, at path: FieldPath) -> [ValidationError] {
        // No source at all is defaulted to an emptyDir by the API server, so it is valid.
        var problems = sourceNames(of: volume).dropFirst().map {
            ValidationError.forbidden(path.child($0), "may not specify more than 1 volume type")
        }
        if let hostPath = volume.hostPath {
            let sourcePath = path.child("hostPath")
            if hostPath.path.isEmpty {
                problems.append(.required(sourcePath.child("path"), ""))
            } else {
                problems += validatePathNoBacksteps(hostPath.path, at: sourcePath.child("path"))
            }
            let types = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]
            if let type = hostPath.type, !types.contains(type) {
                problems.append(.notSupported(sourcePath.child("type"), .string(type), supported: types))
            }
        }
        if let sizeLimit = volume.emptyDir?.sizeLimit, sizeLimit.sign < 0 {
            problems.append(.forbidden(path.child("emptyDir").child("sizeLimit"), "SizeLimit field must be a valid resource quantity"))
        }
        if let configMap = volume.configMap {
            let sourcePath = path.child("configMap")
            if (configMap.name ?? "").isEmpty { problems.append(.required(sourcePath.child("name"), "")) }
            problems += validateFileMode(configMap.defaultMode, at: sourcePath.child("defaultMode"))
            problems += validateKeyToPaths(configMap.items ?? [], at: sourcePath.child("items"))
        }
        if let secret = volume.secret {
            let sourcePath = path.child("secret")
            if (secret.secretName ?? "").isEmpty { problems.append(.required(sourcePath.child("secretName"), "")) }
            problems += validateFileMode(secret.defaultMode, at: sourcePath.child("defaultMode"))
            problems += validateKeyToPaths(secret.items ?? [], at: sourcePath.child("items"))
        }
        return problems
    }

    static func validateFileMode(_ mode: Int32?, at path: FieldPath) -> [ValidationError] {
        guard let mode, mode < 0 || mode > 0o777 else { return [] }
        return [.invalid(path, .integer(Int64(mode)), fileModeMessage)]
    }

    static func validateKeyToPaths(_ items: [CoreV1.KeyToPath], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        for (index, item) in items.enumerated() {
            let itemPath = path.index(index)
            if item.key.isEmpty { problems.append(.required(itemPath.child("key"), "")) }
            if item.path.isEmpty {
                problems.append(.required(itemPath.child("path"), ""))
            } else {
                problems += validateLocalDescendingPath(item.path, at: itemPath.child("path"))
                if item.path.hasPrefix("..") {
                    problems.append(.invalid(itemPath.child("path"), .string(item.path), "must not start with '..'"))
                }
            }
            problems += validateFileMode(item.mode, at: itemPath.child("mode"))
        }
        return problems
    }
}

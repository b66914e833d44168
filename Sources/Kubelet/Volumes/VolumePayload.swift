import KubeAPI

/// The files of configMap, secret, downwardAPI and projected volumes, computed as upstream's
/// volume plugins' `MakePayload` functions do: every key (or the listed `items`) as a file, with
/// the item's mode or the volume's `defaultMode` (0644).
public enum VolumePayload {
    /// The default mode of configMap, secret, downwardAPI and projected files.
    public static let defaultMode: Int32 = 0o644

    /// The files of a configMap volume or projection; `configMap` is `nil` when it does not exist.
    ///
    /// Throws `VolumeError.objectNotFound` for a missing, non-optional ConfigMap and
    /// `.missingKey` for an item whose key is missing and the source not optional.
    public static func configMap(
        _ configMap: CoreV1.ConfigMap?, name: String, items: [CoreV1.KeyToPath]?, defaultMode: Int32?, optional: Bool?
    ) throws(VolumeError) -> [String: AtomicWriter.File] {
        guard let configMap else {
            if optional == true { return [:] }
            throw .objectNotFound(kind: "configmap", name: name)
        }
        return try project(ConfigObjectPayload.bytes(of: configMap), kind: "configmap", items: items, defaultMode: defaultMode, optional: optional)
    }

    /// The files of a secret volume or projection; `secret` is `nil` when it does not exist.
    public static func secret(
        _ secret: CoreV1.Secret?, name: String, items: [CoreV1.KeyToPath]?, defaultMode: Int32?, optional: Bool?
    ) throws(VolumeError) -> [String: AtomicWriter.File] {
        guard let secret else {
            if optional == true { return [:] }
            throw .objectNotFound(kind: "secret", name: name)
        }
        let bytes: [String: [UInt8]]
        do {
            bytes = try ConfigObjectPayload.bytes(of: secret)
        } catch {
            throw .payload(volume: name, message: error.description)
        }
        return try project(bytes, kind: "secret", items: items, defaultMode: defaultMode, optional: optional)
    }

    /// The files of a downwardAPI volume or projection: each item's field or resource value.
    public static func downwardAPI(
        _ items: [CoreV1.DownwardAPIVolumeFile]?, fields: PodFieldValues, defaultMode: Int32?, volume: String
    ) throws(VolumeError) -> [String: AtomicWriter.File] {
        var files: [String: AtomicWriter.File] = [:]
        for item in items ?? [] {
            let value: String
            do {
                if let fieldRef = item.fieldRef {
                    value = try fields.fieldValue(fieldRef.fieldPath)
                } else if let resourceRef = item.resourceFieldRef {
                    value = try fields.resourceValue(resourceRef)
                } else {
                    continue
                }
            } catch {
                throw .payload(volume: volume, message: "\(item.path): \(error.description)")
            }
            files[item.path] = AtomicWriter.File(
                data: Array(value.utf8), mode: UInt32(item.mode ?? defaultMode ?? Self.defaultMode),
                owner: item.user.map { UInt32(truncatingIfNeeded: $0) })
        }
        return files
    }

    private static func project(
        _ bytes: [String: [UInt8]], kind: String, items: [CoreV1.KeyToPath]?, defaultMode: Int32?, optional: Bool?
    ) throws(VolumeError) -> [String: AtomicWriter.File] {
        let mode = UInt32(defaultMode ?? Self.defaultMode)
        var files: [String: AtomicWriter.File] = [:]
        guard let items, !items.isEmpty else {
            for (key, data) in bytes { files[key] = AtomicWriter.File(data: data, mode: mode) }
            return files
        }
        for item in items {
            guard let data = bytes[item.key] else {
                if optional == true { continue }
                throw .missingKey(kind: kind, key: item.key)
            }
            files[item.path] = AtomicWriter.File(
                data: data, mode: item.mode.map(UInt32.init) ?? mode, owner: item.user.map { UInt32(truncatingIfNeeded: $0) })
        }
        return files
    }
}

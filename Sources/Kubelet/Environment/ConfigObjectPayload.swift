import Foundation
import KubeAPI

/// The bytes of each key of a ConfigMap or Secret, as containers see them in env values and
/// volume files.
public enum ConfigObjectPayload {
    /// A ConfigMap's `data` (UTF-8) and `binaryData` (base64) keys; `data` wins a duplicate.
    public static func bytes(of configMap: CoreV1.ConfigMap) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for (key, value) in configMap.binaryData ?? [:] {
            if let data = Data(base64Encoded: value, options: .ignoreUnknownCharacters) { result[key] = Array(data) }
        }
        for (key, value) in configMap.data ?? [:] { result[key] = Array(value.utf8) }
        return result
    }

    /// A Secret's `data` (base64) keys, with `stringData` (plain text) keys on top, as the API
    /// server merges them. Throws for a `data` value that is not base64.
    public static func bytes(of secret: CoreV1.Secret) throws(EnvironmentError) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for (key, value) in secret.data ?? [:] {
            guard let data = Data(base64Encoded: value, options: .ignoreUnknownCharacters) else {
                throw .secretValueNotBase64(
                    namespace: secret.metadata?.namespace ?? "", name: secret.metadata?.name ?? "", key: key)
            }
            result[key] = Array(data)
        }
        for (key, value) in secret.stringData ?? [:] { result[key] = Array(value.utf8) }
        return result
    }
}

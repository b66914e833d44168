import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KubeAPI

extension KubeConfig {
    /// The kubeconfig as kubectl writes it (`apiVersion: v1`, `kind: Config`), `-data` fields in base64.
    public func yaml() -> String {
        YAMLWriter.string(document())
    }

    func document() -> JSONValue {
        var root = JSONObject()
        root.append("apiVersion", "v1")
        root.append("kind", "Config")
        root.append("clusters", .array(JSONArray(clusters.map { entry in
            var cluster = JSONObject()
            cluster.append("server", .string(entry.cluster.server))
            cluster.putString("certificate-authority", entry.cluster.certificateAuthority)
            cluster.putBase64("certificate-authority-data", entry.cluster.certificateAuthorityData)
            if entry.cluster.insecureSkipTLSVerify { cluster.append("insecure-skip-tls-verify", .bool(true)) }
            cluster.putString("tls-server-name", entry.cluster.tlsServerName)
            return .object(["name": .string(entry.name), "cluster": .object(cluster)])
        })))
        root.append("users", .array(JSONArray(users.map { entry in
            let user = entry.user
            var object = JSONObject()
            object.putString("client-certificate", user.clientCertificate)
            object.putBase64("client-certificate-data", user.clientCertificateData)
            object.putString("client-key", user.clientKey)
            object.putBase64("client-key-data", user.clientKeyData)
            object.putString("token", user.token)
            object.putString("tokenFile", user.tokenFile)
            object.putString("username", user.username)
            object.putString("password", user.password)
            if let exec = user.exec {
                var plugin = JSONObject()
                plugin.append("apiVersion", .string(exec.apiVersion))
                plugin.append("command", .string(exec.command))
                if !exec.args.isEmpty { plugin.append("args", .array(JSONArray(exec.args.map { .string($0) }))) }
                if !exec.env.isEmpty {
                    plugin.append("env", .array(JSONArray(exec.env.map { ["name": .string($0.name), "value": .string($0.value)] })))
                }
                if exec.provideClusterInfo { plugin.append("provideClusterInfo", .bool(true)) }
                plugin.putString("installHint", exec.installHint)
                plugin.append("interactiveMode", "Never")
                object.append("exec", .object(plugin))
            }
            return .object(["name": .string(entry.name), "user": .object(object)])
        })))
        root.append("contexts", .array(JSONArray(contexts.map { entry in
            var context = JSONObject()
            context.append("cluster", .string(entry.context.cluster))
            context.append("user", .string(entry.context.user))
            context.putString("namespace", entry.context.namespace)
            return .object(["name": .string(entry.name), "context": .object(context)])
        })))
        if let currentContext { root.append("current-context", .string(currentContext)) }
        return .object(root)
    }

    /// Writes the kubeconfig to `path` atomically with mode 0600: a temporary file in the same
    /// directory, written, flushed to disk and renamed over `path`, so a reader sees the old file
    /// or the new one, never a part.
    ///
    /// - Throws: ``KubeConfigError`` naming the file and the call that failed.
    public func write(to path: String) throws {
        try Self.writeAtomically(Array(yaml().utf8), to: path, mode: 0o600)
    }

    /// Writes `bytes` to `path` atomically with `mode` (also for the key file `swiftlet join` writes).
    ///
    /// - Throws: ``KubeConfigError`` naming the file and the call that failed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ call: String) -> KubeConfigError {
            KubeConfigError(file: path, field: "", message: "\(call) failed: \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("open(\(temporary))") }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                let error = failure("write")
                close(fd)
                unlink(temporary)
                throw error
            }
            written += count
        }
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            let error = failure("fsync")
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure("rename")
            unlink(temporary)
            throw error
        }
    }
}

extension JSONObject {
    fileprivate mutating func putString(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { append(key, .string(value)) }
    }

    fileprivate mutating func putBase64(_ key: String, _ value: [UInt8]?) {
        if let value, !value.isEmpty { append(key, .string(Data(value).base64EncodedString())) }
    }
}

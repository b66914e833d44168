import Foundation
import KubeAPI

extension KubeConfig {
    /// Parses kubeconfig YAML (or JSON). Unknown fields are ignored, as kubectl ignores them.
    ///
    /// - Parameters:
    ///   - file: the file's path, for messages.
    ///   - directory: what relative paths in the file are resolved against.
    /// - Throws: ``KubeConfigError`` naming the field and what was expected.
    public static func parse(_ text: String, file: String? = nil, directory: String? = nil) throws -> KubeConfig {
        let documents: [(value: JSONValue, line: Int)]
        do {
            documents = try YAMLReader.documents(text)
        } catch {
            throw KubeConfigError(file: file, field: "", message: "expected YAML: \(error)")
        }
        var config = KubeConfig(directory: directory, file: file)
        guard let root = documents.first?.value, !root.isNull else { return config }
        let reader = ConfigFieldReader(file: file)
        guard case .object = root else {
            throw KubeConfigError(file: file, field: "", message: "expected a mapping, got \(root.typeName)")
        }
        if let kind = try reader.string(root, "kind", at: ""), kind != "Config" {
            throw KubeConfigError(file: file, field: "kind", message: "expected \"Config\", got \"\(kind)\"")
        }
        config.currentContext = try reader.string(root, "current-context", at: "")
        config.clusters = try reader.namedList(root, "clusters", entry: "cluster") { value, path in
            try Cluster(
                server: reader.string(value, "server", at: path) ?? "",
                certificateAuthority: reader.string(value, "certificate-authority", at: path),
                certificateAuthorityData: reader.base64(value, "certificate-authority-data", at: path),
                insecureSkipTLSVerify: reader.bool(value, "insecure-skip-tls-verify", at: path) ?? false,
                tlsServerName: reader.string(value, "tls-server-name", at: path))
        }
        config.users = try reader.namedList(root, "users", entry: "user") { value, path in
            try User(
                clientCertificate: reader.string(value, "client-certificate", at: path),
                clientCertificateData: reader.base64(value, "client-certificate-data", at: path),
                clientKey: reader.string(value, "client-key", at: path),
                clientKeyData: reader.base64(value, "client-key-data", at: path),
                token: reader.string(value, "token", at: path),
                tokenFile: reader.string(value, "tokenFile", at: path),
                username: reader.string(value, "username", at: path),
                password: reader.string(value, "password", at: path),
                exec: reader.exec(value, at: path))
        }
        config.contexts = try reader.namedList(root, "contexts", entry: "context") { value, path in
            try Context(
                cluster: reader.string(value, "cluster", at: path) ?? "",
                user: reader.string(value, "user", at: path) ?? "",
                namespace: reader.string(value, "namespace", at: path))
        }
        return config
    }
}

/// Reads typed kubeconfig fields, failing with the field's path.
struct ConfigFieldReader {
    let file: String?

    func fail(_ path: String, _ message: String) -> KubeConfigError {
        KubeConfigError(file: file, field: path, message: message)
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func string(_ object: JSONValue, _ key: String, at path: String) throws -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        switch value {
        case .string(let text): return text
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: throw fail(join(path, key), "expected a string, got \(value.typeName)")
        }
    }

    func bool(_ object: JSONValue, _ key: String, at path: String) throws -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        if let flag = value.boolValue { return flag }
        if let text = value.stringValue, text == "true" || text == "false" { return text == "true" }
        throw fail(join(path, key), "expected true or false, got \(value.errorRendering)")
    }

    func base64(_ object: JSONValue, _ key: String, at path: String) throws -> [UInt8]? {
        guard let text = try string(object, key, at: path) else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw fail(join(path, key), "expected base64 data")
        }
        return [UInt8](data)
    }

    /// A list of `{name: ..., <entry>: {...}}`.
    func namedList<T>(
        _ root: JSONValue, _ key: String, entry: String, _ body: (JSONValue, String) throws -> T
    ) throws -> [(name: String, T)] {
        guard let value = root[key], !value.isNull else { return [] }
        guard let array = value.arrayValue else {
            throw fail(key, "expected a list, got \(value.typeName)")
        }
        var result: [(name: String, T)] = []
        for (index, element) in array.enumerated() {
            let path = "\(key)[\(index)]"
            guard case .object = element else { throw fail(path, "expected a mapping, got \(element.typeName)") }
            guard let name = try string(element, "name", at: path), !name.isEmpty else {
                throw fail(path + ".name", "expected a non-empty name")
            }
            let inner = element[entry] ?? .object(JSONObject())
            guard case .object = inner else {
                throw fail("\(path).\(entry)", "expected a mapping, got \(inner.typeName)")
            }
            result.append((name, try body(inner, "\(path).\(entry)")))
        }
        return result
    }

    func exec(_ user: JSONValue, at path: String) throws -> ExecCredentialConfig? {
        guard let value = user["exec"], !value.isNull else { return nil }
        let execPath = join(path, "exec")
        guard case .object = value else { throw fail(execPath, "expected a mapping, got \(value.typeName)") }
        guard let command = try string(value, "command", at: execPath), !command.isEmpty else {
            throw fail(execPath + ".command", "expected the plugin's command")
        }
        let apiVersion = try string(value, "apiVersion", at: execPath) ?? ExecCredentialConfig.v1
        guard apiVersion == ExecCredentialConfig.v1 || apiVersion == ExecCredentialConfig.v1beta1 else {
            throw fail(
                execPath + ".apiVersion",
                "expected \(ExecCredentialConfig.v1) or \(ExecCredentialConfig.v1beta1), got \"\(apiVersion)\"")
        }
        var args: [String] = []
        if let list = value["args"], !list.isNull {
            guard let array = list.arrayValue else { throw fail(execPath + ".args", "expected a list of strings") }
            for (index, element) in array.enumerated() {
                guard let text = element.stringValue else {
                    throw fail("\(execPath).args[\(index)]", "expected a string, got \(element.typeName)")
                }
                args.append(text)
            }
        }
        var env: [(name: String, value: String)] = []
        if let list = value["env"], !list.isNull {
            guard let array = list.arrayValue else { throw fail(execPath + ".env", "expected a list of name/value") }
            for (index, element) in array.enumerated() {
                let entryPath = "\(execPath).env[\(index)]"
                guard let name = try string(element, "name", at: entryPath) else {
                    throw fail(entryPath + ".name", "expected a variable name")
                }
                env.append((name, try string(element, "value", at: entryPath) ?? ""))
            }
        }
        return ExecCredentialConfig(
            command: command, args: args, env: env, apiVersion: apiVersion,
            provideClusterInfo: try bool(value, "provideClusterInfo", at: execPath) ?? false,
            installHint: try string(value, "installHint", at: execPath))
    }
}

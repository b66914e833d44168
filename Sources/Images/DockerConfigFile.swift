import Foundation

/// Credentials from a Docker `config.json` (`~/.docker/config.json`): its `auths` map, whose
/// entries have `auth` (base64 of `user:password`) or `username` and `password`. Keys may be bare
/// registry names or URLs such as `https://index.docker.io/v1/`.
public enum DockerConfigFile {
    /// Reads the credentials in the file at `path`, keyed by registry name.
    public static func credentials(atPath path: String) throws(ImageError) -> [String: RegistryCredential] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidConfiguration(file: path, field: "(file)", expected: "a readable Docker config.json")
        }
        return try credentials(from: data, file: path)
    }

    /// Parses `config.json` contents; `file` names it in errors.
    public static func credentials(from data: Data, file: String) throws(ImageError) -> [String: RegistryCredential] {
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            throw .invalidConfiguration(file: file, field: "(document)", expected: "a JSON object")
        }
        guard let auths = root["auths"] else { return [:] }
        guard let entries = auths as? [String: Any] else {
            throw .invalidConfiguration(file: file, field: "auths", expected: "an object keyed by registry")
        }
        var result: [String: RegistryCredential] = [:]
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            guard let entry = value as? [String: Any] else {
                throw .invalidConfiguration(file: file, field: "auths.\(key)", expected: "an object")
            }
            let registry = registryName(fromKey: key)
            if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth).flatMap({ String(data: $0, encoding: .utf8) }),
                    let colon = decoded.firstIndex(of: ":")
                else {
                    throw .invalidConfiguration(file: file, field: "auths.\(key).auth", expected: "base64 of \"user:password\"")
                }
                result[registry] = RegistryCredential(
                    username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
            } else if let username = entry["username"] as? String, let password = entry["password"] as? String {
                result[registry] = RegistryCredential(username: username, password: password)
            } else if let token = entry["identitytoken"] as? String {
                // An identity token is sent as the password of the token request, user "<token>".
                result[registry] = RegistryCredential(username: "<token>", password: token)
            }
        }
        return result
    }

    /// `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/path` → `host:5000`.
    static func registryName(fromKey key: String) -> String {
        var name = Substring(key)
        if let range = name.range(of: "://") { name = name[range.upperBound...] }
        if let slash = name.firstIndex(of: "/") { name = name[..<slash] }
        switch name {
        case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com": return ImageReference.dockerHub
        default: return String(name)
        }
    }
}

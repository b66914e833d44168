import ContainerRuntime

/// The process a container runs, resolved from the image config and the container config as
/// Kubernetes defines it, plus the identity it runs as.
struct ContainerProcess: Sendable, Equatable, Codable {
    var argv: [String]
    var env: [String]
    var workingDir: String
    var uid: UInt32
    var gid: UInt32
    var groups: [UInt32]

    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Kubernetes' rule (`kuberuntime`): `command` replaces the Entrypoint and drops the image Cmd;
    /// `args` replaces the Cmd; with neither, Entrypoint + Cmd.
    static func argv(image: ImageConfig, command: [String], args: [String]) -> [String] {
        if !command.isEmpty { return command + args }
        if !args.isEmpty { return image.entrypoint + args }
        return image.entrypoint + image.cmd
    }

    /// Image env, then the container's, a later key replacing an earlier one in place; PATH
    /// defaulted when neither sets it.
    static func environment(image: [String], container: [KeyValue]) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ key: String, _ entry: String) {
            if values[key] == nil { order.append(key) }
            values[key] = entry
        }
        for entry in image {
            let key = String(entry.prefix { $0 != "=" })
            set(key, entry)
        }
        for pair in container { set(pair.key, "\(pair.key)=\(pair.value)") }
        if values["PATH"] == nil { order.insert("PATH", at: 0); values["PATH"] = defaultPath }
        return order.compactMap { values[$0] }
    }
}

import ContainerRuntime

/// Resolves the user a container runs as from `runAsUser`/`runAsGroup`, a user name, or the
/// image's `User`, against the image's `/etc/passwd` and `/etc/group`.
struct UserResolver {
    /// The image's layers, topmost first, to read `/etc/passwd` and `/etc/group` from.
    var layers: [String]

    struct Identity: Equatable {
        var uid: UInt32
        var gid: UInt32
        var groups: [UInt32]
    }

    private func read(_ file: String) -> [[Substring]] {
        for layer in layers {
            if let text = try? FileSystem.readText(layer + file) {
                return text.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
            }
        }
        return []
    }

    /// Resolves the identity. `user` is `runAsUsername` or the image's `User` (`uid`, `name`,
    /// `uid:gid`, `name:group`). Throws `RuntimeError.invalidArgument` for a name the image lacks.
    func resolve(runAsUser: Int64?, runAsGroup: Int64?, user: String, supplementalGroups: [Int64]) throws -> Identity {
        let passwd = read("/etc/passwd")
        let groupFile = read("/etc/group")
        var uid: UInt32 = 0
        var gid: UInt32?
        var userName: String?

        let parts = user.split(separator: ":", maxSplits: 1).map(String.init)
        if let runAsUser {
            uid = UInt32(clamping: runAsUser)
        } else if let first = parts.first, !first.isEmpty {
            if let numeric = UInt32(first) {
                uid = numeric
            } else {
                guard let entry = passwd.first(where: { $0.count >= 4 && $0[0] == first }), let value = UInt32(entry[2]) else {
                    throw RuntimeError.invalidArgument(field: "securityContext.runAsUser", reason: "user \(first) is not in the image's /etc/passwd")
                }
                uid = value
                userName = first
            }
        }
        if let entry = passwd.first(where: { $0.count >= 4 && UInt32($0[2]) == uid }) {
            userName = userName ?? String(entry[0])
            gid = UInt32(entry[3])
        }
        if let runAsGroup {
            gid = UInt32(clamping: runAsGroup)
        } else if parts.count == 2, runAsUser == nil {
            if let numeric = UInt32(parts[1]) {
                gid = numeric
            } else if let entry = groupFile.first(where: { $0.count >= 3 && $0[0] == parts[1] }), let value = UInt32(entry[2]) {
                gid = value
            } else {
                throw RuntimeError.invalidArgument(field: "image.config.User", reason: "group \(parts[1]) is not in the image's /etc/group")
            }
        }
        // As containerd does, the primary group is also a supplementary group.
        var groups: [UInt32] = [gid ?? 0]
        if let userName {
            for entry in groupFile where entry.count >= 4 {
                if entry[3].split(separator: ",").contains(where: { $0 == userName }), let value = UInt32(entry[2]) { groups.append(value) }
            }
        }
        for extra in supplementalGroups { groups.append(UInt32(clamping: extra)) }
        var seen = Set<UInt32>()
        groups = groups.filter { seen.insert($0).inserted }
        return Identity(uid: uid, gid: gid ?? 0, groups: groups)
    }
}

/// Where a kind lives in the API: `/api/v1/...` for the core group, `/apis/<group>/<version>/...`
/// otherwise, with the plural resource name and whether objects live in a namespace.
public struct KubeResourceDescriptor: Sendable, Hashable {
    /// The API group, empty for the core group.
    public var group: String
    /// The version, e.g. `v1`.
    public var version: String
    /// The plural resource name used in paths, e.g. `pods`.
    public var plural: String
    /// Whether objects live in a namespace.
    public var namespaced: Bool

    /// A descriptor from its parts.
    public init(group: String, version: String, plural: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespaced = namespaced
    }

    /// `/api/v1` or `/apis/<group>/<version>`.
    public var groupVersionPath: String {
        group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
    }

    /// The path of the collection (no name) or of one object, optionally a subresource of it.
    /// `namespace` is ignored for cluster-scoped resources; nil on a namespaced one means all
    /// namespaces (lists and watches only).
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = groupVersionPath
        if namespaced, let namespace {
            path += "/namespaces/" + Self.escape(namespace)
        }
        path += "/" + plural
        if let name {
            path += "/" + Self.escape(name)
            if let subresource { path += "/" + subresource }
        }
        return path
    }

    /// Percent-encodes a path segment or query value: everything but RFC 3986 unreserved characters.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }
}

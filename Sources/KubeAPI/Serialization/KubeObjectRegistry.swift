/// The top-level kinds KubeAPI knows, by `apiVersion` and `kind`: what `manifest check` and the
/// file pod source use to decode a document whose type is only known at run time.
///
/// The list itself is generated (`Generated/KubeObjectRegistry+Kinds.swift`).
public enum KubeObjectRegistry {
    /// The registered type for `apiVersion` and `kind`, if any.
    public static func type(apiVersion: String, kind: String) -> (any KubeObject.Type)? {
        byKey[Key(apiVersion: apiVersion, kind: kind)]
    }

    /// Every registered type.
    public static var types: [any KubeObject.Type] { kinds }

    private struct Key: Hashable {
        var apiVersion: String
        var kind: String
    }

    private static let byKey: [Key: any KubeObject.Type] = {
        var map: [Key: any KubeObject.Type] = [:]
        for type in kinds {
            map[Key(apiVersion: type.apiVersion, kind: type.kind)] = type
        }
        return map
    }()
}

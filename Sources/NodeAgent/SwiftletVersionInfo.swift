import KubeAPI

/// What `swiftlet version` reports.
public struct SwiftletVersionInfo: Sendable, Equatable {
    /// swiftlet's own version.
    public let version: String
    /// The Swift compiler version the binary was built with (major.minor).
    public let swiftVersion: String
    /// The Kubernetes API version whose schema KubeAPI's object model follows.
    public let kubernetesSchemaVersion: String

    /// This build.
    public static let current = SwiftletVersionInfo(
        version: "0.1.0",
        swiftVersion: compilerVersion,
        kubernetesSchemaVersion: KubernetesSchema.version)

    /// `swiftlet 0.1.0`.
    public var short: String { "swiftlet \(version)" }

    /// Several lines: version, Swift version, Kubernetes API schema version.
    public var long: String {
        """
        swiftlet \(version)
        swift: \(swiftVersion)
        kubernetes api schema: \(kubernetesSchemaVersion)
        """
    }

    private static var compilerVersion: String {
        #if compiler(>=6.4)
        "6.4 or later"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }
}

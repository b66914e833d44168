/// Settings of the external CNI mode.
public struct CNINetworkConfiguration: Sendable, Hashable {
    /// Where conflists are read from (the first by file name wins).
    public var configurationDirectory: String
    /// Where plugin binaries are looked for, in order (Debian: /usr/lib/cni, upstream: /opt/cni/bin).
    public var binaryDirectories: [String]
    /// Where ADD results are cached for DEL and CHECK.
    public var cacheDirectory: String
    /// The namespace the plugins run in; `nil` for the agent's own. Tests point it at a namespace
    /// they created.
    public var nodeNamespacePath: String?

    /// A configuration with the usual locations.
    public init(configurationDirectory: String = "/etc/cni/net.d",
                binaryDirectories: [String] = ["/usr/lib/cni", "/opt/cni/bin"],
                cacheDirectory: String = "/var/lib/swiftlet/cni",
                nodeNamespacePath: String? = nil) {
        self.configurationDirectory = configurationDirectory
        self.binaryDirectories = binaryDirectories
        self.cacheDirectory = cacheDirectory
        self.nodeNamespacePath = nodeNamespacePath
    }
}

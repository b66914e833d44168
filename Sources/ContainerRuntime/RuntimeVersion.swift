/// CRI `VersionResponse`.
public struct RuntimeVersion: Sendable, Equatable {
    /// The CRI API version the runtime speaks, e.g. `0.1.0`.
    public var version: String
    public var runtimeName: String
    public var runtimeVersion: String
    public var runtimeAPIVersion: String

    public init(version: String = "0.1.0", runtimeName: String, runtimeVersion: String, runtimeAPIVersion: String = "v1") {
        self.version = version
        self.runtimeName = runtimeName
        self.runtimeVersion = runtimeVersion
        self.runtimeAPIVersion = runtimeAPIVersion
    }
}

/// The platform an image is built for, as in an image index (`os`, `architecture`, `variant`).
public struct Platform: Hashable, Sendable, Codable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var osVersion: String?
    public var osFeatures: [String]?
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// The platform this process runs on, in Go's names (`linux/amd64`, `linux/arm64/v8`).
    public static var current: Platform {
        #if arch(x86_64)
            Platform(os: "linux", architecture: "amd64")
        #elseif arch(arm64)
            Platform(os: "linux", architecture: "arm64", variant: "v8")
        #elseif arch(arm)
            Platform(os: "linux", architecture: "arm", variant: "v7")
        #elseif arch(s390x)
            Platform(os: "linux", architecture: "s390x")
        #elseif arch(powerpc64le)
            Platform(os: "linux", architecture: "ppc64le")
        #else
            Platform(os: "linux", architecture: "unknown")
        #endif
    }

    public var description: String {
        [os, architecture, variant].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "/")
    }

    /// Whether an index entry for `other` can run here: same OS and architecture, and a variant
    /// that is equal, absent on either side, or (for arm64) the default `v8`.
    public func matches(_ other: Platform) -> Bool {
        guard os == other.os, architecture == other.architecture else { return false }
        let mine = normalizedVariant, theirs = other.normalizedVariant
        return mine == nil || theirs == nil || mine == theirs
    }

    private var normalizedVariant: String? {
        if architecture == "arm64", variant == "v8" { return nil }
        if let variant, variant.isEmpty { return nil }
        return variant
    }
}

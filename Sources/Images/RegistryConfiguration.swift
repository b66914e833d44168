import Foundation

/// How to reach registries: mirrors, plain-HTTP registries, credentials, download parallelism and
/// the platform to pick from image indexes.
public struct RegistryConfiguration: Sendable, Equatable {
    /// For a registry name (`docker.io`, `registry.example:5000`), endpoints tried before the
    /// registry itself, each a base URL such as `https://mirror.example` or `http://127.0.0.1:5000`.
    public var mirrors: [String: [String]]
    /// Registry names reached over plain HTTP instead of HTTPS.
    public var plainHTTP: Set<String>
    /// Credentials per registry name.
    public var credentials: [String: RegistryCredential]
    /// How many blobs one pull downloads at the same time.
    public var parallelDownloads: Int
    /// The platform chosen from image indexes.
    public var platform: Platform
    /// Seconds allowed for a manifest or token request.
    public var requestTimeout: Int64
    /// Seconds allowed for one blob download.
    public var blobTimeout: Int64

    public init(
        mirrors: [String: [String]] = [:], plainHTTP: Set<String> = [], credentials: [String: RegistryCredential] = [:],
        parallelDownloads: Int = 3, platform: Platform = .current, requestTimeout: Int64 = 60, blobTimeout: Int64 = 3600
    ) {
        self.mirrors = mirrors
        self.plainHTTP = plainHTTP
        self.credentials = credentials
        self.parallelDownloads = max(1, parallelDownloads)
        self.platform = platform
        self.requestTimeout = requestTimeout
        self.blobTimeout = blobTimeout
    }

    /// The base URLs to try for `registry`, mirrors first.
    public func endpoints(for registry: String) -> [String] {
        var endpoints = mirrors[registry] ?? []
        if registry == ImageReference.dockerHub {
            endpoints.append("https://registry-1.docker.io")
        } else {
            endpoints.append((plainHTTP.contains(registry) ? "http://" : "https://") + registry)
        }
        return endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }
}

/// A user name and password (or identity token) for a registry.
public struct RegistryCredential: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The value of an `Authorization: Basic …` header.
    public var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

import KubeAPI

/// An HTTP GET of a probe or hook, as upstream builds it: `scheme://host:port/path` with the
/// pod's IP as the default host, a `User-Agent: kube-probe/<version>` and `Accept: */*` unless
/// the spec's headers set them (a `Host` header sets the request's host).
public struct HTTPProbeRequest: Sendable, Equatable {
    /// `HTTP` or `HTTPS`.
    public var scheme: String
    /// Where to connect.
    public var host: String
    public var port: Int
    /// Path and query, starting with `/`.
    public var path: String
    /// Headers in order; names as given.
    public var headers: [(name: String, value: String)]

    /// The version in the default `User-Agent` (upstream sends the kubelet's major.minor).
    public static let userAgent = "kube-probe/1.34"

    public init(scheme: String = "HTTP", host: String, port: Int, path: String = "/", headers: [(name: String, value: String)] = []) {
        self.scheme = scheme.uppercased()
        self.host = host
        self.port = port
        self.path = path.hasPrefix("/") ? path : "/" + path
        var all = headers
        if !all.contains(where: { $0.name.lowercased() == "user-agent" }) { all.append((name: "User-Agent", value: Self.userAgent)) }
        if !all.contains(where: { $0.name.lowercased() == "accept" }) { all.append((name: "Accept", value: "*/*")) }
        self.headers = all
    }

    init(_ action: CoreV1.HTTPGetAction, container: CoreV1.Container, podIP: String) throws(ProbeConfigError) {
        self.init(
            scheme: action.scheme ?? "HTTP", host: ProbeAction.host(action.host, podIP),
            port: try ProbeAction.port(action.port, in: container), path: action.path ?? "/",
            headers: (action.httpHeaders ?? []).map { (name: $0.name, value: $0.value) })
    }

    /// The value of the `Host` header sent: a `Host` header of the spec, else `host:port`.
    public var hostHeader: String {
        if let given = headers.first(where: { $0.name.lowercased() == "host" }) { return given.value }
        return Self.joinHostPort(host, port)
    }

    static func joinHostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func == (lhs: HTTPProbeRequest, rhs: HTTPProbeRequest) -> Bool {
        lhs.scheme == rhs.scheme && lhs.host == rhs.host && lhs.port == rhs.port && lhs.path == rhs.path
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

/// What the proxier reads of one EndpointSlice (`discovery.k8s.io/v1`).
public struct EndpointSliceInfo: Sendable, Hashable {
    /// The slice's own name (`metadata.name`).
    public var name: String
    /// The service it belongs to (`kubernetes.io/service-name`).
    public var service: ServiceName
    /// `addressType`; FQDN slices are not given to the proxier.
    public var family: ProxyIPFamily
    public var ports: [Port]
    public var endpoints: [Endpoint]

    public init(name: String, service: ServiceName, family: ProxyIPFamily, ports: [Port], endpoints: [Endpoint]) {
        self.name = name
        self.service = service
        self.family = family
        self.ports = ports
        self.endpoints = endpoints
    }

    /// `ports[]`: the port's name (matching the service port's name), number and protocol.
    public struct Port: Sendable, Hashable {
        public var name: String
        public var port: UInt16
        public var `protocol`: TransportProtocol

        public init(name: String = "", port: UInt16, protocol: TransportProtocol = .tcp) {
            self.name = name
            self.port = port
            self.protocol = `protocol`
        }
    }

    /// `endpoints[]`: addresses and `conditions` (nil means unknown, which the API reads as
    /// ready and serving, and not terminating).
    public struct Endpoint: Sendable, Hashable {
        public var addresses: [String]
        public var ready: Bool?
        public var serving: Bool?
        public var terminating: Bool?
        public var nodeName: String?

        public init(addresses: [String], ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil, nodeName: String? = nil) {
            self.addresses = addresses
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
            self.nodeName = nodeName
        }
    }
}

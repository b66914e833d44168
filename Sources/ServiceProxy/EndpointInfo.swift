/// One endpoint (address and port) of a service port, with its EndpointSlice conditions.
public struct EndpointInfo: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var address: String
    public var port: UInt16
    /// The endpoint runs on this node (its `nodeName` is this node's name).
    public var isLocal: Bool
    public var isReady: Bool
    public var isServing: Bool
    public var isTerminating: Bool

    public init(address: String, port: UInt16, isLocal: Bool = false, isReady: Bool = true,
                isServing: Bool? = nil, isTerminating: Bool = false) {
        self.address = AddressText.canonical(address)
        self.port = port
        self.isLocal = isLocal
        self.isReady = isReady
        self.isServing = isServing ?? isReady
        self.isTerminating = isTerminating
    }

    public static func < (a: EndpointInfo, b: EndpointInfo) -> Bool {
        (a.address, a.port) < (b.address, b.port)
    }

    /// `ip:port`, or `[ip]:port` for IPv6, as upstream names an endpoint.
    public var description: String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// A service's namespace and name.
public struct ServiceName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public static func < (a: ServiceName, b: ServiceName) -> Bool {
        (a.namespace, a.name) < (b.namespace, b.name)
    }

    public var description: String { "\(namespace)/\(name)" }
}

/// One port of a service: what upstream calls a `ServicePortName` (the port's name, which may
/// be empty, and its protocol).
public struct ServicePortName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var service: ServiceName
    public var port: String
    public var `protocol`: TransportProtocol

    public init(service: ServiceName, port: String, protocol: TransportProtocol) {
        self.service = service
        self.port = port
        self.protocol = `protocol`
    }

    public init(namespace: String, name: String, port: String, protocol: TransportProtocol) {
        self.init(service: ServiceName(namespace: namespace, name: name), port: port, protocol: `protocol`)
    }

    public static func < (a: ServicePortName, b: ServicePortName) -> Bool {
        (a.service, a.port, a.protocol.rawValue) < (b.service, b.port, b.protocol.rawValue)
    }

    /// `namespace/name:port` as upstream logs it (`namespace/name` for an unnamed port).
    public var description: String { port.isEmpty ? service.description : "\(service):\(port)" }
}

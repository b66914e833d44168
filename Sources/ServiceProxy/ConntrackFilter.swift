/// Which conntrack flows to delete: UDP (or another protocol's) flows whose original direction
/// went to `destination`:`destinationPort` and whose reply comes from `replySource`; a nil part
/// matches anything.
public struct ConntrackFilter: Sendable, Hashable, CustomStringConvertible {
    public var `protocol`: TransportProtocol
    public var destination: [UInt8]?
    public var destinationPort: UInt16?
    public var replySource: [UInt8]?

    public init(protocol: TransportProtocol = .udp, destination: [UInt8]? = nil, destinationPort: UInt16? = nil,
                replySource: [UInt8]? = nil) {
        self.protocol = `protocol`
        self.destination = destination
        self.destinationPort = destinationPort
        self.replySource = replySource
    }

    /// Whether a flow matches.
    public func matches(_ flow: ConntrackFlow) -> Bool {
        flow.protocolNumber == `protocol`.number
            && (destination == nil || destination == flow.originalDestination)
            && (destinationPort == nil || destinationPort == flow.originalDestinationPort)
            && (replySource == nil || replySource == flow.replySource)
    }

    public var description: String {
        var parts = [`protocol`.nftName]
        if let destination { parts.append("orig-dst \(AddressText.format(destination))") }
        if let destinationPort { parts.append("dport \(destinationPort)") }
        if let replySource { parts.append("reply-src \(AddressText.format(replySource))") }
        return parts.joined(separator: " ")
    }
}

/// One conntrack entry as read from the kernel: the original tuple and the reply's source.
public struct ConntrackFlow: Sendable, Hashable {
    public var protocolNumber: UInt8
    public var originalSource: [UInt8]
    public var originalDestination: [UInt8]
    public var originalSourcePort: UInt16
    public var originalDestinationPort: UInt16
    public var replySource: [UInt8]
    public var zone: UInt16

    public init(protocolNumber: UInt8, originalSource: [UInt8], originalDestination: [UInt8], originalSourcePort: UInt16,
                originalDestinationPort: UInt16, replySource: [UInt8], zone: UInt16 = 0) {
        self.protocolNumber = protocolNumber
        self.originalSource = originalSource
        self.originalDestination = originalDestination
        self.originalSourcePort = originalSourcePort
        self.originalDestinationPort = originalDestinationPort
        self.replySource = replySource
        self.zone = zone
    }
}

/// Where stale flows are deleted: the kernel's conntrack table (`NetlinkConntrack`) or a fake.
public protocol ConntrackTable: AnyObject, Sendable {
    /// Deletes the flows of `family` that match any filter; returns how many were deleted.
    func deleteFlows(family: ProxyIPFamily, matching filters: [ConntrackFilter]) throws(ConntrackError) -> Int
}

/// A failure talking to conntrack over netlink, naming the call and the namespace.
public struct ConntrackError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    public var place: String

    public init(operation: String, errno: Int32, place: String) {
        self.operation = operation
        self.errno = errno
        self.place = place
    }

    public var description: String { "conntrack: \(operation) in \(place) failed with errno \(errno)" }
}

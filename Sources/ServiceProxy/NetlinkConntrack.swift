import CSwiftletNet
import CSwiftletNetfilter
import Glibc
import Synchronization

/// The kernel's conntrack table over ctnetlink (`NFNL_SUBSYS_CTNETLINK`): flows are dumped
/// (`IPCTNL_MSG_CT_GET` with `NLM_F_DUMP`), matched here, and deleted by their original tuple
/// (`IPCTNL_MSG_CT_DELETE`), all deletions in one datagram.
public final class NetlinkConntrack: ConntrackTable {
    private let descriptor: Int32
    private let place: String
    private let lock = Mutex(UInt32(1))

    // ctnetlink's numbers (linux/netfilter/nfnetlink_conntrack.h), stable kernel ABI.
    private static let subsystem: UInt16 = 1
    private static let messageGet: UInt16 = 1
    private static let messageDelete: UInt16 = 2
    private static let tupleOriginal: UInt16 = 1
    private static let tupleReply: UInt16 = 2
    private static let tupleIP: UInt16 = 1
    private static let tupleProto: UInt16 = 2
    private static let zoneAttribute: UInt16 = 18
    private static let protoNumber: UInt16 = 1
    private static let protoSourcePort: UInt16 = 2
    private static let protoDestinationPort: UInt16 = 3
    private static let nested: UInt16 = 0x8000

    /// Opens a ctnetlink socket in `networkNamespace` (a path such as `/run/netns/NAME`), or in
    /// the caller's namespace.
    public init(networkNamespace: String? = nil) throws(ConntrackError) {
        place = networkNamespace ?? "the current network namespace"
        let socketType = Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let socketDescriptor: Int32
        let socketError: Int32
        if let networkNamespace {
            let target = open(networkNamespace, O_RDONLY | O_CLOEXEC)
            guard target >= 0 else { throw ConntrackError(operation: "open", errno: errno, place: networkNamespace) }
            defer { close(target) }
            // The shim enters the namespace on this thread only while the socket is made.
            socketDescriptor = SL_net_socket_in(target, AF_NETLINK, socketType, NETLINK_NETFILTER)
        } else {
            socketDescriptor = socket(AF_NETLINK, socketType, NETLINK_NETFILTER)
        }
        socketError = errno
        guard socketDescriptor >= 0 else { throw ConntrackError(operation: "socket(NETLINK_NETFILTER)", errno: socketError, place: place) }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
        }
        guard bound == 0 else {
            let error = errno
            close(socketDescriptor)
            throw ConntrackError(operation: "bind", errno: error, place: place)
        }
        // A lost reply must not stall the proxier: give up on a read after five seconds.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = socketDescriptor
    }

    deinit { close(descriptor) }

    /// Every flow of `family` in the table.
    public func listFlows(family: ProxyIPFamily) throws(ConntrackError) -> [ConntrackFlow] {
        try lock.withLock { sequence throws(ConntrackError) in
            sequence &+= 1
            var message = Self.header(type: Self.messageGet, flags: UInt16(NLM_F_REQUEST | NLM_F_DUMP), sequence: sequence, family: family)
            Self.finish(&message)
            try send(message, operation: "dump conntrack")
            var flows: [ConntrackFlow] = []
            try receive(operation: "dump conntrack") { type, payload in
                if type == (Self.subsystem << 8) | 0, let flow = Self.parseFlow(payload) { flows.append(flow) }
            }
            return flows
        }
    }

    public func deleteFlows(family: ProxyIPFamily, matching filters: [ConntrackFilter]) throws(ConntrackError) -> Int {
        guard !filters.isEmpty else { return 0 }
        let doomed = try listFlows(family: family).filter { flow in filters.contains { $0.matches(flow) } }
        guard !doomed.isEmpty else { return 0 }
        return try lock.withLock { sequence throws(ConntrackError) in
            var datagram: [UInt8] = []
            for flow in doomed {
                sequence &+= 1
                var message = Self.header(type: Self.messageDelete, flags: UInt16(NLM_F_REQUEST | NLM_F_ACK), sequence: sequence, family: family)
                Self.appendTuple(&message, flow: flow)
                if flow.zone != 0 { Self.appendAttribute(&message, type: Self.zoneAttribute, [UInt8(flow.zone >> 8), UInt8(flow.zone & 0xff)]) }
                Self.finish(&message)
                datagram += message
            }
            try send(datagram, operation: "delete conntrack flows")
            var deleted = 0
            var answered = 0
            var failure: Int32 = 0
            try receive(operation: "delete conntrack flows", until: { answered >= doomed.count }) { type, payload in
                guard type == UInt16(NLMSG_ERROR), payload.count >= 4 else { return }
                answered += 1
                let code = payload.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
                if code == 0 { deleted += 1 } else if -code != ENOENT { failure = -code }
            }
            if failure != 0 { throw ConntrackError(operation: "delete conntrack flow", errno: failure, place: place) }
            return deleted
        }
    }

    // MARK: Messages

    private static func header(type: UInt16, flags: UInt16, sequence: UInt32, family: ProxyIPFamily) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        store(&bytes, at: 4, UInt16((subsystem << 8) | type))
        store(&bytes, at: 6, flags)
        store(&bytes, at: 8, sequence)
        // struct nfgenmsg: family, version 0, resource id 0.
        bytes += [UInt8(family == .ipv4 ? AF_INET : AF_INET6), 0, 0, 0]
        return bytes
    }

    private static func finish(_ message: inout [UInt8]) {
        store(&message, at: 0, UInt32(message.count))
    }

    private static func store<T: FixedWidthInteger>(_ bytes: inout [UInt8], at offset: Int, _ value: T) {
        withUnsafeBytes(of: value) { raw in for (index, byte) in raw.enumerated() { bytes[offset + index] = byte } }
    }

    private static func appendAttribute(_ message: inout [UInt8], type: UInt16, _ payload: [UInt8]) {
        let length = UInt16(4 + payload.count)
        withUnsafeBytes(of: length) { message += $0 }
        withUnsafeBytes(of: type) { message += $0 }
        message += payload
        message += [UInt8](repeating: 0, count: (4 - payload.count % 4) % 4)
    }

    private static func appendTuple(_ message: inout [UInt8], flow: ConntrackFlow) {
        let v4 = flow.originalSource.count == 4
        var ip: [UInt8] = []
        appendAttribute(&ip, type: v4 ? 1 : 3, flow.originalSource)
        appendAttribute(&ip, type: v4 ? 2 : 4, flow.originalDestination)
        var proto: [UInt8] = []
        appendAttribute(&proto, type: protoNumber, [flow.protocolNumber])
        appendAttribute(&proto, type: protoSourcePort, [UInt8(flow.originalSourcePort >> 8), UInt8(flow.originalSourcePort & 0xff)])
        appendAttribute(&proto, type: protoDestinationPort,
                        [UInt8(flow.originalDestinationPort >> 8), UInt8(flow.originalDestinationPort & 0xff)])
        var tuple: [UInt8] = []
        appendAttribute(&tuple, type: tupleIP | nested, ip)
        appendAttribute(&tuple, type: tupleProto | nested, proto)
        appendAttribute(&message, type: tupleOriginal | nested, tuple)
    }

    /// The attributes of a block, by type (nested flag cleared).
    private static func attributes(_ bytes: ArraySlice<UInt8>) -> [UInt16: ArraySlice<UInt8>] {
        var result: [UInt16: ArraySlice<UInt8>] = [:]
        var offset = bytes.startIndex
        while offset + 4 <= bytes.endIndex {
            let length = Int(UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8)
            let type = (UInt16(bytes[offset + 2]) | UInt16(bytes[offset + 3]) << 8) & 0x3fff
            guard length >= 4, offset + length <= bytes.endIndex else { break }
            result[type] = bytes[(offset + 4)..<(offset + length)]
            offset += (length + 3) & ~3
        }
        return result
    }

    private static func parseFlow(_ payload: [UInt8]) -> ConntrackFlow? {
        guard payload.count > 4 else { return nil }
        let top = attributes(payload[4...])
        guard let original = top[tupleOriginal].map(attributes), let reply = top[tupleReply].map(attributes),
              let originalIP = original[tupleIP].map(attributes), let originalProto = original[tupleProto].map(attributes),
              let replyIP = reply[tupleIP].map(attributes) else { return nil }
        let source = originalIP[1] ?? originalIP[3]
        let destination = originalIP[2] ?? originalIP[4]
        let replySource = replyIP[1] ?? replyIP[3]
        guard let source, let destination, let replySource, let number = originalProto[protoNumber]?.first else { return nil }
        func port(_ bytes: ArraySlice<UInt8>?) -> UInt16 {
            guard let bytes, bytes.count >= 2 else { return 0 }
            return UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1])
        }
        return ConntrackFlow(protocolNumber: number, originalSource: Array(source), originalDestination: Array(destination),
                             originalSourcePort: port(originalProto[protoSourcePort]),
                             originalDestinationPort: port(originalProto[protoDestinationPort]),
                             replySource: Array(replySource), zone: port(top[zoneAttribute]))
    }

    // MARK: Socket

    private func send(_ bytes: [UInt8], operation: String) throws(ConntrackError) {
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == bytes.count else { throw ConntrackError(operation: "sendto (\(operation))", errno: errno, place: place) }
    }

    /// Reads replies until `NLMSG_DONE`, or until `until` holds; hands each message's type and
    /// payload to `body`.
    private func receive(operation: String, until done: () -> Bool = { false },
                         _ body: (UInt16, [UInt8]) -> Void) throws(ConntrackError) {
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while !done() {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConntrackError(operation: "recv (\(operation))", errno: errno, place: place)
            }
            var offset = 0
            while offset + 16 <= count {
                let length = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) })
                let type = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self) }
                guard length >= 16, offset + length <= count else { break }
                if type == UInt16(NLMSG_DONE) { return }
                if type == UInt16(NLMSG_ERROR) {
                    let code = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 16, as: Int32.self) }
                    if !done(), code != 0, operation.hasPrefix("dump") {
                        throw ConntrackError(operation: operation, errno: -code, place: place)
                    }
                }
                body(type, Array(buffer[(offset + 16)..<(offset + length)]))
                offset += (length + 3) & ~3
            }
        }
    }
}

import CMnl
import CSwiftletNet
import Glibc

/// An rtnetlink socket bound inside one network namespace. Made once per namespace and reused
/// for every request there; not thread-safe (own it from one actor or task).
public final class NetlinkSocket {
    private let socket: OpaquePointer
    private let portID: UInt32
    private var sequence: UInt32
    private let receiveBuffer: UnsafeMutableRawPointer
    private let receiveCapacity = 65536
    /// The namespace the socket lives in (for error messages), `nil` for the caller's own.
    public let namespacePath: String?

    /// Opens an `AF_NETLINK`/`NETLINK_ROUTE` socket in `namespace` (the caller's own when `nil`),
    /// with extended acks and capped acks turned on.
    /// - Throws: `NetlinkError.system` naming the failing call.
    public init(in namespace: NetworkNamespace? = nil) throws(NetlinkError) {
        let fd: Int32
        if let namespace {
            fd = try namespace.makeSocket(domain: AF_NETLINK, type: Int32(SOCK_RAW.rawValue), protocol: NETLINK_ROUTE)
        } else {
            fd = try systemCall("socket(AF_NETLINK)") {
                Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
            }
        }
        guard let socket = mnl_socket_fdopen(fd) else {
            let code = errno
            close(fd)
            throw .system(call: "mnl_socket_fdopen", errno: code)
        }
        if mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) != 0 {
            let code = errno
            mnl_socket_close(socket)
            throw .system(call: "bind(AF_NETLINK)", errno: code)
        }
        var on: Int32 = 1
        _ = mnl_socket_setsockopt(socket, NETLINK_EXT_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(socket, NETLINK_CAP_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        self.socket = socket
        self.portID = mnl_socket_get_portid(socket)
        self.sequence = UInt32(truncatingIfNeeded: time(nil))
        self.namespacePath = namespace?.path
        receiveBuffer = UnsafeMutableRawPointer.allocate(byteCount: receiveCapacity, alignment: 8)
    }

    deinit {
        mnl_socket_close(socket)
        receiveBuffer.deallocate()
    }

    /// Sends every request of `batch` in one write and collects one outcome per request, in the
    /// batch's order: `nil` for success, the kernel's error otherwise.
    /// - Throws: only when the exchange itself fails (send, receive, malformed reply).
    public func perform(_ batch: NetlinkBatch) throws(NetlinkError) -> [NetlinkError?] {
        try exchange(batch, echoHeaderSize: nil).outcomes
    }

    /// Like `perform(_:)`, also returning what the kernel echoed back for requests sent with
    /// `NLM_F_ECHO` (for a new link: the link as created), each with its request's index and
    /// split after `headerSize` bytes of fixed header. A kernel that does not echo returns none.
    public func performEchoing(_ batch: NetlinkBatch, headerSize: Int) throws(NetlinkError)
        -> (outcomes: [NetlinkError?], echoes: [(request: Int, reply: NetlinkReply)]) {
        try exchange(batch, echoHeaderSize: headerSize)
    }

    private func exchange(_ batch: NetlinkBatch, echoHeaderSize: Int?) throws(NetlinkError)
        -> (outcomes: [NetlinkError?], echoes: [(request: Int, reply: NetlinkReply)]) {
        guard !batch.isEmpty else { return ([], []) }
        let first = stamp(batch)
        try send(batch)
        var outcomes = [NetlinkError?](repeating: nil, count: batch.requests.count)
        var echoes: [(request: Int, reply: NetlinkReply)] = []
        var pending = batch.requests.count
        while pending > 0 {
            try receive { message in
                let index = Int(message.pointee.nlmsg_seq &- first)
                guard index >= 0, index < batch.requests.count else { return false }
                if Int32(message.pointee.nlmsg_type) == NLMSG_ERROR {
                    outcomes[index] = errorOutcome(message, operation: batch.requests[index].operation)
                    pending -= 1
                } else if let echoHeaderSize {
                    echoes.append((index, NetlinkReply(message: message, headerSize: echoHeaderSize)))
                }
                return false
            }
        }
        return (outcomes, echoes)
    }

    /// Sends `batch` and throws the first request's error, if any.
    public func execute(_ batch: NetlinkBatch) throws(NetlinkError) {
        for outcome in try perform(batch) {
            if let outcome { throw outcome }
        }
    }

    /// Sends one get or dump request (`NLM_F_DUMP` in its flags for a dump) and returns the
    /// replies, each split after `headerSize` bytes of fixed header.
    /// - Throws: the kernel's error for the request (for example `ENODEV` for an unknown link).
    public func query(_ batch: NetlinkBatch, headerSize: Int) throws(NetlinkError) -> [NetlinkReply] {
        precondition(batch.requests.count == 1, "query sends exactly one request")
        let seq = stamp(batch)
        try send(batch)
        var replies: [NetlinkReply] = []
        var failure: NetlinkError?
        var done = false
        while !done {
            try receive { message in
                guard message.pointee.nlmsg_seq == seq else { return false }
                switch Int32(message.pointee.nlmsg_type) {
                case NLMSG_DONE:
                    done = true
                    return true
                case NLMSG_ERROR:
                    failure = errorOutcome(message, operation: batch.requests[0].operation)
                    done = true
                    return true
                default:
                    replies.append(NetlinkReply(message: message, headerSize: headerSize))
                    return false
                }
            }
        }
        if let failure { throw failure }
        return replies
    }

    /// Writes sequence numbers into the batch's requests and returns the first one.
    private func stamp(_ batch: NetlinkBatch) -> UInt32 {
        let first = sequence
        for (index, request) in batch.requests.enumerated() {
            let header = (batch.buffer + request.offset).assumingMemoryBound(to: nlmsghdr.self)
            header.pointee.nlmsg_seq = first &+ UInt32(index)
            header.pointee.nlmsg_pid = 0
        }
        sequence = first &+ UInt32(batch.requests.count)
        return first
    }

    private func send(_ batch: NetlinkBatch) throws(NetlinkError) {
        let sent = try systemCall("sendto(AF_NETLINK)") { mnl_socket_sendto(socket, batch.buffer, batch.used) }
        guard sent == batch.used else { throw .system(call: "sendto(AF_NETLINK) short write", errno: EIO) }
    }

    /// Reads one datagram and hands each message to `handle` until it returns `true`.
    private func receive(_ handle: (UnsafePointer<nlmsghdr>) -> Bool) throws(NetlinkError) {
        let count = try systemCall("recvfrom(AF_NETLINK)") { mnl_socket_recvfrom(socket, receiveBuffer, receiveCapacity) }
        var remaining = Int32(count)
        var cursor = UnsafePointer(receiveBuffer.assumingMemoryBound(to: nlmsghdr.self))
        while mnl_nlmsg_ok(cursor, remaining) {
            guard mnl_nlmsg_portid_ok(cursor, portID) else { throw .malformedReply("message for port \(cursor.pointee.nlmsg_pid)") }
            if handle(cursor) { return }
            cursor = UnsafePointer(mnl_nlmsg_next(cursor, &remaining)!)
        }
    }

    /// The outcome carried by an `NLMSG_ERROR` message: `nil` for an ack, otherwise the errno with
    /// the extended ack text.
    private func errorOutcome(_ message: UnsafePointer<nlmsghdr>, operation: String) -> NetlinkError? {
        let payloadLength = Int(mnl_nlmsg_get_payload_len(message))
        guard payloadLength >= MemoryLayout<nlmsgerr>.size else {
            return .malformedReply("\(operation): short error message")
        }
        let payload = mnl_nlmsg_get_payload(message)!
        let error = payload.loadUnaligned(as: nlmsgerr.self)
        if error.error == 0 { return nil }
        var text: String?
        if Int32(message.pointee.nlmsg_flags) & NLM_F_ACK_TLVS != 0 {
            var offset = MemoryLayout<nlmsgerr>.size
            if Int32(message.pointee.nlmsg_flags) & NLM_F_CAPPED == 0 {
                offset += Int(error.msg.nlmsg_len) - MemoryLayout<nlmsghdr>.size
            }
            if offset < payloadLength {
                let attributes = NetlinkAttributes(
                    bytes: UnsafeRawBufferPointer(start: payload + offset, count: payloadLength - offset))
                text = attributes.string(Int32(NLMSGERR_ATTR_MSG.rawValue))
            }
        }
        var name = operation
        if let namespacePath { name += " in \(namespacePath)" }
        return .kernel(operation: name, errno: -error.error, message: text)
    }
}

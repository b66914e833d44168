import CMnl
import CSwiftletNet
import Glibc

/// An rtnetlink socket inside one network namespace. Made once per namespace and reused for
/// every request there; not thread-safe (own it from one actor or task).
public final class NetlinkSocket {
    private let descriptor: Int32
    private var sequence: UInt32
    private let receiveBuffer: UnsafeMutableRawPointer
    private let receiveCapacity = 65536
    /// The namespace the socket lives in (for error messages), `nil` for the caller's own.
    public let namespacePath: String?

    /// Opens an `AF_NETLINK`/`NETLINK_ROUTE` socket in `namespace` (the caller's own when `nil`),
    /// with extended acks and capped acks turned on. The kernel binds it to a port at the first
    /// send; replies are taken only from the kernel (sender port 0) and matched by sequence number.
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
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        self.descriptor = fd
        self.sequence = UInt32(truncatingIfNeeded: time(nil))
        self.namespacePath = namespace?.path
        receiveBuffer = UnsafeMutableRawPointer.allocate(byteCount: receiveCapacity, alignment: 8)
    }

    deinit {
        close(descriptor)
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
        let last = batch.requests.count - 1
        var outcomes = [NetlinkError?](repeating: nil, count: batch.requests.count)
        var echoes: [(request: Int, reply: NetlinkReply)] = []
        // Only the last request asks for an ack; the kernel handles the requests in order and
        // answers every failure, so its ack (or error) is the last message of the exchange.
        var finished = false
        while !finished {
            try receive { message in
                let index = Int(message.pointee.nlmsg_seq &- first)
                guard index >= 0, index <= last else { return false }
                if Int32(message.pointee.nlmsg_type) == NLMSG_ERROR {
                    outcomes[index] = errorOutcome(message, operation: batch.requests[index].operation)
                    if index == last {
                        finished = true
                        return true
                    }
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

    /// Writes sequence numbers into the batch's requests, asks for an ack on the last one only,
    /// and returns the first sequence number.
    private func stamp(_ batch: NetlinkBatch) -> UInt32 {
        let first = sequence
        let last = batch.requests.count - 1
        for (index, request) in batch.requests.enumerated() {
            let header = (batch.buffer + request.offset).assumingMemoryBound(to: nlmsghdr.self)
            header.pointee.nlmsg_seq = first &+ UInt32(index)
            header.pointee.nlmsg_pid = 0
            let flags = header.pointee.nlmsg_flags & ~UInt16(NLM_F_ACK)
            header.pointee.nlmsg_flags = index == last ? flags | UInt16(NLM_F_ACK) : flags
        }
        sequence = first &+ UInt32(batch.requests.count)
        return first
    }

    private func send(_ batch: NetlinkBatch) throws(NetlinkError) {
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = try systemCall("sendto(AF_NETLINK)") {
            withUnsafePointer(to: &kernel) { address in
                address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, batch.buffer, batch.used, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == batch.used else { throw .system(call: "sendto(AF_NETLINK) short write", errno: EIO) }
    }

    /// Reads one datagram from the kernel and hands each message to `handle` until it returns
    /// `true`. A datagram from another sender (a process, port other than 0) is dropped.
    private func receive(_ handle: (UnsafePointer<nlmsghdr>) -> Bool) throws(NetlinkError) {
        var sender = sockaddr_nl()
        var iov = iovec(iov_base: receiveBuffer, iov_len: receiveCapacity)
        let count = try withUnsafeMutablePointer(to: &sender) { address throws(NetlinkError) in
            try withUnsafeMutablePointer(to: &iov) { vector throws(NetlinkError) in
                var header = msghdr()
                header.msg_name = UnsafeMutableRawPointer(address)
                header.msg_namelen = socklen_t(MemoryLayout<sockaddr_nl>.size)
                header.msg_iov = vector
                header.msg_iovlen = 1
                return try systemCall("recvmsg(AF_NETLINK)") { recvmsg(descriptor, &header, 0) }
            }
        }
        guard sender.nl_pid == 0 else { return }
        var remaining = Int32(count)
        var cursor = UnsafePointer(receiveBuffer.assumingMemoryBound(to: nlmsghdr.self))
        while mnl_nlmsg_ok(cursor, remaining) {
            if handle(cursor) { return }
            cursor = UnsafePointer(mnl_nlmsg_next(cursor, &remaining)!)
        }
    }

    /// The outcome carried by an `NLMSG_ERROR` message: `nil` for an ack, otherwise the errno with
    /// the extended ack text.
    private func errorOutcome(_ message: UnsafePointer<nlmsghdr>, operation: () -> String) -> NetlinkError? {
        let payloadLength = Int(mnl_nlmsg_get_payload_len(message))
        guard payloadLength >= MemoryLayout<nlmsgerr>.size else {
            return .malformedReply("\(operation()): short error message")
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
        var name = operation()
        if let namespacePath { name += " in \(namespacePath)" }
        return .kernel(operation: name, errno: -error.error, message: text)
    }
}

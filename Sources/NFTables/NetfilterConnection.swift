import CMnl
import CNftnl
import CSwiftletNetfilter
import Glibc
import func CSwiftletNet.SL_net_socket_in

/// A netlink socket to nf_tables, in the host's network namespace or in a named one.
///
/// `commit(_:)` sends a whole `NFTransaction` as one batch in one `sendmsg` and reports the
/// message the kernel rejected, if any; the read-back methods (`NetfilterConnection+ReadBack`)
/// dump what is programmed. The connection is not shared between tasks: the owner (one actor or
/// one service) calls it, and calls block for as long as the kernel works on the batch.
public struct NetfilterConnection: ~Copyable {
    let socket: OpaquePointer
    let descriptor: Int32
    let portID: UInt32
    /// Where the socket lives, for error messages.
    let namespaceDescription: String
    var nextSequence: UInt32
    var sendBufferSize = 0
    let receiveBuffer: UnsafeMutableRawBufferPointer
    /// Where the time of the last `commit(_:)` went.
    public internal(set) var lastCommitTimings = CommitTimings()

    /// The phases of one commit: encoding the batch in this process, and `sendmsg`, during which
    /// the kernel parses, applies, validates and commits the whole batch before returning.
    public struct CommitTimings: Sendable, Equatable {
        public var encode: Duration = .zero
        public var kernel: Duration = .zero
        /// Reading the kernel's replies (errors) after the batch.
        public var replies: Duration = .zero
        /// The batch's size in bytes.
        public var bytes = 0

        public init() {}
    }

    static let receiveBufferSize = 4 << 20
    static let receiveChunk = 256 * 1024

    /// Opens a socket to nf_tables.
    ///
    /// - Parameter networkNamespace: the path of a network namespace (`/run/netns/NAME`), or nil
    ///   for the caller's. The calling thread enters that namespace only while the socket is
    ///   created, synchronously, and returns to its own before this returns; the socket stays in
    ///   the namespace it was created in.
    /// - Throws: `NFTablesError` (`systemCall`) naming the failed call and the namespace.
    public init(networkNamespace: String? = nil) throws(NFTablesError) {
        let place = networkNamespace ?? "the current network namespace"
        let socket: OpaquePointer
        if let networkNamespace {
            socket = try Self.openSocket(inNamespace: networkNamespace)
        } else {
            socket = try Self.openSocket(place: place)
        }
        do {
            try Self.configure(mnl_socket_get_fd(socket), place: place)
        } catch {
            mnl_socket_close(socket)
            throw error
        }
        self.socket = socket
        descriptor = mnl_socket_get_fd(socket)
        portID = mnl_socket_get_portid(socket)
        namespaceDescription = place
        nextSequence = UInt32(truncatingIfNeeded: time(nil))
        receiveBuffer = .allocate(byteCount: Self.receiveChunk, alignment: 16)
    }

    deinit {
        mnl_socket_close(socket)
        receiveBuffer.deallocate()
    }

    private static func openSocket(place: String) throws(NFTablesError) -> OpaquePointer {
        guard let socket = mnl_socket_open2(NETLINK_NETFILTER, Int32(SOCK_CLOEXEC.rawValue)) else {
            throw NFTablesError(kind: .systemCall, errno: errno, operation: "socket(NETLINK_NETFILTER)", object: place)
        }
        if mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) < 0 {
            let error = errno
            mnl_socket_close(socket)
            throw NFTablesError(kind: .systemCall, errno: error, operation: "bind(NETLINK_NETFILTER)", object: place)
        }
        return socket
    }

    /// Creates the socket inside the namespace (through CSwiftletNet, the one place that switches
    /// a thread's namespace and switches it back) and hands it to libmnl, bound there.
    private static func openSocket(inNamespace path: String) throws(NFTablesError) -> OpaquePointer {
        let namespace = try systemCall("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(namespace) }
        let descriptor = try systemCall("socket(NETLINK_NETFILTER)", path) {
            SL_net_socket_in(namespace, AF_NETLINK, Int32(SOCK_RAW.rawValue), NETLINK_NETFILTER)
        }
        guard let socket = mnl_socket_fdopen(descriptor) else {
            let error = errno
            close(descriptor)
            throw NFTablesError(kind: .systemCall, errno: error, operation: "mnl_socket_fdopen", object: path)
        }
        if mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) < 0 {
            let error = errno
            mnl_socket_close(socket)
            throw NFTablesError(kind: .systemCall, errno: error, operation: "bind(NETLINK_NETFILTER)", object: path)
        }
        return socket
    }

    private static func configure(_ descriptor: Int32, place namespaceDescription: String) throws(NFTablesError) {
        var one: Int32 = 1
        // Errors without the original message, with the kernel's explanation when it has one.
        _ = try systemCall("setsockopt(NETLINK_CAP_ACK)", namespaceDescription) {
            setsockopt(descriptor, SOL_NETLINK, NETLINK_CAP_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        _ = try systemCall("setsockopt(NETLINK_EXT_ACK)", namespaceDescription) {
            setsockopt(descriptor, SOL_NETLINK, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        // Room for the errors of a large rejected batch; FORCE needs CAP_NET_ADMIN, which
        // programming nf_tables needs anyway, so fall back quietly to what the limit allows.
        var size = Int32(Self.receiveBufferSize)
        if setsockopt(descriptor, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Takes `count` sequence numbers.
    mutating func takeSequenceNumbers(_ count: Int) -> UInt32 {
        let first = nextSequence
        nextSequence &+= UInt32(truncatingIfNeeded: count)
        return first
    }

    /// Makes the socket's send buffer hold a datagram of `bytes` (netlink sends one datagram per
    /// `sendmsg`, and refuses one larger than the send buffer).
    mutating func ensureSendBuffer(_ bytes: Int) throws(NFTablesError) {
        guard bytes + 4096 > sendBufferSize else { return }
        var size = Int32(clamping: max(bytes + 65536, 1 << 20))
        _ = try systemCall("setsockopt(SO_SNDBUFFORCE)", namespaceDescription) {
            setsockopt(descriptor, SOL_SOCKET, SO_SNDBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        sendBufferSize = Int(size)
    }

    /// Sends one datagram to the kernel.
    func send(_ bytes: UnsafeRawBufferPointer, operation: String) throws(NFTablesError) {
        _ = try systemCall("sendmsg", "\(operation) in \(namespaceDescription)") {
            mnl_socket_sendto(socket, bytes.baseAddress, bytes.count)
        }
    }

    /// Receives one datagram; with `wait == false`, returns nil when nothing is queued.
    func receive(wait: Bool, operation: String) throws(NFTablesError) -> UnsafeRawBufferPointer? {
        while true {
            let count = recv(descriptor, receiveBuffer.baseAddress, receiveBuffer.count, wait ? 0 : Int32(MSG_DONTWAIT))
            if count >= 0 { return UnsafeRawBufferPointer(rebasing: receiveBuffer[0..<count]) }
            let error = errno
            if error == EINTR { continue }
            if !wait, error == EAGAIN || error == EWOULDBLOCK { return nil }
            throw NFTablesError(kind: .systemCall, errno: error, operation: "recv", object: "\(operation) in \(namespaceDescription)")
        }
    }
}

// The connection is uniquely owned (~Copyable): moving it into an actor or a service moves its
// only handle to the socket, which is never used from two places at once.
extension NetfilterConnection: @unchecked Sendable {}

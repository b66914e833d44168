import CMnl
import CSwiftletNet
import Glibc

/// Several rtnetlink requests built into one buffer with libmnl and sent in one write. Each
/// request gets its own outcome (see `NetlinkSocket.perform(_:)`); the kernel handles them in
/// order.
public final class NetlinkBatch {
    /// The requests, in order: where each starts in the buffer and what it does (for errors;
    /// worded only when an error needs it).
    public private(set) var requests: [(offset: Int, operation: () -> String)] = []
    let buffer: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var used = 0

    /// An empty batch with room for `capacity` bytes of requests.
    public init(capacity: Int = 16384) {
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
    }

    deinit {
        buffer.deallocate()
    }

    /// `true` when no request has been added.
    public var isEmpty: Bool { requests.isEmpty }

    /// The bytes built so far (the wire encoding, with sequence numbers still zero until sent).
    public var bytes: [UInt8] {
        Array(UnsafeRawBufferPointer(start: buffer, count: used))
    }

    /// Appends one request of `type` with `flags` (`NLM_F_REQUEST` and `NLM_F_ACK` are added;
    /// when sent, only the batch's last request keeps `NLM_F_ACK`, since the kernel reports every
    /// failure anyway), written by `body` (fixed header first, then attributes). `operation`
    /// words the request for errors and is evaluated only for one.
    /// - Throws: `NetlinkError.requestTooLarge` when the request does not fit.
    public func append(
        type: Int32, flags: Int32, operation: @autoclosure @escaping () -> String,
        _ body: (inout NetlinkMessageWriter) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        let start = buffer + used
        let room = capacity - used
        guard room >= 64 else { throw .requestTooLarge(operation: operation()) }
        let header = mnl_nlmsg_put_header(start)!
        header.pointee.nlmsg_type = UInt16(type)
        header.pointee.nlmsg_flags = UInt16(flags | NLM_F_REQUEST | NLM_F_ACK)
        var writer = NetlinkMessageWriter(header: header, limit: room, operation: operation)
        try body(&writer)
        requests.append((used, operation))
        used += (Int(header.pointee.nlmsg_len) + 3) & ~3
    }
}

/// Writes the body of one request: the fixed header (`ifinfomsg`, `ifaddrmsg`, `rtmsg`) and then
/// attributes, with libmnl's bounds-checked putters.
public struct NetlinkMessageWriter {
    let header: UnsafeMutablePointer<nlmsghdr>
    let limit: Int
    let operation: () -> String

    /// Appends a fixed-size C struct (the family header, or the `ifinfomsg` inside a veth peer).
    public mutating func put<Header>(header value: Header) throws(NetlinkError) {
        let size = MemoryLayout<Header>.size
        guard Int(header.pointee.nlmsg_len) + size <= limit else { throw .requestTooLarge(operation: operation()) }
        let target = mnl_nlmsg_put_extra_header(header, size)!
        withUnsafeBytes(of: value) { target.copyMemory(from: $0.baseAddress!, byteCount: size) }
    }

    /// Appends a 32-bit attribute.
    public mutating func put(_ type: Int32, u32 value: UInt32) throws(NetlinkError) {
        guard mnl_attr_put_u32_check(header, limit, UInt16(type), value) else { throw .requestTooLarge(operation: operation()) }
    }

    /// Appends an 8-bit attribute.
    public mutating func put(_ type: Int32, u8 value: UInt8) throws(NetlinkError) {
        guard mnl_attr_put_u8_check(header, limit, UInt16(type), value) else { throw .requestTooLarge(operation: operation()) }
    }

    /// Appends a NUL-terminated string attribute.
    public mutating func put(_ type: Int32, string value: String) throws(NetlinkError) {
        guard mnl_attr_put_strz_check(header, limit, UInt16(type), value) else { throw .requestTooLarge(operation: operation()) }
    }

    /// Appends an attribute holding raw bytes (addresses).
    public mutating func put(_ type: Int32, bytes value: [UInt8]) throws(NetlinkError) {
        let ok = value.withUnsafeBytes { mnl_attr_put_check(header, limit, UInt16(type), value.count, $0.baseAddress) }
        guard ok else { throw .requestTooLarge(operation: operation()) }
    }

    /// Appends a nested attribute whose contents `body` writes.
    public mutating func nest(
        _ type: Int32, _ body: (inout NetlinkMessageWriter) throws(NetlinkError) -> Void
    ) throws(NetlinkError) {
        guard let start = mnl_attr_nest_start_check(header, limit, UInt16(type) | UInt16(NLA_F_NESTED)) else {
            throw .requestTooLarge(operation: operation())
        }
        try body(&self)
        mnl_attr_nest_end(header, start)
    }
}

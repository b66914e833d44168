import CMnl
import CSwiftletNet

/// One message the kernel sent back for a get or dump request: its type, the fixed family header
/// and the top-level attributes.
public struct NetlinkReply: Sendable {
    /// `nlmsg_type` (`RTM_NEWLINK`, `RTM_NEWADDR`, ...).
    public let type: UInt16
    /// The bytes of the fixed family header (`ifinfomsg`, `ifaddrmsg`, `rtmsg`).
    public let fixedHeader: [UInt8]
    /// The top-level attributes, in order.
    public let attributes: NetlinkAttributes

    /// Reads the fixed header as `Header`; `nil` if the reply is too short for it.
    public func header<Header>(as: Header.Type) -> Header? {
        guard fixedHeader.count >= MemoryLayout<Header>.size else { return nil }
        return fixedHeader.withUnsafeBytes { $0.loadUnaligned(as: Header.self) }
    }

    /// Copies a message out of a receive buffer, splitting it at `headerSize`.
    init(message: UnsafePointer<nlmsghdr>, headerSize: Int) {
        type = message.pointee.nlmsg_type
        let payload = mnl_nlmsg_get_payload(message)!
        let payloadLength = Int(mnl_nlmsg_get_payload_len(message))
        let fixedLength = min(headerSize, payloadLength)
        fixedHeader = Array(UnsafeRawBufferPointer(start: payload, count: fixedLength))
        let attributeStart = (fixedLength + 3) & ~3
        if attributeStart < payloadLength {
            attributes = NetlinkAttributes(
                bytes: UnsafeRawBufferPointer(start: payload + attributeStart, count: payloadLength - attributeStart))
        } else {
            attributes = NetlinkAttributes(entries: [])
        }
    }
}

/// A list of netlink attributes (type and payload), parsed with libmnl's attribute walkers.
public struct NetlinkAttributes: Sendable {
    /// The attributes in order; the type has `NLA_F_NESTED` and byte-order flags removed.
    public let entries: [(type: UInt16, payload: [UInt8])]

    init(entries: [(type: UInt16, payload: [UInt8])]) {
        self.entries = entries
    }

    /// Parses attributes laid out back to back in `bytes`; stops at the first malformed one.
    public init(bytes: UnsafeRawBufferPointer) {
        var result: [(UInt16, [UInt8])] = []
        guard var cursor = bytes.baseAddress else { entries = []; return }
        var remaining = Int32(bytes.count)
        while remaining >= 4 {
            let attribute = cursor.assumingMemoryBound(to: nlattr.self)
            guard mnl_attr_ok(attribute, remaining) else { break }
            let payload = UnsafeRawBufferPointer(
                start: mnl_attr_get_payload(attribute), count: Int(mnl_attr_get_payload_len(attribute)))
            result.append((mnl_attr_get_type(attribute), Array(payload)))
            let step = (Int(attribute.pointee.nla_len) + 3) & ~3
            remaining -= Int32(step)
            cursor += step
        }
        entries = result
    }

    /// The payload of the first attribute of `type`.
    public subscript(_ type: Int32) -> [UInt8]? {
        entries.first { $0.type == UInt16(type) }?.payload
    }

    /// A 32-bit attribute in host byte order.
    public func u32(_ type: Int32) -> UInt32? {
        guard let payload = self[type], payload.count >= 4 else { return nil }
        return payload.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    /// An 8-bit attribute.
    public func u8(_ type: Int32) -> UInt8? {
        self[type]?.first
    }

    /// A NUL-terminated string attribute.
    public func string(_ type: Int32) -> String? {
        guard let payload = self[type] else { return nil }
        return String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The attributes nested inside the attribute of `type`.
    public func nested(_ type: Int32) -> NetlinkAttributes? {
        guard let payload = self[type] else { return nil }
        return payload.withUnsafeBytes { NetlinkAttributes(bytes: $0) }
    }
}

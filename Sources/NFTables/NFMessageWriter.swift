import CMnl
import CSwiftletNetfilter

/// Appends netlink attributes to one message of an `NFBatch`, through libmnl, in the layout
/// libnftnl gives them: integers in network byte order, strings with their NUL, data values
/// nested in `NFTA_DATA_VALUE` and verdicts in `NFTA_DATA_VERDICT`.
///
/// It writes without bounds checks, as libnftnl does: the batch reserved `NFBatch.messageHeadroom`
/// bytes before the message started. Nothing is allocated on the way.
struct NFMessageWriter {
    let header: UnsafeMutablePointer<nlmsghdr>

    @inline(__always)
    func u32<A: RawRepresentable>(_ type: A, _ value: UInt32) where A.RawValue == UInt32 {
        mnl_attr_put_u32(header, nftnlAttribute(type), value.bigEndian)
    }

    @inline(__always)
    func u64<A: RawRepresentable>(_ type: A, _ value: UInt64) where A.RawValue == UInt32 {
        mnl_attr_put_u64(header, nftnlAttribute(type), value.bigEndian)
    }

    @inline(__always)
    func u8<A: RawRepresentable>(_ type: A, _ value: UInt8) where A.RawValue == UInt32 {
        mnl_attr_put_u8(header, nftnlAttribute(type), value)
    }

    /// A NUL-terminated string, as `mnl_attr_put_strz` writes it. Written here rather than by
    /// libmnl: handing a short Swift string to a C `char *` copies it to the heap first.
    @inline(__always)
    func string<A: RawRepresentable>(_ type: A, _ value: String) where A.RawValue == UInt32 {
        var value = value
        value.withUTF8 { utf8 in
            let attributeLength = 4 + utf8.count + 1
            let attribute = UnsafeMutableRawPointer(header) + NFBatch.aligned(Int(header.pointee.nlmsg_len))
            attribute.storeBytes(of: UInt16(attributeLength), as: UInt16.self)
            attribute.storeBytes(of: nftnlAttribute(type), toByteOffset: 2, as: UInt16.self)
            if let source = utf8.baseAddress { (attribute + 4).copyMemory(from: source, byteCount: utf8.count) }
            // The NUL and the padding to four bytes.
            (attribute + 4 + utf8.count).initializeMemory(as: UInt8.self, repeating: 0,
                                                         count: NFBatch.aligned(attributeLength) - attributeLength + 1)
            header.pointee.nlmsg_len += UInt32(NFBatch.aligned(attributeLength))
        }
    }

    @inline(__always)
    func bytes<A: RawRepresentable>(_ type: A, _ value: [UInt8]) where A.RawValue == UInt32 {
        value.withUnsafeBytes { raw in mnl_attr_put(header, nftnlAttribute(type), raw.count, raw.baseAddress) }
    }

    /// A nested attribute holding what `body` writes.
    @inline(__always)
    func nest<A: RawRepresentable>(_ type: A, _ body: () -> Void) where A.RawValue == UInt32 {
        let start = mnl_attr_nest_start(header, nftnlAttribute(type))
        body()
        mnl_attr_nest_end(header, start)
    }

    /// A nested attribute numbered `type` (the elements of a set element list are numbered).
    @inline(__always)
    func nest(number type: UInt16, _ body: () -> Void) {
        let start = mnl_attr_nest_start(header, type)
        body()
        mnl_attr_nest_end(header, start)
    }

    /// `type { NFTA_DATA_VALUE value }`, how libnftnl writes a data register.
    @inline(__always)
    func data<A: RawRepresentable>(_ type: A, _ value: [UInt8]) where A.RawValue == UInt32 {
        nest(type) { bytes(NFTA_DATA_VALUE, value) }
    }

    /// `type { NFTA_DATA_VERDICT { NFTA_VERDICT_CODE, NFTA_VERDICT_CHAIN } }`.
    @inline(__always)
    func verdict<A: RawRepresentable>(_ type: A, _ verdict: NFVerdict) where A.RawValue == UInt32 {
        nest(type) {
            nest(NFTA_DATA_VERDICT) {
                u32(NFTA_VERDICT_CODE, UInt32(bitPattern: verdict.code))
                if let chain = verdict.chain { string(NFTA_VERDICT_CHAIN, chain) }
            }
        }
    }
}

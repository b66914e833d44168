import CSwiftletNet
import Glibc

extension NetlinkBatch {
    /// Adds a request assigning `address` to interface `interfaceIndex`. With `replace` (the
    /// default) an existing identical address is not an error. `skipDAD` sets `IFA_F_NODAD` so an
    /// IPv6 address is usable at once instead of waiting for duplicate address detection.
    public func addAddress(_ address: IPNetwork, interfaceIndex: Int32, skipDAD: Bool = false, replace: Bool = true) throws(NetlinkError) {
        let flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL)
        try append(type: Int32(RTM_NEWADDR), flags: flags, operation: "add address \(address) to link #\(interfaceIndex)") { message throws(NetlinkError) in
            try Self.writeAddress(address, interfaceIndex: interfaceIndex, into: &message)
            if address.address.isIPv4, address.prefixLength < 31 {
                try message.put(Int32(IFA_BROADCAST), bytes: address.lastAddress.bytes)
            }
            if skipDAD { try message.put(Int32(IFA_FLAGS), u32: UInt32(IFA_F_NODAD)) }
        }
    }

    /// Adds a request removing `address` from interface `interfaceIndex`.
    public func deleteAddress(_ address: IPNetwork, interfaceIndex: Int32) throws(NetlinkError) {
        try append(type: Int32(RTM_DELADDR), flags: 0, operation: "delete address \(address) from link #\(interfaceIndex)") { message throws(NetlinkError) in
            try Self.writeAddress(address, interfaceIndex: interfaceIndex, into: &message)
        }
    }

    /// Adds a dump request for the addresses of `family` (`AF_UNSPEC` for both).
    public func dumpAddresses(family: Int32 = AF_UNSPEC) throws(NetlinkError) {
        try append(type: Int32(RTM_GETADDR), flags: NLM_F_DUMP, operation: "list addresses") { message throws(NetlinkError) in
            var header = ifaddrmsg()
            header.ifa_family = UInt8(family)
            try message.put(header: header)
        }
    }

    private static func writeAddress(_ address: IPNetwork, interfaceIndex: Int32, into message: inout NetlinkMessageWriter) throws(NetlinkError) {
        var header = ifaddrmsg()
        header.ifa_family = UInt8(address.address.family)
        header.ifa_prefixlen = UInt8(address.prefixLength)
        header.ifa_index = UInt32(bitPattern: interfaceIndex)
        try message.put(header: header)
        try message.put(Int32(IFA_LOCAL), bytes: address.address.bytes)
        try message.put(Int32(IFA_ADDRESS), bytes: address.address.bytes)
    }
}

extension NetlinkSocket {
    /// The addresses in the socket's namespace, optionally only those of one interface.
    public func addresses(family: Int32 = AF_UNSPEC, interfaceIndex: Int32? = nil) throws(NetlinkError) -> [InterfaceAddress] {
        let batch = NetlinkBatch(capacity: 256)
        try batch.dumpAddresses(family: family)
        let all = try query(batch, headerSize: MemoryLayout<ifaddrmsg>.size).compactMap(InterfaceAddress.init(reply:))
        guard let interfaceIndex else { return all }
        return all.filter { $0.interfaceIndex == interfaceIndex }
    }
}

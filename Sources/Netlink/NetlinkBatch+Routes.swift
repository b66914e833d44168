import CSwiftletNet
import Glibc

extension NetlinkBatch {
    /// Adds a request installing `route`; with `replace` (the default) an existing route to the
    /// same destination is replaced instead of failing with `EEXIST`.
    public func addRoute(_ route: Route, replace: Bool = true) throws(NetlinkError) {
        let flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL)
        try append(type: Int32(RTM_NEWROUTE), flags: flags, operation: "add route \(Self.describe(route))") { message throws(NetlinkError) in
            try Self.writeRoute(route, into: &message)
        }
    }

    /// Adds a request removing `route`.
    public func deleteRoute(_ route: Route) throws(NetlinkError) {
        try append(type: Int32(RTM_DELROUTE), flags: 0, operation: "delete route \(Self.describe(route))") { message throws(NetlinkError) in
            try Self.writeRoute(route, into: &message)
        }
    }

    /// Adds a dump request for the routes of `family`.
    public func dumpRoutes(family: Int32) throws(NetlinkError) {
        try append(type: Int32(RTM_GETROUTE), flags: NLM_F_DUMP, operation: "list routes") { message throws(NetlinkError) in
            var header = rtmsg()
            header.rtm_family = UInt8(family)
            try message.put(header: header)
        }
    }

    private static func describe(_ route: Route) -> String {
        var text = route.isDefault ? "default" : route.destination.description
        if let gateway = route.gateway { text += " via \(gateway)" }
        if let index = route.interfaceIndex { text += " dev #\(index)" }
        return text
    }

    private static func writeRoute(_ route: Route, into message: inout NetlinkMessageWriter) throws(NetlinkError) {
        var header = rtmsg()
        header.rtm_family = UInt8(route.destination.address.family)
        header.rtm_dst_len = UInt8(route.destination.prefixLength)
        header.rtm_table = route.table < 256 ? UInt8(route.table) : UInt8(RT_TABLE_UNSPEC.rawValue)
        header.rtm_protocol = UInt8(RTPROT_BOOT)
        header.rtm_scope = UInt8(route.gateway == nil ? RT_SCOPE_LINK.rawValue : RT_SCOPE_UNIVERSE.rawValue)
        header.rtm_type = UInt8(RTN_UNICAST)
        try message.put(header: header)
        if route.destination.prefixLength > 0 {
            try message.put(Int32(RTA_DST.rawValue), bytes: route.destination.network.bytes)
        }
        if let gateway = route.gateway { try message.put(Int32(RTA_GATEWAY.rawValue), bytes: gateway.bytes) }
        if let index = route.interfaceIndex { try message.put(Int32(RTA_OIF.rawValue), u32: UInt32(bitPattern: index)) }
        if route.table >= 256 { try message.put(Int32(RTA_TABLE.rawValue), u32: route.table) }
        if let metric = route.metric { try message.put(Int32(RTA_PRIORITY.rawValue), u32: metric) }
    }
}

extension NetlinkSocket {
    /// The unicast routes of `family` in the socket's namespace, all tables.
    public func routes(family: Int32) throws(NetlinkError) -> [Route] {
        let batch = NetlinkBatch(capacity: 256)
        try batch.dumpRoutes(family: family)
        return try query(batch, headerSize: MemoryLayout<rtmsg>.size).compactMap(Route.init(reply:))
    }
}

import CSwiftletNet
import Glibc

extension NetlinkSocket {
    /// Every link in the socket's namespace.
    public func links() throws(NetlinkError) -> [Link] {
        let batch = NetlinkBatch(capacity: 256)
        try batch.dumpLinks()
        return try query(batch, headerSize: MemoryLayout<ifinfomsg>.size).compactMap(Link.init(reply:))
    }

    /// The link named `name`, or `nil` when there is none.
    public func link(named name: String) throws(NetlinkError) -> Link? {
        let batch = NetlinkBatch(capacity: 256)
        try batch.getLink(name: name)
        do {
            return try query(batch, headerSize: MemoryLayout<ifinfomsg>.size).compactMap(Link.init(reply:)).first
        } catch {
            if error.errno == ENODEV { return nil }
            throw error
        }
    }

    /// Performs `batch` (see `perform(_:)`) and returns, with the outcomes, the links the kernel
    /// echoed back for its requests sent with `echo`, by request index.
    public func performEchoingLinks(_ batch: NetlinkBatch) throws(NetlinkError) -> (outcomes: [NetlinkError?], links: [Int: Link]) {
        let (outcomes, echoes) = try performEchoing(batch, headerSize: MemoryLayout<ifinfomsg>.size)
        var links: [Int: Link] = [:]
        for echo in echoes {
            if let link = Link(reply: echo.reply) { links[echo.request] = link }
        }
        return (outcomes, links)
    }
}

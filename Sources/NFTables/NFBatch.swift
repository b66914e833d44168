import CNftnl
import CSwiftletNetfilter
import Glibc

/// One netlink batch (`NFNL_MSG_BATCH_BEGIN` ... `NFNL_MSG_BATCH_END`) built straight into one
/// contiguous, growing buffer, so a whole transaction goes to the kernel in one `sendmsg`.
///
/// libnftnl writes attributes without bounds checks, so every message is started only after
/// `messageHeadroom` bytes are reserved: a table, chain, set or rule message cannot exceed it
/// (a rule's expressions sit in one attribute whose length is 16 bits), and element messages
/// are cut so that their element list stays below that limit too.
struct NFBatch: ~Copyable {
    /// Where a message came from: the operation's index in the transaction and, for element
    /// messages, which of its elements the message carries.
    struct Origin {
        var operation: Int32
        var firstElement: Int32
        var elementCount: Int32
    }

    static let messageHeadroom = 128 * 1024
    /// The most element bytes put in one message's element list (its length field is 16 bits).
    static let elementListLimit = 60 * 1024

    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var length = 0
    /// The sequence number of the batch-begin message; message `i` of `origins` has
    /// `firstSequence + 1 + i`, batch-end follows the last.
    let firstSequence: UInt32
    private(set) var origins: [Origin] = []

    init(firstSequence: UInt32, expectedOperations: Int) {
        self.firstSequence = firstSequence
        capacity = max(256 * 1024, expectedOperations * 256)
        // Zeroed, as is every part the buffer grows by: attribute padding that libmnl skips stays
        // zero, so the kernel never sees stale heap bytes and equal batches are equal bytes.
        guard let base = calloc(capacity, 1) else { fatalError("NFBatch: cannot allocate \(capacity) bytes") }
        self.base = base
        origins.reserveCapacity(expectedOperations)
        let begin = nftnl_batch_begin(base.assumingMemoryBound(to: CChar.self), firstSequence)!
        length = Self.aligned(Int(begin.pointee.nlmsg_len))
    }

    deinit { free(base) }

    /// The sequence number of the batch-end message (once all messages are in).
    var endSequence: UInt32 { firstSequence &+ 1 &+ UInt32(truncatingIfNeeded: origins.count) }

    /// The bytes of the batch so far.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }

    /// Starts an nf_tables message of `type` (`NFT_MSG_*`) at the end of the batch and returns its
    /// header, for libnftnl to append attributes to; `finish(_:)` closes it.
    mutating func startMessage(type: UInt32, family: NFFamily?, flags: Int32, origin: Origin) -> UnsafeMutablePointer<nlmsghdr> {
        reserve(Self.messageHeadroom)
        let sequence = firstSequence &+ 1 &+ UInt32(truncatingIfNeeded: origins.count)
        origins.append(origin)
        let messageType = UInt16((UInt32(NFNL_SUBSYS_NFTABLES) << 8) | type)
        let start = (base + length).assumingMemoryBound(to: CChar.self)
        return nftnl_nlmsg_build_hdr(start, messageType, family?.protocolNumber ?? UInt16(NFPROTO_UNSPEC),
                                     UInt16(truncatingIfNeeded: flags), sequence)!
    }

    /// Closes the message started last, after libnftnl appended its attributes.
    mutating func finish(_ header: UnsafeMutablePointer<nlmsghdr>) {
        length += Self.aligned(Int(header.pointee.nlmsg_len))
        precondition(length <= capacity, "NFBatch: a message overran its reserved headroom")
    }

    /// Appends the batch-end message; the batch is then ready to send.
    mutating func close() {
        reserve(64)
        let end = nftnl_batch_end((base + length).assumingMemoryBound(to: CChar.self), endSequence)!
        length += Self.aligned(Int(end.pointee.nlmsg_len))
    }

    /// The origin of the message with `sequence`, or nil for batch-begin/end and foreign numbers.
    func origin(ofSequence sequence: UInt32) -> Origin? {
        let index = Int(sequence &- firstSequence) - 1
        guard index >= 0, index < origins.count else { return nil }
        return origins[index]
    }

    private mutating func reserve(_ bytes: Int) {
        guard length + bytes > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < length + bytes { newCapacity *= 2 }
        guard let grown = realloc(base, newCapacity) else { fatalError("NFBatch: cannot grow to \(newCapacity) bytes") }
        memset(grown + capacity, 0, newCapacity - capacity)
        base = grown
        capacity = newCapacity
    }

    @inline(__always)
    static func aligned(_ length: Int) -> Int { (length + 3) & ~3 }
}

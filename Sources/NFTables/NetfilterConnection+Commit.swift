import CMnl
import CNftnl
import CSwiftletNetfilter
import Glibc

extension NetfilterConnection {
    /// Applies `transaction` atomically: every operation or none.
    ///
    /// The batch goes to the kernel in one `sendmsg`; the kernel processes it before `sendmsg`
    /// returns and queues an error for each message it rejected (no acknowledgements are asked
    /// for on success), so the error queue is read without waiting.
    ///
    /// - Throws: `NFTablesError` (`rejected`) naming the first rejected operation and its object
    ///   (nothing was applied); `invalidRequest` for an operation that cannot be encoded (nothing
    ///   was sent); `systemCall` when the socket fails.
    public mutating func commit(_ transaction: NFTransaction) throws(NFTablesError) {
        lastCommitTimings = CommitTimings()
        guard !transaction.isEmpty else { return }
        let clock = ContinuousClock()
        let start = clock.now
        var batch = NFBatch(firstSequence: nextSequence, expectedOperations: transaction.operations.count)
        try batch.encode(transaction)
        nextSequence = batch.endSequence &+ 1
        try ensureSendBuffer(batch.length)
        let encoded = clock.now
        try send(batch.bytes, operation: "commit batch of \(transaction.operations.count) operations")
        let sent = clock.now
        lastCommitTimings.encode = encoded - start
        lastCommitTimings.kernel = sent - encoded
        lastCommitTimings.bytes = batch.length
        defer { lastCommitTimings.replies = clock.now - sent }

        var failures: [BatchFailure] = []
        var overflowed = false
        while true {
            let datagram: UnsafeRawBufferPointer?
            do {
                datagram = try receive(wait: false, operation: "read batch errors")
            } catch where error.errno == ENOBUFS {
                overflowed = true
                continue
            }
            guard let datagram else { break }
            try Self.collectErrors(in: datagram, into: &failures, portID: portID)
        }
        let inBatch = failures.filter { $0.sequence &- batch.firstSequence <= batch.endSequence &- batch.firstSequence }
        guard let first = inBatch.min(by: { ($0.sequence &- batch.firstSequence) < ($1.sequence &- batch.firstSequence) }) else {
            if overflowed {
                throw NFTablesError(kind: .rejected, errno: ENOBUFS, operation: "commit batch", object: namespaceDescription,
                                    detail: "the kernel's replies overflowed the socket's receive buffer")
            }
            return
        }
        throw Self.describe(first, others: inBatch.count - 1, overflowed: overflowed, batch: batch, transaction: transaction,
                            namespace: namespaceDescription)
    }

    struct BatchFailure {
        var sequence: UInt32
        var errno: Int32
        var message: String?
    }

    /// Reads the `NLMSG_ERROR` messages (with a non-zero error) of one datagram.
    static func collectErrors(in datagram: UnsafeRawBufferPointer, into failures: inout [BatchFailure],
                              portID: UInt32) throws(NFTablesError) {
        try forEachMessage(in: datagram) { header, payload throws(NFTablesError) in
            guard header.nlmsg_type == UInt16(NLMSG_ERROR) else { return }
            guard let failure = parseError(header: header, payload: payload), failure.errno != 0 else { return }
            failures.append(failure)
        }
    }

    /// The error number, the sequence number of the message it answers, and the extended-ack
    /// message of an `NLMSG_ERROR` (nil if it is too short to be one).
    static func parseError(header: nlmsghdr, payload: UnsafeRawBufferPointer) -> BatchFailure? {
        let errorSize = MemoryLayout<nlmsgerr>.size
        guard payload.count >= errorSize else { return nil }
        let code = payload.loadUnaligned(fromByteOffset: 0, as: Int32.self)
        let original = payload.loadUnaligned(fromByteOffset: MemoryLayout<Int32>.size, as: nlmsghdr.self)
        var message: String?
        if header.nlmsg_flags & UInt16(NLM_F_ACK_TLVS) != 0 {
            // With NETLINK_CAP_ACK the original message is not echoed unless the error is 0.
            var offset = errorSize
            if header.nlmsg_flags & UInt16(NLM_F_CAPPED) == 0 {
                offset = MemoryLayout<Int32>.size + NFBatch.aligned(Int(original.nlmsg_len))
            }
            while offset + 4 <= payload.count {
                let length = Int(payload.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                let type = payload.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
                guard length >= 4, offset + length <= payload.count else { break }
                if type == UInt16(NLMSGERR_ATTR_MSG.rawValue), length > 4 {
                    let text = UnsafeRawBufferPointer(rebasing: payload[(offset + 4)..<(offset + length)])
                    message = String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
                }
                offset += NFBatch.aligned(length)
            }
        }
        return BatchFailure(sequence: original.nlmsg_seq, errno: -code, message: message)
    }

    /// Walks the netlink messages of one datagram.
    static func forEachMessage(in datagram: UnsafeRawBufferPointer,
                               _ body: (nlmsghdr, UnsafeRawBufferPointer) throws(NFTablesError) -> Void) throws(NFTablesError) {
        let headerSize = MemoryLayout<nlmsghdr>.size
        var offset = 0
        while offset + headerSize <= datagram.count {
            let header = datagram.loadUnaligned(fromByteOffset: offset, as: nlmsghdr.self)
            let length = Int(header.nlmsg_len)
            guard length >= headerSize, offset + length <= datagram.count else {
                throw NFTablesError(kind: .malformedReply, errno: 0, operation: "read netlink reply", object: "nf_tables",
                                    detail: "a message claims \(length) bytes at offset \(offset) of a \(datagram.count)-byte datagram")
            }
            try body(header, UnsafeRawBufferPointer(rebasing: datagram[(offset + headerSize)..<(offset + length)]))
            offset += NFBatch.aligned(length)
        }
    }

    private static func describe(_ failure: BatchFailure, others: Int, overflowed: Bool, batch: borrowing NFBatch,
                                 transaction: NFTransaction, namespace: String) -> NFTablesError {
        var notes: [String] = []
        let operation: String
        let object: String
        if let origin = batch.origin(ofSequence: failure.sequence) {
            let recorded = transaction.operations[Int(origin.operation)]
            operation = recorded.verb
            var name = recorded.object
            if case .addElements(_, let elements) = recorded, elements.count > Int(origin.elementCount) {
                name += " (elements \(origin.firstElement)..<\(origin.firstElement + origin.elementCount) of \(elements.count))"
            } else if case .deleteElements(_, let elements) = recorded, elements.count > Int(origin.elementCount) {
                name += " (elements \(origin.firstElement)..<\(origin.firstElement + origin.elementCount) of \(elements.count))"
            }
            object = name
            notes.append("operation \(origin.operation) of \(transaction.operations.count)")
        } else {
            operation = "commit batch"
            object = "in \(namespace)"
        }
        if let message = failure.message, !message.isEmpty { notes.insert(message, at: 0) }
        if others > 0 { notes.append("\(others) more messages rejected") }
        if overflowed { notes.append("some replies were lost to a full receive buffer") }
        notes.append("nothing was applied")
        return NFTablesError(kind: .rejected, errno: failure.errno, operation: operation, object: object,
                             detail: notes.joined(separator: "; "))
    }
}

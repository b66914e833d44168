import Glibc
import Netlink

/// Host-local address management over the node's pod CIDRs (one per family). Leases live in
/// memory and in one append-only journal, `leases.journal` under `directory`: a line
/// `+ address sandbox interface pod` per allocation and `- address` per release, each one
/// `write` to a descriptor kept open (a file created per lease cost more than the rest of an ADD
/// on ext4). `load()` replays the journal, rewrites it with only the live leases (atomically,
/// by rename). One agent owns a state directory (the systemd unit runs one). No fsync: the journal must survive an agent crash (the page cache does),
/// and after a power loss every pod namespace is gone too, so reconciliation at start releases
/// what is stale; a torn last line is ignored.
struct HostLocalIPAM: Sendable {
    /// One address range: the pod CIDR, its gateway and the addresses handed out.
    struct Range: Sendable {
        let cidr: IPNetwork
        /// The first address after the network address, given to the bridge.
        var gateway: IPAddress { cidr.network.advanced(by: 1)! }
        /// First and last address a pod may get.
        var first: IPAddress { cidr.network.advanced(by: 2)! }
        var last: IPAddress {
            // IPv4 keeps the broadcast address free; IPv6 has none.
            if case .v4(let value) = cidr.lastAddress { return .v4(value - 1) }
            return cidr.lastAddress
        }
    }

    let directory: String
    let ranges: [Range]
    private(set) var leases: [IPAddress: PodNetworkStatus.Lease] = [:]
    /// The addresses of each sandbox (sorted), kept alongside `leases`.
    private var bySandbox: [String: [IPAddress]] = [:]
    private var lastAllocated: [Int: IPAddress] = [:]
    /// The journal, open for appending once `load()` ran.
    private var journal: Int32 = -1
    /// Records appended since the journal was last rewritten.
    private var appended = 0

    /// Records after which the journal is rewritten with only the live leases.
    static let compactionThreshold = 8192

    init(directory: String, cidrs: [IPNetwork]) {
        self.directory = directory
        self.ranges = cidrs.map { Range(cidr: $0.canonical) }
    }

    var journalPath: String { directory + "/leases.journal" }

    /// The addresses held by `sandboxID`, one per range, in range order.
    func addresses(of sandboxID: String) -> [IPAddress] {
        bySandbox[sandboxID] ?? []
    }

    /// Replays the journal, keeps the leases inside the ranges, rewrites the journal with them
    /// and holds it open for later allocations and releases.
    /// - Throws: `PodNetworkError.state` when the directory or journal cannot be read or written.
    mutating func load() throws(PodNetworkError) {
        try makeDirectory(directory)
        let created = open(journalPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard created >= 0 else { throw .state(path: journalPath, errno: errno) }
        close(created)
        leases = [:]
        for lease in try Self.replay(try readFile(journalPath)).values
        where ranges.contains(where: { $0.cidr.contains(lease.address) }) {
            leases[lease.address] = lease
        }
        bySandbox = [:]
        for lease in leases.values { bySandbox[lease.sandboxID, default: []].append(lease.address) }
        for key in bySandbox.keys { bySandbox[key]?.sort() }
        for (index, range) in ranges.enumerated() {
            lastAllocated[index] = leases.keys.filter { range.cidr.contains($0) }.max()
        }
        try compact()
    }

    /// Throws why an allocation could not be recorded now: the journal is not open, was removed,
    /// or its directory cannot be written.
    func checkUsable() throws(PodNetworkError) {
        var info = stat()
        guard journal >= 0, fstat(journal, &info) == 0 else { throw .state(path: journalPath, errno: EBADF) }
        guard info.st_nlink > 0 else { throw .state(path: journalPath, errno: ENOENT) }
        guard access(directory, W_OK) == 0 else { throw .state(path: directory, errno: errno) }
    }

    /// The leases a journal's text describes (for reading another agent's state, as tests do).
    static func replay(_ text: String) throws(PodNetworkError) -> [IPAddress: PodNetworkStatus.Lease] {
        var leases: [IPAddress: PodNetworkStatus.Lease] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map { unescape($0) }
            guard fields.count >= 2, let address = IPAddress(fields[1]) else { continue }
            if fields[0] == "+", fields.count == 5, !fields[2].isEmpty {
                leases[address] = .init(address: address, sandboxID: fields[2], interfaceName: fields[3], podReference: fields[4])
            } else if fields[0] == "-" {
                leases[address] = nil
            }
        }
        return leases
    }

    /// Writes the live leases to a new journal and renames it over the old one; the new file
    /// stays open for appending.
    private mutating func compact() throws(PodNetworkError) {
        let temporary = journalPath + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .state(path: temporary, errno: errno) }
        var text = ""
        for lease in leases.values.sorted(by: { $0.address < $1.address }) { text += Self.record(adding: lease) }
        do throws(PodNetworkError) {
            try Self.write(text, to: fd, path: temporary)
            guard rename(temporary, journalPath) == 0 else { throw .state(path: journalPath, errno: errno) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        if journal >= 0 { close(journal) }
        journal = fd
        appended = 0
    }

    private static func record(adding lease: PodNetworkStatus.Lease) -> String {
        "+ \(lease.address) \(escape(lease.sandboxID)) \(escape(lease.interfaceName)) \(escape(lease.podReference))\n"
    }

    /// Appends one record with one `write` (O_APPEND keeps concurrent readers whole lines).
    private mutating func append(_ record: String) throws(PodNetworkError) {
        guard journal >= 0 else { throw .state(path: journalPath, errno: EBADF) }
        try Self.write(record, to: journal, path: journalPath)
        appended += 1
        if appended >= Self.compactionThreshold { try compact() }
    }

    private static func write(_ text: String, to fd: Int32, path: String) throws(PodNetworkError) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .state(path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Fields are separated by spaces: `%`, space, tab and newline are written as `%XX`.
    private static func escape(_ field: String) -> String {
        // Most fields (ids, names) need no escaping: one byte scan, no copy.
        guard field.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t")
                                         || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else { return field }
        var out = ""
        for scalar in field.unicodeScalars {
            switch scalar {
            case "%", " ", "\t", "\n", "\r": out += "%" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func unescape(_ field: Substring) -> String {
        guard field.contains("%") else { return String(field) }
        var bytes: [UInt8] = []
        var iterator = Array(field.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One address per range for the sandbox. A sandbox that already holds addresses gets the
    /// same ones back. Either every range yields an address or none is kept.
    /// - Throws: `PodNetworkError.addressRangeExhausted` naming the full range.
    mutating func allocate(sandboxID: String, interfaceName: String, podReference: String) throws(PodNetworkError) -> [IPAddress] {
        let held = addresses(of: sandboxID)
        if held.count == ranges.count { return held }
        var claimed: [IPAddress] = []
        do {
            for (index, range) in ranges.enumerated() where !held.contains(where: { range.cidr.contains($0) }) {
                claimed.append(try claim(rangeIndex: index, range: range, sandboxID: sandboxID,
                                         interfaceName: interfaceName, podReference: podReference))
            }
        } catch {
            for address in claimed { release(address) }
            throw error
        }
        return (held + claimed).sorted()
    }

    /// Releases every address of `sandboxID`; returns them.
    @discardableResult
    mutating func release(sandboxID: String) -> [IPAddress] {
        let held = addresses(of: sandboxID)
        for address in held { release(address) }
        return held
    }

    private mutating func release(_ address: IPAddress) {
        guard let lease = leases.removeValue(forKey: address) else { return }
        bySandbox[lease.sandboxID]?.removeAll { $0 == address }
        if bySandbox[lease.sandboxID]?.isEmpty == true { bySandbox[lease.sandboxID] = nil }
        // A release that does not reach the journal comes back at the next start, where
        // reconciliation releases it again (its sandbox is gone): nothing is lost but time.
        try? append("- \(address)\n")
    }

    private mutating func claim(rangeIndex: Int, range: Range, sandboxID: String, interfaceName: String, podReference: String) throws(PodNetworkError) -> IPAddress {
        let span = distance(from: range.first, to: range.last)
        var candidate = lastAllocated[rangeIndex].flatMap { $0 < range.last ? $0.advanced(by: 1) : nil } ?? range.first
        if candidate < range.first { candidate = range.first }
        var tried: UInt64 = 0
        while tried <= span {
            if leases[candidate] == nil {
                let lease = PodNetworkStatus.Lease(address: candidate, sandboxID: sandboxID, interfaceName: interfaceName,
                                                   podReference: podReference)
                try append(Self.record(adding: lease))
                leases[candidate] = lease
                bySandbox[sandboxID, default: []].append(candidate)
                bySandbox[sandboxID]?.sort()
                lastAllocated[rangeIndex] = candidate
                return candidate
            }
            tried += 1
            candidate = candidate < range.last ? candidate.advanced(by: 1)! : range.first
        }
        throw .addressRangeExhausted(range: range.cidr)
    }

    private func distance(from a: IPAddress, to b: IPAddress) -> UInt64 {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return UInt64(y - x)
        case (.v6(let xh, let xl), .v6(let yh, let yl)): return xh == yh ? yl - xl : .max
        default: return 0
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Creates `path` and its parents (mode 0755); an existing directory is fine.
func makeDirectory(_ path: String) throws(PodNetworkError) {
    var current = ""
    for component in path.split(separator: "/") {
        current += "/" + component
        if mkdir(current, 0o755) != 0, errno != EEXIST { throw .state(path: current, errno: errno) }
    }
}

/// The whole content of a small file.
func readFile(_ path: String) throws(PodNetworkError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .state(path: path, errno: errno) }
    defer { close(fd) }
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw .state(path: path, errno: errno)
        }
        if count == 0 { break }
        data += buffer[0..<count]
    }
    return String(decoding: data, as: UTF8.self)
}

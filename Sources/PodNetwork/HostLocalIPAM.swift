import Glibc
import Netlink

/// Host-local address management over the node's pod CIDRs (one per family). Each lease is one
/// file named after the address under `directory`, created with `O_EXCL` so two allocations can
/// never claim the same address; its content is the sandbox id, the interface and the pod.
/// Leases are loaded once (`load()`); allocation and release then touch one file each. No fsync:
/// the files must survive an agent crash (the page cache does), and after a power loss every pod
/// namespace is gone too, so reconciliation at start releases what is stale.
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
    private var lastAllocated: [Int: IPAddress] = [:]

    init(directory: String, cidrs: [IPNetwork]) {
        self.directory = directory
        self.ranges = cidrs.map { Range(cidr: $0.canonical) }
    }

    /// The addresses held by `sandboxID`, one per range, in range order.
    func addresses(of sandboxID: String) -> [IPAddress] {
        leases.values.filter { $0.sandboxID == sandboxID }.map(\.address).sorted()
    }

    /// Reads every lease file; files for addresses outside the ranges are left alone.
    mutating func load() throws(PodNetworkError) {
        try makeDirectory(directory)
        guard let dir = opendir(directory) else { throw .state(path: directory, errno: errno) }
        defer { closedir(dir) }
        leases = [:]
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let address = IPAddress(name), ranges.contains(where: { $0.cidr.contains(address) }) else { continue }
            let lines = try readFile(directory + "/" + name).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let sandbox = lines.first, !sandbox.isEmpty else { continue }
            leases[address] = .init(address: address, sandboxID: sandbox,
                                    interfaceName: lines.count > 1 ? lines[1] : "",
                                    podReference: lines.count > 2 ? lines[2] : "")
        }
        for (index, range) in ranges.enumerated() {
            lastAllocated[index] = leases.keys.filter { range.cidr.contains($0) }.max()
        }
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
        unlink(directory + "/" + address.description)
        leases[address] = nil
    }

    private mutating func claim(rangeIndex: Int, range: Range, sandboxID: String, interfaceName: String, podReference: String) throws(PodNetworkError) -> IPAddress {
        let span = distance(from: range.first, to: range.last)
        var candidate = lastAllocated[rangeIndex].flatMap { $0 < range.last ? $0.advanced(by: 1) : nil } ?? range.first
        if candidate < range.first { candidate = range.first }
        var tried: UInt64 = 0
        while tried <= span {
            if leases[candidate] == nil {
                let path = directory + "/" + candidate.description
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                if fd >= 0 {
                    let text = Array("\(sandboxID)\n\(interfaceName)\n\(podReference)\n".utf8)
                    let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    close(fd)
                    guard written == text.count else {
                        unlink(path)
                        throw .state(path: path, errno: written < 0 ? errno : EIO)
                    }
                    leases[candidate] = .init(address: candidate, sandboxID: sandboxID, interfaceName: interfaceName, podReference: podReference)
                    lastAllocated[rangeIndex] = candidate
                    return candidate
                }
                if errno != EEXIST { throw .state(path: path, errno: errno) }
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

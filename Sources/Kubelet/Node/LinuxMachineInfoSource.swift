#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation

/// Machine facts from the running Linux system, as cAdvisor and the kubelet read them: CPUs the
/// process may run on (`Cpus_allowed_list` of `/proc/self/status`, else online CPUs), `MemTotal` of `/proc/meminfo`,
/// huge page pools under `/sys/kernel/mm/hugepages`, the capacity of the filesystem holding
/// `rootDirectory`, `/etc/machine-id`, `/sys/class/dmi/id/product_uuid`,
/// `/proc/sys/kernel/random/boot_id`, `uname`, and `PRETTY_NAME` of `/etc/os-release`.
public struct LinuxMachineInfoSource: MachineInfoSource {
    /// The directory whose filesystem is the node's ephemeral storage (the kubelet's root dir).
    public var rootDirectory: String
    /// The host name to report (nil: `gethostname`, lower-cased).
    public var hostnameOverride: String?
    /// The filesystem root the fixed paths are read under (for tests on a fake tree).
    public var fileRoot: String

    /// Creates a source.
    public init(rootDirectory: String = "/var/lib/swiftlet", hostnameOverride: String? = nil, fileRoot: String = "") {
        self.rootDirectory = rootDirectory
        self.hostnameOverride = hostnameOverride
        self.fileRoot = fileRoot
    }

    /// Reads the facts; throws when `/proc/meminfo` has no `MemTotal`.
    public func machineInfo() throws -> MachineInfo {
        guard let memory = Self.memTotalBytes(read("/proc/meminfo") ?? "") else {
            throw MachineInfoError(path: fileRoot + "/proc/meminfo", expected: "a MemTotal line in kB")
        }
        var system = utsname()
        uname(&system)
        return MachineInfo(
            cpuCores: usableCPUs(), memoryBytes: memory, hugePages: hugePages(),
            ephemeralStorageBytes: filesystemCapacity(rootDirectory),
            machineID: trimmed("/etc/machine-id"), systemUUID: trimmed("/sys/class/dmi/id/product_uuid"),
            bootID: trimmed("/proc/sys/kernel/random/boot_id"), kernelVersion: Self.text(of: &system.release),
            osImage: Self.prettyName(read("/etc/os-release") ?? "") ?? "Linux",
            architecture: Self.goArchitecture(Self.text(of: &system.machine)), hostname: hostname())
    }

    /// `MemTotal` in bytes from `/proc/meminfo` text.
    static func memTotalBytes(_ text: String) -> Int64? {
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kilobytes = Int64(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }

    /// `PRETTY_NAME` from `os-release` text, unquoted.
    static func prettyName(_ text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            var value = line.dropFirst("PRETTY_NAME=".count)
            if let first = value.first, first == "\"" || first == "'", value.count >= 2, value.last == first {
                value = value.dropFirst().dropLast()
            }
            return String(value)
        }
        return nil
    }

    /// Go's `GOARCH` for a `uname -m` machine.
    static func goArchitecture(_ machine: String) -> String {
        switch machine {
        case "x86_64": "amd64"
        case "aarch64", "arm64": "arm64"
        case "i386", "i686": "386"
        case "ppc64le": "ppc64le"
        case "s390x": "s390x"
        case "riscv64": "riscv64"
        case let other where other.hasPrefix("arm"): "arm"
        default: machine
        }
    }

    private func usableCPUs() -> Int {
        let status = read("/proc/self/status") ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
            if let count = Self.cpuListCount(line.dropFirst("Cpus_allowed_list:".count)), count > 0 { return count }
        }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The number of CPUs in a kernel CPU list such as `0-3,6`.
    static func cpuListCount(_ list: Substring) -> Int? {
        var count = 0
        for part in list.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard let first = bounds.first, let low = Int(first) else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low, bounds.count <= 2 else { return nil }
            count += high - low + 1
        }
        return count
    }

    private func hugePages() -> [Int64: Int64] {
        let directory = fileRoot + "/sys/kernel/mm/hugepages"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var pools: [Int64: Int64] = [:]
        for name in names where name.hasPrefix("hugepages-") && name.hasSuffix("kB") {
            guard let kilobytes = Int64(name.dropFirst("hugepages-".count).dropLast(2)),
                let pages = Int64(trimmed("/sys/kernel/mm/hugepages/\(name)/nr_hugepages"))
            else { continue }
            pools[kilobytes * 1024] = pages
        }
        return pools
    }

    private func filesystemCapacity(_ path: String) -> Int64? {
        var candidate = path
        var info = statvfs()
        while statvfs(candidate, &info) != 0 {
            guard candidate != "/", !candidate.isEmpty else { return nil }
            candidate = (candidate as NSString).deletingLastPathComponent
            if candidate.isEmpty { candidate = "/" }
        }
        return Int64(info.f_blocks) * Int64(info.f_frsize)
    }

    private func hostname() -> String {
        if let hostnameOverride { return hostnameOverride.lowercased() }
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        let name = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: name, as: UTF8.self).lowercased()
    }

    private func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: fileRoot + path).map { String(decoding: $0, as: UTF8.self) }
    }

    private func trimmed(_ path: String) -> String {
        (read(path) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func text<T>(of field: inout T) -> String {
        withUnsafeBytes(of: &field) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

/// A machine fact could not be read.
public struct MachineInfoError: Error, CustomStringConvertible {
    public var path: String
    public var expected: String
    public var description: String { "\(path): expected \(expected)" }
}

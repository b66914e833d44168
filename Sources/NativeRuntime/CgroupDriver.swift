import ContainerRuntime
import Glibc

/// Figures read from a cgroup.
struct CgroupUsage: Sendable, Equatable {
    var cpuNanoseconds: UInt64?
    var memoryUsageBytes: UInt64?
    var memoryWorkingSetBytes: UInt64?
    var memoryRSSBytes: UInt64?
    var pids: UInt64?
}

/// Creates pod and container cgroups, writes their limits and reads them back. Paths are relative
/// to the hierarchy root (`kubepods/pod<uid>/<container>`). Writers only write files, so a fake
/// tree in a temporary directory exercises them exactly as the kernel's does.
protocol CgroupDriver: Sendable {
    /// Creates the cgroup (and its parents) so it can hold processes.
    func create(_ path: String) throws
    /// Writes the limits that are set (non-zero) in `resources`.
    func apply(_ path: String, _ resources: LinuxContainerResources) throws
    /// The `cgroup.procs` files that list the cgroup's processes (and take another process's PID).
    func procsFiles(_ path: String) -> [String]
    /// The files a single-threaded process writes `0` to, to join the cgroup itself (or another
    /// writes its PID to): v1 `tasks`, v2 `cgroup.procs`.
    func joinFiles(_ path: String) -> [String]
    /// Whether a single-threaded process joining through `joinFiles` by itself takes no global
    /// lock. On v1 a thread moving itself through `tasks` does not write-lock the kernel's
    /// threadgroup semaphore, whose every write lock waits for an RCU grace period (milliseconds,
    /// and it holds up forks and migrations node-wide); on v2 `cgroup.procs` always takes it.
    var joinsItselfWithoutGlobalLock: Bool { get }
    /// The processes in the cgroup.
    func processes(_ path: String) -> [Int32]
    /// How many times the kernel's OOM killer killed a process of this cgroup.
    func oomKillCount(_ path: String) -> UInt64
    func usage(_ path: String) -> CgroupUsage
    /// Removes the cgroup (which must be empty). Missing cgroups are not an error.
    func remove(_ path: String)
    /// Denies every device but `allowed` (cgroup v1 `devices` rules such as `c 1:3 rwm`): v1
    /// writes the `devices` controller's files, v2 attaches a BPF device program. Returns false
    /// when this hierarchy cannot (v1 without the `devices` controller).
    func restrictDevices(_ path: String, allowed: [String]) throws -> Bool
}

/// The device rules every container gets (runc's default allow list): creating any node, and
/// using null, zero, full, random, urandom, tty, ptmx, the pty slaves and tun.
let defaultDeviceRules = [
    "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
    "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
]

extension CgroupDriver {
    func processes(in files: [String]) -> [Int32] {
        var result = Set<Int32>()
        for file in files {
            guard let text = try? FileSystem.readText(file) else { continue }
            for line in text.split(separator: "\n") { if let pid = Int32(line) { result.insert(pid) } }
        }
        return result.sorted()
    }

    /// `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control) as a dictionary.
    func keyedValues(_ file: String) -> [String: UInt64] {
        guard let text = try? FileSystem.readText(file) else { return [:] }
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = UInt64(parts[1]) { result[String(parts[0])] = value }
        }
        return result
    }

    func number(_ file: String) -> UInt64? {
        guard let text = try? FileSystem.readText(file) else { return nil }
        return UInt64(text.trimmingWhitespace)
    }

    func removeDirectory(_ path: String) {
        // A cgroup stays busy for a moment after its last process exits.
        for _ in 0..<50 {
            if rmdir(path) == 0 || errno == ENOENT { return }
            if errno != EBUSY { return }
            usleep(10_000)
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}

/// cgroup v1: one hierarchy per controller under `root` (`/sys/fs/cgroup/<controller>`).
struct CgroupV1: CgroupDriver {
    var root: String
    var controllers: [String]

    init(root: String = "/sys/fs/cgroup", controllers: [String] = ["cpu", "cpuacct", "memory", "pids"]) {
        self.root = root
        self.controllers = controllers
    }

    private func directory(_ controller: String, _ path: String) -> String { "\(root)/\(controller)/\(path)" }

    func create(_ path: String) throws {
        for controller in controllers { try FileSystem.makeDirectories(directory(controller, path)) }
    }

    func apply(_ path: String, _ resources: LinuxContainerResources) throws {
        func write(_ controller: String, _ file: String, _ value: String) throws {
            guard controllers.contains(controller) else { return }
            do {
                try FileSystem.write(directory(controller, path) + "/" + file, text: value)
            } catch {
                throw RuntimeError.failed("cgroup \(path): writing \(value) to \(controller)/\(file): \(error)")
            }
        }
        if resources.cpuShares > 0 { try write("cpu", "cpu.shares", String(resources.cpuShares)) }
        if resources.cpuPeriod > 0 { try write("cpu", "cpu.cfs_period_us", String(resources.cpuPeriod)) }
        if resources.cpuQuota != 0 { try write("cpu", "cpu.cfs_quota_us", String(resources.cpuQuota)) }
        if resources.memoryLimitInBytes > 0 { try write("memory", "memory.limit_in_bytes", String(resources.memoryLimitInBytes)) }
        if resources.pidsLimit > 0 { try write("pids", "pids.max", String(resources.pidsLimit)) }
    }

    func procsFiles(_ path: String) -> [String] { controllers.map { directory($0, path) + "/cgroup.procs" } }

    func joinFiles(_ path: String) -> [String] { controllers.map { directory($0, path) + "/tasks" } }

    var joinsItselfWithoutGlobalLock: Bool { true }

    func processes(_ path: String) -> [Int32] { processes(in: procsFiles(path)) }

    func oomKillCount(_ path: String) -> UInt64 {
        keyedValues(directory("memory", path) + "/memory.oom_control")["oom_kill"] ?? 0
    }

    func usage(_ path: String) -> CgroupUsage {
        let memoryStat = keyedValues(directory("memory", path) + "/memory.stat")
        let memoryUsage = number(directory("memory", path) + "/memory.usage_in_bytes")
        let inactive = memoryStat["total_inactive_file"] ?? 0
        return CgroupUsage(
            cpuNanoseconds: number(directory("cpuacct", path) + "/cpuacct.usage"),
            memoryUsageBytes: memoryUsage,
            memoryWorkingSetBytes: memoryUsage.map { $0 > inactive ? $0 - inactive : 0 },
            memoryRSSBytes: memoryStat["total_rss"],
            pids: number(directory("pids", path) + "/pids.current"))
    }

    func remove(_ path: String) {
        for controller in controllers { removeDirectory(directory(controller, path)) }
    }

    func restrictDevices(_ path: String, allowed: [String]) throws -> Bool {
        guard controllers.contains("devices") else { return false }
        let base = directory("devices", path)
        do {
            try FileSystem.write(base + "/devices.deny", text: "a")
            for rule in allowed { try FileSystem.write(base + "/devices.allow", text: rule) }
        } catch {
            throw RuntimeError.failed("cgroup \(path): writing device rules: \(error)")
        }
        return true
    }
}

/// cgroup v2: one unified hierarchy under `root`.
struct CgroupV2: CgroupDriver {
    var root: String
    /// Controllers enabled for children along the path.
    var controllers: [String] = ["cpu", "memory", "pids"]

    init(root: String = "/sys/fs/cgroup") { self.root = root }

    private func directory(_ path: String) -> String { path.isEmpty ? root : "\(root)/\(path)" }

    func create(_ path: String) throws {
        var ancestor = ""
        for component in path.split(separator: "/") {
            let control = directory(ancestor) + "/cgroup.subtree_control"
            let wanted = controllers.map { "+" + $0 }.joined(separator: " ")
            if (try? FileSystem.readText(control))?.split(separator: " ").map(String.init).sorted() != controllers.sorted() {
                do { try FileSystem.write(control, text: wanted) } catch {
                    throw RuntimeError.failed("cgroup \(path): enabling \(wanted) in \(control): \(error)")
                }
            }
            ancestor += (ancestor.isEmpty ? "" : "/") + component
            try FileSystem.makeDirectories(directory(ancestor))
        }
    }

    /// runc's conversion from cgroup v1 shares (2…262144) to v2 weight (1…10000).
    static func weight(fromShares shares: Int64) -> Int64 {
        shares <= 0 ? 0 : 1 + ((max(shares, 2) - 2) * 9999) / 262_142
    }

    func apply(_ path: String, _ resources: LinuxContainerResources) throws {
        func write(_ file: String, _ value: String) throws {
            do { try FileSystem.write(directory(path) + "/" + file, text: value) } catch {
                throw RuntimeError.failed("cgroup \(path): writing \(value) to \(file): \(error)")
            }
        }
        if resources.cpuShares > 0 { try write("cpu.weight", String(Self.weight(fromShares: resources.cpuShares))) }
        if resources.cpuQuota != 0 || resources.cpuPeriod > 0 {
            let period = resources.cpuPeriod > 0 ? resources.cpuPeriod : 100_000
            try write("cpu.max", resources.cpuQuota > 0 ? "\(resources.cpuQuota) \(period)" : "max \(period)")
        }
        if resources.memoryLimitInBytes > 0 { try write("memory.max", String(resources.memoryLimitInBytes)) }
        if resources.pidsLimit > 0 { try write("pids.max", String(resources.pidsLimit)) }
        if !resources.cpusetCpus.isEmpty { try write("cpuset.cpus", resources.cpusetCpus) }
        if !resources.cpusetMems.isEmpty { try write("cpuset.mems", resources.cpusetMems) }
        for (file, value) in resources.unified.sorted(by: { $0.key < $1.key }) {
            guard !file.contains("/"), !file.hasPrefix(".") else {
                throw RuntimeError.invalidArgument(field: "resources.unified[\(file)]", reason: "not a cgroup file name")
            }
            try write(file, value)
        }
    }

    func procsFiles(_ path: String) -> [String] { [directory(path) + "/cgroup.procs"] }

    func joinFiles(_ path: String) -> [String] { procsFiles(path) }

    var joinsItselfWithoutGlobalLock: Bool { false }

    func processes(_ path: String) -> [Int32] { processes(in: procsFiles(path)) }

    func oomKillCount(_ path: String) -> UInt64 { keyedValues(directory(path) + "/memory.events")["oom_kill"] ?? 0 }

    func usage(_ path: String) -> CgroupUsage {
        let memoryStat = keyedValues(directory(path) + "/memory.stat")
        let current = number(directory(path) + "/memory.current")
        let inactive = memoryStat["inactive_file"] ?? 0
        return CgroupUsage(
            cpuNanoseconds: keyedValues(directory(path) + "/cpu.stat")["usage_usec"].map { $0 * 1000 },
            memoryUsageBytes: current,
            memoryWorkingSetBytes: current.map { $0 > inactive ? $0 - inactive : 0 },
            memoryRSSBytes: memoryStat["anon"],
            pids: number(directory(path) + "/pids.current"))
    }

    func remove(_ path: String) { removeDirectory(directory(path)) }

    /// Attaches a BPF device program allowing only `allowed` (see ``DeviceProgram``), in place of
    /// the one an earlier call attached.
    func restrictDevices(_ path: String, allowed: [String]) throws -> Bool {
        let rules: [DeviceRule]
        do { rules = try allowed.map { try DeviceRule(parsing: $0) } } catch {
            throw RuntimeError.failed("cgroup \(path): \(error)")
        }
        do { try DeviceProgram(rules: rules).attach(toCgroup: directory(path)) } catch {
            throw RuntimeError.failed(
                "cgroup \(path): attaching the device program for the rules \(allowed.map { "'\($0)'" }.joined(separator: ", ")): \(error)")
        }
        return true
    }
}

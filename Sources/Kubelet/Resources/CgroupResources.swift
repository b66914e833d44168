import ContainerRuntime
import KubeAPI

/// CPU and memory settings of a pod's or a container's cgroup, derived from requests and limits
/// as upstream's `cm/helpers_linux.go` and `kuberuntime` do.
public struct CgroupResources: Sendable, Equatable {
    /// cgroup v1 `cpu.shares` (2…262144).
    public var cpuShares: UInt64
    /// CFS quota in microseconds per `cpuPeriod`; `nil` when CPU is not limited (v2: `max`).
    public var cpuQuota: Int64?
    /// CFS period in microseconds; `nil` with `cpuQuota`.
    public var cpuPeriod: UInt64?
    /// Memory limit in bytes; `nil` when memory is not limited.
    public var memoryLimit: Int64?

    /// cgroup v2 `cpu.weight` (1…10000) for these shares.
    public var cpuWeight: UInt64 { Self.cpuWeight(shares: cpuShares) }

    public init(cpuShares: UInt64, cpuQuota: Int64? = nil, cpuPeriod: UInt64? = nil, memoryLimit: Int64? = nil) {
        self.cpuShares = cpuShares
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.memoryLimit = memoryLimit
    }

    /// The smallest `cpu.shares` value.
    public static let minShares: UInt64 = 2
    /// The largest `cpu.shares` value.
    public static let maxShares: UInt64 = 262_144
    /// Shares per whole CPU.
    public static let sharesPerCPU: Int64 = 1024
    /// The default CFS period: 100 ms, in microseconds.
    public static let defaultQuotaPeriod: UInt64 = 100_000
    /// The smallest quota set: 1 ms.
    public static let minQuota: Int64 = 1000

    /// `cpu.shares` for a CPU request in millicores (upstream's `MilliCPUToShares`): 0 → 2,
    /// else `milli × 1024 / 1000` clamped to 2…262144.
    public static func shares(milliCPU: Int64) -> UInt64 {
        if milliCPU == 0 { return minShares }
        let shares = milliCPU * sharesPerCPU / 1000
        if shares < Int64(minShares) { return minShares }
        if shares > Int64(maxShares) { return maxShares }
        return UInt64(shares)
    }

    /// CFS quota for a CPU limit in millicores (upstream's `MilliCPUToQuota`): 0 → 0 (no
    /// quota), else `milli × period / 1000`, at least 1000 µs.
    public static func quota(milliCPU: Int64, period: UInt64 = defaultQuotaPeriod) -> Int64 {
        if milliCPU == 0 { return 0 }
        let quota = milliCPU * Int64(period) / 1000
        return max(quota, minQuota)
    }

    /// cgroup v2 `cpu.weight` for `cpu.shares`, with the linear mapping runc and crun used
    /// through 2024 (`1 + (shares − 2) × 9999 / 262142`; 0 shares → 0, "unset").
    public static func cpuWeight(shares: UInt64) -> UInt64 {
        if shares == 0 { return 0 }
        let clamped = min(max(shares, minShares), maxShares)
        return 1 + (clamped - 2) * 9999 / 262_142
    }

    /// The container's cgroup settings (upstream's `calculateLinuxResources`): shares from the
    /// CPU request (or the limit, when only a limit is set), quota from the CPU limit with the
    /// given period (`enforceCPULimits: false` leaves CPU unlimited), and the memory limit.
    public static func forContainer(
        _ container: CoreV1.Container, enforceCPULimits: Bool = true, period: UInt64 = defaultQuotaPeriod
    ) -> CgroupResources {
        let requestMilli = container.resources?.requests?["cpu"]?.milliValue ?? 0
        let limitMilli = container.resources?.limits?["cpu"]?.milliValue ?? 0
        let memory = container.resources?.limits?["memory"]?.value ?? 0
        let shares = requestMilli == 0 && limitMilli != 0 ? shares(milliCPU: limitMilli) : shares(milliCPU: requestMilli)
        var result = CgroupResources(cpuShares: shares, memoryLimit: memory != 0 ? memory : nil)
        if enforceCPULimits {
            let quota = quota(milliCPU: limitMilli, period: period)
            if quota > 0 {
                result.cpuQuota = quota
                result.cpuPeriod = period
            }
        }
        return result
    }

    /// The pod's cgroup settings (upstream's `ResourceConfigForPod`): Guaranteed pods get shares,
    /// quota and memory limit; Burstable pods get shares, and quota or memory limit only when
    /// every container limits that resource; BestEffort pods get the minimum shares.
    public static func forPod(
        _ pod: CoreV1.Pod, enforceCPULimits: Bool = true, period: UInt64 = defaultQuotaPeriod
    ) -> CgroupResources {
        let totals = PodResources(pod: pod)
        let cpuRequest = totals.requests["cpu"]?.milliValue ?? 0
        let cpuLimit = totals.limits["cpu"]?.milliValue ?? 0
        let memoryLimit = totals.limits["memory"]?.value ?? 0
        let cpuQuota: Int64? = enforceCPULimits ? quota(milliCPU: cpuLimit, period: period) : nil
        switch QOSClass(pod: pod) {
        case .guaranteed:
            return CgroupResources(
                cpuShares: shares(milliCPU: cpuRequest), cpuQuota: cpuQuota, cpuPeriod: cpuQuota == nil ? nil : period,
                memoryLimit: memoryLimit)
        case .burstable:
            var result = CgroupResources(cpuShares: shares(milliCPU: cpuRequest))
            if totals.everyContainerLimitsCPU, let cpuQuota {
                result.cpuQuota = cpuQuota
                result.cpuPeriod = period
            }
            if totals.everyContainerLimitsMemory { result.memoryLimit = memoryLimit }
            return result
        case .bestEffort:
            return CgroupResources(cpuShares: minShares)
        }
    }

    /// The values for the runtime's `LinuxContainerResources`, keeping the other fields of `base`
    /// (quota −1 / 0 means unlimited there).
    public func applied(to base: LinuxContainerResources) -> LinuxContainerResources {
        var result = base
        result.cpuShares = Int64(cpuShares)
        result.cpuQuota = cpuQuota ?? 0
        result.cpuPeriod = Int64(cpuPeriod ?? 0)
        result.memoryLimitInBytes = memoryLimit ?? 0
        return result
    }
}

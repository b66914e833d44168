import ContainerRuntime
import KubeAPI

extension CgroupResources {
    /// Everything the runtime needs of a container's resources in one value: shares, quota and
    /// period, memory limit and `oom_score_adj`, as upstream's `generateLinuxContainerResources`
    /// fills CRI's `LinuxContainerResources`.
    public static func linuxContainerResources(
        container: CoreV1.Container, pod: CoreV1.Pod, memoryCapacity: Int64, enforceCPULimits: Bool = true,
        period: UInt64 = defaultQuotaPeriod
    ) -> LinuxContainerResources {
        let base = LinuxContainerResources(
            oomScoreAdj: Int64(OOMScore.adjust(pod: pod, container: container, memoryCapacity: memoryCapacity)))
        var result = forContainer(container, enforceCPULimits: enforceCPULimits, period: period).applied(to: base)
        if enforceCPULimits && result.cpuPeriod == 0 { result.cpuPeriod = Int64(period) }
        return result
    }
}

import ContainerRuntime

extension NativeRuntime {
    private func stats(of record: ContainerRecord) -> ContainerStats {
        let usage = cgroups.usage(record.cgroupPath)
        return ContainerStats(
            id: record.id, metadata: record.config.metadata, labels: record.config.labels, annotations: record.config.annotations,
            timestamp: WallClock.nowNanoseconds(), cpuUsageCoreNanoSeconds: usage.cpuNanoseconds,
            memoryWorkingSetBytes: usage.memoryWorkingSetBytes, memoryUsageBytes: usage.memoryUsageBytes,
            memoryRSSBytes: usage.memoryRSSBytes, pids: usage.pids)
    }

    public func containerStats(id: String) async throws -> ContainerStats {
        guard let record = containers[id] else { throw RuntimeError.notFound(kind: "container", id: id) }
        return stats(of: record)
    }

    public func listContainerStats(filter: ContainerStatsFilter) async throws -> [ContainerStats] {
        let wanted = filter.containerFilter
        return containers.values.filter { wanted.matches($0.listItem) }.sorted { $0.createdAt < $1.createdAt }.map(stats(of:))
    }
}

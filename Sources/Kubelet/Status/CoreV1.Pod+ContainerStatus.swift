import KubeAPI

extension CoreV1.Pod {
    /// The status of the container (regular or init) with this name.
    func containerStatus(named name: String) -> CoreV1.ContainerStatus? {
        (status?.containerStatuses ?? []).first { $0.name == name } ?? (status?.initContainerStatuses ?? []).first { $0.name == name }
    }
}

import Foundation
import Kubelet

extension KubeletSettings {
    /// The kubelet core's settings a node configuration gives: the sync frequency, pod logs under
    /// `podLogsDir`, per-pod state and volumes under `stateDir/pods`, and pod cgroups in
    /// upstream's QoS tree below `cgroupRoot` when `cgroupsPerQOS` is on with the `cgroupfs`
    /// driver (otherwise the runtime's own parent, `cgroupRoot/kubepods/pod<UID>`).
    public init(node: NodeConfiguration, nodeName: String, hostIPs: [String]) {
        let kubelet = node.kubelet
        let memory = RuntimeManager.Settings.physicalMemory()
        let cgroups: CgroupHierarchy? =
            kubelet.cgroupsPerQOS && kubelet.cgroupDriver == CgroupHierarchy.Driver.cgroupfs.rawValue
            ? CgroupHierarchy(driver: .cgroupfs, root: kubelet.cgroupRoot.isEmpty ? "/" : kubelet.cgroupRoot) : nil
        self.init(
            nodeName: nodeName, hostIPs: hostIPs, syncFrequency: kubelet.syncFrequency.duration,
            runtime: RuntimeManager.Settings(
                podLogsRoot: kubelet.podLogsDir, podsDirectory: node.swiftlet.stateDir + "/pods",
                volumes: VolumeManager(root: node.swiftlet.stateDir, nodeAllocatableMemory: memory), memoryCapacity: memory,
                cgroups: cgroups))
    }
}

import KubeAPI

/// `oom_score_adj` of a container's processes, as upstream's `qos.GetContainerOOMScoreAdjust`
/// computes it.
public enum OOMScore {
    /// The kubelet's own and kube-proxy's score.
    public static let nodeAgent = -999
    /// Guaranteed pods and node-critical pods.
    public static let guaranteed = -997
    /// BestEffort pods: first to go.
    public static let bestEffort = 1000

    /// The score of `container` in `pod` on a node with `memoryCapacity` bytes: −997 for
    /// Guaranteed (and `system-node-critical` priority class) pods, 1000 for BestEffort, and for
    /// Burstable `1000 − 1000 × request / capacity`, kept within 3…999.
    public static func adjust(pod: CoreV1.Pod, container: CoreV1.Container, memoryCapacity: Int64) -> Int {
        if pod.spec?.priorityClassName == "system-node-critical" { return guaranteed }
        switch QOSClass(pod: pod) {
        case .guaranteed: return guaranteed
        case .bestEffort: return bestEffort
        case .burstable: break
        }
        let request = PodResources.effectiveRequests(container.resources)["memory"]?.value ?? 0
        guard memoryCapacity > 0 else { return bestEffort - 1 }
        let score = 1000 - (1000 * request) / memoryCapacity
        if score < Int64(1000 + guaranteed) { return 1000 + guaranteed }
        if score == Int64(bestEffort) { return bestEffort - 1 }
        return Int(score)
    }
}

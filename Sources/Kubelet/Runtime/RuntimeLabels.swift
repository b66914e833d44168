import KubeAPI

/// The labels and annotations upstream's kubelet puts on sandboxes and containers, through which
/// a restarted agent finds the pods and containers it made before (`kuberuntime/labels.go`).
public enum RuntimeLabels {
    public static let podName = "io.kubernetes.pod.name"
    public static let podNamespace = "io.kubernetes.pod.namespace"
    public static let podUID = "io.kubernetes.pod.uid"
    public static let containerName = "io.kubernetes.container.name"
    /// The annotations.
    public static let containerHash = "io.kubernetes.container.hash"
    public static let restartCount = "io.kubernetes.container.restartCount"
    public static let terminationMessagePath = "io.kubernetes.container.terminationMessagePath"
    public static let terminationMessagePolicy = "io.kubernetes.container.terminationMessagePolicy"
    public static let terminationGracePeriod = "io.kubernetes.pod.terminationGracePeriod"

    /// A sandbox's labels for `pod`.
    public static func sandboxLabels(_ pod: CoreV1.Pod) -> [String: String] {
        var labels = pod.metadata?.labels ?? [:]
        labels[podName] = pod.metadata?.name ?? ""
        labels[podNamespace] = pod.metadata?.namespace ?? ""
        labels[podUID] = pod.metadata?.uid ?? ""
        return labels
    }

    /// A container's labels.
    public static func containerLabels(_ pod: CoreV1.Pod, container: String) -> [String: String] {
        [
            podName: pod.metadata?.name ?? "", podNamespace: pod.metadata?.namespace ?? "",
            podUID: pod.metadata?.uid ?? "", containerName: container,
        ]
    }

    /// The hash of a container's spec that decides whether a running container is still what the
    /// pod asks for: FNV-1a (64 bit) of its canonical JSON, in hex.
    public static func hash(of container: CoreV1.Container) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONWriter.bytes(container.encoded()) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

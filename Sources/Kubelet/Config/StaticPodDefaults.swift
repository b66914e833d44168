import KubeAPI

/// What upstream's `config/common.go` does to a pod read from a file or URL before it runs: the
/// UID, the node-suffixed name, the namespace, the node name and the config annotations.
public enum StaticPodDefaults {
    /// The annotation holding the hash the UID was derived from (`kubernetes.io/config.hash`).
    public static let configHashAnnotation = "kubernetes.io/config.hash"
    /// The annotation naming the source (`kubernetes.io/config.source`).
    public static let configSourceAnnotation = "kubernetes.io/config.source"
    /// The annotation upstream sets when the kubelet first saw the pod (`kubernetes.io/config.seen`).
    public static let configSeenAnnotation = "kubernetes.io/config.seen"

    /// The UID of a pod without one: the MD5 of the pod, then `host:<node>` and `file:<path>`
    /// for a file (`url:<url>` for a URL), in hex, as upstream computes it.
    ///
    /// Upstream hashes Go's printed form of the decoded pod; we hash its canonical JSON (the
    /// decoded pod written back, keys in schema order, maps sorted). So the UID is stable for the
    /// same content on the same node and path, changes when the content changes, and differs from
    /// the UID a Go kubelet would compute for the same file.
    public static func uid(of pod: CoreV1.Pod, source: String, isFile: Bool, nodeName: String) -> String {
        var hasher = MD5()
        hasher.update(JSONWriter.bytes(pod.encoded()))
        if isFile {
            hasher.update("host:\(nodeName)")
            hasher.update("file:\(source)")
        } else {
            hasher.update("url:\(source)")
        }
        return hasher.hexDigest()
    }

    /// The pod as it will run: UID (unless it has one), name `<name>-<node name in lower case>`,
    /// namespace `default` when empty, `spec.nodeName`, the config annotations, the NoExecute
    /// toleration for file pods, and phase Pending.
    public static func apply(
        to pod: CoreV1.Pod, source: String, isFile: Bool, nodeName: String
    ) -> CoreV1.Pod {
        var pod = pod
        var metadata = pod.metadata ?? MetaV1.ObjectMeta()
        let uid = metadata.uid.flatMap { $0.isEmpty ? nil : $0 } ?? uid(of: pod, source: source, isFile: isFile, nodeName: nodeName)
        metadata.uid = uid
        metadata.name = "\(metadata.name ?? "")-\(nodeName.lowercased())"
        if (metadata.namespace ?? "").isEmpty { metadata.namespace = "default" }
        var annotations = metadata.annotations ?? [:]
        annotations[configHashAnnotation] = uid
        annotations[configSourceAnnotation] = isFile ? "file" : "http"
        metadata.annotations = annotations
        pod.metadata = metadata
        var spec = pod.spec ?? CoreV1.PodSpec()
        spec.nodeName = nodeName
        if isFile {
            var tolerations = spec.tolerations ?? []
            if !tolerations.contains(where: { $0.operator == "Exists" && $0.effect == "NoExecute" && ($0.key ?? "").isEmpty }) {
                tolerations.append(CoreV1.Toleration(effect: "NoExecute", operator: "Exists"))
            }
            spec.tolerations = tolerations
        }
        pod.spec = spec
        var status = pod.status ?? CoreV1.PodStatus()
        status.phase = "Pending"
        pod.status = status
        return pod
    }
}

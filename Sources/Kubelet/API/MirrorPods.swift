import KubeAPI

/// What upstream's `mirror_client.go` knows about mirror pods: the annotation, how a mirror pod
/// is made from a static pod, and how to tell that one mirrors the other.
public enum MirrorPods {
    /// The annotation marking a mirror pod, holding the static pod's config hash.
    public static let annotation = "kubernetes.io/config.mirror"

    /// Whether the pod is a mirror pod.
    public static func isMirror(_ pod: CoreV1.Pod) -> Bool { pod.metadata?.annotations?[annotation] != nil }

    /// The static pod's hash (`kubernetes.io/config.hash`).
    public static func hash(ofStatic pod: CoreV1.Pod) -> String {
        pod.metadata?.annotations?[StaticPodDefaults.configHashAnnotation] ?? ""
    }

    /// Whether `mirror` is the current mirror of `staticPod`: same hash and not being deleted.
    public static func isCurrent(_ mirror: CoreV1.Pod, of staticPod: CoreV1.Pod) -> Bool {
        mirror.metadata?.annotations?[annotation] == hash(ofStatic: staticPod) && mirror.metadata?.deletionTimestamp == nil
    }

    /// The mirror pod to create for `staticPod`: a copy with the mirror annotation set to the
    /// static pod's hash and the Node as its controlling owner, as the NodeRestriction admission
    /// plugin requires.
    public static func mirror(of staticPod: CoreV1.Pod, nodeName: String, nodeUID: String) -> CoreV1.Pod {
        var pod = staticPod
        var metadata = pod.metadata ?? MetaV1.ObjectMeta()
        var annotations = metadata.annotations ?? [:]
        annotations[annotation] = hash(ofStatic: staticPod)
        metadata.annotations = annotations
        metadata.ownerReferences = [
            MetaV1.OwnerReference(apiVersion: "v1", controller: true, kind: "Node", name: nodeName, uid: nodeUID)
        ]
        pod.metadata = metadata
        return pod
    }

    /// `namespace/name` of a pod.
    static func fullName(_ pod: CoreV1.Pod) -> String { PodConfig.fullName(pod) }
}

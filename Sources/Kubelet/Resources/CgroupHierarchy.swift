import KubeAPI

/// The names of upstream's pod cgroup hierarchy: `kubepods` at the top, Guaranteed pods directly
/// beneath it, Burstable and BestEffort pods under `kubepods/burstable` and
/// `kubepods/besteffort`, each pod in `pod<UID>`. With the systemd driver the same tree is
/// written as nested slices (`kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<UID>.slice`,
/// dashes in the UID as underscores).
public struct CgroupHierarchy: Sendable, Equatable {
    /// How cgroup paths are written.
    public enum Driver: String, Sendable {
        case cgroupfs
        case systemd
    }

    /// The driver (KubeletConfiguration `cgroupDriver`).
    public var driver: Driver
    /// The root all pod cgroups live in (KubeletConfiguration `cgroupRoot`), `/` by default.
    public var root: String

    public init(driver: Driver = .systemd, root: String = "/") {
        self.driver = driver
        self.root = root
    }

    /// The `kubepods` cgroup.
    public var podsCgroup: String { path(["kubepods"]) }

    /// The cgroup of a QoS class: `kubepods` for Guaranteed, `kubepods/burstable`,
    /// `kubepods/besteffort`.
    public func qosCgroup(_ qos: QOSClass) -> String {
        path(Self.qosComponents(qos))
    }

    /// The cgroup of the pod with this UID and class.
    public func podCgroup(uid: String, qos: QOSClass) -> String {
        path(Self.qosComponents(qos) + ["pod" + uid])
    }

    private static func qosComponents(_ qos: QOSClass) -> [String] {
        switch qos {
        case .guaranteed: ["kubepods"]
        case .burstable: ["kubepods", "burstable"]
        case .bestEffort: ["kubepods", "besteffort"]
        }
    }

    private func path(_ components: [String]) -> String {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        switch driver {
        case .cgroupfs:
            return base + "/" + components.joined(separator: "/")
        case .systemd:
            // Each level is a slice whose name repeats its parents' names, joined by dashes.
            var slices: [String] = []
            var prefix = ""
            for component in components {
                let escaped = String(component.map { $0 == "-" ? "_" : $0 })
                prefix = prefix.isEmpty ? escaped : prefix + "-" + escaped
                slices.append(prefix + ".slice")
            }
            return base + "/" + slices.joined(separator: "/")
        }
    }

    /// `cpu.shares` of the Burstable QoS cgroup: the sum of its pods' CPU requests as shares
    /// (upstream's `qos_container_manager`); the BestEffort cgroup always gets the minimum.
    public static func burstableShares(pods: [CoreV1.Pod]) -> UInt64 {
        var milli: Int64 = 0
        for pod in pods where QOSClass(pod: pod) == .burstable {
            milli += PodResources(pod: pod).requests["cpu"]?.milliValue ?? 0
        }
        return CgroupResources.shares(milliCPU: milli)
    }
}

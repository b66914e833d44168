/// The outcome of setting up a pod's volumes: the host directory (or file) of each volume that
/// is ready, and what went wrong with the others.
public struct PodVolumes: Sendable, Equatable {
    /// A volume ready to be mounted into containers.
    public struct Prepared: Sendable, Equatable {
        /// The volume's name in the pod spec.
        public var name: String
        /// The plugin directory name upstream uses (`kubernetes.io~empty-dir`, …), or
        /// `host-path` for a hostPath volume, which lives outside the pod directory.
        public var plugin: String
        /// The path on the host that containers see.
        public var hostPath: String
        /// Whether the volume is mounted read-only whatever the volumeMount says (secret,
        /// configMap, downwardAPI and projected volumes are, as upstream mounts them).
        public var alwaysReadOnly: Bool

        public init(name: String, plugin: String, hostPath: String, alwaysReadOnly: Bool) {
            self.name = name
            self.plugin = plugin
            self.hostPath = hostPath
            self.alwaysReadOnly = alwaysReadOnly
        }
    }

    /// The prepared volumes by name.
    public var prepared: [String: Prepared]
    /// One error per volume that could not be set up, in spec order; unsupported kinds are
    /// reported here, never ignored.
    public var failures: [VolumeError]

    public init(prepared: [String: Prepared] = [:], failures: [VolumeError] = []) {
        self.prepared = prepared
        self.failures = failures
    }

    /// Whether every volume is ready.
    public var isComplete: Bool { failures.isEmpty }

    /// The pod status message for the failures (empty when there are none).
    public var failureMessage: String {
        failures.map(\.description).joined(separator: "; ")
    }
}

// Pod validation as upstream's pkg/apis/core/validation ValidatePodCreate does it for what the
// agent accepts. Validation sees a pod as the API server would after defaulting: an absent field
// stands for its default (restartPolicy Always, dnsPolicy ClusterFirst, port protocol TCP, probe
// thresholds 1/3, a volume without a source is an emptyDir, ...), so a manifest the real kubelet
// accepts is accepted here too.

/// Validation of pods, with upstream's field paths and messages.
public enum PodValidation {
    /// Pod restart policies.
    public static let restartPolicies = ["Always", "OnFailure", "Never"]
    /// DNS policies, in upstream's order.
    public static let dnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "None", "Default"]
    /// Port protocols, sorted as upstream lists them.
    public static let protocols = ["SCTP", "TCP", "UDP"]
    /// Image pull policies.
    public static let pullPolicies = ["Always", "IfNotPresent", "Never"]
    /// Termination message policies.
    public static let terminationMessagePolicies = ["File", "FallbackToLogsOnError"]
    /// The most DNS nameservers a pod's dnsConfig may list.
    public static let maxDNSNameservers = 3

    /// Every problem with `pod`, or an empty list when it is valid.
    public static func validate(_ pod: CoreV1.Pod) -> [ValidationError] {
        var problems = MetadataValidation.validateObjectMeta(
            pod.metadata, requiresNamespace: true, nameRule: NameValidation.dns1123Subdomain, at: FieldPath("metadata"))
        let spec = pod.spec ?? CoreV1.PodSpec(containers: [])
        problems += validateSpec(spec, at: FieldPath("spec"))
        return problems
    }

    /// Every problem with a pod spec at `path`.
    public static func validateSpec(_ spec: CoreV1.PodSpec, at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        let (volumeNames, volumeProblems) = validateVolumes(spec.volumes ?? [], at: path.child("volumes"))
        problems += volumeProblems
        // The default grace period is 30 seconds; a negative one is reported on its own field.
        let gracePeriod = spec.terminationGracePeriodSeconds ?? 30
        problems += validateContainers(spec.containers, volumes: volumeNames, gracePeriod: gracePeriod, at: path.child("containers"))
        problems += validateInitContainers(
            spec.initContainers ?? [], regular: spec.containers, volumes: volumeNames, gracePeriod: gracePeriod,
            at: path.child("initContainers"))
        problems += validateEphemeralContainers(
            spec.ephemeralContainers ?? [], regular: spec.containers, initContainers: spec.initContainers ?? [],
            volumes: volumeNames, at: path.child("ephemeralContainers"))
        if spec.hostNetwork == true {
            problems += validateHostNetworkPorts(spec.containers, at: path.child("containers"))
        }

        if let policy = spec.restartPolicy, !policy.isEmpty, !restartPolicies.contains(policy) {
            problems.append(.notSupported(path.child("restartPolicy"), .string(policy), supported: restartPolicies))
        }
        if let policy = spec.dnsPolicy, !policy.isEmpty, !dnsPolicies.contains(policy) {
            problems.append(.notSupported(path.child("dnsPolicy"), .string(policy), supported: dnsPolicies))
        }
        problems += validateDNSConfig(spec.dnsConfig, policy: spec.dnsPolicy, at: path.child("dnsConfig"))
        problems += MetadataValidation.validateLabels(spec.nodeSelector ?? [:], at: path.child("nodeSelector"))
        for (field, value) in [("hostname", spec.hostname), ("subdomain", spec.subdomain)] {
            if let value, !value.isEmpty {
                problems += NameValidation.dns1123Label(value).map { .invalid(path.child(field), .string(value), $0) }
            }
        }
        if let seconds = spec.activeDeadlineSeconds, seconds < 1 || seconds > Int64(Int32.max) {
            problems.append(.invalid(path.child("activeDeadlineSeconds"), .integer(seconds),
                                     NameValidation.inclusiveRangeMessage(1, Int(Int32.max))))
        }
        problems += MetadataValidation.validateNonNegative(
            spec.terminationGracePeriodSeconds, at: path.child("terminationGracePeriodSeconds"))
        for (index, secret) in (spec.imagePullSecrets ?? []).enumerated() where (secret.name ?? "").isEmpty {
            problems.append(.required(path.child("imagePullSecrets").index(index).child("name"), ""))
        }
        return problems
    }

    static func validateDNSConfig(_ config: CoreV1.PodDNSConfig?, policy: String?, at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        if policy == "None" {
            guard let config else {
                return [.required(path, "must provide `dnsConfig` when `dnsPolicy` is None")]
            }
            if (config.nameservers ?? []).isEmpty {
                problems.append(.required(path.child("nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"))
            }
        }
        if let nameservers = config?.nameservers, nameservers.count > maxDNSNameservers {
            problems.append(.invalid(path.child("nameservers"), .strings(nameservers),
                                     "must not have more than \(maxDNSNameservers) nameservers"))
        }
        return problems
    }

    /// With hostNetwork the container port is the host port: a hostPort that differs is invalid.
    static func validateHostNetworkPorts(_ containers: [CoreV1.Container], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        for (containerIndex, container) in containers.enumerated() {
            for (portIndex, port) in (container.ports ?? []).enumerated() {
                if let hostPort = port.hostPort, hostPort != 0, hostPort != port.containerPort {
                    problems.append(.invalid(
                        path.index(containerIndex).child("ports").index(portIndex).child("containerPort"),
                        .integer(Int64(port.containerPort)), "must match `hostPort` when `hostNetwork` is true"))
                }
            }
        }
        return problems
    }
}

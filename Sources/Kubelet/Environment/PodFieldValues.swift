import KubeAPI

/// The values the downward API exposes (env `fieldRef`/`resourceFieldRef` and downwardAPI volume
/// files), computed as upstream's `fieldpath.ExtractFieldPathAsString` and
/// `resource.ExtractContainerResourceValue` do.
public struct PodFieldValues: Sendable {
    /// The pod whose fields are read.
    public var pod: CoreV1.Pod
    /// The pod's IPs, primary first (status.podIP, status.podIPs).
    public var podIPs: [String]
    /// The node's IPs, primary first (status.hostIP, status.hostIPs).
    public var hostIPs: [String]
    /// The node's allocatable resources: the value of a limit a container does not set.
    public var nodeAllocatable: [String: Quantity]

    /// Creates the value source; IPs default to those in the pod's status.
    public init(
        pod: CoreV1.Pod, podIPs: [String]? = nil, hostIPs: [String]? = nil,
        nodeAllocatable: [String: Quantity] = [:]
    ) {
        self.pod = pod
        self.podIPs = podIPs ?? Self.statusIPs(primary: pod.status?.podIP, all: pod.status?.podIPs?.map(\.ip))
        self.hostIPs = hostIPs ?? Self.statusIPs(primary: pod.status?.hostIP, all: pod.status?.hostIPs?.map(\.ip))
        self.nodeAllocatable = nodeAllocatable
    }

    private static func statusIPs(primary: String?, all: [String]?) -> [String] {
        if let all, !all.isEmpty { return all }
        if let primary, !primary.isEmpty { return [primary] }
        return []
    }

    /// The value of a pod field path such as `metadata.name` or `metadata.labels['app']`.
    ///
    /// Throws `EnvironmentError.unsupportedFieldPath` for a path the downward API does not offer.
    public func fieldValue(_ fieldPath: String) throws(EnvironmentError) -> String {
        let metadata = pod.metadata
        switch fieldPath {
        case "metadata.name": return metadata?.name ?? ""
        case "metadata.namespace": return metadata?.namespace ?? ""
        case "metadata.uid": return metadata?.uid ?? ""
        case "metadata.labels": return Self.formatMap(metadata?.labels ?? [:])
        case "metadata.annotations": return Self.formatMap(metadata?.annotations ?? [:])
        case "spec.nodeName": return pod.spec?.nodeName ?? ""
        case "spec.serviceAccountName": return pod.spec?.serviceAccountName ?? ""
        case "status.podIP": return podIPs.first ?? ""
        case "status.podIPs": return podIPs.joined(separator: ",")
        case "status.hostIP": return hostIPs.first ?? ""
        case "status.hostIPs": return hostIPs.joined(separator: ",")
        default: break
        }
        if let key = Self.subscriptKey(fieldPath, prefix: "metadata.labels") {
            return metadata?.labels?[key] ?? ""
        }
        if let key = Self.subscriptKey(fieldPath, prefix: "metadata.annotations") {
            return metadata?.annotations?[key] ?? ""
        }
        throw .unsupportedFieldPath(fieldPath)
    }

    /// The value of a container resource (`limits.cpu`, `requests.memory`, …) divided by the
    /// selector's divisor and rounded up; a limit the container does not set is the node's
    /// allocatable amount.
    ///
    /// Throws `EnvironmentError.unsupportedResource` for another resource name and
    /// `.containerNotFound` when `containerName` names no container of the pod.
    public func resourceValue(
        _ selector: CoreV1.ResourceFieldSelector, defaultContainer: CoreV1.Container? = nil
    ) throws(EnvironmentError) -> String {
        let container: CoreV1.Container
        if let name = selector.containerName, !name.isEmpty {
            let all = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
            guard let found = all.first(where: { $0.name == name }) else { throw .containerNotFound(name) }
            container = found
        } else if let defaultContainer {
            container = defaultContainer
        } else {
            throw .containerNotFound("")
        }
        var divisor = selector.divisor ?? .zero
        if divisor.isZero { divisor = Quantity(1) }

        let parts = selector.resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "limits" || parts[0] == "requests" else {
            throw .unsupportedResource(selector.resource)
        }
        let name = parts[1]
        guard name == "cpu" || name == "memory" || name == "ephemeral-storage" || name.hasPrefix("hugepages-") else {
            throw .unsupportedResource(selector.resource)
        }
        let amount: Quantity
        if parts[0] == "limits" {
            amount = container.resources?.limits?[name] ?? nodeAllocatable[name] ?? .zero
        } else {
            amount = container.resources?.requests?[name] ?? .zero
        }
        if name == "cpu" {
            return String(Self.ceilDivide(amount.milliValue, divisor.milliValue))
        }
        return String(Self.ceilDivide(amount.value, divisor.value))
    }

    private static func ceilDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        guard divisor != 0 else { return 0 }
        let quotient = value / divisor
        return value % divisor != 0 && (value > 0) == (divisor > 0) ? quotient + 1 : quotient
    }

    /// `prefix['key']` → `key`.
    private static func subscriptKey(_ path: String, prefix: String) -> String? {
        guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { return nil }
        let start = path.index(path.startIndex, offsetBy: prefix.count + 2)
        let end = path.index(path.endIndex, offsetBy: -2)
        guard start <= end else { return nil }
        return String(path[start..<end])
    }

    /// Labels or annotations as upstream's `FormatMap`: `key="value"` lines in key order, the
    /// value quoted as Go's `%q` does.
    public static func formatMap(_ map: [String: String]) -> String {
        map.keys.sorted().map { "\($0)=\(goQuoted(map[$0] ?? ""))" }.joined(separator: "\n")
    }

    /// A string quoted as Go's `strconv.Quote`.
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if (0x80..<0xA0).contains(scalar.value) {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

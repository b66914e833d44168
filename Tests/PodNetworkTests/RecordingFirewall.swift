import Netlink
import PodNetwork

/// A `PodNetworkFirewall` that keeps what it was asked for in memory, so tests can see that the
/// plugin asked for masquerade and host ports and removed them again. It follows the same
/// contract as the real one: every call idempotent, removal of nothing succeeds.
actor RecordingFirewall: PodNetworkFirewall {
    struct Failure: Error {}

    private(set) var masquerade: (cidrs: [IPNetwork], bridge: String)?
    private(set) var hostPorts: [String: (mappings: [HostPortMapping], podIPs: [IPAddress])] = [:]
    var failAddHostPorts = false

    func ensureMasquerade(podCIDRs: [IPNetwork], bridge: String) async throws {
        masquerade = (podCIDRs, bridge)
    }

    func addHostPorts(_ mappings: [HostPortMapping], sandboxID: String, podIPs: [IPAddress]) async throws {
        if failAddHostPorts { throw Failure() }
        hostPorts[sandboxID] = (mappings, podIPs)
    }

    func removeHostPorts(sandboxID: String) async throws {
        hostPorts[sandboxID] = nil
    }

    func sandboxesWithHostPorts() async throws -> Set<String> {
        Set(hostPorts.keys)
    }

    func setFailAddHostPorts(_ fail: Bool) {
        failAddHostPorts = fail
    }
}

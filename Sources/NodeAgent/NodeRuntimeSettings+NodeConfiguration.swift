import Foundation
import Images
import KubeAPI
import Logging
import Netlink
import PodNetwork
import RuntimeWiring

extension NodeRuntimeSettings {
    /// The runtime settings a node configuration gives: state under `stateDir/runtime`, images in
    /// `images.storeDir`, pod network leases under `stateDir/network` (CNI results under
    /// `stateDir/cni`), the cgroup parent from the kubelet's `cgroupRoot` (or `kubepods`).
    /// - Throws: `ConfigurationError` naming `podNetwork.podCIDRs[i]` when a CIDR does not parse.
    public init(node: NodeConfiguration, monitorPath: String, logger: Logger) throws {
        let swiftlet = node.swiftlet
        let file = node.sourcePath ?? "configuration"
        let nodeNamespace = swiftlet.podNetwork.nodeNetworkNamespace.isEmpty ? nil : swiftlet.podNetwork.nodeNetworkNamespace
        let network: Network
        switch swiftlet.podNetwork.mode {
        case "cni":
            network = .cni(CNINetworkConfiguration(
                configurationDirectory: swiftlet.podNetwork.cniConfDir, binaryDirectories: swiftlet.podNetwork.cniBinDirs,
                cacheDirectory: swiftlet.stateDir + "/cni", nodeNamespacePath: nodeNamespace))
        default:
            var cidrs: [IPNetwork] = []
            for (index, text) in swiftlet.podNetwork.podCIDRs.enumerated() {
                guard let cidr = IPNetwork(text) else {
                    throw ConfigurationError(file: file, problems: [
                        .init(line: nil, kind: SwiftletConfiguration.kind, path: FieldPath("podNetwork", "podCIDRs").index(index),
                              message: "expected a CIDR such as 10.88.0.0/16, got \(text)")
                    ])
                }
                cidrs.append(cidr)
            }
            network = .bridge(BridgeNetworkConfiguration(
                bridgeName: swiftlet.podNetwork.bridgeName, podCIDRs: cidrs, mtu: UInt32(swiftlet.podNetwork.mtu),
                stateDirectory: swiftlet.stateDir + "/network", nodeNamespacePath: nodeNamespace, source: file))
        }
        var registry = RegistryConfiguration()
        registry.mirrors = swiftlet.images.registryMirrors
        registry.plainHTTP = Set(swiftlet.images.insecureRegistries)
        let cgroupRoot = node.kubelet.cgroupRoot.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.init(
            runtimeStateDirectory: swiftlet.stateDir + "/runtime", runtimeRunDirectory: swiftlet.runDir + "/runtime",
            imageStoreDirectory: swiftlet.images.storeDir, registry: registry,
            monitorPath: monitorPath, cgroupParent: cgroupRoot.isEmpty ? "kubepods" : cgroupRoot + "/kubepods",
            network: network, logger: logger)
    }
}

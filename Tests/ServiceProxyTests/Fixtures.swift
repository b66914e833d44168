// Shared values for the ServiceProxy tests: a node configuration and services written the way
// the adapter from the API objects will hand them over.

import NFTables
@testable import ServiceProxy

enum Fixture {
    static let node = "node-a"
    static let clusterCIDR = CIDR("10.244.0.0/16")!

    static func configuration(_ family: ProxyIPFamily = .ipv4, nodePortAddresses: [String]? = nil,
                              nodeIP: String? = "192.168.1.10",
                              dispatch: ProxyConfiguration.EndpointDispatch = .verdictMap) -> ProxyConfiguration {
        var configuration = ProxyConfiguration(family: family, clusterCIDR: family == .ipv4 ? clusterCIDR : CIDR("fd00:10:244::/48"),
                                               nodePortAddresses: nodePortAddresses, nodeIP: nodeIP,
                                               serviceCIDRs: family == .ipv4 ? [CIDR("10.96.0.0/16")!] : [], hostname: node)
        configuration.endpointDispatch = dispatch
        return configuration
    }

    static func builder(_ family: ProxyIPFamily = .ipv4) -> RulesetBuilder { RulesetBuilder(configuration: configuration(family)) }

    static func port(_ name: String = "web", namespace: String = "ns1", portName: String = "p80",
                     protocol: TransportProtocol = .tcp) -> ServicePortName {
        ServicePortName(namespace: namespace, name: name, port: portName, protocol: `protocol`)
    }

    static func endpoints(_ addresses: [String], port: UInt16 = 8080, local: Set<String> = []) -> [EndpointInfo] {
        addresses.map { EndpointInfo(address: $0, port: port, isLocal: local.contains($0)) }
    }

    static func ip(_ text: String) -> [UInt8] { ProxyIPFamily.of(text)!.addressBytes(text)! }

    static func serviceKey(_ address: String, _ proto: TransportProtocol, _ port: UInt16) -> [UInt8] {
        NFElement.concatenatedKey(ip(address), [proto.number], NFValue.port(port))
    }
}

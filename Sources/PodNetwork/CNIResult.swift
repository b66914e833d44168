import KubeAPI
import Netlink

/// Reading a plugin's result (CNI 0.3.x, 0.4.0, 1.0.0 and 1.1.0 share the fields used here).
enum CNIResult {
    /// The pod result in a CNI result object.
    /// - Throws: `PodNetworkError.invalidPluginResult` for a result without the required shape.
    static func parse(_ value: JSONValue, pluginType: String) throws(PodNetworkError) -> PodNetworkResult {
        guard case .object = value else { throw .invalidPluginResult(type: pluginType, reason: "not a JSON object") }
        var interfaces: [PodNetworkResult.Interface] = []
        for (index, entry) in (value["interfaces"]?.arrayValue ?? JSONArray()).enumerated() {
            guard let name = entry["name"]?.stringValue else {
                throw .invalidPluginResult(type: pluginType, reason: "interfaces[\(index)].name missing")
            }
            interfaces.append(.init(name: name, mac: entry["mac"]?.stringValue.flatMap { MACAddress($0) },
                                    sandbox: entry["sandbox"]?.stringValue ?? ""))
        }
        var addresses: [PodNetworkResult.Address] = []
        for (index, entry) in (value["ips"]?.arrayValue ?? JSONArray()).enumerated() {
            guard let text = entry["address"]?.stringValue, let address = IPNetwork(text) else {
                throw .invalidPluginResult(type: pluginType, reason: "ips[\(index)].address: expected a CIDR")
            }
            addresses.append(.init(address: address, gateway: entry["gateway"]?.stringValue.flatMap { IPAddress($0) },
                                   interface: entry["interface"]?.integerValue.map { Int($0) }))
        }
        var routes: [PodNetworkResult.RouteEntry] = []
        for (index, entry) in (value["routes"]?.arrayValue ?? JSONArray()).enumerated() {
            guard let text = entry["dst"]?.stringValue, let destination = IPNetwork(text) else {
                throw .invalidPluginResult(type: pluginType, reason: "routes[\(index)].dst: expected a CIDR")
            }
            routes.append(.init(destination: destination, gateway: entry["gw"]?.stringValue.flatMap { IPAddress($0) }))
        }
        let nameservers = value["dns"]?["nameservers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return PodNetworkResult(interfaces: interfaces, addresses: addresses, routes: routes, nameservers: nameservers)
    }
}

/// The applied fragment of every service port, by service: what partial syncs compare the
/// wanted fragments with. A service with one port (almost all of them) holds it inline, so the
/// state costs one dictionary entry and one `PackedFragment` buffer per port.
struct AppliedState: Sendable {
    private var services: [ServiceName: InlineDictionary<ServicePortName, PackedFragment>] = [:]

    /// Service ports held.
    private(set) var count = 0

    mutating func reserveCapacity(_ count: Int) { services.reserveCapacity(count) }

    /// The applied fragment of `port`, unpacked; nil when it has none.
    func fragment(_ port: ServicePortName) -> AppliedFragment? {
        packed(port)?.unpacked(port: port)
    }

    func packed(_ port: ServicePortName) -> PackedFragment? {
        services[port.service]?[port]
    }

    /// Records (or with nil, forgets) the applied fragment of `port`.
    mutating func set(_ port: ServicePortName, packed fragment: PackedFragment?) {
        count += (fragment == nil ? 0 : 1) - (packed(port) == nil ? 0 : 1)
        services[port.service].set(port, fragment)
    }

    /// The ports of `service` that have an applied fragment, sorted.
    func ports(of service: ServiceName) -> [ServicePortName] {
        (services[service]?.keys ?? []).sorted()
    }

    /// Calls `body` with every port and its packed fragment.
    func forEach(_ body: (ServicePortName, PackedFragment) -> Void) {
        for ports in services.values { ports.forEach(body) }
    }

    /// This state in storage of its own (see `FreshStorage`).
    func copied() -> AppliedState {
        var copy = AppliedState()
        copy.services.reserveCapacity(services.count)
        forEach { name, fragment in copy.set(name, packed: fragment.copied()) }
        return copy
    }
}

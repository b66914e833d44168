/// Everything one service port puts in the `kube-proxy` table: its elements in the shared maps,
/// its service, external, firewall and endpoint chains, and its affinity sets. Fragments are
/// values, so a sync compares the one applied with the one wanted and writes only the difference.
public struct ServiceFragment: Sendable, Hashable {
    public var elements: [ProxyMapElement] = []
    public var chains: [ProxyChain] = []
    public var affinitySets: [AffinitySet] = []

    public init() {}

    /// The chain named `name`, if the fragment has it.
    public func chain(_ name: String) -> ProxyChain? { chains.first { $0.name == name } }
}

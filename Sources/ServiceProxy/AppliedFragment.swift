/// What the kernel holds of one service port after a successful sync: its elements, a digest of
/// each chain's rules (enough to tell whether a chain must be rewritten, and far smaller than the
/// rules), and its affinity sets. Kept between syncs as a `PackedFragment`.
struct AppliedFragment: Sendable, Hashable {
    var elements: [ProxyMapElement]
    var chainDigests: [String: Int]
    var affinitySets: [AffinitySet]

    init(_ fragment: ServiceFragment) {
        elements = fragment.elements
        chainDigests = Dictionary(fragment.chains.map { ($0.name, $0.rules.hashValue) }, uniquingKeysWith: { a, _ in a })
        affinitySets = fragment.affinitySets
    }

    init(elements: [ProxyMapElement], chainDigests: [String: Int], affinitySets: [AffinitySet]) {
        self.elements = elements
        self.chainDigests = chainDigests
        self.affinitySets = affinitySets
    }
}

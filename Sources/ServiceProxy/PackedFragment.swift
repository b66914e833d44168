import NFTables

/// An `AppliedFragment` in one byte buffer: what the proxier keeps of each applied service port
/// between syncs. The unpacked form costs a dictionary, an array and a string per chain and
/// element; this is one allocation of a few hundred bytes (~190 for a port with three endpoints).
///
/// Chain names are stored without the port's own path (`namespace/name/protocol/port`, which
/// every per-port chain name carries and which the owner knows from the port's name), and a
/// map element's verdict names its chain by index. `unpacked(port:)` gives back exactly the
/// fragment packed. Chains are kept sorted by name, so equal fragments pack to equal bytes.
struct PackedFragment: Sendable, Hashable {
    private(set) var bytes: [UInt8]

    init(_ fragment: AppliedFragment, port: ServicePortName) {
        self.init(chains: fragment.chainDigests.sorted { $0.key < $1.key }, elements: fragment.elements,
                  affinitySets: fragment.affinitySets, port: port)
    }

    /// Packs what `AppliedFragment(fragment)` would hold, without building it.
    init(_ fragment: ServiceFragment, port: ServicePortName) {
        // Sorted by name, then by position: of chains with one name, the first counts, as in
        // `AppliedFragment`.
        let order = fragment.chains.indices.sorted {
            let (a, b) = (fragment.chains[$0].name, fragment.chains[$1].name)
            return a == b ? $0 < $1 : a < b
        }
        var chains: [(key: String, value: Int)] = []
        chains.reserveCapacity(order.count)
        for index in order where chains.last?.key != fragment.chains[index].name {
            chains.append((fragment.chains[index].name, fragment.chains[index].rules.hashValue))
        }
        self.init(chains: chains, elements: fragment.elements, affinitySets: fragment.affinitySets, port: port)
    }

    private init(chains: [(key: String, value: Int)], elements: [ProxyMapElement], affinitySets: [AffinitySet], port: ServicePortName) {
        let path = Array(Self.path(of: port).utf8)
        var writer = Writer()
        writer.bytes.reserveCapacity(chains.count * 48 + elements.count * 24 + affinitySets.count * 48 + 4)
        writer.count(chains.count)
        for chain in chains {
            writer.name(chain.key, path: path)
            writer.word(UInt64(bitPattern: Int64(chain.value)))
        }
        writer.count(elements.count)
        for element in elements {
            writer.byte(UInt8(ProxyMap.allCases.firstIndex(of: element.map)!))
            writer.count(element.key.count)
            writer.bytes.append(contentsOf: element.key)
            writer.verdict(element.verdict, chains: chains.lazy.map(\.key), path: path)
        }
        writer.count(affinitySets.count)
        for set in affinitySets {
            writer.name(set.name, path: path)
            writer.word(UInt64(set.timeoutSeconds))
        }
        bytes = writer.bytes
    }

    /// The fragment as packed; `port` must be the one it was packed with.
    func unpacked(port: ServicePortName) -> AppliedFragment {
        let path = Array(Self.path(of: port).utf8)
        var reader = Reader(bytes: bytes)
        var names: [String] = []
        var digests: [String: Int] = [:]
        let chainCount = reader.count()
        names.reserveCapacity(chainCount)
        digests.reserveCapacity(chainCount)
        for _ in 0..<chainCount {
            let name = reader.name(path: path)
            names.append(name)
            digests[name] = Int(Int64(bitPattern: reader.word()))
        }
        var elements: [ProxyMapElement] = []
        let elementCount = reader.count()
        elements.reserveCapacity(elementCount)
        for _ in 0..<elementCount {
            let map = ProxyMap.allCases[Int(reader.byte())]
            let key = reader.take(reader.count())
            elements.append(ProxyMapElement(map: map, key: key, verdict: reader.verdict(chains: names, path: path)))
        }
        var sets: [AffinitySet] = []
        for _ in 0..<reader.count() {
            let name = reader.name(path: path)
            sets.append(AffinitySet(name: name, timeoutSeconds: UInt32(reader.word())))
        }
        return AppliedFragment(elements: elements, chainDigests: digests, affinitySets: sets)
    }

    /// The names of the fragment's chains and affinity sets, without unpacking the rest.
    func objectNames(port: ServicePortName) -> (chains: [String], sets: [String]) {
        let fragment = unpacked(port: port)
        return (Array(fragment.chainDigests.keys), fragment.affinitySets.map(\.name))
    }

    /// This fragment in storage of its own (see `FreshStorage`).
    func copied() -> PackedFragment {
        var copy = self
        copy.bytes = FreshStorage.bytes(bytes)
        return copy
    }

    /// `namespace/name/protocol/port`, the part of every per-port chain name that names the port.
    static func path(of port: ServicePortName) -> String {
        "\(port.service.namespace)/\(port.service.name)/\(port.protocol.nftName)/\(port.port)"
    }

    // Names: 0, length, UTF-8 (stored whole); or 1, head, tail (the name is head + path + tail).
    // Verdicts: 0 none, 1 accept, 2 drop, 3 continue, 4 return, 5/6 jump/goto the chain at an
    // index, 7/8 jump/goto a chain named in full.

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func byte(_ value: UInt8) { bytes.append(value) }

        /// LEB128.
        mutating func count(_ value: Int) {
            var rest = UInt(value)
            while rest >= 0x80 {
                bytes.append(UInt8(rest & 0x7f) | 0x80)
                rest >>= 7
            }
            bytes.append(UInt8(rest))
        }

        mutating func word(_ value: UInt64) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func text(_ utf8: some Collection<UInt8>) {
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }

        mutating func name(_ name: String, path: [UInt8]) {
            var name = name
            name.withUTF8 { utf8 in
                if let start = PackedFragment.firstRange(of: path, in: utf8) {
                    byte(1)
                    text(utf8[..<start])
                    text(utf8[(start + path.count)...])
                } else {
                    byte(0)
                    text(utf8)
                }
            }
        }

        mutating func verdict(_ verdict: NFVerdict?, chains: some Collection<String>, path: [UInt8]) {
            switch verdict {
            case nil: byte(0)
            case .accept: byte(1)
            case .drop: byte(2)
            case .continue: byte(3)
            case .return: byte(4)
            case .jump(let chain), .goto(let chain):
                let isJump = if case .jump = verdict { true } else { false }
                if let index = chains.firstIndex(of: chain) {
                    byte(isJump ? 5 : 6)
                    count(chains.distance(from: chains.startIndex, to: index))
                } else {
                    byte(isJump ? 7 : 8)
                    name(chain, path: path)
                }
            }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func byte() -> UInt8 {
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func count() -> Int {
            var value: UInt = 0
            var shift: UInt = 0
            while true {
                let next = byte()
                value |= UInt(next & 0x7f) << shift
                if next < 0x80 { return Int(value) }
                shift += 7
            }
        }

        mutating func word() -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += 8
            return value
        }

        mutating func take(_ length: Int) -> [UInt8] {
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }

        mutating func name(path: [UInt8]) -> String {
            if byte() == 0 { return String(decoding: take(count()), as: UTF8.self) }
            let head = take(count())
            let tail = take(count())
            return String(decoding: head + path + tail, as: UTF8.self)
        }

        mutating func verdict(chains: [String], path: [UInt8]) -> NFVerdict? {
            switch byte() {
            case 1: .accept
            case 2: .drop
            case 3: .continue
            case 4: .return
            case 5: .jump(chains[count()])
            case 6: .goto(chains[count()])
            case 7: .jump(name(path: path))
            case 8: .goto(name(path: path))
            default: nil
            }
        }
    }

    /// Where `needle` first occurs in `haystack`; nil when it does not, or when it is empty.
    private static func firstRange(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return start }
        }
        return nil
    }
}

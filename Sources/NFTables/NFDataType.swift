import CSwiftletNetfilter

/// The type of a set key part or of map data: nft's datatype number (what `nft list` prints the
/// values as) and the length of one value in bytes.
public struct NFDataType: Sendable, Hashable, CustomStringConvertible {
    /// nft's datatype number (`TYPE_*` in nftables' datatype.h), stored in the set's key/data type.
    public var typeID: UInt32
    /// The length of one value in bytes (0 for verdicts).
    public var length: UInt32
    public var name: String

    public init(typeID: UInt32, length: UInt32, name: String) {
        self.typeID = typeID
        self.length = length
        self.name = name
    }

    public static let verdict = NFDataType(typeID: 1, length: 0, name: "verdict")
    public static let ipv4Address = NFDataType(typeID: 7, length: 4, name: "ipv4_addr")
    public static let ipv6Address = NFDataType(typeID: 8, length: 16, name: "ipv6_addr")
    public static let inetProto = NFDataType(typeID: 12, length: 1, name: "inet_proto")
    public static let inetService = NFDataType(typeID: 13, length: 2, name: "inet_service")
    public static let mark = NFDataType(typeID: 19, length: 4, name: "mark")
    public static let ifname = NFDataType(typeID: 41, length: 16, name: "ifname")

    /// A plain integer of `length` bytes (`numgen ... mod N vmap` keys are 4-byte integers).
    public static func integer(length: UInt32) -> NFDataType {
        NFDataType(typeID: 4, length: length, name: "integer")
    }

    public var description: String { name }

    /// nft's bits per datatype number in a concatenated type (`TYPE_BITS`).
    static let concatenationShift: UInt32 = 6

    /// The datatype number of a concatenation of `parts`, as nft composes it.
    static func concatenatedTypeID(_ parts: [NFDataType]) -> UInt32 {
        parts.reduce(0) { ($0 << concatenationShift) | $1.typeID }
    }

    /// The key length of a concatenation: each part takes whole 4-byte registers; a single
    /// part keeps its own length.
    static func keyLength(_ parts: [NFDataType]) -> UInt32 {
        if parts.count == 1 { return parts[0].length }
        return parts.reduce(0) { $0 + ($1.length + 3) / 4 * 4 }
    }
}

extension NFDataType {
    /// Whether values of this type are in host byte order (integers that come from metadata,
    /// such as marks and numgen results), as opposed to network order (packet fields).
    var isHostOrder: Bool { typeID == 4 || typeID == 19 }
}

extension NFDataType {
    /// The datatypes swiftlet names, by nft's number.
    static let knownTypes: [NFDataType] = [.verdict, .ipv4Address, .ipv6Address, .inetProto, .inetService, .mark, .ifname]

    /// The type with `typeID`, with its known length, or `length` for integers and unknown types.
    static func known(typeID: UInt32, length: UInt32) -> NFDataType {
        if let type = knownTypes.first(where: { $0.typeID == typeID }) { return type }
        if typeID == 4 { return .integer(length: length) }
        return NFDataType(typeID: typeID, length: length, name: "type \(typeID)")
    }

    /// Splits a concatenated key type back into its parts (the inverse of `concatenatedTypeID`).
    /// Integer parts take their length from the set's field lengths, or from the key length.
    static func parts(ofConcatenatedTypeID typeID: UInt32, keyLength: UInt32, fieldLengths: [UInt32]) -> [NFDataType] {
        var ids: [UInt32] = []
        var rest = typeID
        let mask: UInt32 = (1 << concatenationShift) - 1
        repeat {
            ids.insert(rest & mask, at: 0)
            rest >>= concatenationShift
        } while rest != 0
        if ids.count == 1 { return [known(typeID: ids[0], length: keyLength)] }
        return ids.enumerated().map { index, id in
            known(typeID: id, length: index < fieldLengths.count ? fieldLengths[index] : 4)
        }
    }
}

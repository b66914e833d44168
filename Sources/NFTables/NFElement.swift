/// One element of a set or map: the key bytes (a concatenation already laid out in 4-byte
/// registers), the data of a map element, an optional timeout and an optional comment.
public struct NFElement: Sendable, Hashable {
    public var key: [UInt8]
    public var value: Value?
    /// The element's timeout in milliseconds (the set needs the `timeout` flag).
    public var timeoutMilliseconds: UInt64?
    /// A comment kept by the kernel with the element (in its user data, where `nft` shows it as
    /// `comment "..."`): at most `maximumCommentLength` bytes, for telling whose an element is.
    public var comment: String?

    /// The longest comment `nft` accepts (`NFTNL_UDATA_COMMENT_MAXLEN` less its NUL).
    public static let maximumCommentLength = 127

    public init(key: [UInt8], value: Value? = nil, timeoutMilliseconds: UInt64? = nil, comment: String? = nil) {
        self.key = key
        self.value = value
        self.timeoutMilliseconds = timeoutMilliseconds
        self.comment = comment
    }

    /// A map element's data.
    public enum Value: Sendable, Hashable {
        case verdict(NFVerdict)
        case data([UInt8])
    }

    /// The key of a concatenation: each part padded with zeros to whole 4-byte registers.
    public static func concatenatedKey(_ parts: [UInt8]...) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(parts.reduce(0) { $0 + ($1.count + 3) / 4 * 4 })
        for part in parts {
            key.append(contentsOf: part)
            key.append(contentsOf: repeatElement(0, count: (4 - part.count % 4) % 4))
        }
        return key
    }
}

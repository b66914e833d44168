// Upstream's quantity scanner: where the sign, digits and suffix of quantity text are.

/// Where the pieces of quantity text are, as upstream's scanner (`parseQuantityString`) finds
/// them: a sign, integer digits without leading zeros, fraction digits, and a suffix.
struct ScannedQuantity {
    var positive = true
    /// Integer digits after any leading zeros; empty stands for "0".
    var numerator: Range<Int> = 0..<0
    /// Fraction digits, possibly empty.
    var denominator: Range<Int> = 0..<0
    /// The suffix, possibly empty.
    var suffix: Range<Int> = 0..<0

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isSuffixCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "u"),
             UInt8(ascii: "m"), UInt8(ascii: "k"), UInt8(ascii: "K"), UInt8(ascii: "M"), UInt8(ascii: "G"),
             UInt8(ascii: "T"), UInt8(ascii: "P"):
            return true
        default:
            return false
        }
    }

    /// Nil when the text does not have the quantity shape.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var position = 0
        let end = bytes.count
        if position < end {
            if bytes[0] == UInt8(ascii: "-") {
                positive = false
                position += 1
            } else if bytes[0] == UInt8(ascii: "+") {
                position += 1
            }
        }
        while position < end && bytes[position] == UInt8(ascii: "0") { position += 1 }
        numerator = position..<position
        denominator = end..<end
        suffix = end..<end
        if position >= end { return }

        let numeratorStart = position
        while position < end && Self.isDigit(bytes[position]) { position += 1 }
        numerator = numeratorStart..<position
        if position >= end { return }

        if bytes[position] == UInt8(ascii: ".") {
            position += 1
            let denominatorStart = position
            while position < end && Self.isDigit(bytes[position]) { position += 1 }
            denominator = denominatorStart..<position
            if position >= end { return }
        }

        let suffixStart = position
        while position < end && Self.isSuffixCharacter(bytes[position]) { position += 1 }
        if position < end && (bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")) {
            position += 1
        }
        while position < end && Self.isDigit(bytes[position]) { position += 1 }
        guard position >= end else { return nil }
        suffix = suffixStart..<end
    }
}

// Parsing quantity text as upstream's ParseQuantity does, with the same grammar, rounding, caps
// and errors.

extension Quantity {
    /// Parses quantity text such as `100m`, `1.5Gi`, `1e3`, `-0.5` or `+2k`.
    ///
    /// Values are rounded up (away from zero) to nano units, and binary-suffixed values above
    /// 2^63-1 are capped there, as upstream does. Surrounding whitespace is an error.
    /// - Throws: `QuantityParseError` naming the text and what was expected.
    public init(parsing text: String) throws(QuantityParseError) {
        if text == "0" {
            self.init(amount: .zero, format: .decimalSI, parsedText: text)
            return
        }
        var utf8Text = text
        let outcome = utf8Text.withUTF8 { Quantity.parse($0) }
        switch outcome {
        case .failure(let reason):
            throw QuantityParseError(reason: reason, text: text)
        case .success(let parsed):
            self.init(amount: parsed.amount, format: parsed.format, parsedText: parsed.keepsText ? text : nil)
        }
    }

    private struct Parsed {
        var amount: ExactDecimal
        var format: Format
        var keepsText: Bool
    }

    private enum Outcome {
        case success(Parsed)
        case failure(QuantityParseError.Reason)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        if bytes.isEmpty { return .failure(.formatWrong) }
        guard let scanned = ScannedQuantity(bytes) else { return .failure(.formatWrong) }
        guard let (base, suffixExponent, format) = interpret(suffix: UnsafeBufferPointer(rebasing: bytes[scanned.suffix])) else {
            return .failure(.suffix)
        }
        let numerator = UnsafeBufferPointer(rebasing: bytes[scanned.numerator])
        let denominator = UnsafeBufferPointer(rebasing: bytes[scanned.denominator])
        guard let integerPart = BigUnsigned(decimalDigits: numerator),
              let fractionPart = BigUnsigned(decimalDigits: denominator)
        else { return .failure(.numeric) }

        var magnitude = integerPart.multiplied(byPowerOfTen: denominator.count).adding(fractionPart)
        var exponent = -denominator.count
        if base == 10 {
            exponent += suffixExponent
        } else {
            magnitude = magnitude.multiplied(by: UInt64(1) << UInt64(suffixExponent))
        }
        // Round non-zero values up to one nano unit at least: asking for a tiny amount of a
        // resource should give some of it, never none.
        var amount = ExactDecimal(isNegative: false, magnitude: magnitude, exponent: exponent)
            .roundedAwayFromZero(toExponent: -9).value
        var resultFormat = format
        if format == .binarySI {
            if ExactDecimal.compare(amount, maxAllowed) > 0 { amount = maxAllowed }
            if !amount.isZero && ExactDecimal.compare(amount, ExactDecimal(1)) < 0 { resultFormat = .decimalSI }
        }
        if !scanned.positive { amount = amount.negated }
        let keepsText = isCanonicalAsWritten(
            numerator: numerator, denominator: denominator, base: base, suffixExponent: suffixExponent, format: format)
        return .success(Parsed(amount: amount, format: resultFormat, keepsText: keepsText))
    }

    /// 2^63-1, the cap on binary-suffixed values.
    static let maxAllowed = ExactDecimal(Int64.max)

    /// Whether upstream's fast path would keep the text as the canonical string: the value fits
    /// 64 bits at a scale of nano or coarser, and its digits are already in canonical shape.
    /// Upstream reads the digits as `num + denom`, with `num` written "0" when it is empty.
    private static func isCanonicalAsWritten(
        numerator: UnsafeBufferPointer<UInt8>, denominator: UnsafeBufferPointer<UInt8>,
        base: Int, suffixExponent: Int, format: Format
    ) -> Bool {
        let numeratorLength = Swift.max(1, numerator.count)
        var multiplier: Int64 = 1
        let precision: Int
        switch format {
        case .decimalExponent, .decimalSI:
            precision = 18 - (numeratorLength + denominator.count)
        case .binarySI:
            guard denominator.isEmpty else { return false }
            multiplier = Int64(1) << Int64(suffixExponent)
            precision = 15 - numeratorLength - Int(Float(suffixExponent) * 3 / 10) - 1
        }
        guard precision >= 0 else { return false }
        let scale = (base == 10 ? suffixExponent : 0) - denominator.count
        guard scale >= -9 else { return false }
        var value: Int64 = 0
        for byte in numerator { value = value * 10 + Int64(byte - 0x30) }
        for byte in denominator { value = value * 10 + Int64(byte - 0x30) }
        guard !value.multipliedReportingOverflow(by: multiplier).overflow else { return false }
        switch format {
        case .binarySI:
            return suffixExponent % 10 == 0 && value & 0x07 != 0
        case .decimalExponent, .decimalSI:
            // The digits upstream looks at are `num + denom`, with an empty `num` written "0".
            func digit(fromEnd offset: Int) -> UInt8? {
                if offset < denominator.count { return denominator[denominator.count - 1 - offset] }
                let index = offset - denominator.count
                if numerator.isEmpty { return index == 0 ? 0x30 : nil }
                return index < numerator.count ? numerator[numerator.count - 1 - index] : nil
            }
            let endsWithThreeZeros = (0..<3).allSatisfy { digit(fromEnd: $0) == 0x30 }
            let startsWithZero = numerator.isEmpty
            return scale % 3 == 0 && !endsWithThreeZeros && !startsWithZero
        }
    }

    /// The base, exponent and format a suffix stands for, or nil when it is unknown.
    static func interpret(suffix: UnsafeBufferPointer<UInt8>) -> (base: Int, exponent: Int, format: Format)? {
        switch suffix.count {
        case 0:
            return (10, 0, .decimalSI)
        case 1:
            switch suffix[0] {
            case UInt8(ascii: "n"): return (10, -9, .decimalSI)
            case UInt8(ascii: "u"): return (10, -6, .decimalSI)
            case UInt8(ascii: "m"): return (10, -3, .decimalSI)
            case UInt8(ascii: "k"): return (10, 3, .decimalSI)
            case UInt8(ascii: "M"): return (10, 6, .decimalSI)
            case UInt8(ascii: "G"): return (10, 9, .decimalSI)
            case UInt8(ascii: "T"): return (10, 12, .decimalSI)
            case UInt8(ascii: "P"): return (10, 15, .decimalSI)
            case UInt8(ascii: "E"): return (10, 18, .decimalSI)
            default: return nil
            }
        default:
            if suffix.count == 2 && suffix[1] == UInt8(ascii: "i") {
                switch suffix[0] {
                case UInt8(ascii: "K"): return (2, 10, .binarySI)
                case UInt8(ascii: "M"): return (2, 20, .binarySI)
                case UInt8(ascii: "G"): return (2, 30, .binarySI)
                case UInt8(ascii: "T"): return (2, 40, .binarySI)
                case UInt8(ascii: "P"): return (2, 50, .binarySI)
                case UInt8(ascii: "E"): return (2, 60, .binarySI)
                default: return nil
                }
            }
            guard suffix[0] == UInt8(ascii: "e") || suffix[0] == UInt8(ascii: "E"),
                  let parsed = Int64(String(decoding: suffix.dropFirst(), as: UTF8.self)),
                  parsed >= -Int64(Int32.max), parsed <= Int64(Int32.max)
            else { return nil }
            return (10, Int(parsed), .decimalExponent)
        }
    }
}

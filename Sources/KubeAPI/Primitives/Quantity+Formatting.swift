// Printing a Quantity in upstream's canonical form (CanonicalizeBytes).

extension Quantity: CustomStringConvertible, LosslessStringConvertible {
    /// The canonical text: no fractional digits, the largest exponent or suffix that loses no
    /// precision, the sign only when negative (`1536Mi`, `500m`, `1e3`, `-9010m`).
    public var description: String {
        if let parsedText { return parsedText }
        let (number, suffix) = canonicalParts
        return number + suffix
    }

    /// Parses `text`, or nil when it is not a quantity (see `init(parsing:)`).
    public init?(_ description: String) {
        guard let parsed = try? Quantity(parsing: description) else { return nil }
        self = parsed
    }

    /// The canonical number and suffix, computed afresh (ignoring any text kept from parsing).
    public var canonicalParts: (number: String, suffix: String) {
        if amount.isZero { return ("0", "") }
        var effectiveFormat = format
        if format == .binarySI {
            // Small binary values and fractions print as DecimalSI, to avoid rounding.
            if ExactDecimal.compare(amount, ExactDecimal(-1024)) > 0 && ExactDecimal.compare(amount, ExactDecimal(1024)) < 0 {
                effectiveFormat = .decimalSI
            } else if !amount.roundedAwayFromZero(toExponent: 0).exact {
                effectiveFormat = .decimalSI
            }
        }
        switch effectiveFormat {
        case .decimalExponent, .decimalSI:
            let (number, exponent) = Quantity.canonicalBase10(amount)
            if effectiveFormat == .decimalSI, let suffix = Quantity.decimalSuffix(exponent: exponent) {
                return (number, suffix)
            }
            // Past E or below n there is no DecimalSI suffix: fall back to an exponent.
            return (number, exponent == 0 ? "" : "e\(exponent)")
        case .binarySI:
            let integer = amount.roundedAwayFromZero(toExponent: 0).value
            var magnitude = integer.magnitude.multiplied(byPowerOfTen: integer.exponent)
            var power = 0
            while power < 6 {
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 1024)
                if remainder != 0 { break }
                magnitude = quotient
                power += 1
            }
            if power == 6 && magnitude.quotientAndRemainder(dividingBy: 1024).remainder == 0 {
                // Past Ei there is no binary suffix: print the exact decimal instead.
                let (number, exponent) = Quantity.canonicalBase10(amount)
                return (number, exponent == 0 ? "" : "e\(exponent)")
            }
            let sign = amount.isNegative ? "-" : ""
            return (sign + magnitude.decimalString, Quantity.binarySuffixes[power])
        }
    }

    private static let binarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    private static func decimalSuffix(exponent: Int) -> String? {
        switch exponent {
        case -9: return "n"
        case -6: return "u"
        case -3: return "m"
        case 0: return ""
        case 3: return "k"
        case 6: return "M"
        case 9: return "G"
        case 12: return "T"
        case 15: return "P"
        case 18: return "E"
        default: return nil
        }
    }

    /// The signed mantissa digits and an exponent that is a multiple of three, with every other
    /// factor of ten in the exponent (`1.1e5` → ("110", 3)).
    private static func canonicalBase10(_ amount: ExactDecimal) -> (String, Int) {
        let normalized = amount.normalized
        var magnitude = normalized.magnitude
        var exponent = normalized.exponent
        let remainder = ((exponent % 3) + 3) % 3
        if remainder != 0 {
            magnitude = magnitude.multiplied(byPowerOfTen: remainder)
            exponent -= remainder
        }
        return ((amount.isNegative ? "-" : "") + magnitude.decimalString, exponent)
    }
}

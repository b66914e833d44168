// The exact number behind a Quantity: sign × magnitude × 10^exponent.

/// An exact signed decimal, `(negative ? -1 : 1) × magnitude × 10^exponent`.
///
/// This plays the part of upstream's `int64Amount`/`inf.Dec` pair in one type. Equality and
/// hashing are by value: `10 × 10^0` equals `1 × 10^1`.
struct ExactDecimal: Sendable, Hashable, Comparable {
    /// True for values below zero; zero is never negative.
    private(set) var isNegative: Bool
    /// The absolute value of the unscaled number.
    private(set) var magnitude: BigUnsigned
    /// The power of ten the magnitude is multiplied by.
    private(set) var exponent: Int

    static let zero = ExactDecimal(isNegative: false, magnitude: .zero, exponent: 0)

    init(isNegative: Bool, magnitude: BigUnsigned, exponent: Int) {
        self.isNegative = isNegative && !magnitude.isZero
        self.magnitude = magnitude
        self.exponent = magnitude.isZero ? 0 : exponent
    }

    /// `value × 10^exponent`.
    init(_ value: Int64, exponent: Int = 0) {
        self.init(isNegative: value < 0, magnitude: BigUnsigned(value.magnitude), exponent: exponent)
    }

    var isZero: Bool { magnitude.isZero }

    /// -1, 0 or 1.
    var sign: Int { isZero ? 0 : (isNegative ? -1 : 1) }

    var negated: ExactDecimal {
        ExactDecimal(isNegative: !isNegative, magnitude: magnitude, exponent: exponent)
    }

    var absoluteValue: ExactDecimal {
        ExactDecimal(isNegative: false, magnitude: magnitude, exponent: exponent)
    }

    /// The same value with every trailing decimal zero moved into the exponent.
    var normalized: ExactDecimal {
        let (remaining, count) = magnitude.removingFactors(of: 10)
        return ExactDecimal(isNegative: isNegative, magnitude: remaining, exponent: exponent + count)
    }

    /// Bounds on `e` where `10^(e-1) <= |self| < 10^e`, from the bit width alone (non-zero values).
    private var decimalOrderBounds: (low: Int, high: Int) {
        let bits = magnitude.bitWidth
        return (bits / 4 + exponent, bits / 3 + 1 + exponent)
    }

    /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
    static func compare(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> Int {
        let leftSign = lhs.sign, rightSign = rhs.sign
        if leftSign != rightSign { return leftSign < rightSign ? -1 : 1 }
        if leftSign == 0 { return 0 }
        // Settle what the orders of magnitude decide before aligning, so a huge exponent
        // difference never has to be written out in digits.
        let left = lhs.decimalOrderBounds, right = rhs.decimalOrderBounds
        if left.low > right.high { return leftSign }
        if left.high < right.low { return -leftSign }
        let (leftMagnitude, rightMagnitude) = aligned(lhs, rhs)
        return BigUnsigned.compare(leftMagnitude, rightMagnitude) * leftSign
    }

    /// Both magnitudes rewritten at the smaller of the two exponents.
    private static func aligned(_ lhs: ExactDecimal, _ rhs: ExactDecimal) -> (BigUnsigned, BigUnsigned) {
        if lhs.exponent == rhs.exponent { return (lhs.magnitude, rhs.magnitude) }
        if lhs.exponent > rhs.exponent {
            return (lhs.magnitude.multiplied(byPowerOfTen: lhs.exponent - rhs.exponent), rhs.magnitude)
        }
        return (lhs.magnitude, rhs.magnitude.multiplied(byPowerOfTen: rhs.exponent - lhs.exponent))
    }

    static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { compare(lhs, rhs) == 0 }

    func hash(into hasher: inout Hasher) {
        let value = normalized
        hasher.combine(value.isNegative)
        hasher.combine(value.magnitude)
        hasher.combine(value.exponent)
    }

    /// The exact sum.
    static func + (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        if rhs.isZero { return lhs }
        if lhs.isZero { return rhs }
        let exponent = Swift.min(lhs.exponent, rhs.exponent)
        let (left, right) = aligned(lhs, rhs)
        if lhs.isNegative == rhs.isNegative {
            return ExactDecimal(isNegative: lhs.isNegative, magnitude: left.adding(right), exponent: exponent)
        }
        if BigUnsigned.compare(left, right) >= 0 {
            return ExactDecimal(isNegative: lhs.isNegative, magnitude: left.subtracting(right), exponent: exponent)
        }
        return ExactDecimal(isNegative: rhs.isNegative, magnitude: right.subtracting(left), exponent: exponent)
    }

    /// The exact difference.
    static func - (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal { lhs + rhs.negated }

    /// The exact product with an integer.
    func multiplied(by factor: Int64) -> ExactDecimal {
        ExactDecimal(
            isNegative: isNegative != (factor < 0),
            magnitude: magnitude.multiplied(by: factor.magnitude),
            exponent: exponent
        )
    }

    /// This value rounded away from zero to a multiple of `10^target`, and whether that was exact.
    ///
    /// Upstream's `inf.RoundUp` and `AsScale`: `9.01` at exponent -1 is `9.1`; `-9.01` is `-9.1`.
    func roundedAwayFromZero(toExponent target: Int) -> (value: ExactDecimal, exact: Bool) {
        if isZero || exponent >= target { return (self, true) }
        let dropped = target - exponent
        // A magnitude below 10^dropped rounds to one unit; decided from the bit width so a huge
        // negative exponent never turns into a huge division.
        if dropped >= magnitude.bitWidth / 3 + 1 {
            return (ExactDecimal(isNegative: isNegative, magnitude: BigUnsigned(1), exponent: target), false)
        }
        let (quotient, exact) = magnitude.dividedExactly(byPowerOfTen: dropped)
        let rounded = exact ? quotient : quotient.adding(1)
        return (ExactDecimal(isNegative: isNegative, magnitude: rounded, exponent: target), exact)
    }

    /// `ceil-away-from-zero(self / 10^scale)` as an Int64, saturating at the Int64 bounds.
    func scaledInt64(atExponent scale: Int) -> Int64 {
        if isZero { return 0 }
        let (rounded, _) = roundedAwayFromZero(toExponent: scale)
        let shift = rounded.exponent - scale
        // 10^19 already exceeds Int64, so a larger shift always saturates.
        let limit: UInt64 = isNegative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        let saturated: Int64 = isNegative ? .min : .max
        guard shift < 19, let word = rounded.magnitude.multiplied(byPowerOfTen: shift).uint64Value, word <= limit else {
            return saturated
        }
        return isNegative ? Int64(truncatingIfNeeded: 0 &- word) : Int64(word)
    }

    /// The value as an Int64 when it is an integer that fits, else nil.
    var int64Value: Int64? {
        if isZero { return 0 }
        let value = normalized
        guard value.exponent >= 0, value.exponent < 19,
              let word = value.magnitude.multiplied(byPowerOfTen: value.exponent).uint64Value
        else { return nil }
        if value.isNegative {
            return word <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- word) : nil
        }
        return word <= UInt64(Int64.max) ? Int64(word) : nil
    }

    /// The nearest Double (may lose precision; ±infinity beyond the Double range).
    var approximateDouble: Double {
        if isZero { return 0 }
        let digits = magnitude.decimalString
        let value = Double("\(isNegative ? "-" : "")\(digits)e\(exponent)") ?? (isNegative ? -.infinity : .infinity)
        return value
    }
}

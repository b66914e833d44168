// Exact arithmetic on quantities, with upstream's rules for which format the result keeps.

extension Quantity {
    /// Adds `other` exactly. When this quantity is zero it takes `other`'s format (upstream's `Add`).
    public mutating func add(_ other: Quantity) {
        if amount.isZero { format = other.format }
        amount = amount + other.amount
        parsedText = nil
    }

    /// Subtracts `other` exactly. When this quantity is zero it takes `other`'s format
    /// (upstream's `Sub`).
    public mutating func subtract(_ other: Quantity) {
        if amount.isZero { format = other.format }
        amount = amount - other.amount
        parsedText = nil
    }

    /// Multiplies by `factor` exactly.
    public mutating func multiply(by factor: Int64) {
        amount = amount.multiplied(by: factor)
        parsedText = nil
    }

    /// Makes the value its own negative.
    public mutating func negate() {
        amount = amount.negated
        parsedText = nil
    }

    /// Rounds away from zero to a multiple of `10^scale` and returns whether no precision was
    /// lost (upstream's `RoundUp`): `9.01` at scale -1 becomes `9.1` and returns false.
    @discardableResult
    public mutating func roundUp(scale: Int) -> Bool {
        let (rounded, exact) = amount.roundedAwayFromZero(toExponent: scale)
        if !exact {
            amount = rounded
            parsedText = nil
        }
        return exact
    }

    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        var result = lhs
        result.add(rhs)
        return result
    }

    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        var result = lhs
        result.subtract(rhs)
        return result
    }

    public static prefix func - (operand: Quantity) -> Quantity {
        var result = operand
        result.negate()
        return result
    }

    public static func += (lhs: inout Quantity, rhs: Quantity) { lhs.add(rhs) }

    public static func -= (lhs: inout Quantity, rhs: Quantity) { lhs.subtract(rhs) }
}

// An unsigned integer of any size, just large enough for exact Quantity arithmetic.
//
// Kubernetes quantities are fixed-point decimals that may exceed 64 bits (upstream falls back to
// `inf.Dec` over `big.Int`). Only the few operations a decimal needs are here: decimal text in and
// out, addition, subtraction, multiplication and division by a machine word.

/// A non-negative integer of arbitrary size.
///
/// Values that fit one 64-bit word are stored inline (no allocation), larger ones as 64-bit
/// limbs, least significant first; the operations take a word-sized fast path when they can.
struct BigUnsigned: Sendable, Hashable, Comparable {
    private enum Storage: Sendable, Hashable {
        /// A value below 2^64.
        case word(UInt64)
        /// Two or more limbs, least significant first, the last one non-zero.
        case limbs([UInt64])
    }

    private var storage: Storage

    /// The limbs, least significant first, with no most-significant zero limb (zero has none).
    var limbs: [UInt64] {
        switch storage {
        case .word(let word): return word == 0 ? [] : [word]
        case .limbs(let limbs): return limbs
        }
    }

    /// Zero.
    static let zero = BigUnsigned(0)

    /// 10^19, the largest power of ten that fits a limb.
    static let tenToThe19: UInt64 = 10_000_000_000_000_000_000

    private init(limbs: [UInt64]) {
        var limbs = limbs
        while let last = limbs.last, last == 0 { limbs.removeLast() }
        storage = limbs.count <= 1 ? .word(limbs.first ?? 0) : .limbs(limbs)
    }

    /// The value `word`.
    init(_ word: UInt64) {
        storage = .word(word)
    }

    /// Parses decimal digits (`0`-`9` only, at least one); nil when a byte is not a digit.
    init?(decimalDigits digits: some Collection<UInt8>) {
        if digits.count <= 19 {
            var word: UInt64 = 0
            for byte in digits {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                word = word &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
            }
            self.init(word)
            return
        }
        var result = BigUnsigned.zero
        var chunk: UInt64 = 0
        var chunkLength = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            chunk = chunk &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
            chunkLength += 1
            if chunkLength == 19 {
                result = result.multiplied(by: BigUnsigned.tenToThe19).adding(chunk)
                chunk = 0
                chunkLength = 0
            }
        }
        if chunkLength > 0 {
            result = result.multiplied(by: BigUnsigned.powerOfTen(chunkLength)).adding(chunk)
        }
        self = result
    }

    var isZero: Bool {
        if case .word(0) = storage { return true }
        return false
    }

    /// The value as one word, or nil when it needs more than 64 bits.
    var uint64Value: UInt64? {
        if case .word(let word) = storage { return word }
        return nil
    }

    /// The number of significant bits (0 for zero).
    var bitWidth: Int {
        switch storage {
        case .word(let word): return 64 - word.leadingZeroBitCount
        case .limbs(let limbs): return limbs.count * 64 - limbs[limbs.count - 1].leadingZeroBitCount
        }
    }

    /// 10^exponent for 0 ≤ exponent ≤ 19.
    static func powerOfTen(_ exponent: Int) -> UInt64 {
        precondition(exponent >= 0 && exponent <= 19, "power of ten out of word range")
        var result: UInt64 = 1
        for _ in 0..<exponent { result &*= 10 }
        return result
    }

    static func < (lhs: BigUnsigned, rhs: BigUnsigned) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
    static func compare(_ lhs: BigUnsigned, _ rhs: BigUnsigned) -> Int {
        if case .word(let left) = lhs.storage, case .word(let right) = rhs.storage {
            return left == right ? 0 : (left < right ? -1 : 1)
        }
        let lhs = lhs.limbs, rhs = rhs.limbs
        if lhs.count != rhs.count { return lhs.count < rhs.count ? -1 : 1 }
        var index = lhs.count - 1
        while index >= 0 {
            let left = lhs[index], right = rhs[index]
            if left != right { return left < right ? -1 : 1 }
            index -= 1
        }
        return 0
    }

    /// `self + word`.
    func adding(_ word: UInt64) -> BigUnsigned {
        adding(BigUnsigned(word))
    }

    /// `self + other`.
    func adding(_ other: BigUnsigned) -> BigUnsigned {
        if other.isZero { return self }
        if isZero { return other }
        if case .word(let left) = storage, case .word(let right) = other.storage {
            let (sum, overflow) = left.addingReportingOverflow(right)
            return overflow ? BigUnsigned(limbs: [sum, 1]) : BigUnsigned(sum)
        }
        let limbs = self.limbs, otherLimbs = other.limbs
        let count = Swift.max(limbs.count, otherLimbs.count)
        var result = [UInt64]()
        result.reserveCapacity(count + 1)
        var carry: UInt64 = 0
        for index in 0..<count {
            let left = index < limbs.count ? limbs[index] : 0
            let right = index < otherLimbs.count ? otherLimbs[index] : 0
            let (partial, overflow1) = left.addingReportingOverflow(right)
            let (sum, overflow2) = partial.addingReportingOverflow(carry)
            result.append(sum)
            carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        if carry != 0 { result.append(carry) }
        return BigUnsigned(limbs: result)
    }

    /// `self - other`; the caller guarantees `self >= other`.
    func subtracting(_ other: BigUnsigned) -> BigUnsigned {
        precondition(BigUnsigned.compare(self, other) >= 0, "BigUnsigned subtraction below zero")
        if other.isZero { return self }
        if case .word(let left) = storage, case .word(let right) = other.storage {
            return BigUnsigned(left - right)
        }
        let otherLimbs = other.limbs
        var result = limbs
        var borrow: UInt64 = 0
        for index in 0..<result.count {
            let right = index < otherLimbs.count ? otherLimbs[index] : 0
            let (partial, overflow1) = result[index].subtractingReportingOverflow(right)
            let (difference, overflow2) = partial.subtractingReportingOverflow(borrow)
            result[index] = difference
            borrow = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
        }
        return BigUnsigned(limbs: result)
    }

    /// `self * word`.
    func multiplied(by word: UInt64) -> BigUnsigned {
        if isZero || word == 0 { return .zero }
        if word == 1 { return self }
        if case .word(let value) = storage {
            let (high, low) = value.multipliedFullWidth(by: word)
            return high == 0 ? BigUnsigned(low) : BigUnsigned(limbs: [low, high])
        }
        var result = [UInt64]()
        result.reserveCapacity(limbs.count + 1)
        var carry: UInt64 = 0
        for limb in limbs {
            let (high, low) = limb.multipliedFullWidth(by: word)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            result.append(sum)
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { result.append(carry) }
        return BigUnsigned(limbs: result)
    }

    /// `self * 10^exponent` for a non-negative exponent.
    func multiplied(byPowerOfTen exponent: Int) -> BigUnsigned {
        precondition(exponent >= 0, "negative power of ten")
        if isZero { return self }
        var result = self
        var remaining = exponent
        while remaining >= 19 {
            result = result.multiplied(by: BigUnsigned.tenToThe19)
            remaining -= 19
        }
        if remaining > 0 { result = result.multiplied(by: BigUnsigned.powerOfTen(remaining)) }
        return result
    }

    /// The quotient and remainder of `self / divisor` for a non-zero word.
    func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: BigUnsigned, remainder: UInt64) {
        precondition(divisor != 0, "division by zero")
        if case .word(let value) = storage {
            return (BigUnsigned(value / divisor), value % divisor)
        }
        let limbs = self.limbs
        var quotient = [UInt64](repeating: 0, count: limbs.count)
        var remainder: UInt64 = 0
        var index = limbs.count - 1
        while index >= 0 {
            let (q, r) = divisor.dividingFullWidth((high: remainder, low: limbs[index]))
            quotient[index] = q
            remainder = r
            index -= 1
        }
        return (BigUnsigned(limbs: quotient), remainder)
    }

    /// The quotient of `self / 10^exponent` and whether the remainder was zero.
    func dividedExactly(byPowerOfTen exponent: Int) -> (quotient: BigUnsigned, exact: Bool) {
        var result = self
        var exact = true
        var remaining = exponent
        while remaining > 0 && !result.isZero {
            let step = Swift.min(remaining, 19)
            let (quotient, remainder) = result.quotientAndRemainder(dividingBy: BigUnsigned.powerOfTen(step))
            if remainder != 0 { exact = false }
            result = quotient
            remaining -= step
        }
        return (result, exact)
    }

    /// Removes every factor `base` (> 1) and returns what is left and how many were removed.
    func removingFactors(of base: UInt64) -> (remaining: BigUnsigned, count: Int) {
        if isZero { return (self, 0) }
        var result = self
        var count = 0
        while true {
            let (quotient, remainder) = result.quotientAndRemainder(dividingBy: base)
            if remainder != 0 { return (result, count) }
            result = quotient
            count += 1
        }
    }

    /// The value in decimal digits, without sign or leading zeros ("0" for zero).
    var decimalString: String {
        if let word = uint64Value { return String(word) }
        var chunks: [UInt64] = []
        var rest = self
        while !rest.isZero {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: BigUnsigned.tenToThe19)
            chunks.append(remainder)
            rest = quotient
        }
        var text = String(chunks.removeLast())
        for chunk in chunks.reversed() {
            let digits = String(chunk)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }
}

// Quantity: `io.k8s.apimachinery.pkg.api.resource.Quantity`, an exact fixed-point number with a
// suffix, as `k8s.io/apimachinery/pkg/api/resource` parses, compares and prints it.

/// A Kubernetes resource quantity such as `100m`, `1Gi`, `1e3` or `0.5`.
///
/// The number is exact (never a floating point value) and of any size; parsing rounds it up to
/// nano units and caps binary-suffixed values at 2^63-1 exactly as upstream does. The format of
/// the suffix it was written with is remembered and used again when it is printed in canonical
/// form (`1.5Gi` prints as `1536Mi`, `0.5` as `500m`, `1000m` as `1`).
///
/// Equality, hashing and ordering are by numeric value only: `1Gi == 1024Mi` and
/// `1k == 1000`, whatever their formats.
public struct Quantity: Sendable {
    /// The three ways a quantity's suffix can be written.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// `12e6`: a decimal exponent.
        case decimalExponent = "DecimalExponent"
        /// `12Mi`: powers of 1024 (Ki, Mi, Gi, Ti, Pi, Ei).
        case binarySI = "BinarySI"
        /// `12M`: powers of 1000 (n, u, m, "", k, M, G, T, P, E).
        case decimalSI = "DecimalSI"
    }

    /// The exact value.
    var amount: ExactDecimal

    /// The format used when printing; changing it changes only how the value prints.
    public var format: Format {
        didSet { if format != oldValue { parsedText = nil } }
    }

    /// The text this quantity was parsed from, kept when upstream would keep it (it is already
    /// canonical), so printing an unchanged parsed value gives back the same bytes.
    var parsedText: String?

    init(amount: ExactDecimal, format: Format, parsedText: String? = nil) {
        self.amount = amount
        self.format = format
        self.parsedText = parsedText
    }

    /// Zero, printed as `0`.
    public static let zero = Quantity(amount: .zero, format: .decimalSI)

    /// `value` in the given format (upstream's `NewQuantity`).
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(amount: ExactDecimal(value), format: format)
    }

    /// `value / 1000` in the given format (upstream's `NewMilliQuantity`).
    public init(milli value: Int64, format: Format = .decimalSI) {
        self.init(amount: ExactDecimal(value, exponent: -3), format: format)
    }

    /// `value × 10^scale` in DecimalSI (upstream's `NewScaledQuantity`).
    public init(_ value: Int64, scale: Int) {
        self.init(amount: ExactDecimal(value, exponent: scale), format: .decimalSI)
    }

    /// True when the value is zero.
    public var isZero: Bool { amount.isZero }

    /// -1, 0 or 1.
    public var sign: Int { amount.sign }

    /// The value rounded up (away from zero) to an integer, saturating at the Int64 bounds
    /// (upstream's `Value()`).
    public var value: Int64 { amount.scaledInt64(atExponent: 0) }

    /// `value × 1000` rounded up (away from zero), saturating at the Int64 bounds
    /// (upstream's `MilliValue()`).
    public var milliValue: Int64 { amount.scaledInt64(atExponent: -3) }

    /// `value / 10^scale` rounded up (away from zero), saturating at the Int64 bounds
    /// (upstream's `ScaledValue`): `Quantity(1).scaledValue(scale: -3) == 1000`.
    public func scaledValue(scale: Int) -> Int64 { amount.scaledInt64(atExponent: scale) }

    /// The value when it is an integer that fits an Int64, else nil (upstream's `AsInt64`).
    public var int64Value: Int64? { amount.int64Value }

    /// The nearest Double; may lose precision (upstream's `AsApproximateFloat64`).
    public var approximateDouble: Double { amount.approximateDouble }

    /// -1, 0 or 1 as this quantity is less than, equal to or greater than `other`.
    public func compare(_ other: Quantity) -> Int { ExactDecimal.compare(amount, other.amount) }

    /// -1, 0 or 1 as this quantity is less than, equal to or greater than `other`.
    public func compare(_ other: Int64) -> Int { ExactDecimal.compare(amount, ExactDecimal(other)) }
}

extension Quantity: Hashable, Comparable {
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount == rhs.amount }
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount < rhs.amount }
    public func hash(into hasher: inout Hasher) { hasher.combine(amount) }
}

/// A span of time written the way Go's `time.Duration` (and so Kubernetes' `metav1.Duration`)
/// writes it: `1h2m3.5s`, `10s`, `100ms`, `1.5µs`, `0s`.
///
/// Stored as signed nanoseconds, like Go. ``init(parsing:)`` accepts everything
/// `time.ParseDuration` accepts, and ``description`` prints what `Duration.String()` prints, so a
/// value read from a configuration file and printed again round-trips.
public struct GoDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds (negative for negative durations).
    public var nanoseconds: Int64

    /// Creates a duration of `nanoseconds`.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Zero length, printed `0s`.
    public static let zero = GoDuration(nanoseconds: 0)

    /// `value` milliseconds.
    public static func milliseconds(_ value: Int64) -> GoDuration { GoDuration(nanoseconds: value * 1_000_000) }
    /// `value` seconds.
    public static func seconds(_ value: Int64) -> GoDuration { GoDuration(nanoseconds: value * 1_000_000_000) }
    /// `value` minutes.
    public static func minutes(_ value: Int64) -> GoDuration { .seconds(value * 60) }
    /// `value` hours.
    public static func hours(_ value: Int64) -> GoDuration { .seconds(value * 3600) }

    /// The same length as a Swift `Duration`.
    public var duration: Duration { .nanoseconds(nanoseconds) }

    public static func < (lhs: GoDuration, rhs: GoDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    private static let units: [(String, UInt64)] = [
        ("ns", 1), ("us", 1_000), ("\u{00B5}s", 1_000), ("\u{03BC}s", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses Go's duration syntax: an optional sign, then one or more decimal numbers each with
    /// a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), e.g. `1h30m`, `-1.5h`, `300ms`; `0` alone is
    /// also accepted.
    ///
    /// - Throws: ``GoDurationError`` naming the text and what was expected.
    public init(parsing text: String) throws(GoDurationError) {
        var rest = Substring(text)
        var negative = false
        if let first = rest.first, first == "-" || first == "+" {
            negative = first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" {
            self.init(nanoseconds: 0)
            return
        }
        guard !rest.isEmpty else { throw GoDurationError(text: text, reason: "an empty duration") }
        let limit: UInt64 = negative ? 1 << 63 : (1 << 63) - 1
        var total: UInt64 = 0
        while !rest.isEmpty {
            let integerDigits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(integerDigits.count)
            var fractionDigits = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fractionDigits = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fractionDigits.count)
            }
            guard !integerDigits.isEmpty || !fractionDigits.isEmpty else {
                throw GoDurationError(text: text, reason: "a number before each unit")
            }
            let unitText = rest.prefix { $0 != "." && !($0.isASCII && $0.isNumber) }
            rest = rest.dropFirst(unitText.count)
            guard !unitText.isEmpty else {
                throw GoDurationError(text: text, reason: "a unit (ns, us, ms, s, m, h) after each number")
            }
            guard let unit = Self.units.first(where: { $0.0 == unitText })?.1 else {
                throw GoDurationError(text: text, reason: "a unit of ns, us, ms, s, m or h, not \"\(unitText)\"")
            }
            var value: UInt64 = 0
            for digit in integerDigits {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit.asciiValue! - 48))
                guard !overflow1, !overflow2 else { throw GoDurationError(text: text, reason: "a duration that fits in 292 years") }
                value = sum
            }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow else { throw GoDurationError(text: text, reason: "a duration that fits in 292 years") }
            var fraction: UInt64 = 0
            var scale: Double = 1
            for digit in fractionDigits where scale < 1e18 {
                fraction = fraction * 10 + UInt64(digit.asciiValue! - 48)
                scale *= 10
            }
            let fractionPart = UInt64(Double(fraction) * (Double(unit) / scale))
            let (withFraction, overflow3) = scaled.addingReportingOverflow(fractionPart)
            let (newTotal, overflow4) = total.addingReportingOverflow(withFraction)
            guard !overflow3, !overflow4, newTotal <= limit else {
                throw GoDurationError(text: text, reason: "a duration that fits in 292 years")
            }
            total = newTotal
        }
        self.init(nanoseconds: negative ? Int64(bitPattern: 0 &- total) : Int64(total))
    }

    /// Go's `Duration.String()`: `0s`, `1.5µs`, `100ms`, `30s`, `1m0s`, `24h0m0s`.
    public var description: String {
        let negative = nanoseconds < 0
        var magnitude = nanoseconds.magnitude
        var text: String
        if magnitude < 1_000_000_000 {
            let unit: String
            let precision: Int
            switch magnitude {
            case 0: return "0s"
            case ..<1_000: (unit, precision) = ("ns", 0)
            case ..<1_000_000: (unit, precision) = ("\u{00B5}s", 3)
            default: (unit, precision) = ("ms", 6)
            }
            let (whole, fraction) = Self.split(magnitude, precision: precision)
            text = "\(whole)\(fraction)\(unit)"
        } else {
            let (wholeSeconds, fraction) = Self.split(magnitude, precision: 9)
            magnitude = wholeSeconds
            text = "\(magnitude % 60)\(fraction)s"
            magnitude /= 60
            if magnitude > 0 {
                text = "\(magnitude % 60)m" + text
                magnitude /= 60
                if magnitude > 0 {
                    text = "\(magnitude)h" + text
                }
            }
        }
        return negative ? "-" + text : text
    }

    /// Splits `value` into its part above `10^precision` and the fraction below it, printed as
    /// `.ddd` without trailing zeros (empty when the fraction is zero).
    private static func split(_ value: UInt64, precision: Int) -> (UInt64, String) {
        var divisor: UInt64 = 1
        for _ in 0..<precision { divisor *= 10 }
        let whole = value / divisor
        var fraction = value % divisor
        guard fraction != 0 else { return (whole, "") }
        var digits: [Character] = []
        var trailing = true
        for _ in 0..<precision {
            let digit = fraction % 10
            fraction /= 10
            if trailing && digit == 0 { continue }
            trailing = false
            digits.append(Character(String(digit)))
        }
        return (whole, "." + String(digits.reversed()))
    }
}

/// A duration string that Go's `time.ParseDuration` would reject.
public struct GoDurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that failed to parse.
    public let text: String
    /// What was expected instead.
    public let reason: String

    public var description: String {
        "invalid duration \"\(text)\": expected \(reason) (Go duration syntax such as 1m30s, 10s or 100ms)"
    }
}

// MetaV1.Time: `io.k8s.apimachinery.pkg.apis.meta.v1.Time`, an instant written as RFC 3339 with
// second precision (`2006-01-02T15:04:05Z`).

extension MetaV1 {
    /// An instant, written as upstream's `metav1.Time`: RFC 3339 in UTC with whole seconds.
    ///
    /// Decoding accepts fractional seconds and any offset (`2024-05-01T12:00:00.5+02:00`) and
    /// keeps them exactly; encoding drops the fraction, as upstream does. The zero value
    /// (0001-01-01T00:00:00Z) encodes as `null`.
    public struct Time: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
        public var secondsSinceEpoch: Int64
        /// Nanoseconds within the second, 0 ..< 1_000_000_000.
        public var nanoseconds: Int32

        /// The layout upstream writes (Go's `time.RFC3339`).
        public static let layout = "2006-01-02T15:04:05Z07:00"

        /// Go's zero time, 0001-01-01T00:00:00Z.
        public static let zero = Time(secondsSinceEpoch: -62_135_596_800)

        /// The instant `secondsSinceEpoch + nanoseconds / 10^9`.
        public init(secondsSinceEpoch: Int64, nanoseconds: Int32 = 0) {
            precondition((0..<1_000_000_000).contains(nanoseconds), "nanoseconds out of range")
            self.secondsSinceEpoch = secondsSinceEpoch
            self.nanoseconds = nanoseconds
        }

        /// Parses RFC 3339 text such as `2024-05-01T12:00:00Z` or `2024-05-01T14:00:00.25+02:00`.
        ///
        /// - Throws: ``TimeParseError`` naming the text, the problem and the layout.
        public init(parsing text: String) throws(TimeParseError) {
            let instant = try RFC3339.parse(text, fraction: .optional, layout: Time.layout)
            self.init(secondsSinceEpoch: instant.seconds, nanoseconds: instant.nanoseconds)
        }

        /// Whether this is Go's zero time.
        public var isZero: Bool { self == Time.zero }

        /// The text upstream writes: UTC, whole seconds, e.g. `2024-05-01T10:00:00Z`.
        public var rfc3339: String {
            RFC3339.format(UTCInstant(seconds: secondsSinceEpoch, nanoseconds: 0), fractionDigits: 0)
        }

        public var description: String { rfc3339 }

        public static func < (lhs: Time, rhs: Time) -> Bool {
            (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
        }
    }
}

extension MetaV1.Time: RFC3339Timestamp {}

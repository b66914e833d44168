// MetaV1.MicroTime: `io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime`, an instant written as
// RFC 3339 with microseconds (`2006-01-02T15:04:05.000000Z07:00`), used by Lease and Event.

extension MetaV1 {
    /// An instant with microsecond precision, as upstream's `metav1.MicroTime`.
    ///
    /// Decoding requires exactly six fractional digits, as Go's layout does, and accepts any
    /// offset; encoding writes UTC with six digits. The zero value encodes as `null`.
    public struct MicroTime: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// Whole seconds since 1970-01-01T00:00:00Z (negative before).
        public var secondsSinceEpoch: Int64
        /// Nanoseconds within the second, 0 ..< 1_000_000_000.
        public var nanoseconds: Int32

        /// The layout upstream reads and writes (`metav1.RFC3339Micro`).
        public static let layout = "2006-01-02T15:04:05.000000Z07:00"

        /// Go's zero time, 0001-01-01T00:00:00.000000Z.
        public static let zero = MicroTime(secondsSinceEpoch: -62_135_596_800)

        /// The instant `secondsSinceEpoch + nanoseconds / 10^9`.
        public init(secondsSinceEpoch: Int64, nanoseconds: Int32 = 0) {
            precondition((0..<1_000_000_000).contains(nanoseconds), "nanoseconds out of range")
            self.secondsSinceEpoch = secondsSinceEpoch
            self.nanoseconds = nanoseconds
        }

        /// Parses text such as `2024-05-01T12:00:00.123456Z`.
        ///
        /// - Throws: ``TimeParseError`` naming the text, the problem and the layout.
        public init(parsing text: String) throws(TimeParseError) {
            let instant = try RFC3339.parse(text, fraction: .exactly(6), layout: MicroTime.layout)
            self.init(secondsSinceEpoch: instant.seconds, nanoseconds: instant.nanoseconds)
        }

        /// Whether this is Go's zero time.
        public var isZero: Bool { self == MicroTime.zero }

        /// The text upstream writes: UTC with six fractional digits.
        public var rfc3339: String {
            RFC3339.format(UTCInstant(seconds: secondsSinceEpoch, nanoseconds: nanoseconds), fractionDigits: 6)
        }

        public var description: String { rfc3339 }

        public static func < (lhs: MicroTime, rhs: MicroTime) -> Bool {
            (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
        }
    }
}

extension MetaV1.MicroTime: RFC3339Timestamp {}

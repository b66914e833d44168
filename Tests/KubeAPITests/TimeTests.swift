import Testing
import KubeAPI

/// Texts and the instant (seconds since the epoch, nanoseconds) they name.
private let timeParseTable: [(String, Int64, Int32)] = [
    ("1970-01-01T00:00:00Z", 0, 0),
    ("2006-01-02T15:04:05Z", 1_136_214_245, 0),
    ("2006-01-02T08:04:05-07:00", 1_136_214_245, 0),
    ("2006-01-02T16:34:05+01:30", 1_136_214_245, 0),
    ("2024-02-29T23:59:59Z", 1_709_251_199, 0),
    ("2024-05-01T12:00:00.5Z", 1_714_564_800, 500_000_000),
    ("2024-05-01T12:00:00.123456789Z", 1_714_564_800, 123_456_789),
    ("1969-12-31T23:59:59Z", -1, 0),
    ("0001-01-01T00:00:00Z", -62_135_596_800, 0),
    ("9999-12-31T23:59:59Z", 253_402_300_799, 0),
]

@Test(arguments: timeParseTable)
func timeParsesRFC3339WithFractionsAndOffsets(text: String, seconds: Int64, nanoseconds: Int32) throws {
    let time = try MetaV1.Time(parsing: text)
    #expect(time == MetaV1.Time(secondsSinceEpoch: seconds, nanoseconds: nanoseconds))
}

@Test func timeEncodesUTCWithWholeSeconds() throws {
    #expect(try MetaV1.Time(parsing: "2006-01-02T08:04:05.999-07:00").encoded() == .string("2006-01-02T15:04:05Z"))
    #expect(MetaV1.Time(secondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00Z")
    #expect(MetaV1.Time(secondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59Z")
    #expect(MetaV1.Time(secondsSinceEpoch: 951_782_400).rfc3339 == "2000-02-29T00:00:00Z")
}

@Test(arguments: timeParseTable)
func timeRoundTripsThroughItsEncodingToWholeSeconds(text: String, seconds: Int64, nanoseconds: Int32) throws {
    let time = try MetaV1.Time(parsing: text)
    let back = try MetaV1.Time(decoding: time.encoded())
    #expect(back == MetaV1.Time(secondsSinceEpoch: seconds))
}

@Test func zeroTimeEncodesAsNullAndNullDecodesAsZero() throws {
    #expect(MetaV1.Time.zero.encoded() == .null)
    #expect(try MetaV1.Time(decoding: .null) == .zero)
    #expect(MetaV1.MicroTime.zero.encoded() == .null)
}

/// Bad texts and the reason given.
private let badTimeTable: [(String, String)] = [
    ("", "year missing"),
    ("2024-13-01T00:00:00Z", "month out of range"),
    ("2023-02-29T00:00:00Z", "day out of range"),
    ("2024-05-01 00:00:00Z", "expected 'T' after date"),
    ("2024-05-01T24:00:00Z", "hour out of range"),
    ("2024-05-01T00:60:00Z", "minute out of range"),
    ("2024-05-01T00:00:60Z", "second out of range"),
    ("2024-05-01T00:00:00", "time zone missing"),
    ("2024-05-01T00:00:00.Z", "fractional seconds must have digits after '.'"),
    ("2024-05-01T00:00:00+0200", "expected ':' after offset hours"),
    ("2024-05-01T00:00:00ZZ", "extra text after the time zone"),
    ("2024-5-01T00:00:00Z", "month must be 2 digits"),
]

@Test(arguments: badTimeTable)
func badTimeTextIsRejectedWithReasonAndLayout(text: String, reason: String) {
    #expect(throws: TimeParseError(text: text, reason: reason, expectedLayout: "2006-01-02T15:04:05Z07:00")) {
        try MetaV1.Time(parsing: text)
    }
}

@Test func timeDecodingErrorNamesTextAndLayout() {
    #expect(throws: FieldErrorList(FieldError(message:
        "invalid time \"yesterday\": year must be 4 digits; expected RFC 3339 2006-01-02T15:04:05Z07:00"))) {
        try MetaV1.Time(decoding: .string("yesterday"))
    }
    #expect(throws: FieldErrorList(FieldError(message: "expected RFC 3339 time string, got 12"))) {
        try MetaV1.Time(decoding: .number("12"))
    }
}

@Test func microTimeNeedsSixFractionDigitsAndWritesSix() throws {
    let time = try MetaV1.MicroTime(parsing: "2024-05-01T14:00:00.123456+02:00")
    #expect(time == MetaV1.MicroTime(secondsSinceEpoch: 1_714_564_800, nanoseconds: 123_456_000))
    #expect(time.encoded() == .string("2024-05-01T12:00:00.123456Z"))
    #expect(try MetaV1.MicroTime(decoding: time.encoded()) == time)
    #expect(throws: TimeParseError(text: "2024-05-01T12:00:00Z", reason: "fractional seconds must have exactly 6 digits",
                                   expectedLayout: "2006-01-02T15:04:05.000000Z07:00")) {
        try MetaV1.MicroTime(parsing: "2024-05-01T12:00:00Z")
    }
}

@Test func timesOrderByInstant() throws {
    let earlier = try MetaV1.Time(parsing: "2024-05-01T12:00:00Z")
    let later = try MetaV1.Time(parsing: "2024-05-01T12:00:00.1Z")
    #expect(earlier < later)
    #expect(try MetaV1.Time(parsing: "2024-05-01T14:00:00+02:00") == earlier)
}

@Test func timeConvertsToAndFromDate() {
    let time = MetaV1.Time(secondsSinceEpoch: 1_714_564_800, nanoseconds: 250_000_000)
    #expect(MetaV1.Time(time.date) == time)
}

import Testing

@testable import NodeAgent

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("0", Int64(0)), ("0s", 0), ("10s", 10_000_000_000), ("100ms", 100_000_000), ("1m30s", 90_000_000_000),
        ("1.5h", 5_400_000_000_000), ("-1m", -60_000_000_000), ("+5s", 5_000_000_000), ("1h2m3s4ms5us6ns", 3_723_004_005_006),
        ("1.5µs", 1_500), ("2μs", 2_000), (".5s", 500_000_000), ("24h", 86_400_000_000_000),
    ])
    func parsesGoDurationSyntax(text: String, nanoseconds: Int64) throws {
        #expect(try GoDuration(parsing: text).nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "1", "s", "1x", "1.s.", "--1s", "1 s", "9999999999999h"])
    func rejectsWhatGoRejects(text: String) {
        #expect(throws: GoDurationError.self) { try GoDuration(parsing: text) }
    }

    @Test(arguments: [
        (Int64(0), "0s"), (1, "1ns"), (1_500, "1.5µs"), (100_000_000, "100ms"), (1_000_000_000, "1s"),
        (90_000_000_000, "1m30s"), (60_000_000_000, "1m0s"), (86_400_000_000_000, "24h0m0s"),
        (1_500_000_000, "1.5s"), (-60_000_000_000, "-1m0s"), (3_723_004_005_006, "1h2m3.004005006s"),
    ])
    func printsLikeGoDurationString(nanoseconds: Int64, text: String) {
        #expect(GoDuration(nanoseconds: nanoseconds).description == text)
    }

    @Test func printedDurationsParseBackToTheSameValue() throws {
        for nanoseconds: Int64 in [0, 7, 1_234_567, 59_999_999_999, 3_600_000_000_001, -42_000_000] {
            let duration = GoDuration(nanoseconds: nanoseconds)
            #expect(try GoDuration(parsing: duration.description) == duration)
        }
    }
}

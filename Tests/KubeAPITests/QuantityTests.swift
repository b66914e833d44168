import Testing
import KubeAPI

/// A quantity `mantissa × 10^exponent` printed in `format` (upstream's `decQuantity`).
private func decimal(_ mantissa: Int64, _ exponent: Int, _ format: Quantity.Format) -> Quantity {
    var quantity = Quantity(mantissa, scale: exponent)
    quantity.format = format
    return quantity
}

private func parsed(_ text: String) throws -> Quantity {
    try Quantity(parsing: text)
}

/// Rows of upstream's TestQuantityParse: the text, the exact value and the format it keeps.
private let parseTable: [(String, Quantity)] = [
    ("0", decimal(0, 0, .decimalSI)),
    ("0n", decimal(0, 0, .decimalSI)),
    ("0u", decimal(0, 0, .decimalSI)),
    ("0m", decimal(0, 0, .decimalSI)),
    ("0Ki", decimal(0, 0, .binarySI)),
    ("0k", decimal(0, 0, .decimalSI)),
    ("0Mi", decimal(0, 0, .binarySI)),
    ("0M", decimal(0, 0, .decimalSI)),
    ("0Gi", decimal(0, 0, .binarySI)),
    ("0G", decimal(0, 0, .decimalSI)),
    ("0Ti", decimal(0, 0, .binarySI)),
    ("0T", decimal(0, 0, .decimalSI)),
    ("1", decimal(1, 0, .decimalSI)),
    ("1Ki", decimal(1024, 0, .binarySI)),
    ("8Ki", decimal(8 * 1024, 0, .binarySI)),
    ("7Mi", decimal(7 * 1024 * 1024, 0, .binarySI)),
    ("6Gi", decimal(6 * 1024 * 1024 * 1024, 0, .binarySI)),
    ("5Ti", decimal(5 * 1024 * 1024 * 1024 * 1024, 0, .binarySI)),
    ("4Pi", decimal(4 * 1024 * 1024 * 1024 * 1024 * 1024, 0, .binarySI)),
    ("3Ei", decimal(3 * 1024 * 1024 * 1024 * 1024 * 1024 * 1024, 0, .binarySI)),
    ("10Ti", decimal(10 * 1024 * 1024 * 1024 * 1024, 0, .binarySI)),
    ("100Ti", decimal(100 * 1024 * 1024 * 1024 * 1024, 0, .binarySI)),
    ("5n", decimal(5, -9, .decimalSI)),
    ("4u", decimal(4, -6, .decimalSI)),
    ("3m", decimal(3, -3, .decimalSI)),
    ("9", decimal(9, 0, .decimalSI)),
    ("8k", decimal(8, 3, .decimalSI)),
    ("50k", decimal(5, 4, .decimalSI)),
    ("7M", decimal(7, 6, .decimalSI)),
    ("6G", decimal(6, 9, .decimalSI)),
    ("5T", decimal(5, 12, .decimalSI)),
    ("40T", decimal(4, 13, .decimalSI)),
    ("300T", decimal(3, 14, .decimalSI)),
    ("2P", decimal(2, 15, .decimalSI)),
    ("1E", decimal(1, 18, .decimalSI)),
    ("1E-3", decimal(1, -3, .decimalExponent)),
    ("1e3", decimal(1, 3, .decimalExponent)),
    ("1E6", decimal(1, 6, .decimalExponent)),
    ("1e9", decimal(1, 9, .decimalExponent)),
    ("1E12", decimal(1, 12, .decimalExponent)),
    ("1e15", decimal(1, 15, .decimalExponent)),
    ("1E18", decimal(1, 18, .decimalExponent)),
    ("1e14", decimal(1, 14, .decimalExponent)),
    ("1e13", decimal(1, 13, .decimalExponent)),
    ("100.035k", decimal(100035, 0, .decimalSI)),
    ("0.001", decimal(1, -3, .decimalSI)),
    ("0.0005k", decimal(5, -1, .decimalSI)),
    ("0.005", decimal(5, -3, .decimalSI)),
    ("0.05", decimal(5, -2, .decimalSI)),
    ("0.5", decimal(5, -1, .decimalSI)),
    ("0.00050k", decimal(5, -1, .decimalSI)),
    ("0.00500", decimal(5, -3, .decimalSI)),
    ("0.05000", decimal(5, -2, .decimalSI)),
    ("0.50000", decimal(5, -1, .decimalSI)),
    ("0.5e0", decimal(5, -1, .decimalExponent)),
    ("0.5e-1", decimal(5, -2, .decimalExponent)),
    ("0.5e-2", decimal(5, -3, .decimalExponent)),
    ("10.035M", decimal(10035, 3, .decimalSI)),
    ("1.2e3", decimal(12, 2, .decimalExponent)),
    ("1.3E+6", decimal(13, 5, .decimalExponent)),
    ("1.40e9", decimal(14, 8, .decimalExponent)),
    ("1.53E12", decimal(153, 10, .decimalExponent)),
    ("1.6e15", decimal(16, 14, .decimalExponent)),
    ("1.7E18", decimal(17, 17, .decimalExponent)),
    ("9.01", decimal(901, -2, .decimalSI)),
    ("8.1k", decimal(81, 2, .decimalSI)),
    ("7.123456M", decimal(7123456, 0, .decimalSI)),
    ("6.987654321G", decimal(6987654321, 0, .decimalSI)),
    ("5.444T", decimal(5444, 9, .decimalSI)),
    ("40.1T", decimal(401, 11, .decimalSI)),
    ("300.2T", decimal(3002, 11, .decimalSI)),
    ("2.5P", decimal(25, 14, .decimalSI)),
    ("1.01E", decimal(101, 16, .decimalSI)),
    ("3.001n", decimal(4, -9, .decimalSI)),
    ("1.1E-9", decimal(2, -9, .decimalExponent)),
    ("0.0000000001", decimal(1, -9, .decimalSI)),
    ("0.0000000005", decimal(1, -9, .decimalSI)),
    ("0.00000000050", decimal(1, -9, .decimalSI)),
    ("0.5e-9", decimal(1, -9, .decimalExponent)),
    ("0.9n", decimal(1, -9, .decimalSI)),
    ("0.00000012345", decimal(124, -9, .decimalSI)),
    ("0.00000012354", decimal(124, -9, .decimalSI)),
    ("9Ei", decimal(Int64.max, 0, .binarySI)),
    ("9223372036854775807Ki", decimal(Int64.max, 0, .binarySI)),
    ("12E", decimal(12, 18, .decimalSI)),
    ("100.035Ki", decimal(10243584, -2, .binarySI)),
    ("0.5Mi", decimal(512 * 1024, 0, .binarySI)),
    ("0.05Gi", decimal(536870912, -1, .binarySI)),
    ("0.025Ti", decimal(274877906944, -1, .binarySI)),
    ("0.000000000001Ki", decimal(2, -9, .decimalSI)),
    (".001", decimal(1, -3, .decimalSI)),
    (".0001k", decimal(100, -3, .decimalSI)),
    ("1.", decimal(1, 0, .decimalSI)),
    ("1.G", decimal(1, 9, .decimalSI)),
]

@Test(arguments: parseTable)
func parsedQuantityHasUpstreamValueAndFormat(text: String, expected: Quantity) throws {
    let quantity = try parsed(text)
    #expect(quantity == expected, "\(text)")
    #expect(quantity.format == expected.format, "\(text)")
}

@Test(arguments: parseTable)
func negatedTextParsesToNegatedValueWithSameFormat(text: String, expected: Quantity) throws {
    let quantity = try parsed("-" + text)
    #expect(quantity == -expected, "-\(text)")
    #expect(quantity.format == expected.format, "-\(text)")
    let plus = try parsed("+" + text)
    #expect(plus == expected, "+\(text)")
}

/// Upstream's invalid inputs, with the reason each is rejected.
private let invalidTable: [(String, QuantityParseError.Reason)] = [
    ("", .formatWrong),
    ("1.1.M", .formatWrong),
    ("1+1.0M", .formatWrong),
    ("0.1mi", .suffix),
    ("0.1am", .formatWrong),
    ("aoeu", .formatWrong),
    (".5i", .suffix),
    ("1i", .suffix),
    ("-3.01i", .suffix),
    ("-3.01e-", .suffix),
    ("1e4294967297", .suffix),
    ("E2147483648", .suffix),
    (" 1", .formatWrong),
    ("1 ", .formatWrong),
]

@Test(arguments: invalidTable)
func invalidQuantityTextIsRejectedWithUpstreamReason(text: String, reason: QuantityParseError.Reason) {
    #expect(throws: QuantityParseError(reason: reason, text: text)) { try parsed(text) }
}

@Test func formatErrorNamesTextAndExpectedPattern() {
    let error = QuantityParseError(reason: .formatWrong, text: "1.1.M")
    #expect(error.description
        == "invalid quantity \"1.1.M\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
}

/// Upstream's TestQuantityString: a value and format, its canonical text, and another
/// spelling that must parse and print as the canonical text.
private let stringTable: [(Quantity, String, String?)] = [
    (decimal(1024 * 1024 * 1024, 0, .binarySI), "1Gi", "1024Mi"),
    (decimal(300 * 1024 * 1024, 0, .binarySI), "300Mi", "307200Ki"),
    (decimal(6 * 1024, 0, .binarySI), "6Ki", nil),
    (decimal(1001 * 1024 * 1024 * 1024, 0, .binarySI), "1001Gi", "1025024Mi"),
    (decimal(1024 * 1024 * 1024 * 1024, 0, .binarySI), "1Ti", "1024Gi"),
    (decimal(5, 0, .binarySI), "5", "5000m"),
    (decimal(500, -3, .binarySI), "500m", "0.5"),
    (decimal(1, 9, .decimalSI), "1G", "1000M"),
    (decimal(1000, 6, .decimalSI), "1G", "0.001T"),
    (decimal(1000000, 3, .decimalSI), "1G", nil),
    (decimal(1000000000, 0, .decimalSI), "1G", nil),
    (decimal(1, -3, .decimalSI), "1m", "1000u"),
    (decimal(80, -3, .decimalSI), "80m", nil),
    (decimal(1080, -3, .decimalSI), "1080m", "1.08"),
    (decimal(108, -2, .decimalSI), "1080m", "1080000000n"),
    (decimal(10800, -4, .decimalSI), "1080m", nil),
    (decimal(300, 6, .decimalSI), "300M", nil),
    (decimal(1, 12, .decimalSI), "1T", nil),
    (decimal(1, 18, .decimalSI), "1E", nil),
    (decimal(1, 21, .decimalSI), "1e21", "1000E"),
    (decimal(5, 21, .decimalSI), "5e21", "5000E"),
    (decimal(1, 24, .decimalSI), "1e24", "1000000E"),
    (decimal(1, 70, .binarySI), "10e69", nil),
    (decimal(2, 70, .binarySI), "20e69", nil),
    (decimal(1, 72, .binarySI), "1e72", nil),
    (decimal(1234567, 6, .decimalSI), "1234567M", nil),
    (decimal(1234567, -3, .binarySI), "1234567m", nil),
    (decimal(3, 3, .decimalSI), "3k", nil),
    (decimal(1025, 0, .binarySI), "1025", nil),
    (decimal(0, 0, .decimalSI), "0", nil),
    (decimal(0, 0, .binarySI), "0", nil),
    (decimal(1, 9, .decimalExponent), "1e9", ".001e12"),
    (decimal(1, -3, .decimalExponent), "1e-3", "0.001e0"),
    (decimal(1, -9, .decimalExponent), "1e-9", "1000e-12"),
    (decimal(80, -3, .decimalExponent), "80e-3", nil),
    (decimal(300, 6, .decimalExponent), "300e6", nil),
    (decimal(1, 12, .decimalExponent), "1e12", nil),
    (decimal(1, 3, .decimalExponent), "1e3", nil),
    (decimal(3, 3, .decimalExponent), "3e3", nil),
    (decimal(0, 0, .decimalExponent), "0", "00"),
    (decimal(1, -9, .decimalSI), "1n", nil),
    (decimal(80, -9, .decimalSI), "80n", nil),
    (decimal(1080, -9, .decimalSI), "1080n", nil),
    (decimal(108, -8, .decimalSI), "1080n", nil),
    (decimal(10800, -10, .decimalSI), "1080n", nil),
    (decimal(1, -6, .decimalSI), "1u", nil),
    (decimal(80, -6, .decimalSI), "80u", nil),
    (decimal(1080, -6, .decimalSI), "1080u", nil),
]

@Test(arguments: stringTable)
func quantityPrintsUpstreamCanonicalForm(value: Quantity, canonical: String, alternate: String?) throws {
    #expect(value.description == canonical)
    let reparsed = try parsed(canonical)
    #expect(reparsed.description == canonical)
    #expect(reparsed.canonicalParts.number + reparsed.canonicalParts.suffix == canonical)
    if !value.isZero {
        #expect((-value).description == "-" + canonical)
    }
    if let alternate {
        let other = try parsed(alternate)
        #expect(other.description == canonical, "\(alternate)")
    }
}

@Test func valuesBelowNanoAndPastExaFallBackToExponentNotation() {
    #expect(decimal(1, -12, .decimalSI).description == "1e-12")
    #expect(decimal(1, -10, .decimalSI).description == "100e-12")
    #expect(decimal(2000, 0, .binarySI).description == "2000")
    #expect(decimal(-2000, 0, .binarySI).description == "-2000")
}

/// Upstream's TestQuantityParseEmit plus the cases the task names.
private let parseEmitTable: [(String, String)] = [
    ("1Ki", "1Ki"), ("1Mi", "1Mi"), ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1000M", "1G"),
    (".001Ki", "1024m"), (".000001Ki", "1024u"), (".000000001Ki", "1024n"), (".000000000001Ki", "2n"),
    ("100m", "100m"), ("1e3", "1e3"), ("0.5", "500m"), ("1000m", "1"), ("1.5Gi", "1536Mi"),
    ("0.1Gi", "107374182400m"), ("1.5", "1500m"), ("+1", "+1"), ("1E3", "1E3"),
]

@Test(arguments: parseEmitTable)
func parsedTextPrintsInCanonicalForm(text: String, expected: String) throws {
    #expect(try parsed(text).description == expected)
    if !text.hasPrefix("+") {
        #expect(try parsed("-" + text).description == "-" + expected)
    }
}

@Test func binaryValuePastExbiPrintsExactDecimalAndRoundTrips() throws {
    var quantity = try parsed("1Ei")
    quantity.multiply(by: 1024)
    #expect(quantity.description == "1180591620717411303424")
    #expect(try parsed(quantity.description) == quantity)
}

/// Upstream's TestQuantityCmp and TestQuantityCmpInt64AndDec.
private let compareTable: [(Quantity, Quantity, Int)] = [
    (decimal(0, 0, .decimalSI), decimal(0, 0, .decimalSI), 0),
    (decimal(100, -3, .decimalSI), decimal(50, -3, .decimalSI), 1),
    (decimal(50, -3, .decimalSI), decimal(100, -3, .decimalSI), -1),
    (decimal(10000, 12, .decimalSI), decimal(100 * 1024 * 1024 * 1024, 0, .binarySI), 1),
    (decimal(901, -2, .decimalSI), decimal(901, -2, .decimalSI), 0),
    (decimal(90, -1, .decimalSI), decimal(901, -2, .decimalSI), -1),
    (decimal(901, -2, .decimalSI), decimal(900, -2, .decimalSI), 1),
    (decimal(0, 1, .decimalSI), decimal(0, -1, .decimalSI), 0),
    (decimal(800, -3, .decimalSI), decimal(1, 0, .decimalSI), -1),
    (decimal(800, -3, .decimalSI), decimal(79, -2, .decimalSI), 1),
    (decimal(Int64.max, 0, .decimalSI), decimal(1, -1, .decimalSI), 1),
    (decimal(Int64.max, 1, .decimalSI), decimal(1, 0, .decimalSI), 1),
    (decimal(Int64.max, 1, .decimalSI), decimal(1, 1, .decimalSI), 1),
    (decimal(Int64.max, 1, .decimalSI), decimal(0, 1, .decimalSI), 1),
    (decimal(Int64.max, -16, .decimalSI), decimal(1, 3, .decimalSI), -1),
    (decimal(Int64.min, 0, .decimalSI), decimal(0, 0, .decimalSI), -1),
    (decimal(Int64.min, -18, .decimalSI), decimal(-1, 0, .decimalSI), -1),
    (decimal(Int64.min, -19, .decimalSI), decimal(-1, 0, .decimalSI), 1),
    (decimal(1_000_000_000_000_000_000, -17, .decimalSI), decimal(1, 1, .decimalSI), 0),
    (decimal(1_000_000_000_000_000_000, -17, .decimalSI), decimal(-10, 0, .decimalSI), 1),
    (decimal(-1_000_000_000_000_000_000, -17, .decimalSI), decimal(-10, 0, .decimalSI), 0),
    (decimal(1_000_000_000_000_000_000, -17, .decimalSI), decimal(1, 0, .decimalSI), 1),
    (decimal(1_000_000_000_000_000_001, -17, .decimalSI), decimal(1, 1, .decimalSI), 1),
    (decimal(999_999_999_999_999_999, -17, .decimalSI), decimal(1, 1, .decimalSI), -1),
]

@Test(arguments: compareTable)
func quantitiesCompareByExactValue(lhs: Quantity, rhs: Quantity, expected: Int) {
    #expect(lhs.compare(rhs) == expected)
    #expect(rhs.compare(lhs) == -expected)
    #expect((lhs == rhs) == (expected == 0))
    if expected == 0 { #expect(lhs.hashValue == rhs.hashValue) }
}

@Test func hugeExponentsCompareWithoutExpandingDigits() throws {
    let huge = try parsed("1e2147483647")
    let tiny = try parsed("1e-2147483647")
    #expect(huge > Quantity(Int64.max))
    #expect(tiny == decimal(1, -9, .decimalExponent))
    #expect(huge.value == Int64.max)
    #expect(huge.description == "10e2147483646")
}

/// Upstream's TestAdd and TestSub: a, b, a+b, a-b, and the format a+b keeps.
private let addSubTable: [(Quantity, Quantity, Quantity, Quantity, Quantity.Format)] = [
    (decimal(10, 0, .decimalSI), decimal(1, 1, .decimalSI), decimal(20, 0, .decimalSI), decimal(0, 0, .decimalSI), .decimalSI),
    (decimal(10, 0, .decimalSI), decimal(1, 0, .binarySI), decimal(11, 0, .decimalSI), decimal(9, 0, .decimalSI), .decimalSI),
    (decimal(10, 0, .binarySI), decimal(1, 0, .decimalSI), decimal(11, 0, .binarySI), decimal(9, 0, .binarySI), .binarySI),
    (Quantity.zero, decimal(50, 0, .decimalSI), decimal(50, 0, .decimalSI), decimal(-50, 0, .decimalSI), .decimalSI),
    (decimal(50, 0, .decimalSI), Quantity.zero, decimal(50, 0, .decimalSI), decimal(50, 0, .decimalSI), .decimalSI),
    (Quantity.zero, Quantity.zero, decimal(0, 0, .decimalSI), decimal(0, 0, .decimalSI), .decimalSI),
    (decimal(0, 0, .decimalSI), decimal(1, 0, .binarySI), decimal(1, 0, .binarySI), decimal(-1, 0, .binarySI), .binarySI),
]

@Test(arguments: addSubTable)
func addAndSubtractAreExactAndKeepUpstreamFormat(
    lhs: Quantity, rhs: Quantity, sum: Quantity, difference: Quantity, sumFormat: Quantity.Format
) {
    #expect(lhs + rhs == sum)
    #expect((lhs + rhs).format == sumFormat)
    #expect(lhs - rhs == difference)
}

@Test func addingZeroKeepsTheSuffixEitherWay() throws {
    for text in ["100m", "1Gi"] {
        let value = try parsed(text)
        #expect((value + Quantity.zero).description == text)
        #expect((Quantity.zero + value).description == text)
        #expect((value - Quantity.zero).description == text)
        #expect((Quantity.zero - value).description == "-" + text)
    }
}

@Test func arithmeticBeyondInt64StaysExact() throws {
    var sum = Quantity(Int64.max)
    sum.add(Quantity(Int64.max))
    #expect(sum.description == "18446744073709551614")
    #expect(sum.int64Value == nil)
    var negated = Quantity(Int64.min)
    negated.negate()
    #expect(negated.description == "9223372036854775808")
    var mixed = Quantity(1, scale: 1)
    mixed.subtract(Quantity(Int64.min))
    #expect(mixed.description == "9223372036854775818")
    sum.subtract(Quantity(Int64.max))
    sum.subtract(Quantity(Int64.max))
    #expect(sum.isZero)
}

/// Upstream's TestMul: a × b.
private let multiplyTable: [(Quantity, Int64, String)] = [
    (decimal(10, 0, .decimalSI), 10, "100"),
    (decimal(10, 0, .binarySI), -1, "-10"),
    (decimal(-50, 0, .decimalSI), -50, "2500"),
    (decimal(Int64.max, 0, .decimalSI), 0, "0"),
    (decimal(Int64.max, 0, .decimalSI), 2, "18446744073709551614"),
    (decimal(Int64.min, 0, .decimalSI), -10, "92233720368547758080"),
]

@Test(arguments: multiplyTable)
func multiplicationIsExact(value: Quantity, factor: Int64, expected: String) throws {
    var product = value
    product.multiply(by: factor)
    #expect(product == (try parsed(expected)))
}

/// Upstream's TestQuantityRoundUp: text, scale, result, exactness.
private let roundUpTable: [(String, Int, Quantity, Bool)] = [
    ("9.01", -3, decimal(901, -2, .decimalSI), true),
    ("9.01", -2, decimal(901, -2, .decimalSI), true),
    ("9.01", -1, decimal(91, -1, .decimalSI), false),
    ("9.01", 0, decimal(10, 0, .decimalSI), false),
    ("9.01", 1, decimal(10, 0, .decimalSI), false),
    ("9.01", 2, decimal(100, 0, .decimalSI), false),
    ("-9.01", -3, decimal(-901, -2, .decimalSI), true),
    ("-9.01", -1, decimal(-91, -1, .decimalSI), false),
    ("-9.01", 0, decimal(-10, 0, .decimalSI), false),
    ("-9.01", 2, decimal(-100, 0, .decimalSI), false),
]

@Test(arguments: roundUpTable)
func roundUpRoundsAwayFromZeroAndReportsExactness(text: String, scale: Int, expected: Quantity, exact: Bool) throws {
    var quantity = try parsed(text)
    #expect(quantity.roundUp(scale: scale) == exact)
    #expect(quantity == expected)
}

/// Upstream's TestNegativeValueRoundsAwayFromZero: text, Value(), MilliValue().
private let valueTable: [(String, Int64, Int64)] = [
    ("-.484785E-7466", -1, -1),
    (".484785E-7466", 1, 1),
    ("-.484785E-1", -1, -49),
    (".484785E-1", 1, 49),
    ("-0.0005", -1, -1),
    ("0.0005", 1, 1),
    ("-1500m", -2, -1500),
    ("1500m", 2, 1500),
    ("-9.5000000001Gi", -10200547329, -10200547328108),
    ("9.5000000001Gi", 10200547329, 10200547328108),
    ("-1", -1, -1000),
    ("1", 1, 1000),
    ("0", 0, 0),
]

@Test(arguments: valueTable)
func valueAndMilliValueRoundAwayFromZero(text: String, value: Int64, milli: Int64) throws {
    let quantity = try parsed(text)
    #expect(quantity.value == value)
    #expect(quantity.milliValue == milli)
}

/// Upstream's TestScaledValue: 1 at one scale read at another.
private let scaledValueTable: [(Int, Int, Int64)] = [
    (-9, -9, 1), (-9, -6, 1), (-9, -3, 1), (-9, 0, 1),
    (-6, -9, 1000), (-6, -6, 1), (-6, -3, 1), (-6, 0, 1),
    (-3, -9, 1_000_000), (-3, -6, 1000), (-3, -3, 1), (-3, 0, 1),
    (0, -9, 1_000_000_000), (0, -6, 1_000_000), (0, -3, 1000), (0, 0, 1),
    (2, -2, 10_000),
]

@Test(arguments: scaledValueTable)
func scaledValueConvertsBetweenScales(from: Int, to: Int, expected: Int64) {
    #expect(Quantity(1, scale: from).scaledValue(scale: to) == expected)
}

/// Upstream's TestNewSet, TestMilliNewSet and TestNewScaledSet.
@Test func constructedQuantitiesPrintAsUpstream() {
    #expect(Quantity(1).description == "1")
    #expect(Quantity(1000).description == "1k")
    #expect(Quantity(1234000).description == "1234k")
    #expect(Quantity(1024, format: .binarySI).description == "1Ki")
    #expect(Quantity(1_000_000, format: .decimalExponent).description == "1e6")
    #expect(Quantity(1024 * 1024, format: .binarySI).description == "1Mi")
    #expect(Quantity(milli: 1).description == "1m")
    #expect(Quantity(milli: 1000).description == "1")
    #expect(Quantity(milli: 1_234_000).description == "1234")
    #expect(Quantity(milli: 1024, format: .binarySI).description == "1024m")
    #expect(Quantity(milli: 1_000_000, format: .decimalExponent).description == "1e3")
    #expect(Quantity(milli: 1024 * 1024, format: .binarySI).description == "1048576m")
    #expect(Quantity(1, scale: -9).description == "1n")
    #expect(Quantity(1000, scale: -9).description == "1u")
    #expect(Quantity(1000, scale: -6).description == "1m")
    #expect(Quantity(0, scale: -9).description == "0")
}

@Test func integerDigitsBeyondSixtyFourBitsParseExactly() throws {
    let big = try parsed("123456789012345678901234567890")
    #expect(big.description == "123456789012345678901234567890")
    #expect(big.int64Value == nil)
    #expect(big > Quantity(Int64.max))
    let fraction = try parsed("12345678901234567890.5")
    #expect(fraction.description == "12345678901234567890500m")
}

@Test func changingFormatReprintsCanonically() throws {
    var quantity = try parsed("1024")
    #expect(quantity.description == "1024")
    quantity.format = .binarySI
    #expect(quantity.description == "1Ki")
}

import KubeAPI
import Testing

@Suite("JSON parser")
struct SerializationJSONParserTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func syntaxError(_ text: String) -> JSONParser.SyntaxError? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func scalarsAndContainersParseToTheExpectedTree() throws {
        let value = try parse(#"{"a": [1, -2.5e3, true, false, null, "x"], "b": {}}"#)
        #expect(value == ["a": [1, .number("-2.5e3"), true, false, nil, "x"], "b": .object(JSONObject())])
    }

    @Test func numbersKeepTheirExactSourceText() throws {
        let value = try parse(#"[12345678901234567890123, 1e3, 0.5, -0, 1E+2, 0.000000000000000000001]"#)
        let texts = value.arrayValue?.elements.map { $0.numberText }
        #expect(texts == ["12345678901234567890123", "1e3", "0.5", "-0", "1E+2", "0.000000000000000000001"])
    }

    @Test func escapesAreDecoded() throws {
        let value = try parse(#""q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20AC""#)
        #expect(value == .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t Aé€"))
    }

    @Test func surrogatePairsFormOneScalar() throws {
        #expect(try parse(#""\ud83d\ude80""#) == .string("🚀"))
        #expect(try parse("\"\u{1F680} raw UTF-8\"") == .string("🚀 raw UTF-8"))
    }

    @Test func loneSurrogatesAreErrors() {
        #expect(syntaxError(#""\ud83d""#)?.message.contains("unpaired surrogate") == true)
        #expect(syntaxError(#""\ude80x""#)?.message.contains("unpaired surrogate") == true)
        #expect(syntaxError(#""\ud83d\u0041""#)?.message.contains("invalid low surrogate") == true)
    }

    @Test func invalidUTF8IsAnError() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(bytes) }
    }

    @Test func trailingGarbageIsAnErrorWithItsLine() {
        let error = syntaxError("{\"a\": 1}\n\n x")
        #expect(error?.line == 3)
        #expect(error?.message == "unexpected character 'x' after the JSON value")
    }

    @Test(arguments: ["01", "1.", ".5", "-", "1e", "+1", "0x10", "NaN"])
    func malformedNumbersAreErrors(text: String) {
        #expect(syntaxError(text) != nil)
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "tru", "\"abc", "\"a\u{01}b\"", "{1: 2}", "", "  "])
    func malformedDocumentsAreErrors(text: String) {
        #expect(syntaxError(text) != nil)
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(syntaxError(deep)?.message.contains("nesting deeper") == true)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        _ = try parse(fine)
    }

    @Test func membersRememberTheirLines() throws {
        let value = try parse("{\n  \"a\": 1,\n\n  \"b\": [\n    true,\n    false\n  ]\n}")
        let object = try #require(value.objectValue)
        #expect(object.line(at: 0) == 2)
        #expect(object.line(at: 1) == 4)
        let array = try #require(object["b"]?.arrayValue)
        #expect(array.line(at: 0) == 5)
        #expect(array.line(at: 1) == 6)
    }

    @Test func objectsKeepSourceOrderAndCompareWithoutIt() throws {
        let value = try parse(#"{"z": 1, "a": 2, "m": 3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(value == ["a": 2, "m": 3, "z": 1])
        #expect(value.hashValue == JSONValue(dictionaryLiteral: ("m", 3), ("a", 2), ("z", 1)).hashValue)
    }

    @Test func duplicateKeysAreRejectedOnRequestOrTheLastWins() throws {
        let text = "{\"a\": 1,\n\"a\": 2}"
        #expect(try parse(text) == ["a": 2])
        do {
            _ = try JSONParser.parse(Array(text.utf8), rejectDuplicateKeys: true)
            Issue.record("duplicate key accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.message == "duplicate key \"a\"")
        }
    }

    @Test func aSequenceOfValuesGivesEachWithItsLine() throws {
        let values = try JSONParser.parseSequence(Array("{\"a\":1}\n{\"b\":2}\n\n[3]".utf8))
        #expect(values.map(\.value) == [["a": 1], ["b": 2], [3]])
        #expect(values.map(\.line) == [1, 2, 4])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
    }
}

@Suite("JSONValue editing")
struct JSONValueEditingTests {
    @Test func settingReplacesAMemberInPlaceOrAppendsANewOne() throws {
        let value = try JSONParser.parse(Array(#"{"type":"bridge","name":"old","ipam":{}}"#.utf8))
        let edited = value.setting("name", to: "net").setting("cniVersion", to: "1.0.0")
        #expect(JSONWriter.string(edited) == #"{"type":"bridge","name":"net","ipam":{},"cniVersion":"1.0.0"}"#)
        #expect(JSONValue.string("x").setting("a", to: 1) == "x")
    }

    @Test func integerValueReadsWholeNumbersOnly() {
        #expect(JSONValue.number("42").integerValue == 42)
        #expect(JSONValue.number("-7").integerValue == -7)
        #expect(JSONValue.number("1.5").integerValue == nil)
        #expect(JSONValue.number("1e3").integerValue == nil)
        #expect(JSONValue.string("42").integerValue == nil)
    }
}

import KubeAPI
import Testing

/// A hand-written type in ObjectReader's keyed style, as configuration types are written.
private struct Endpoint: KubeCodable {
    var host: String
    var port: Int32?

    init(host: String, port: Int32? = nil) {
        self.host = host
        self.port = port
    }

    init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        var reader = try ObjectReader(value, context: context)
        let host: String? = reader.require("host")
        port = reader.decode("port")
        guard let host else { throw reader.failure() }
        self.host = host
        try reader.finish()
    }

    func encoded() -> JSONValue {
        var object = JSONObject()
        object.put("host", host)
        object.put("port", port)
        return .object(object)
    }
}

/// An object with only optional fields, so that every key of an input may be unknown.
private struct Options: KubeCodable {
    var verbose: Bool?

    init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        var reader = try ObjectReader(value, context: context)
        verbose = reader.decode("verbose")
        try reader.finish()
    }

    func encoded() -> JSONValue { ["verbose": verbose.map(JSONValue.bool) ?? .null] }
}

@Suite("ObjectReader keyed style")
struct SerializationObjectReaderTests {
    @Test func unknownKeysBesideKnownOnesAreErrorsInStrictMode() throws {
        let error = #expect(throws: FieldErrorList.self) {
            try Endpoint(decoding: ["host": "a", "prot": 80], strict: true)
        }
        #expect(error?.errors.map(\.description) == [#"prot: unknown field "prot""#])
        #expect(try Endpoint(decoding: ["host": "a", "prot": 80], strict: false) == Endpoint(host: "a"))
    }

    @Test func anObjectOfOnlyUnknownKeysIsAnErrorInStrictMode() throws {
        let error = #expect(throws: FieldErrorList.self) {
            try Options(decoding: ["verbos": true, "debug": 1], strict: true)
        }
        #expect(error?.errors.count == 2)
        #expect(try Options(decoding: ["verbos": true], strict: false).verbose == nil)
    }

    @Test func aMissingRequiredKeyIsReportedOnce() throws {
        let error = #expect(throws: FieldErrorList.self) { try Endpoint(decoding: ["port": 1]) }
        #expect(error?.errors.map(\.description) == ["host: required value"])
    }
}

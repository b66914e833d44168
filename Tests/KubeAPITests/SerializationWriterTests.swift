import KubeAPI
import Testing

@Suite("JSON and YAML writers")
struct SerializationWriterTests {
    @Test func compactJSONEscapesWhatRFC8259Requires() {
        let value: JSONValue = ["s": "a\"b\\c\nd\u{01}é🚀", "n": .number("1e3"), "b": false, "z": nil, "l": []]
        #expect(JSONWriter.string(value) == #"{"s":"a\"b\\c\nd\u0001é🚀","n":1e3,"b":false,"z":null,"l":[]}"#)
    }

    @Test func writtenJSONParsesBackToTheSameTree() throws {
        let value: JSONValue = [
            "text": "tab\t quote\" slash\\ nul\u{00} bell\u{07} 😀",
            "numbers": [.number("-0.5"), .number("123456789012345678901234567890")],
            "nested": ["a": ["b": ["c": [true, nil]]]],
        ]
        #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
    }

    @Test func yamlIsBlockStyleWithListsAtTheKeysIndentation() {
        let value: JSONValue = [
            "apiVersion": "v1",
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": ["containers": [["name": "web", "args": ["-v", "--port=80"]]], "volumes": []],
            "data": .object(JSONObject()),
        ]
        let expected = """
            apiVersion: v1
            metadata:
              name: web
              labels:
                app: web
            spec:
              containers:
              - name: web
                args:
                - -v
                - --port=80
              volumes: []
            data: {}

            """
        #expect(YAMLWriter.string(value) == expected)
    }

    @Test(arguments: [
        "true", "no", "On", "null", "~", "", "123", "0644", "1e3", "0x1F", ".5", "- item", "a: b", "x #y",
        " lead", "trail ", "multi\nline", "@at", "*star", "{brace", "2024-01-02T03:04:05Z", "y", "<<",
    ])
    func stringsYAMLWouldMisreadAreQuotedAndReadBackAsStrings(text: String) throws {
        let yaml = YAMLWriter.string(["k": .string(text)])
        #expect(yaml.hasPrefix("k: \""), "not quoted: \(yaml)")
        let documents = try YAMLReader.documents(yaml)
        #expect(documents.first?.value == ["k": .string(text)])
    }

    @Test(arguments: ["nginx:1.27", "registry.example.com/web@sha256:abc", "hello world", "a-b_c.d", "/var/log", "500m"])
    func ordinaryStringsStayPlain(text: String) {
        #expect(YAMLWriter.string(["k": .string(text)]) == "k: \(text)\n")
    }

    @Test func writtenYAMLReadsBackToTheSameTree() throws {
        let value: JSONValue = [
            "a": [["b": [1, [2, 3], ["c": nil]]], [], .object(JSONObject())],
            "quoted key: yes": "v",
            "n": .number("0.25"),
        ]
        let documents = try YAMLReader.documents(YAMLWriter.string(value))
        #expect(documents.first?.value == value)
    }
}

import KubeAPI
import Testing

@Suite("YAML reader")
struct SerializationYAMLReaderTests {
    private func single(_ yaml: String) throws -> JSONValue {
        let documents = try YAMLReader.documents(yaml)
        try #require(documents.count == 1)
        return documents[0].value
    }

    @Test func plainScalarsResolveAsKubernetesYAMLDoes() throws {
        let value = try single(
            """
            t: true
            y: yes
            off: off
            n: null
            tilde: ~
            empty:
            int: 42
            neg: -7
            octal: 0644
            hex: 0x1F
            under: 1_000
            float: 0.5
            exp: 1e3
            dot: .5
            big: 123456789012345678901234567890
            text: hello
            time: 2024-01-02T03:04:05Z
            version: 1.2.3
            """)
        #expect(
            value == [
                "t": true, "y": true, "off": false, "n": nil, "tilde": nil, "empty": nil,
                "int": 42, "neg": -7, "octal": 420, "hex": 31, "under": 1000,
                "float": .number("0.5"), "exp": .number("1e3"), "dot": .number("0.5"),
                "big": .number("123456789012345678901234567890"),
                "text": "hello", "time": "2024-01-02T03:04:05Z", "version": "1.2.3",
            ])
    }

    @Test func quotedAndBlockScalarsAreStrings() throws {
        let value = try single(
            """
            a: "true"
            b: '80'
            c: |
              line one
              line two
            d: >-
              folded
              text
            e: !!str 123
            f: !!int "12"
            """)
        #expect(value == ["a": "true", "b": "80", "c": "line one\nline two\n", "d": "folded text", "e": "123", "f": 12])
    }

    @Test func anchorsAliasesAndMergeKeysAreResolved() throws {
        let documents = try YAMLReader.documents(String(decoding: try ManifestFixture.bytes("anchors.yaml"), as: UTF8.self))
        let value = try #require(documents.first?.value)
        #expect(value["metadata"]?["annotations"] == ["app": "web"])
        let containers = try #require(value["spec"]?["containers"]?.arrayValue)
        #expect(containers[0] == ["name": "first", "image": "nginx", "imagePullPolicy": "IfNotPresent"])
        #expect(containers[1] == ["name": "second", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent"])
    }

    @Test func documentsAreSplitAndEmptyOnesSkipped() throws {
        let documents = try YAMLReader.documents("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n")
        #expect(documents.map(\.value) == [["a": 1], ["b": 2]])
        #expect(documents.map(\.line) == [2, 7])
    }

    @Test func membersRememberTheirLines() throws {
        let value = try single("a: 1\nb:\n  - x\n  - y: 2\n    z: 3\n")
        let object = try #require(value.objectValue)
        #expect(object.line(at: 0) == 1)
        #expect(object.line(at: 1) == 2)
        let list = try #require(object["b"]?.arrayValue)
        #expect(list.line(at: 0) == 3)
        #expect(list.line(at: 1) == 4)
        #expect(list[1].objectValue?.line(at: 1) == 5)
    }

    @Test func syntaxErrorsCarryTheirLine() {
        do {
            _ = try YAMLReader.documents("a: 1\nb: [1, 2\nc: 3\n")
            Issue.record("invalid YAML accepted")
        } catch {
            #expect(error.line >= 2)
            #expect(error.message.hasPrefix("invalid YAML:"))
        }
    }

    @Test func duplicateKeysAreErrors() {
        do {
            _ = try YAMLReader.documents("a: 1\nb: 2\na: 3\n")
            Issue.record("duplicate key accepted")
        } catch {
            #expect(error.message == "duplicate key \"a\"")
        }
    }
}

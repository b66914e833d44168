import KubeAPI
import Testing

@testable import NodeAgent

@Suite("Local API requests and response bodies")
struct LocalAPIRequestTests {
    @Test func requestHeadParsesPathQueryAndHeaders() throws {
        let head = "GET /api/v1/namespaces/default/pods/web/log?container=main&follow=true&tailLines=5 HTTP/1.1\r\nHost: localhost\r\nUpgrade: x"
        let request = try LocalAPIRequest.parse(head: Array(head.utf8))
        #expect(request.method == "GET")
        #expect(request.path == "/api/v1/namespaces/default/pods/web/log")
        #expect(request.parameter("container") == "main")
        #expect(request.flag("follow"))
        #expect(!request.flag("previous"))
        #expect(request.parameter("tailLines") == "5")
        #expect(request.headers == ["host": "localhost", "upgrade": "x"])
    }

    @Test func commandsWithSpacesAndSymbolsSurviveEncodingAndParsing() throws {
        let command = ["sh", "-c", "echo a&b=c; exit 3 # 100% +x"]
        let request = LocalAPIRequest(
            method: "POST", path: "/api/v1/namespaces/default/pods/web/exec",
            query: command.map { ("command", $0) } + [("tty", "true")], headers: ["upgrade": "swiftlet-exec.v1"])
        let bytes = request.encoded
        #expect(bytes.suffix(4) == [0x0D, 0x0A, 0x0D, 0x0A])
        let parsed = try LocalAPIRequest.parse(head: Array(bytes.dropLast(4)))
        #expect(parsed == request)
        #expect(parsed.parameters("command") == command)
    }

    @Test func aRequestLineThatIsNotHTTPIsABadRequest() {
        #expect(throws: LocalAPIError.self) { try LocalAPIRequest.parse(head: Array("hello".utf8)) }
        do {
            _ = try LocalAPIRequest.parse(head: Array("GET /x SPDY/3".utf8))
            Issue.record("expected a bad request")
        } catch {
            #expect(error.code == 400)
            #expect(error.message.contains("expected METHOD TARGET HTTP/1.1"))
        }
    }

    @Test func chunkedBodiesDecodeWhateverTheReadBoundaries() throws {
        let body = ResponseWriter.chunk(Array("first-line\n".utf8)) + ResponseWriter.chunk(Array("second\n".utf8)) + ResponseWriter.chunk([])
        for split in 0...body.count {
            var decoder = BodyDecoder(chunked: true)
            let text = try decoder.feed(Array(body[..<split])) + decoder.feed(Array(body[split...]))
            #expect(String(decoding: text, as: UTF8.self) == "first-line\nsecond\n", "split at \(split)")
            #expect(decoder.isFinished)
        }
        var bad = BodyDecoder(chunked: true)
        #expect(throws: LocalAPIClientError.self) { try bad.feed(Array("zz\r\n".utf8)) }
    }

    @Test func errorsTravelAsKubernetesStatusObjects() {
        let error = LocalAPIError.notFound("pods \"web\" not found in namespace \"default\"")
        let decoded = LocalAPIError.fromResponse(code: 404, body: JSONWriter.bytes(error.statusObject))
        #expect(decoded == error)
        #expect(LocalAPIError.fromResponse(code: 500, body: Array("boom\n".utf8)).message == "boom")
    }
}

import Dispatch
import Foundation

/// A small HTTP/1.1 client for probes and hooks: one GET per connection (`Connection: close`),
/// one deadline for the whole exchange including redirects, and upstream's redirect rule —
/// redirects to the same host are followed (at most 10), a redirect to another host is not
/// followed and the probe ends with a warning. Only the first 10 KiB of a body are kept.
public struct HTTPProbeClient: Sendable {
    /// One response.
    public struct Response: Sendable, Equatable {
        public var statusCode: Int
        public var headers: [String: String]
        public var body: String
    }

    /// The most body bytes kept (upstream's `maxRespBodyLength`).
    public static let maxBodyLength = 10 * 1024

    public init() {}

    /// Probes with `request` and classifies the outcome as upstream's `DoHTTPProbe`: 200–299
    /// success, 300–399 (a redirect not followed) warning, anything else, or any connection
    /// error or timeout, failure.
    public func probe(_ request: HTTPProbeRequest, timeout: Duration) async -> ProbeResult {
        switch await get(request, timeout: timeout) {
        case .success(let response):
            if (200..<300).contains(response.statusCode) { return .success(output: response.body) }
            if (300..<400).contains(response.statusCode) {
                return .warning("Probe terminated redirects, Response body: \(response.body)")
            }
            return .failure("HTTP probe failed with statuscode: \(response.statusCode)")
        case .failure(let error):
            return .failure(error.description)
        }
    }

    /// The error of a failed exchange.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// GETs `request`, following same-host redirects, and returns the last response.
    public func get(_ request: HTTPProbeRequest, timeout: Duration) async -> Result<Response, Failure> {
        let deadline = ProbeDeadline(timeout).dispatchTime
        return await ProbeSocket.offload { Self.exchange(request, deadline: deadline) }
    }

    private static func exchange(_ first: HTTPProbeRequest, deadline: DispatchTime) -> Result<Response, Failure> {
        guard first.scheme == "HTTP" else {
            return .failure(Failure(description: "scheme \(first.scheme) is not supported by swiftlet's probe client (HTTP only)"))
        }
        var request = first
        var redirects = 0
        while true {
            let response: Response
            do {
                response = try once(request, deadline: deadline)
            } catch {
                return .failure(Failure(description: "Get \"\(url(request))\": \(error.description)"))
            }
            guard (300..<400).contains(response.statusCode), let location = response.headers["location"] else {
                return .success(response)
            }
            guard let next = redirect(from: request, to: location) else { return .success(response) }
            if next.host != request.host { return .success(response) }
            if redirects >= 10 {
                return .failure(Failure(description: "Get \"\(url(next))\": stopped after 10 redirects"))
            }
            redirects += 1
            request = next
        }
    }

    static func url(_ request: HTTPProbeRequest) -> String {
        "\(request.scheme.lowercased())://\(HTTPProbeRequest.joinHostPort(request.host, request.port))\(request.path)"
    }

    /// The request a `Location` header leads to: absolute `http://host[:port]/path` or a path.
    static func redirect(from request: HTTPProbeRequest, to location: String) -> HTTPProbeRequest? {
        var next = request
        if location.hasPrefix("http://") || location.hasPrefix("https://") {
            let isHTTPS = location.hasPrefix("https://")
            let rest = location.dropFirst(isHTTPS ? 8 : 7)
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            let path = String(rest.dropFirst(authority.count))
            var host = String(authority)
            var port = isHTTPS ? 443 : 80
            if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
                let after = host[host.index(after: close)...]
                if after.hasPrefix(":"), let number = Int(after.dropFirst()) { port = number }
                host = String(host[host.index(after: host.startIndex)..<close])
            } else if let colon = host.lastIndex(of: ":"), let number = Int(host[host.index(after: colon)...]) {
                port = number
                host = String(host[..<colon])
            }
            next.scheme = isHTTPS ? "HTTPS" : "HTTP"
            next.host = host
            next.port = port
            next.path = path.isEmpty ? "/" : (path.hasPrefix("/") ? path : "/" + path)
            if isHTTPS && next.host == request.host {
                // Same host, other scheme: followed by upstream; this client cannot speak TLS.
                return next
            }
        } else if location.hasPrefix("/") {
            next.path = location
        } else {
            let directory = request.path.split(separator: "?").first.map { String($0) } ?? "/"
            let base = directory.hasSuffix("/") ? directory : String(directory[...(directory.lastIndex(of: "/") ?? directory.startIndex)])
            next.path = base + location
        }
        return next
    }

    private static func once(_ request: HTTPProbeRequest, deadline: DispatchTime) throws(ProbeSocket.Failure) -> Response {
        guard request.scheme == "HTTP" else {
            throw ProbeSocket.Failure(description: "scheme \(request.scheme) is not supported by swiftlet's probe client (HTTP only)")
        }
        let socket = try ProbeSocket(host: request.host, port: request.port, deadline: deadline)
        var head = "GET \(request.path) HTTP/1.1\r\nHost: \(request.hostHeader)\r\n"
        for header in request.headers where header.name.lowercased() != "host" {
            head += "\(header.name): \(header.value)\r\n"
        }
        head += "Connection: close\r\n\r\n"
        try socket.send(Array(head.utf8))

        var buffer: [UInt8] = []
        var headerEnd: Int?
        while headerEnd == nil {
            let chunk = try socket.receive()
            if chunk.isEmpty { throw ProbeSocket.Failure(description: "EOF") }
            buffer += chunk
            headerEnd = find([13, 10, 13, 10], in: buffer)
            if headerEnd == nil && buffer.count > 1 << 20 { throw ProbeSocket.Failure(description: "response headers too large") }
        }
        let headerText = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = headerText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let statusParts = statusLine.split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            throw ProbeSocket.Failure(description: "malformed HTTP response \"\(statusLine)\"")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(buffer[(headerEnd! + 4)...])
        let chunked = headers["transfer-encoding"]?.lowercased().contains("chunked") == true
        let length = headers["content-length"].flatMap { Int($0) }
        // Read until the body is complete, the connection closes or enough is kept.
        while body.count < maxBodyLength * 2 {
            if let length, body.count >= length { break }
            if chunked, find(Array("\r\n0\r\n".utf8), in: body) != nil || body.starts(with: Array("0\r\n".utf8)) { break }
            let chunk: [UInt8]
            do { chunk = try socket.receive() } catch { break }
            if chunk.isEmpty { break }
            body += chunk
        }
        if chunked { body = dechunk(body) }
        if let length, body.count > length { body = Array(body[0..<length]) }
        if body.count > maxBodyLength { body = Array(body[0..<maxBodyLength]) }
        return Response(statusCode: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = find([13, 10], in: Array(bytes[index...])) else { break }
            let sizeText = String(decoding: bytes[index..<(index + lineEnd)], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = index + lineEnd + 2
            let end = min(start + size, bytes.count)
            result += bytes[start..<end]
            index = end + 2
        }
        return result
    }
}

import Foundation

/// The head of one HTTP/1.1 request to the local API (requests carry no body: what exec and log
/// requests need travels in the query, as on the kubelet's own API).
public struct LocalAPIRequest: Sendable, Equatable {
    public var method: String
    /// The path, percent-decoded.
    public var path: String
    /// The query's parameters in order, percent-decoded.
    public var query: [(name: String, value: String)]
    /// Header names lower-cased.
    public var headers: [String: String]

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    public static func == (lhs: LocalAPIRequest, rhs: LocalAPIRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.headers == rhs.headers
            && lhs.query.map(\.name) == rhs.query.map(\.name) && lhs.query.map(\.value) == rhs.query.map(\.value)
    }

    /// The last value of a query parameter.
    public func parameter(_ name: String) -> String? { query.last { $0.name == name }?.value }
    /// Every value of a repeated query parameter (`command=a&command=b`).
    public func parameters(_ name: String) -> [String] { query.filter { $0.name == name }.map(\.value) }
    /// A `true`/`false` parameter; absent is false.
    public func flag(_ name: String) -> Bool { parameter(name) == "true" || parameter(name) == "1" }

    /// The end of a request head.
    static let headTerminator: [UInt8] = Array("\r\n\r\n".utf8)
    /// Requests with a longer head are refused.
    static let maximumHeadBytes = 64 * 1024

    /// Parses a request head (request line and headers, without the blank line).
    ///
    /// - Throws: ``LocalAPIError`` (400) for a request line that is not `METHOD TARGET HTTP/1.x`.
    public static func parse(head: [UInt8]) throws(LocalAPIError) -> LocalAPIRequest {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
            throw LocalAPIError(code: 400, reason: "BadRequest", message: "request line \"\(lines[0])\": expected METHOD TARGET HTTP/1.1")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw LocalAPIError(code: 400, reason: "BadRequest", message: "header line \"\(line)\": expected NAME: VALUE")
            }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let target = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let query = target.count > 1 ? decodeQuery(String(target[1])) : []
        let path = String(target[0]).removingPercentEncoding ?? String(target[0])
        return LocalAPIRequest(method: parts[0], path: path, query: query, headers: headers)
    }

    /// The request head as sent, ending with the blank line.
    public var encoded: [UInt8] {
        var target = Self.encodeComponent(path, allowed: .urlPathAllowed)
        if !query.isEmpty {
            target += "?" + query.map { "\(Self.encodeComponent($0.name))=\(Self.encodeComponent($0.value))" }.joined(separator: "&")
        }
        var text = "\(method) \(target) HTTP/1.1\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        return Array((text + "\r\n").utf8)
    }

    private static func decodeQuery(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            return (halves[0], halves.count > 1 ? halves[1] : "")
        }
    }

    private static let queryValueAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~/:"))

    private static func encodeComponent(_ text: String, allowed: CharacterSet = queryValueAllowed) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

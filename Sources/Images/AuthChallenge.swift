import Foundation

/// A `WWW-Authenticate` challenge from a registry: `Bearer realm="…",service="…",scope="…"` or
/// `Basic realm="…"`.
public struct AuthChallenge: Sendable, Equatable {
    /// `bearer` or `basic`, lower-cased.
    public var scheme: String
    /// The parameters, keys lower-cased.
    public var parameters: [String: String]

    /// Parses the header value; returns `nil` when it has no scheme.
    public init?(header: String) {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        scheme = trimmed[..<space].lowercased()
        parameters = Self.parseParameters(trimmed[space...])
    }

    /// The token endpoint for a bearer challenge.
    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    public var scope: String? { parameters["scope"] }

    /// `key=value` or `key="quoted, \"value\""` pairs separated by commas.
    private static func parseParameters(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var index = text.startIndex
        func skip(_ characters: Set<Character>) {
            while index < text.endIndex, characters.contains(text[index]) { index = text.index(after: index) }
        }
        while index < text.endIndex {
            skip([" ", ","])
            let keyStart = index
            while index < text.endIndex, text[index] != "=", text[index] != "," { index = text.index(after: index) }
            let key = text[keyStart..<index].trimmingCharacters(in: .whitespaces).lowercased()
            guard index < text.endIndex, text[index] == "=" else { continue }
            index = text.index(after: index)
            var value = ""
            if index < text.endIndex, text[index] == "\"" {
                index = text.index(after: index)
                while index < text.endIndex, text[index] != "\"" {
                    if text[index] == "\\", text.index(after: index) < text.endIndex { index = text.index(after: index) }
                    value.append(text[index])
                    index = text.index(after: index)
                }
                if index < text.endIndex { index = text.index(after: index) }
            } else {
                let valueStart = index
                while index < text.endIndex, text[index] != "," { index = text.index(after: index) }
                value = text[valueStart..<index].trimmingCharacters(in: .whitespaces)
            }
            if !key.isEmpty { result[key] = value }
        }
        return result
    }
}

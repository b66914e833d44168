// `Codable` for every KubeCodable type, bridged through the value tree: one decoding path, and
// JSONEncoder/JSONDecoder (or any other coder) interoperate with the generated types.

extension KubeCodable {
    /// Decodes through the tree, in lax mode (unknown fields ignored, as for API answers).
    ///
    /// - Throws: `DecodingError.dataCorrupted` listing every field problem.
    public init(from decoder: any Decoder) throws {
        let value = try JSONValue(from: decoder)
        do {
            try self.init(from: value, context: .lax)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes ``KubeCodable/encoded()``.
    public func encode(to encoder: any Encoder) throws {
        try encoded().encode(to: encoder)
    }
}

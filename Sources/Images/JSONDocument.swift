import Foundation

/// Decoding of JSON documents with errors that name the source and the field path.
enum JSONDocument {
    static func decode<T: Decodable>(_ data: Data, source: String) throws(ImageError) -> T {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, source: source)
        } catch {
            throw .invalidDocument(source: source, field: "(document)", expected: "JSON (\(error))")
        }
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding our own value types cannot fail: they hold only strings, numbers and arrays.
        return (try? encoder.encode(value)) ?? Data()
    }

    private static func describe(_ error: DecodingError, source: String) -> ImageError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "(document)" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidDocument(source: source, field: path(context.codingPath + [key]), expected: "a value (it is missing)")
        case .typeMismatch(let type, let context):
            return .invalidDocument(source: source, field: path(context.codingPath), expected: "a value of type \(type)")
        case .valueNotFound(let type, let context):
            return .invalidDocument(source: source, field: path(context.codingPath), expected: "a value of type \(type), not null")
        case .dataCorrupted(let context):
            return .invalidDocument(source: source, field: path(context.codingPath), expected: context.debugDescription)
        @unknown default:
            return .invalidDocument(source: source, field: "(document)", expected: "valid JSON")
        }
    }
}

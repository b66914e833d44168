import Foundation
import KubeAPI

/// A failed local API request: the HTTP status and a Kubernetes `Status` object's reason and
/// message, which the CLI prints as one line.
public struct LocalAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The HTTP status code (400, 404, 500, …).
    public var code: Int
    /// The `Status` reason (`NotFound`, `BadRequest`, `InternalError`).
    public var reason: String
    public var message: String

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    public var description: String { message }

    static func notFound(_ message: String) -> LocalAPIError { LocalAPIError(code: 404, reason: "NotFound", message: message) }
    static func badRequest(_ message: String) -> LocalAPIError { LocalAPIError(code: 400, reason: "BadRequest", message: message) }

    /// The error as a `Status` object (`kind: Status`, `status: Failure`), as the API server sends.
    var statusObject: JSONValue {
        ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
         "reason": .string(reason), "code": .number(String(code))]
    }

    /// Reads a `Status` object from a response body; a body that is not one becomes the message.
    static func fromResponse(code: Int, body: [UInt8]) -> LocalAPIError {
        if let value = try? JSONParser.parse(body), let message = value["message"]?.stringValue {
            return LocalAPIError(code: code, reason: value["reason"]?.stringValue ?? "", message: message)
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return LocalAPIError(code: code, reason: "", message: text.isEmpty ? "the agent answered HTTP \(code)" : text)
    }
}

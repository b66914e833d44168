import KubeAPI

extension GoDuration: KubeCodable {
    /// Reads a Go duration string (`metav1.Duration` in JSON and YAML).
    public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
        guard case .string(let text) = value else {
            throw FieldErrorList(.typeMismatch(expected: "duration string such as \"1m30s\"", got: value))
        }
        do {
            try self.init(parsing: text)
        } catch {
            throw FieldErrorList(FieldError(message: error.description))
        }
    }

    /// Writes the duration the way Go prints it (`1m0s`).
    public func encoded() -> JSONValue { .string(description) }
}

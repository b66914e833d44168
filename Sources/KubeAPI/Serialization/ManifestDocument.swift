/// One document of a manifest file (YAML `---` section, JSON value, or item of a `v1 List`).
public struct ManifestDocument: Sendable, Hashable {
    /// The file it came from, as given to the decoder (used in error messages).
    public var file: String
    /// Its position among the file's non-empty documents, from 0.
    public var index: Int
    /// The 1-based line it starts on.
    public var line: Int
    /// Its content.
    public var value: JSONValue

    /// A document of `file`, the `index`th, starting on `line`.
    public init(file: String, index: Int, line: Int, value: JSONValue) {
        self.file = file
        self.index = index
        self.line = line
        self.value = value
    }

    /// The `apiVersion` member, when it is a string.
    public var apiVersion: String? { value["apiVersion"]?.stringValue }

    /// The `kind` member, when it is a string.
    public var kind: String? { value["kind"]?.stringValue }
}

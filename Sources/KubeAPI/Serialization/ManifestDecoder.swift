/// Reads manifest and configuration files: YAML (several documents separated by `---`) or JSON
/// (one value or several concatenated), into documents, and documents into types.
///
/// ```swift
/// let decoder = ManifestDecoder(strict: true)
/// for document in try decoder.documents(in: bytes, file: "pods.yaml") {
///     let object = try decoder.decodeObject(document)      // any KubeObject, by apiVersion/kind
///     let pod = try decoder.decode(CoreV1.Pod.self, from: document)
/// }
/// ```
///
/// Every error is a ``ManifestError`` naming the file, the line, the field path and what was
/// expected, e.g. `pods.yaml:14: spec.containers[0].ports[1].containerPort: expected integer,
/// got "http"`; a document's decoding errors are all reported, not only the first.
public struct ManifestDecoder: Sendable {
    /// Unknown fields and duplicate keys are errors, as with `kubectl --validate=strict`.
    public var strict: Bool

    /// A decoder; `strict` (the default) makes unknown fields and duplicate keys errors.
    public init(strict: Bool = true) {
        self.strict = strict
    }

    /// The decoding context this decoder hands to ``KubeCodable`` types.
    public var context: DecodingContext { DecodingContext(strict: strict) }

    // MARK: Files to documents

    /// The non-empty documents of a file's bytes. JSON is recognised by its first character
    /// (`{` or `[`); anything else is read as YAML. A `v1` `List` document is replaced by its
    /// items, as kubectl does.
    ///
    /// - Throws: ``ManifestError`` for invalid UTF-8, YAML or JSON (with the line).
    public func documents(in bytes: some Collection<UInt8>, file: String) throws(ManifestError) -> [ManifestDocument] {
        if let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        {
            do {
                let values = try JSONParser.parseSequence(bytes, rejectDuplicateKeys: strict)
                return expandLists(values, file: file)
            } catch {
                throw ManifestError(file: file, line: error.line, message: "invalid JSON: \(error.message)")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ManifestError(file: file, line: nil, message: "not valid UTF-8 text")
        }
        return try yamlDocuments(text, file: file)
    }

    /// The non-empty documents of a file's text; see the bytes variant.
    ///
    /// - Throws: ``ManifestError``.
    public func documents(in text: String, file: String) throws(ManifestError) -> [ManifestDocument] {
        if let first = text.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        {
            return try documents(in: Array(text.utf8), file: file)
        }
        return try yamlDocuments(text, file: file)
    }

    private func yamlDocuments(_ text: String, file: String) throws(ManifestError) -> [ManifestDocument] {
        do {
            return expandLists(try YAMLReader.documents(text), file: file)
        } catch {
            throw ManifestError(file: file, line: error.line, message: error.message)
        }
    }

    private func expandLists(_ values: [(value: JSONValue, line: Int)], file: String) -> [ManifestDocument] {
        var documents: [ManifestDocument] = []
        for (value, line) in values {
            if let object = value.objectValue, object["apiVersion"] == "v1", object["kind"] == "List",
                case .array(let items)? = object["items"]
            {
                for (i, item) in items.elements.enumerated() {
                    let itemLine = items.line(at: i) ?? line
                    documents.append(ManifestDocument(file: file, index: documents.count, line: itemLine, value: item))
                }
            } else {
                documents.append(ManifestDocument(file: file, index: documents.count, line: line, value: value))
            }
        }
        return documents
    }

    // MARK: Documents to types

    /// Decodes a document as `type`, whatever its `apiVersion` and `kind` say (configuration
    /// files use this with their own types).
    ///
    /// - Throws: ``ManifestError`` with every problem of the document.
    public func decode<T: KubeCodable>(_ type: T.Type, from document: ManifestDocument) throws(ManifestError) -> T {
        do {
            return try T(from: document.value, context: context)
        } catch {
            throw manifestError(error, in: document)
        }
    }

    /// Decodes a document as the top-level kind `type`, first checking that its `apiVersion`
    /// and `kind`, when present, name that type.
    ///
    /// - Throws: ``ManifestError``: a different kind, or every problem of the document.
    public func decode<T: KubeObject>(_ type: T.Type, from document: ManifestDocument) throws(ManifestError) -> T {
        var mismatches: [FieldError] = []
        if let kind = document.kind, kind != T.kind {
            mismatches.append(FieldError(path: FieldPath("kind"), message: "expected \(JSONWriter.quoted(T.kind)), got \(JSONWriter.quoted(kind))"))
        }
        if let apiVersion = document.apiVersion, apiVersion != T.apiVersion {
            mismatches.append(FieldError(path: FieldPath("apiVersion"), message: "expected \(JSONWriter.quoted(T.apiVersion)), got \(JSONWriter.quoted(apiVersion))"))
        }
        if !mismatches.isEmpty { throw manifestError(FieldErrorList(mismatches), in: document) }
        do {
            return try T(from: document.value, context: context)
        } catch {
            throw manifestError(error, in: document)
        }
    }

    /// Decodes a document as whatever registered kind its `apiVersion` and `kind` name
    /// (see ``KubeObjectRegistry``).
    ///
    /// - Throws: ``ManifestError``: missing `apiVersion`/`kind`, `unknown kind`, or every
    ///   problem of the document.
    public func decodeObject(_ document: ManifestDocument) throws(ManifestError) -> any KubeObject {
        guard case .object = document.value else {
            throw manifestError(FieldErrorList(.typeMismatch(expected: "object", got: document.value)), in: document)
        }
        var missing: [FieldError] = []
        if document.apiVersion == nil { missing.append(.required("apiVersion")) }
        if document.kind == nil { missing.append(.required("kind")) }
        guard let apiVersion = document.apiVersion, let kind = document.kind else {
            throw manifestError(FieldErrorList(missing), in: document)
        }
        guard let type = KubeObjectRegistry.type(apiVersion: apiVersion, kind: kind) else {
            let message = "unknown kind \(JSONWriter.quoted(kind)) for apiVersion \(JSONWriter.quoted(apiVersion))"
            throw manifestError(FieldErrorList(FieldError(path: FieldPath("kind"), message: message)), in: document)
        }
        do {
            return try type.init(from: document.value, context: context)
        } catch {
            throw manifestError(error, in: document)
        }
    }

    /// Reads a file and decodes every document by its kind.
    ///
    /// - Throws: ``ManifestError`` with the problems of every document, or the syntax error.
    public func decodeObjects(in bytes: some Collection<UInt8>, file: String) throws(ManifestError) -> [any KubeObject] {
        let documents = try documents(in: bytes, file: file)
        var objects: [any KubeObject] = []
        var errors: [FieldError] = []
        for document in documents {
            do {
                objects.append(try decodeObject(document))
            } catch {
                errors.append(contentsOf: error.errors)
            }
        }
        if !errors.isEmpty { throw ManifestError(file: file, errors: errors) }
        return objects
    }

    private func manifestError(_ list: FieldErrorList, in document: ManifestDocument) -> ManifestError {
        ManifestError(
            file: document.file,
            errors: list.errors.map { error in
                var copy = error
                if copy.line == nil { copy.line = document.line }
                return copy
            })
    }
}

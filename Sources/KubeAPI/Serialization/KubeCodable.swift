/// A type that reads itself from a ``JSONValue`` tree and writes itself back to one.
///
/// Every Kubernetes type in KubeAPI conforms: the generated ones, the hand-written primitives
/// (`Quantity`, `IntOrString`, `MetaV1.Time`, `MetaV1.MicroTime`), ``JSONValue`` itself, the
/// scalars (`String`, `Bool`, `Int`, `Int32`, `Int64`, `Double`) and, when their elements
/// conform, `[T]` and `[String: T]`. Configuration types outside the schema conform by hand.
///
/// Decoding is one code path for JSON and YAML: the readers build the tree, then
/// `init(from:context:)` walks it. Implementations report *every* problem they find as a
/// ``FieldErrorList`` whose paths are relative to the value being decoded; the caller puts its
/// own field or index in front (so the happy path builds no paths at all). Use
/// ``ObjectReader`` to implement an object type by hand:
///
/// ```swift
/// struct Endpoint: KubeCodable {
///     var host: String
///     var port: Int32?
///
///     init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
///         var reader = try ObjectReader(value, context: context)
///         let host: String? = reader.require("host")
///         port = reader.decode("port")
///         guard let host else { throw reader.failure() }
///         self.host = host
///         try reader.finish()   // unknown keys are errors in strict mode
///     }
///
///     func encoded() -> JSONValue {
///         var object = JSONObject()
///         object.put("host", host)
///         object.put("port", port)
///         return .object(object)
///     }
/// }
/// ```
///
/// `Codable` comes for free through the tree (see `KubeCodable+Codable.swift`), so
/// `JSONEncoder`/`JSONDecoder` work with every conforming type.
public protocol KubeCodable: Codable, Sendable, Hashable {
    /// Decodes a value from `value`.
    ///
    /// - Throws: ``FieldErrorList`` with every problem found, paths relative to `value`.
    ///   An object's `null` field counts as absent and never reaches this; `value` is `.null`
    ///   only for a list element or map value, where Go reads it as the zero value: scalars
    ///   give `""`, `false`, `0`, objects read it as `{}`.
    init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList)

    /// The value as a tree, in the form the API server writes it: `nil` fields omitted, object
    /// keys in schema order.
    func encoded() -> JSONValue
}

/// A top-level Kubernetes kind: something with its own `apiVersion` and `kind`.
public protocol KubeObject: KubeCodable {
    /// The `apiVersion` this type is written with, e.g. `v1` or `discovery.k8s.io/v1`.
    static var apiVersion: String { get }
    /// The `kind`, e.g. `Pod`.
    static var kind: String { get }

    /// The object's own `apiVersion` field: absent on the items of a list, as the API server
    /// writes them.
    var apiVersion: String? { get set }
    /// The object's own `kind` field.
    var kind: String? { get set }
}

extension KubeObject {
    /// The object as a document of its own (a file, a request body, `-o yaml`): like
    /// ``KubeCodable/encoded()``, with `apiVersion` and `kind` filled in from the type when the
    /// object does not carry them. ``KubeCodable/encoded()`` writes only what the object holds,
    /// so the items of a list stay as the API server sent them.
    public func encodedDocument() -> JSONValue {
        guard apiVersion == nil || kind == nil else { return encoded() }
        var document = self
        document.apiVersion = apiVersion ?? Self.apiVersion
        document.kind = kind ?? Self.kind
        return document.encoded()
    }
}

extension KubeCodable {
    /// Decodes from a tree that is not part of a larger document, e.g. a test literal.
    ///
    /// - Throws: ``FieldErrorList``.
    public init(decoding value: JSONValue, strict: Bool = true) throws(FieldErrorList) {
        try self.init(from: value, context: DecodingContext(strict: strict))
    }
}

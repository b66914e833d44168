extension MetaV1 {
    /// One event of a watch stream, `{"type": "ADDED", "object": {...}}`, with the object typed.
    ///
    /// Hand-written because the schema's WatchEvent carries a RawExtension. An `ERROR` event
    /// carries a `Status` instead of an object: it is decoded into ``status`` and ``object`` is
    /// nil.
    public struct WatchEvent<Object: KubeCodable>: KubeCodable {
        /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
        public var type: String
        /// The object, for every type but `ERROR`.
        public var object: Object?
        /// The error, for `ERROR`.
        public var status: MetaV1.Status?

        /// An event of `type` carrying `object` (or, for `ERROR`, `status`).
        public init(type: String, object: Object?, status: MetaV1.Status? = nil) {
            self.type = type
            self.object = object
            self.status = status
        }

        /// Decodes an event; `type` and `object` are required.
        ///
        /// - Throws: ``FieldErrorList``.
        public init(from value: JSONValue, context: DecodingContext) throws(FieldErrorList) {
            var reader = try ObjectReader(value, context: context)
            let type: String? = reader.require("type")
            guard let type else { throw reader.failure() }
            self.type = type
            if type == "ERROR" {
                status = reader.require("object")
                object = nil
            } else {
                object = reader.require("object")
                status = nil
            }
            try reader.finish()
        }

        public func encoded() -> JSONValue {
            var json = JSONObject(minimumCapacity: 2)
            json.append("type", .string(type))
            if let status {
                json.append("object", status.encoded())
            } else {
                json.put("object", object)
            }
            return .object(json)
        }
    }
}

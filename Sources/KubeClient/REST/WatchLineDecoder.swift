import KubeAPI

/// Splits a watch body (one JSON `WatchEvent` per line, chunked arbitrarily) into events.
struct WatchLineDecoder<Object: KubeResource> {
    /// The request, for messages.
    let request: String
    private var pending: [UInt8] = []

    init(request: String) {
        self.request = request
    }

    /// What one line turned into.
    enum Outcome {
        case event(KubeWatchEvent<Object>)
        case skipped(UndecodableObject)
    }

    /// Adds `chunk` and returns the outcomes of the lines it completed.
    ///
    /// - Throws: ``KubeAPIError`` for an `ERROR` event; ``KubeDecodingError`` for a line that is
    ///   not a watch event at all (the stream is out of step and cannot be trusted further).
    mutating func feed(_ chunk: [UInt8]) throws -> [Outcome] {
        pending += chunk
        var outcomes: [Outcome] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending[start..<newline]
            start = newline + 1
            if let outcome = try decodeLine(line) { outcomes.append(outcome) }
        }
        pending.removeFirst(start)
        return outcomes
    }

    /// Decodes what is left when the body ends (a last line without a newline).
    mutating func finish() throws -> Outcome? {
        defer { pending = [] }
        return try decodeLine(pending[...])
    }

    private func decodeLine(_ line: ArraySlice<UInt8>) throws -> Outcome? {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") })
        else { return nil }
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw KubeDecodingError(request: request, message: "watch line is not JSON: \(error)")
        }
        guard let type = value["type"]?.stringValue, let object = value["object"] else {
            throw KubeDecodingError(request: request, message: "watch line has no \"type\" and \"object\"")
        }
        if type == "ERROR" {
            let status =
                (try? MetaV1.Status(decoding: object, strict: false))
                ?? MetaV1.Status(code: 500, message: "watch ERROR event without a Status", status: "Failure")
            throw KubeAPIError(status: status, request: request)
        }
        if type == "BOOKMARK" {
            return .event(.bookmark(resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue ?? ""))
        }
        let decoded: Object
        do {
            decoded = try Object(decoding: object, strict: false)
        } catch {
            return .skipped(UndecodableObject(request: request, key: Self.rawKey(object), message: error.description))
        }
        switch type {
        case "ADDED": return .event(.added(decoded))
        case "MODIFIED": return .event(.modified(decoded))
        case "DELETED": return .event(.deleted(decoded))
        default:
            throw KubeDecodingError(
                request: request, message: "unknown watch event type \"\(type)\", expected ADDED, MODIFIED, DELETED, BOOKMARK or ERROR")
        }
    }

    /// `namespace/name` read from a raw object that did not decode, for the report.
    static func rawKey(_ object: JSONValue) -> String {
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        guard let namespace = object["metadata"]?["namespace"]?.stringValue, !namespace.isEmpty else { return name }
        return namespace + "/" + name
    }
}

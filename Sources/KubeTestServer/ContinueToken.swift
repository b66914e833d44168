import Foundation
import KubeAPI

/// The opaque `continue` token of a paged list, shaped like kube-apiserver's: base64 of
/// `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key>\u0000"}`.
struct ContinueToken: Sendable {
    var revision: Int64
    var lastKey: ObjectKey

    init(revision: Int64, lastKey: ObjectKey) {
        self.revision = revision
        self.lastKey = lastKey
    }

    init(decoding text: String) throws(APIError) {
        guard let data = Data(base64Encoded: text), let value = try? JSONParser.parse(Array(data)),
            value["v"]?.stringValue == "meta.k8s.io/v1", let revision = value["rv"]?.integerValue,
            let start = value["start"]?.stringValue, start.hasSuffix("\u{0}")
        else {
            throw APIError.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        let key = String(start.dropLast())
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        self.revision = revision
        self.lastKey = parts.count == 2 ? ObjectKey(namespace: parts[0], name: parts[1]) : ObjectKey(namespace: "", name: key)
    }

    var encoded: String {
        let value: JSONValue = [
            "v": "meta.k8s.io/v1", "rv": .number(String(revision)), "start": .string(lastKey.text + "\u{0}"),
        ]
        return Data(JSONWriter.bytes(value)).base64EncodedString()
    }
}

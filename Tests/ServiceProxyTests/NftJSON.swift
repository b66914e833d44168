import Foundation

/// `nft -j list ruleset` as comparable text: handles dropped, map and set elements sorted,
/// each object canonical (sorted keys), so two namespaces programmed differently but holding
/// the same ruleset compare equal.
enum NftJSON {
    static func objects(_ text: String) throws -> [[String: Any]] {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let objects = root["nftables"] as? [[String: Any]] else { return [] }
        return objects.filter { $0["metainfo"] == nil }
    }

    static func canonical(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "\(value)"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Removes `handle` everywhere and sorts `elem` lists.
    static func normalized(_ value: Any) -> Any {
        if let dictionary = value as? [String: Any] {
            var copy: [String: Any] = [:]
            for (key, inner) in dictionary where key != "handle" {
                if key == "elem", let list = inner as? [Any] {
                    copy[key] = list.map(normalized).sorted { canonical($0) < canonical($1) }
                } else {
                    copy[key] = normalized(inner)
                }
            }
            return copy
        }
        if let list = value as? [Any] { return list.map(normalized) }
        return value
    }

    /// The ruleset as a sorted list of canonical object texts.
    static func comparable(_ text: String) throws -> [String] {
        try objects(text).map { canonical(normalized($0)) }.sorted()
    }

    /// The rules of one chain as canonical expression texts, in order.
    static func rules(chain: String, in text: String) throws -> [String] {
        try objects(text).compactMap { $0["rule"] as? [String: Any] }.filter { $0["chain"] as? String == chain }
            .map { canonical(normalized($0["expr"] ?? [])) }
    }
}

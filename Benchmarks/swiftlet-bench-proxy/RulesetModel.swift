/// A ruleset in the line form `NFTablesProxier.rulesetText()` writes (`add chain`, `add rule`,
/// `add element`, one command a line), read into what a partial sync compares: the rule lines
/// of each chain and the elements of each set and map.
struct RulesetModel {
    /// `ip kube-proxy`: the family and table every command names.
    private(set) var table = ""
    /// Each chain's statements in order; a declared chain without rules maps to `[]`.
    private(set) var chains: [String: [String]] = [:]
    /// Each set's or map's elements: key → value (`""` for a set).
    private(set) var elements: [String: [String: String]] = [:]

    init(text: String) {
        for line in text.split(separator: "\n") {
            // add KIND FAMILY TABLE NAME REST
            let words = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard words.count >= 5, words[0] == "add" else { continue }
            table = "\(words[2]) \(words[3])"
            let name = String(words[4])
            let rest = words.count > 5 ? String(words[5]) : ""
            switch words[1] {
            case "chain":
                if chains[name] == nil { chains[name] = [] }
            case "rule":
                chains[name, default: []].append(rest)
            case "element":
                guard let open = rest.firstIndex(of: "{"), let close = rest.lastIndex(of: "}"), open < close else { continue }
                for item in rest[rest.index(after: open)..<close].split(separator: ",") {
                    let parts = item.split(separator: " : ", maxSplits: 1)
                    guard let key = parts.first?.trimmed, !key.isEmpty else { continue }
                    elements[name, default: [:]][key] = parts.count > 1 ? parts[1].trimmed : ""
                }
            default:
                continue
            }
        }
    }

    /// Service and endpoint chains, and only they, have a `/` in their names
    /// (`service-HASH-namespace/name/protocol/port`, `endpoint-HASH-…__address/port`).
    static func isServiceChain(_ name: String) -> Bool { name.contains("/") }

    /// The service port a service or endpoint chain belongs to: `namespace/name/protocol/port`.
    static func servicePort(ofChain name: String) -> Substring {
        guard let dash = name.firstIndex(of: "-") else { return name[...] }
        // Past `kind-` and the 8-character hash with its dash.
        let base = name[name.index(after: dash)...].dropFirst(9)
        guard let separator = base.range(of: "__") else { return base }
        return base[..<separator.lowerBound]
    }
}

extension Substring {
    fileprivate var trimmed: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

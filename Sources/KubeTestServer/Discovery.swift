import KubeAPI

/// The discovery documents (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`) in their legacy
/// (non-aggregated) form, which clients fall back to when the server does not offer the
/// aggregated `apidiscovery.k8s.io` form.
enum Discovery {
    static func versions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    static func group(_ name: String, version: String) -> JSONValue {
        let groupVersion: JSONValue = ["groupVersion": .string("\(name)/\(version)"), "version": .string(version)]
        return ["name": .string(name), "versions": [groupVersion], "preferredVersion": groupVersion]
    }

    static func groupList() -> JSONValue {
        let groups = ResourceType.groups.map { group($0.name, version: $0.version) }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(JSONArray(groups))]
    }

    static func groupDocument(_ name: String) -> JSONValue? {
        guard let entry = ResourceType.groups.first(where: { $0.name == name }) else { return nil }
        return group(name, version: entry.version).setting("kind", to: "APIGroup").setting("apiVersion", to: "v1")
    }

    static func resourceList(group: String, version: String) -> JSONValue? {
        let resources = ResourceType.all.filter { $0.group == group && $0.version == version }
        guard !resources.isEmpty else { return nil }
        var entries: [JSONValue] = []
        for resource in resources {
            var verbs: [JSONValue] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
            if resource == .events || resource == .configMaps { verbs.sort { $0.stringValue! < $1.stringValue! } }
            var entry: JSONObject = [
                "name": .string(resource.plural), "singularName": .string(resource.singular),
                "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind), "verbs": .array(JSONArray(verbs)),
            ]
            if !resource.shortNames.isEmpty {
                entry["shortNames"] = .array(JSONArray(resource.shortNames.map { .string($0) }))
            }
            entries.append(.object(entry))
            for subresource in resource.subresources {
                let subVerbs: [JSONValue] = subresource == "token" ? ["create"] : ["get", "patch", "update"]
                var sub: JSONObject = [
                    "name": .string("\(resource.plural)/\(subresource)"), "singularName": "",
                    "namespaced": .bool(resource.namespaced),
                    "kind": .string(subresource == "token" ? "TokenRequest" : resource.kind),
                    "verbs": .array(JSONArray(subVerbs)),
                ]
                if subresource == "token" {
                    sub["group"] = "authentication.k8s.io"
                    sub["version"] = "v1"
                }
                entries.append(.object(sub))
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(JSONArray(entries)),
        ]
    }

    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-swiftlet-test", "gitCommit": "", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23", "compiler": "gc", "platform": "linux/amd64",
    ]
}

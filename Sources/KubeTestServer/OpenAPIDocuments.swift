import KubeAPI

/// The OpenAPI v3 documents kubectl reads before `create -f`: the root index and, per group
/// version, the PATCH operations tagged with `x-kubernetes-group-version-kind` that list the
/// `fieldValidation` query parameter, which tells kubectl to leave validation to the server.
enum OpenAPIDocuments {
    static let hash = "5357494654455354"

    static func groupVersionPath(_ resource: ResourceType) -> String {
        resource.group.isEmpty ? "api/\(resource.version)" : "apis/\(resource.group)/\(resource.version)"
    }

    static func root() -> JSONValue {
        var paths = JSONObject()
        for resource in ResourceType.all {
            let path = groupVersionPath(resource)
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// The document for `/openapi/v3/<groupVersionPath>`, nil when no resource lives there.
    static func document(_ groupVersionPath: String) -> JSONValue? {
        let resources = ResourceType.all.filter { Self.groupVersionPath($0) == groupVersionPath }
        guard let first = resources.first else { return nil }
        var paths = JSONObject()
        for resource in resources {
            let base = "/\(groupVersionPath)" + (resource.namespaced ? "/namespaces/{namespace}" : "")
            let kind: JSONValue = [
                "group": .string(resource.group), "version": .string(resource.version), "kind": .string(resource.kind),
            ]
            let parameters: JSONValue = [
                ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ]
            func operation(_ action: String) -> JSONValue {
                [
                    "operationId": .string("\(action)\(resource.kind)"), "parameters": parameters,
                    "responses": ["200": ["description": "OK"]], "x-kubernetes-action": .string(action),
                    "x-kubernetes-group-version-kind": kind,
                ]
            }
            paths["\(base)/\(resource.plural)"] = ["post": operation("post")]
            paths["\(base)/\(resource.plural)/{name}"] = ["put": operation("put"), "patch": operation("patch")]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": Discovery.version["gitVersion"] ?? "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": .object(JSONObject())],
            "x-group-version": .string(first.apiVersion),
        ]
    }
}

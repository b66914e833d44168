import Foundation
import KubeAPI

/// Server-side printing (`meta.k8s.io/v1` Table), which kubectl asks for on `get`.
enum Tables {
    static func table(_ resource: ResourceType, _ objects: [JSONValue], resourceVersion: Int64?, continueToken: String? = nil)
        -> JSONValue
    {
        let columns: [(String, String, Int)]
        switch resource {
        case .pods:
            columns = [("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0),
                ("Age", "string", 0), ("IP", "string", 1), ("Node", "string", 1)]
        case .nodes:
            columns = [("Name", "string", 0), ("Status", "string", 0), ("Roles", "string", 0), ("Age", "string", 0),
                ("Version", "string", 0)]
        default:
            columns = [("Name", "string", 0), ("Age", "string", 0)]
        }
        let definitions = columns.map { column -> JSONValue in
            [
                "name": .string(column.0), "type": .string(column.1), "format": column.0 == "Name" ? "name" : "",
                "description": .string(column.0), "priority": .number(String(column.2)),
            ]
        }
        let rows = objects.map { object -> JSONValue in
            ["cells": .array(JSONArray(cells(resource, object).map { .string($0) })), "object": object]
        }
        var metadata = JSONObject()
        if let resourceVersion { metadata["resourceVersion"] = .string(String(resourceVersion)) }
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
            "columnDefinitions": .array(JSONArray(definitions)), "rows": .array(JSONArray(rows)),
        ]
    }

    static func cells(_ resource: ResourceType, _ object: JSONValue) -> [String] {
        let name = object.metadataString("name") ?? ""
        let age = self.age(object.metadataString("creationTimestamp"))
        switch resource {
        case .pods:
            let statuses = object["status"]?["containerStatuses"]?.arrayValue.map(Array.init) ?? []
            let total = object["spec"]?["containers"]?.arrayValue?.count ?? 0
            let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
            let restarts = statuses.reduce(Int64(0)) { $0 + ($1["restartCount"]?.integerValue ?? 0) }
            var phase = object["status"]?["phase"]?.stringValue ?? "Unknown"
            if object["metadata"]?["deletionTimestamp"] != nil { phase = "Terminating" }
            return [name, "\(ready)/\(total)", phase, String(restarts), age,
                object["status"]?["podIP"]?.stringValue ?? "<none>", object["spec"]?["nodeName"]?.stringValue ?? "<none>"]
        case .nodes:
            let conditions = object["status"]?["conditions"]?.arrayValue.map(Array.init) ?? []
            let ready = conditions.first { $0["type"]?.stringValue == "Ready" }?["status"]?.stringValue
            var status = ready == "True" ? "Ready" : (ready == nil ? "Unknown" : "NotReady")
            if object["spec"]?["unschedulable"]?.boolValue == true { status += ",SchedulingDisabled" }
            let roles = object.stringMap(at: ["metadata", "labels"]).keys
                .filter { $0.hasPrefix("node-role.kubernetes.io/") }
                .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
            return [name, status, roles.isEmpty ? "<none>" : roles.joined(separator: ","), age,
                object["status"]?["nodeInfo"]?["kubeletVersion"]?.stringValue ?? ""]
        default:
            return [name, age]
        }
    }

    /// The age as kubectl prints it (`42s`, `3m7s`, `25m`, `5h3m`, `9h`, `12d`).
    static func age(_ timestamp: String?) -> String {
        guard let timestamp, let created = try? Date(timestamp, strategy: .iso8601) else { return "<unknown>" }
        let seconds = max(0, Int(Date().timeIntervalSince(created)))
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<600: return "\(seconds / 60)m\(seconds % 60 == 0 ? "" : "\(seconds % 60)s")"
        case ..<10800: return "\(seconds / 60)m"
        case ..<28800: return "\(seconds / 3600)h\((seconds % 3600) / 60 == 0 ? "" : "\((seconds % 3600) / 60)m")"
        case ..<172800: return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }
}

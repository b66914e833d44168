import KubeAPI
import KubeTestServer
import Testing

@Suite("KubeTestServer patches")
struct PatchTests {
    static let podPath = "/api/v1/namespaces/default/pods/p"

    func runningPod(_ client: APITestClient) async throws -> JSONValue {
        let created = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("p", node: "n1"))
        let status: JSONValue = [
            "phase": "Running",
            "conditions": [
                ["type": "PodScheduled", "status": "True"], ["type": "Ready", "status": "False"],
            ],
            "containerStatuses": [["name": "app", "ready": false, "restartCount": 0]],
            "podIPs": [["ip": "10.0.0.5"]],
        ]
        let answer = try await client.send(.PUT, Self.podPath + "/status", created.body.setting("status", to: status))
        #expect(answer.status == 200)
        return answer.body
    }

    @Test func strategicMergePatchOfPodStatusMergesConditionsByTypeAndContainerStatusesByName() async throws {
        try await withServer { _, client in
            _ = try await runningPod(client)
            let patch: JSONValue = [
                "status": [
                    "$setElementOrder/conditions": [["type": "Ready"], ["type": "PodScheduled"], ["type": "ContainersReady"]],
                    "conditions": [
                        ["type": "Ready", "status": "True"], ["type": "ContainersReady", "status": "True"],
                    ],
                    "containerStatuses": [["name": "app", "ready": true]],
                    "podIPs": [["ip": "fd00::5"]],
                ]
            ]
            let answer = try await client.send(
                .PATCH, Self.podPath + "/status", patch, contentType: "application/strategic-merge-patch+json")
            #expect(answer.status == 200)
            let conditions = answer.body["status"]?["conditions"]?.arrayValue ?? []
            #expect(conditions.map { $0["type"]?.stringValue ?? "" } == ["Ready", "PodScheduled", "ContainersReady"])
            #expect(conditions.map { $0["status"]?.stringValue ?? "" } == ["True", "True", "True"])
            let statuses = answer.body["status"]?["containerStatuses"]?.arrayValue ?? []
            #expect(statuses.count == 1)
            #expect(statuses.first?["ready"] == true)
            #expect(statuses.first?["restartCount"] == 0)
            #expect(answer.body["status"]?["podIPs"]?.arrayValue?.count == 2)
            #expect(answer.body["status"]?["phase"] == "Running")
        }
    }

    @Test func strategicMergeDirectivesDeleteAndReplaceListElements() async throws {
        try await withServer { _, client in
            _ = try await runningPod(client)
            let deleting: JSONValue = ["status": ["conditions": [["type": "Ready", "$patch": "delete"]]]]
            let afterDelete = try await client.send(
                .PATCH, Self.podPath + "/status", deleting, contentType: "application/strategic-merge-patch+json")
            #expect(afterDelete.body["status"]?["conditions"]?.arrayValue?.map { $0["type"] } == ["PodScheduled"])

            let replacing: JSONValue = ["status": ["podIPs": [["$patch": "replace"], ["ip": "10.0.0.9"]]]]
            let afterReplace = try await client.send(
                .PATCH, Self.podPath + "/status", replacing, contentType: "application/strategic-merge-patch+json")
            #expect(afterReplace.body["status"]?["podIPs"] == [["ip": "10.0.0.9"]])
        }
    }

    @Test func nodeStatusPatchMergesConditionsAndAddressesByType() async throws {
        try await withServer { _, client in
            let node: JSONValue = [
                "apiVersion": "v1", "kind": "Node", "metadata": ["name": "n1"],
            ]
            let created = try await client.send(.POST, "/api/v1/nodes", node)
            #expect(created.status == 201)
            let initial: JSONValue = [
                "status": [
                    "conditions": [["type": "Ready", "status": "False"], ["type": "MemoryPressure", "status": "False"]],
                    "addresses": [["type": "InternalIP", "address": "192.0.2.1"], ["type": "Hostname", "address": "n1"]],
                ]
            ]
            _ = try await client.send(.PATCH, "/api/v1/nodes/n1/status", initial, contentType: "application/strategic-merge-patch+json")
            let patch: JSONValue = [
                "status": [
                    "conditions": [["type": "Ready", "status": "True"]],
                    "addresses": [["type": "InternalIP", "address": "192.0.2.7"]],
                ]
            ]
            let answer = try await client.send(
                .PATCH, "/api/v1/nodes/n1/status", patch, contentType: "application/strategic-merge-patch+json")
            let conditions = answer.body["status"]?["conditions"]?.arrayValue ?? []
            #expect(conditions.count == 2)
            #expect(conditions.first { $0["type"] == "Ready" }?["status"] == "True")
            let addresses = answer.body["status"]?["addresses"]?.arrayValue ?? []
            #expect(addresses.count == 2)
            #expect(addresses.first { $0["type"] == "InternalIP" }?["address"] == "192.0.2.7")
        }
    }

    @Test func mergePatchReplacesListsAndJSONPatchAppliesOperationsInOrder() async throws {
        try await withServer { _, client in
            _ = try await runningPod(client)
            let merge: JSONValue = ["status": ["conditions": [["type": "Only", "status": "True"]]]]
            let merged = try await client.send(.PATCH, Self.podPath + "/status", merge, contentType: "application/merge-patch+json")
            #expect(merged.body["status"]?["conditions"] == [["type": "Only", "status": "True"]])

            let operations: JSONValue = [
                ["op": "test", "path": "/metadata/name", "value": "p"],
                ["op": "add", "path": "/metadata/labels/role", "value": "web"],
            ]
            let patched = try await client.send(.PATCH, Self.podPath, operations, contentType: "application/json-patch+json")
            #expect(patched.status == 200)
            #expect(patched.body["metadata"]?["labels"]?["role"] == "web")
            let failing: JSONValue = [["op": "test", "path": "/metadata/name", "value": "q"]]
            let refused = try await client.send(.PATCH, Self.podPath, failing, contentType: "application/json-patch+json")
            #expect(refused.status == 422)
        }
    }

    @Test func patchCarryingAStaleResourceVersionIsConflict() async throws {
        try await withServer { _, client in
            let current = try await runningPod(client)
            _ = try await client.send(
                .PATCH, Self.podPath, ["metadata": ["labels": ["a": "1"]]], contentType: "application/merge-patch+json")
            let stale: JSONValue = ["metadata": ["resourceVersion": current["metadata"]!["resourceVersion"]!, "labels": ["a": "2"]]]
            let answer = try await client.send(.PATCH, Self.podPath, stale, contentType: "application/merge-patch+json")
            #expect(answer.status == 409)
            #expect(answer.body["reason"] == "Conflict")
        }
    }
}

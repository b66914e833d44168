import KubeAPI
import KubeTestServer
import Testing

@Suite("KubeTestServer REST semantics")
struct RESTSemanticsTests {
    @Test func createAssignsMetadataAndASecondCreateIsAlreadyExists() async throws {
        try await withServer { server, client in
            let before = server.resourceVersion
            let created = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("one"))
            #expect(created.status == 201)
            let metadata = try #require(created.body["metadata"])
            #expect(metadata["uid"]?.stringValue?.count == 36)
            #expect(metadata["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            #expect(Int64(metadata["resourceVersion"]?.stringValue ?? "") ?? 0 > before)

            let again = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("one"))
            #expect(again.status == 409)
            #expect(again.body["kind"] == "Status")
            #expect(again.body["reason"] == "AlreadyExists")
            #expect(again.body["message"] == "configmaps \"one\" already exists")
            #expect(again.body["details"]?["name"] == "one")
        }
    }

    @Test func generateNameGivesAFreshNameAndMissingObjectsAre404WithGroupInTheMessage() async throws {
        try await withServer { _, client in
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "gen-"]]
            let created = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", body)
            let name = try #require(created.body["metadata"]?["name"]?.stringValue)
            #expect(name.hasPrefix("gen-") && name.count == 9)

            let missing = try await client.get("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/nope")
            #expect(missing.status == 404)
            #expect(missing.body["reason"] == "NotFound")
            #expect(missing.body["message"] == "leases.coordination.k8s.io \"nope\" not found")
            #expect(missing.body["details"]?["group"] == "coordination.k8s.io")
            #expect(missing.body["code"] == 404)

            let noNamespace = try await client.send(.POST, "/api/v1/namespaces/absent/configmaps", configMap("x", namespace: "absent"))
            #expect(noNamespace.status == 404)
            #expect(noNamespace.body["message"] == "namespaces \"absent\" not found")
        }
    }

    @Test func updateWithAStaleResourceVersionIsConflictAndACurrentOneSucceeds() async throws {
        try await withServer { _, client in
            let created = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("cm", data: ["a": "1"]))
            let first = created.body.setting(path: ["data", "a"], to: "2")
            let updated = try await client.send(.PUT, "/api/v1/namespaces/default/configmaps/cm", first)
            #expect(updated.status == 200)
            #expect(updated.body["data"]?["a"] == "2")

            let stale = created.body.setting(path: ["data", "a"], to: "3")
            let conflict = try await client.send(.PUT, "/api/v1/namespaces/default/configmaps/cm", stale)
            #expect(conflict.status == 409)
            #expect(conflict.body["reason"] == "Conflict")
            #expect(
                conflict.body["message"]
                    == "Operation cannot be fulfilled on configmaps \"cm\": the object has been modified; please apply your changes to the latest version and try again"
            )
            let current = try await client.get("/api/v1/namespaces/default/configmaps/cm")
            #expect(current.body["data"]?["a"] == "2")
        }
    }

    @Test func listPagesWithLimitAndContinueAndAnExpiredContinueIs410() async throws {
        try await withServer { server, client in
            for index in 0..<5 {
                _ = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("page-\(index)"))
            }
            let first = try await client.get("/api/v1/namespaces/default/configmaps?limit=2")
            #expect(first.body["kind"] == "ConfigMapList")
            #expect(first.body["items"]?.arrayValue?.count == 2)
            #expect(first.body["metadata"]?["remainingItemCount"] == 3)
            let listVersion = try #require(first.body["metadata"]?["resourceVersion"]?.stringValue)
            let token = try #require(first.body["metadata"]?["continue"]?.stringValue)

            // A change after the first page does not show in later pages: they are served at the list's version.
            _ = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", configMap("page-9"))
            var names = first.body["items"]!.arrayValue!.compactMap { $0["metadata"]?["name"]?.stringValue }
            var next: String? = token
            while let current = next {
                let page = try await client.get("/api/v1/namespaces/default/configmaps?limit=2&continue=\(current)")
                #expect(page.status == 200)
                #expect(page.body["metadata"]?["resourceVersion"]?.stringValue == listVersion)
                names += page.body["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
                next = page.body["metadata"]?["continue"]?.stringValue
            }
            #expect(names == (0..<5).map { "page-\($0)" })

            server.compact()
            let expired = try await client.get("/api/v1/namespaces/default/configmaps?limit=2&continue=\(token)")
            #expect(expired.status == 410)
            #expect(expired.body["reason"] == "Expired")
        }
    }

    @Test func labelAndFieldSelectorsFilterListsAndUnknownFieldsAreRejected() async throws {
        try await withServer { _, client in
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("a", node: "n1", labels: ["app": "web"]))
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("b", node: "n2", labels: ["app": "web"]))
            _ = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("c", node: "n1", labels: ["app": "db"]))
            func names(_ query: String) async throws -> [String] {
                let answer = try await client.get("/api/v1/pods?\(query)")
                return answer.body["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
            }
            #expect(try await names("fieldSelector=spec.nodeName%3Dn1") == ["a", "c"])
            #expect(try await names("labelSelector=app%3Dweb") == ["a", "b"])
            #expect(try await names("labelSelector=app%20in%20(db)&fieldSelector=spec.nodeName%3Dn1") == ["c"])
            #expect(try await names("fieldSelector=status.phase%3DPending,metadata.name!%3Da") == ["b", "c"])
            let bad = try await client.get("/api/v1/pods?fieldSelector=spec.bogus%3Dx")
            #expect(bad.status == 400)
            #expect(bad.body["message"] == "field label not supported: spec.bogus")
        }
    }

    @Test func plainUpdateKeepsStatusAndStatusUpdateKeepsSpec() async throws {
        try await withServer { _, client in
            let created = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("p", node: "n1"))
            #expect(created.body["status"]?["phase"] == "Pending")
            let running = created.body.setting(path: ["status", "phase"], to: "Running")
                .setting(path: ["spec", "activeDeadlineSeconds"], to: 5)
            let statusAnswer = try await client.send(.PUT, "/api/v1/namespaces/default/pods/p/status", running)
            #expect(statusAnswer.body["status"]?["phase"] == "Running")
            #expect(statusAnswer.body["spec"]?["activeDeadlineSeconds"] == nil)

            let sneaky = statusAnswer.body.setting(path: ["status", "phase"], to: "Failed")
                .setting(path: ["metadata", "labels"], to: ["x": "y"])
            let plain = try await client.send(.PUT, "/api/v1/namespaces/default/pods/p", sneaky)
            #expect(plain.body["status"]?["phase"] == "Running")
            #expect(plain.body["metadata"]?["labels"]?["x"] == "y")
        }
    }

    @Test func deletePreconditionsAndFinalizersAreRespected() async throws {
        try await withServer { _, client in
            var object = configMap("kept")
            object = object.setting(path: ["metadata", "finalizers"], to: ["example.com/hold"])
            let created = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", object)
            let wrong: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1", "preconditions": ["uid": "not-the-uid"]]
            let refused = try await client.send(.DELETE, "/api/v1/namespaces/default/configmaps/kept", wrong)
            #expect(refused.status == 409)
            #expect(refused.body["message"]?.stringValue?.contains("Precondition failed: UID in precondition: not-the-uid") == true)

            let right: JSONValue = ["preconditions": ["uid": created.body["metadata"]!["uid"]!]]
            let marked = try await client.send(.DELETE, "/api/v1/namespaces/default/configmaps/kept", right)
            #expect(marked.status == 200)
            #expect(marked.body["metadata"]?["deletionTimestamp"] != nil)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/kept").status == 200)

            let release: JSONValue = ["metadata": ["finalizers": nil]]
            let released = try await client.send(
                .PATCH, "/api/v1/namespaces/default/configmaps/kept", release, contentType: "application/merge-patch+json")
            #expect(released.status == 200)
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/kept").status == 404)
        }
    }
}

@Suite("KubeTestServer bad input")
struct BadInputTests {
    @Test func malformedRequestsGetStatusErrorsAndTheServerKeepsServing() async throws {
        try await withServer { _, client in
            let collectionPut = try await client.send(.PUT, "/api/v1/namespaces/default/configmaps", configMap("x"))
            #expect(collectionPut.status == 405)
            #expect(collectionPut.body["reason"] == "MethodNotAllowed")

            let notAnObject = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", ["just", "a", "list"])
            #expect(notAnObject.status == 400)
            #expect(notAnObject.body["reason"] == "BadRequest")

            let wrongKind: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "x"]]
            let mismatched = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", wrongKind)
            #expect(mismatched.status == 400)

            let unnamed: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": [:]]
            let invalid = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", unnamed)
            #expect(invalid.status == 422)
            #expect(invalid.body["reason"] == "Invalid")

            let unknownPatch = try await client.send(
                .PATCH, "/api/v1/namespaces/default/configmaps/x", ["a": 1], contentType: "application/apply-patch+yaml")
            #expect(unknownPatch.status == 415)

            let badContinue = try await client.get("/api/v1/namespaces/default/configmaps?limit=1&continue=garbage")
            #expect(badContinue.status == 400)

            let unknownResource = try await client.get("/api/v1/namespaces/default/widgets")
            #expect(unknownResource.status == 404)

            #expect(try await client.get("/api/v1/namespaces/default/configmaps").status == 200)
        }
    }
}

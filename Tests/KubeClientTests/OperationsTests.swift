import KubeAPI
import Testing

@testable import KubeClient

@Suite("REST operations")
struct OperationsTests {
    @Test func pathsFollowGroupVersionNamespaceAndSubresource() {
        #expect(CoreV1.Pod.resource.path(namespace: "ns", name: "p", subresource: "status") == "/api/v1/namespaces/ns/pods/p/status")
        #expect(CoreV1.Node.resource.path(namespace: "ignored", name: "n") == "/api/v1/nodes/n")
        #expect(CoordinationV1.Lease.resource.path(namespace: "kube-node-lease", name: "n") == "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n")
        #expect(CertificatesV1.CertificateSigningRequest.resource.path(namespace: nil, name: "csr-1", subresource: "approval") == "/apis/certificates.k8s.io/v1/certificatesigningrequests/csr-1/approval")
        #expect(DiscoveryV1.EndpointSlice.resource.path(namespace: nil) == "/apis/discovery.k8s.io/v1/endpointslices")
        #expect(KubeResourceDescriptor.serviceAccounts.path(namespace: "ns", name: "default", subresource: "token") == "/api/v1/namespaces/ns/serviceaccounts/default/token")
    }

    @Test func listSendsPagingAndSelectorsAndSkipsMalformedItems() async throws {
        let list: JSONValue = [
            "kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": "12", "continue": "next-page"],
            "items": [podJSON("a", resourceVersion: "3"), podJSON("b", resourceVersion: "4").setting("spec", to: 5)],
        ]
        let transport = FakeTransport { _ in json(list) }
        let client = try makeClient(transport)
        let page = try await client.list(
            CoreV1.Pod.self, namespace: "kube-system",
            options: ListOptions(labelSelector: "tier in (a,b)", limit: 500, continueToken: "abc", resourceVersion: "0", resourceVersionMatch: "NotOlderThan"))
        #expect(page.items.map { $0.metadata?.name } == ["a"])
        #expect(page.resourceVersion == "12")
        #expect(page.continueToken == "next-page")
        #expect(client.undecodableObjectCount == 1)
        #expect(
            transport.requests.first?.target
                == "/api/v1/namespaces/kube-system/pods?labelSelector=tier%20in%20%28a%2Cb%29&limit=500&continue=abc&resourceVersion=0&resourceVersionMatch=NotOlderThan")
    }

    @Test func patchCarriesItsContentTypeToTheSubresource() async throws {
        let transport = FakeTransport { _ in json(podJSON("p", resourceVersion: "9")) }
        let client = try makeClient(transport)
        let body = Array(#"{"status":{"phase":"Running"}}"#.utf8)
        for (patch, type) in [
            (KubePatch.strategicMerge(body), "application/strategic-merge-patch+json"),
            (.merge(body), "application/merge-patch+json"), (.json(Array("[]".utf8)), "application/json-patch+json"),
        ] {
            _ = try await client.patch(CoreV1.Pod.self, name: "p", namespace: "ns", patch: patch, subresource: "status")
            let request = try #require(transport.requests.last)
            #expect(request.method == "PATCH")
            #expect(request.target == "/api/v1/namespaces/ns/pods/p/status")
            #expect(request.header("Content-Type") == type)
            #expect(request.body == patch.body)
        }
    }

    @Test func deleteSendsGracePreconditionsAndPropagation() async throws {
        let transport = FakeTransport { _ in json(["kind": "Status", "status": "Success"]) }
        let client = try makeClient(transport)
        try await client.delete(
            CoreV1.Pod.self, name: "p", namespace: "ns",
            options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: "u-1", preconditionResourceVersion: "8", propagationPolicy: "Background"))
        let request = try #require(transport.requests.first)
        #expect(request.method == "DELETE")
        let body = try JSONParser.parse(try #require(request.body))
        #expect(body == ["gracePeriodSeconds": 0, "preconditions": ["uid": "u-1", "resourceVersion": "8"], "propagationPolicy": "Background"])
    }

    @Test func createUsesTheObjectsNamespaceAndWritesApiVersionAndKind() async throws {
        let transport = FakeTransport { request in KubeHTTPResponse(status: 201, bytes: request.body ?? []) }
        let client = try makeClient(transport)
        let lease = CoordinationV1.Lease(metadata: MetaV1.ObjectMeta(name: "node-1", namespace: "kube-node-lease"))
        let created = try await client.create(lease)
        #expect(created.metadata?.name == "node-1")
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases")
        let body = try JSONParser.parse(try #require(request.body))
        #expect(body["apiVersion"] == "coordination.k8s.io/v1")
        #expect(body["kind"] == "Lease")
    }

    @Test func bearerTokenAndUserAgentAreSent() async throws {
        let transport = FakeTransport { _ in json(podJSON("a", resourceVersion: "1")) }
        let client = try makeClient(transport, credentials: .bearerToken("abcdef.0123456789abcdef"))
        _ = try await client.get(CoreV1.Pod.self, name: "a")
        #expect(transport.requests.first?.header("authorization") == "Bearer abcdef.0123456789abcdef")
        #expect(transport.requests.first?.header("user-agent") == "swiftlet")
    }
}

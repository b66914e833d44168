import Foundation
import KubeAPI
import Testing

@Suite("Generated types")
struct GeneratedTypesTests {
    /// The tree of the full pod fixture without its `null` members: the API treats `null` as
    /// absent, and encoding omits nil fields, as Go's `omitempty` and zero Times do.
    private func fullPodTree() throws -> JSONValue {
        try JSONParser.parse(ManifestFixture.bytes("pod-full.json")).removingNullMembers()
    }

    @Test func aFullPodRoundTripsToAnEqualTree() throws {
        let tree = try fullPodTree()
        let pod = try CoreV1.Pod(decoding: tree, strict: true)
        #expect(pod.encoded() == tree)
        // And through bytes.
        let again = try CoreV1.Pod(decoding: JSONParser.parse(JSONWriter.bytes(pod.encoded())))
        #expect(again == pod)
    }

    @Test func aFullPodRoundTripsThroughYAML() throws {
        let pod = try CoreV1.Pod(decoding: fullPodTree())
        let yaml = YAMLWriter.string(pod.encoded())
        let documents = try ManifestDecoder().documents(in: yaml, file: "pod.yaml")
        #expect(try ManifestDecoder().decode(Pod.self, from: documents[0]) == pod)
    }

    @Test func aFullPodHasItsValues() throws {
        let pod = try CoreV1.Pod(decoding: fullPodTree())
        let spec = try #require(pod.spec)
        #expect(pod.metadata?.labels?["tier"] == "")
        #expect(pod.metadata?.ownerReferences?.first?.controller == true)
        #expect(spec.initContainers?.map(\.name) == ["wait-for-db", "log-shipper"])
        #expect(spec.initContainers?[1].restartPolicy == "Always")
        #expect(spec.ephemeralContainers?.first?.targetContainerName == "web")
        #expect(spec.containers[0].ports?.map(\.containerPort) == [8080, 9090])
        #expect(spec.containers[0].livenessProbe?.httpGet?.port == IntOrString.string("http"))
        #expect(spec.containers[0].readinessProbe?.tcpSocket?.port == IntOrString.int(8080))
        #expect(spec.containers[0].lifecycle?.preStop?.sleep?.seconds == 5)
        #expect(spec.containers[0].env?[4].value == "héllo \"world\"\n\ttab 🚀")
        #expect(spec.containers[0].securityContext?.capabilities?.drop == ["ALL"])
        #expect(spec.containers[0].resources?.limits?["memory"] == Quantity("256Mi"))
        #expect(spec.containers[1].livenessProbe?.grpc?.port == 9000)
        #expect(spec.volumes?.compactMap { $0.projected?.sources?.count } == [3])
        #expect(spec.tolerations?.first?.tolerationSeconds == 300)
        #expect(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms.count == 1)
        let status = try #require(pod.status)
        #expect(status.conditions?.map(\.type) == ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"])
        #expect(status.containerStatuses?[0].lastState?.terminated?.exitCode == 137)
        #expect(status.containerStatuses?[0].state?.running?.startedAt == MetaV1.Time(secondsSinceEpoch: 1_741_944_422))
        #expect(status.podIPs?.map(\.ip) == ["10.244.1.17", "fd00:10:244:1::11"])
        #expect(pod.metadata?.managedFields?.first?.fieldsV1?["f:metadata"]?["f:labels"]?["."] == .object(JSONObject()))
    }

    @Test func documentEncodingFillsApiVersionAndKindAndOmitsNilFields() {
        let pod = CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: "p", namespace: "default"),
            spec: CoreV1.PodSpec(containers: [CoreV1.Container(image: "nginx", name: "c")]))
        #expect(
            JSONWriter.string(pod.encodedDocument())
                == #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"image":"nginx","name":"c"}]}}"#)
        #expect(
            JSONWriter.string(pod.encoded())
                == #"{"metadata":{"name":"p","namespace":"default"},"spec":{"containers":[{"image":"nginx","name":"c"}]}}"#)
        #expect(CoreV1.Pod.apiVersion == "v1")
        #expect(DiscoveryV1.EndpointSlice.apiVersion == "discovery.k8s.io/v1")
        #expect(CertificatesV1.CertificateSigningRequest.kind == "CertificateSigningRequest")
    }

    @Test func listItemsReencodeWithoutApiVersionAndKindAsTheServerSentThem() throws {
        let list: JSONValue = [
            "apiVersion": "v1", "kind": "PodList", "metadata": ["resourceVersion": "7"],
            "items": [["metadata": ["name": "a"], "spec": ["containers": [["name": "c", "image": "i"]]]]],
        ]
        let decoded = try CoreV1.PodList(decoding: list)
        #expect(decoded.encoded() == list)
        #expect(decoded.items[0].encodedDocument()["kind"] == "Pod")
    }

    @Test func decodedEmptyCollectionsStayEmptyAndRequiredListsDefaultToEmpty() throws {
        let pod = try CoreV1.Pod(decoding: ["spec": ["containers": nil, "volumes": []]])
        #expect(pod.spec?.containers == [])
        #expect(pod.spec?.volumes == [])
        #expect(pod.encoded()["spec"] == ["containers": [], "volumes": []])
    }

    @Test func codableBridgesThroughTheTree() throws {
        let pod = try CoreV1.Pod(decoding: fullPodTree())
        let data = try JSONEncoder().encode(pod)
        let decoded = try JSONDecoder().decode(CoreV1.Pod.self, from: data)
        #expect(decoded == pod)
        let bad = Data(#"{"spec":{"containers":[{"name":1}]}}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CoreV1.Pod.self, from: bad) }
    }

    @Test func everyRequestedKindIsRegistered() {
        let kinds = Set(KubeObjectRegistry.types.map { "\($0.apiVersion) \($0.kind)" })
        let expected: Set<String> = [
            "v1 Pod", "v1 PodList", "v1 Node", "v1 NodeList", "v1 Service", "v1 ServiceList", "v1 Endpoints",
            "v1 EndpointsList", "v1 ConfigMap", "v1 ConfigMapList", "v1 Secret", "v1 SecretList", "v1 Namespace",
            "v1 NamespaceList", "v1 Event", "v1 EventList", "discovery.k8s.io/v1 EndpointSlice",
            "discovery.k8s.io/v1 EndpointSliceList", "coordination.k8s.io/v1 Lease", "coordination.k8s.io/v1 LeaseList",
            "certificates.k8s.io/v1 CertificateSigningRequest", "certificates.k8s.io/v1 CertificateSigningRequestList",
            "authentication.k8s.io/v1 TokenRequest", "authentication.k8s.io/v1 TokenReview",
            "authorization.k8s.io/v1 SubjectAccessReview", "v1 Status",
        ]
        #expect(kinds == expected)
        #expect(KubeObjectRegistry.type(apiVersion: "v1", kind: "Pod") == CoreV1.Pod.self)
        #expect(KubeObjectRegistry.type(apiVersion: "apps/v1", kind: "Deployment") == nil)
    }

    @Test func aRequiredObjectFieldMissingIsReported() {
        do {
            _ = try CoreV1.Event(decoding: ["involvedObject": ["kind": "Pod"]])
            Issue.record("an Event without metadata decoded")
        } catch {
            #expect(error.description == "metadata: required value")
        }
    }

    @Test func keywordPropertiesKeepTheirJSONNames() throws {
        let requirement = try CoreV1.NodeSelectorRequirement(decoding: ["key": "k", "operator": "In", "values": ["a"]])
        #expect(requirement.operator == "In")
        #expect(requirement.encoded() == ["key": "k", "operator": "In", "values": ["a"]])
    }

    @Test func watchEventsCarryTheTypedObjectOrTheStatus() throws {
        let added = try MetaV1.WatchEvent<CoreV1.Namespace>(
            decoding: ["type": "ADDED", "object": ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "a"]]])
        #expect(added.object?.metadata?.name == "a")
        let failed = try MetaV1.WatchEvent<CoreV1.Namespace>(
            decoding: ["type": "ERROR", "object": ["apiVersion": "v1", "kind": "Status", "code": 410, "reason": "Expired"]])
        #expect(failed.object == nil)
        #expect(failed.status?.code == 410)
        #expect(failed.encoded()["object"]?["reason"] == "Expired")
    }
}

extension JSONValue {
    /// This tree with every object member whose value is `null` removed, recursively.
    func removingNullMembers() -> JSONValue {
        switch self {
        case .object(let object):
            var result = JSONObject()
            for (key, value) in object.members where !value.isNull {
                result.append(key, value.removingNullMembers())
            }
            return .object(result)
        case .array(let array):
            return .array(JSONArray(array.elements.map { $0.removingNullMembers() }))
        default:
            return self
        }
    }
}

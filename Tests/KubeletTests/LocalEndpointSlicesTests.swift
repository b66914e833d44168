import KubeAPI
import Testing

@testable import Kubelet

@Suite("EndpointSlices computed from local pods")
struct LocalEndpointSlicesTests {
    static func service(_ yaml: String) throws -> CoreV1.Service {
        let decoder = ManifestDecoder(strict: true)
        return try decoder.decode(CoreV1.Service.self, from: try #require(try decoder.documents(in: yaml, file: "svc.yaml").first))
    }

    static func runningPod(_ name: String, ip: String, ready: Bool, labels: [String: String] = ["app": "web"], namespace: String = "default", phase: String = "Running") -> CoreV1.Pod {
        var container = CoreV1.Container(image: "nginx", name: "web")
        container.ports = [CoreV1.ContainerPort(containerPort: 8080, name: "http")]
        var pod = CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(labels: labels, name: name, namespace: namespace, uid: "uid-\(name)"),
            spec: CoreV1.PodSpec(containers: [container]))
        pod.spec?.nodeName = "node1"
        var status = CoreV1.PodStatus()
        status.phase = phase
        status.podIP = ip
        status.podIPs = [CoreV1.PodIP(ip: ip)]
        status.conditions = [CoreV1.PodCondition(status: ready ? "True" : "False", type: "Ready")]
        pod.status = status
        return pod
    }

    static let web = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default, uid: svc-uid}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: http}
          - {name: metrics, port: 9090}
        """

    @Test func selectedPodsBecomeEndpointsWithReadinessNamedPortsAndOwner() throws {
        let pods = [
            Self.runningPod("a", ip: "10.88.0.2", ready: true), Self.runningPod("b", ip: "10.88.0.3", ready: false),
            Self.runningPod("other", ip: "10.88.0.4", ready: true, labels: ["app": "db"]),
            Self.runningPod("elsewhere", ip: "10.88.0.5", ready: true, namespace: "prod"),
            Self.runningPod("done", ip: "10.88.0.6", ready: false, phase: "Succeeded"),
        ]
        let slices = LocalEndpointSlices.compute(services: [try Self.service(Self.web)], pods: pods)
        let slice = try #require(slices.first)
        #expect(slices.count == 1)
        #expect(slice.addressType == "IPv4")
        #expect(slice.metadata?.labels?["kubernetes.io/service-name"] == "web")
        #expect(slice.metadata?.labels?["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io")
        #expect(slice.metadata?.ownerReferences?.first?.kind == "Service")
        #expect(slice.metadata?.ownerReferences?.first?.uid == "svc-uid")
        #expect(slice.ports?.map(\.port) == [8080, 9090])
        #expect(slice.ports?.map(\.name) == ["http", "metrics"])
        let endpoints = slice.endpoints ?? []
        #expect(endpoints.map(\.addresses) == [["10.88.0.2"], ["10.88.0.3"]])
        #expect(endpoints.map { $0.conditions?.ready } == [true, false])
        #expect(endpoints.first?.targetRef?.name == "a")
        #expect(endpoints.first?.nodeName == "node1")
    }

    @Test func publishNotReadyAddressesMakesEveryEndpointReady() throws {
        var service = try Self.service(Self.web)
        service.spec?.publishNotReadyAddresses = true
        let slices = LocalEndpointSlices.compute(services: [service], pods: [Self.runningPod("b", ip: "10.88.0.3", ready: false)])
        #expect(slices.first?.endpoints?.first?.conditions?.ready == true)
    }

    @Test func serviceWithoutSelectorGetsNoManagedSlices() throws {
        var service = try Self.service(Self.web)
        service.spec?.selector = nil
        #expect(LocalEndpointSlices.compute(services: [service], pods: [Self.runningPod("a", ip: "10.88.0.2", ready: true)]).isEmpty)
    }

    @Test func moreThanOneHundredEndpointsAreSplitIntoSlicesWithStableNames() throws {
        let pods = (0..<150).map { Self.runningPod("p\($0)", ip: "10.88.\($0 / 200).\($0 % 200 + 2)", ready: true) }
        let slices = LocalEndpointSlices.compute(services: [try Self.service(Self.web)], pods: pods)
        #expect(slices.map { $0.endpoints?.count ?? 0 } == [100, 50])
        let again = LocalEndpointSlices.compute(services: [try Self.service(Self.web)], pods: pods)
        #expect(slices.map { $0.metadata?.name } == again.map { $0.metadata?.name })
        #expect(Set(slices.map { $0.metadata?.name ?? "" }).count == 2)
    }

    @Test func kubeletPublishesSlicesForTheManifestDirectoryServices() async throws {
        let harness = try KubeletHarness()
        try harness.write("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n")
        try harness.write("web.yaml", podManifest("web"))
        _ = try await harness.waitUntilReady("web")
        let updates = await harness.kubelet.localServiceUpdates()
        let state = try await within(30, "a slice with the ready pod") {
            for await state in updates where state.endpointSlices.first?.endpoints?.first?.conditions?.ready == true { return state }
            throw TimedOut(what: "updates ended")
        }
        await harness.tearDown()
        #expect(state.services.map { $0.metadata?.name } == ["web"])
        #expect(state.endpointSlices.first?.endpoints?.first?.addresses == ["10.88.0.2"])
        #expect(state.endpointSlices.first?.ports?.first?.port == 80)
    }
}

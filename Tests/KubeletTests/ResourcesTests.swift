import ContainerRuntime
import KubeAPI
import Kubelet
import Testing

@Suite struct ResourcesTests {
    static func q(_ text: String) -> Quantity { Quantity(text)! }

    static func container(
        _ name: String = "c", requests: [String: String] = [:], limits: [String: String] = [:]
    ) -> CoreV1.Container {
        CoreV1.Container(
            name: name,
            resources: CoreV1.ResourceRequirements(limits: limits.mapValues(q), requests: requests.mapValues(q)))
    }

    static func pod(_ containers: [CoreV1.Container], init initContainers: [CoreV1.Container] = [], uid: String = "u") -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(name: "p-\(uid)", namespace: "default", uid: uid),
            spec: CoreV1.PodSpec(containers: containers, initContainers: initContainers))
    }

    struct QOSCase: Sendable, CustomTestStringConvertible {
        let name: String
        let containers: [CoreV1.Container]
        let expected: QOSClass
        var testDescription: String { name }
    }

    static let qosCases: [QOSCase] = [
        QOSCase(name: "nothing set", containers: [container()], expected: .bestEffort),
        QOSCase(name: "zero requests only", containers: [container(requests: ["cpu": "0"])], expected: .bestEffort),
        QOSCase(name: "only extended resources", containers: [container(limits: ["nvidia.com/gpu": "1"])], expected: .bestEffort),
        QOSCase(
            name: "requests equal limits", containers: [container(requests: ["cpu": "1", "memory": "1Gi"], limits: ["cpu": "1", "memory": "1Gi"])],
            expected: .guaranteed),
        QOSCase(name: "limits only (requests default to them)", containers: [container(limits: ["cpu": "500m", "memory": "128Mi"])], expected: .guaranteed),
        QOSCase(name: "cpu limit only", containers: [container(limits: ["cpu": "1"])], expected: .burstable),
        QOSCase(
            name: "request below limit", containers: [container(requests: ["cpu": "500m", "memory": "1Gi"], limits: ["cpu": "1", "memory": "1Gi"])],
            expected: .burstable),
        QOSCase(
            name: "one guaranteed and one best-effort container",
            containers: [container("a", limits: ["cpu": "1", "memory": "1Gi"]), container("b")], expected: .burstable),
        QOSCase(name: "memory request only", containers: [container(requests: ["memory": "10Mi"])], expected: .burstable),
    ]

    @Test(arguments: qosCases)
    func qosClassMatchesUpstreamRules(_ testCase: QOSCase) {
        #expect(QOSClass(pod: Self.pod(testCase.containers)) == testCase.expected)
    }

    @Test func initContainersCountTowardsQOS() {
        let pod = Self.pod([Self.container(limits: ["cpu": "1", "memory": "1Gi"])], init: [Self.container("i")])
        #expect(QOSClass(pod: pod) == .burstable)
    }

    @Test(arguments: [
        (Int64(0), UInt64(2)), (1, 2), (2, 2), (100, 102), (250, 256), (1000, 1024), (1500, 1536),
        (256_000, 262_144), (1_000_000, 262_144),
    ])
    func cpuRequestBecomesSharesClampedToKernelRange(_ milli: Int64, _ shares: UInt64) {
        #expect(CgroupResources.shares(milliCPU: milli) == shares)
    }

    @Test(arguments: [
        (Int64(0), UInt64(100_000), Int64(0)), (1, 100_000, 1000), (5, 100_000, 1000), (10, 100_000, 1000),
        (200, 100_000, 20_000), (500, 100_000, 50_000), (1500, 100_000, 150_000), (500, 50_000, 25_000),
    ])
    func cpuLimitBecomesQuotaWithOneMillisecondFloor(_ milli: Int64, _ period: UInt64, _ quota: Int64) {
        #expect(CgroupResources.quota(milliCPU: milli, period: period) == quota)
    }

    @Test(arguments: [(UInt64(2), UInt64(1)), (1024, 39), (262_144, 10_000), (0, 0)])
    func sharesMapToCgroupV2Weight(_ shares: UInt64, _ weight: UInt64) {
        #expect(CgroupResources.cpuWeight(shares: shares) == weight)
    }

    @Test func containerWithLimitOnlyGetsSharesFromLimitAndQuotaAndMemory() {
        let resources = CgroupResources.forContainer(Self.container(limits: ["cpu": "250m", "memory": "64Mi"]))
        #expect(resources == CgroupResources(cpuShares: 256, cpuQuota: 25_000, cpuPeriod: 100_000, memoryLimit: 67_108_864))
        let runtime = resources.applied(to: LinuxContainerResources(oomScoreAdj: 5))
        #expect(runtime.cpuShares == 256 && runtime.cpuQuota == 25_000 && runtime.memoryLimitInBytes == 67_108_864 && runtime.oomScoreAdj == 5)
    }

    @Test func podCgroupValuesFollowQOSClass() {
        let guaranteed = Self.pod([Self.container(limits: ["cpu": "1", "memory": "1Gi"]), Self.container("b", limits: ["cpu": "500m", "memory": "1Gi"])])
        #expect(CgroupResources.forPod(guaranteed) == CgroupResources(cpuShares: 1536, cpuQuota: 150_000, cpuPeriod: 100_000, memoryLimit: 2_147_483_648))

        let burstableOneLimit = Self.pod([Self.container(requests: ["cpu": "100m"], limits: ["cpu": "1"]), Self.container("b", requests: ["cpu": "100m"])])
        #expect(CgroupResources.forPod(burstableOneLimit) == CgroupResources(cpuShares: 204))

        let burstableAllLimits = Self.pod([Self.container(requests: ["cpu": "100m"], limits: ["cpu": "1", "memory": "10Mi"])])
        #expect(CgroupResources.forPod(burstableAllLimits) == CgroupResources(cpuShares: 102, cpuQuota: 100_000, cpuPeriod: 100_000, memoryLimit: 10_485_760))

        #expect(CgroupResources.forPod(Self.pod([Self.container()])) == CgroupResources(cpuShares: 2))
    }

    @Test func podRequestsAreSumOfContainersRaisedToLargestInitContainer() {
        let pod = Self.pod(
            [Self.container("a", requests: ["cpu": "100m", "memory": "10Mi"]), Self.container("b", requests: ["cpu": "200m"])],
            init: [Self.container("i", requests: ["cpu": "1", "memory": "1Mi"])])
        let totals = PodResources(pod: pod)
        #expect(totals.requests == ["cpu": Self.q("1"), "memory": Self.q("10Mi")])
    }

    @Test(arguments: [
        (CgroupHierarchy.Driver.cgroupfs, QOSClass.guaranteed, "/kubepods/pod1234-ab"),
        (.cgroupfs, .burstable, "/kubepods/burstable/pod1234-ab"),
        (.cgroupfs, .bestEffort, "/kubepods/besteffort/pod1234-ab"),
        (.systemd, .guaranteed, "/kubepods.slice/kubepods-pod1234_ab.slice"),
        (.systemd, .burstable, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_ab.slice"),
        (.systemd, .bestEffort, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234_ab.slice"),
    ])
    func podCgroupPathFollowsUpstreamHierarchy(_ driver: CgroupHierarchy.Driver, _ qos: QOSClass, _ path: String) {
        #expect(CgroupHierarchy(driver: driver).podCgroup(uid: "1234-ab", qos: qos) == path)
    }

    @Test func burstableQOSCgroupSharesSumBurstablePodsRequests() {
        let pods = [
            Self.pod([Self.container(requests: ["cpu": "300m"])], uid: "a"),
            Self.pod([Self.container(requests: ["cpu": "200m"])], uid: "b"),
            Self.pod([Self.container(limits: ["cpu": "4", "memory": "1Gi"])], uid: "g"),
        ]
        #expect(CgroupHierarchy.burstableShares(pods: pods) == 512)
    }

    @Test func oomScoreIsMinus997ForGuaranteedAnd1000ForBestEffort() {
        let guaranteed = Self.container(limits: ["cpu": "1", "memory": "1Gi"])
        #expect(OOMScore.adjust(pod: Self.pod([guaranteed]), container: guaranteed, memoryCapacity: 4 << 30) == -997)
        let bestEffort = Self.container()
        #expect(OOMScore.adjust(pod: Self.pod([bestEffort]), container: bestEffort, memoryCapacity: 4 << 30) == 1000)
    }

    @Test(arguments: [(Int64(1) << 30, 750), (4 << 30, 3), (0, 999), (1 << 20, 999)])
    func oomScoreForBurstableScalesWithMemoryRequest(_ request: Int64, _ score: Int) {
        let container = CoreV1.Container(
            name: "c", resources: CoreV1.ResourceRequirements(requests: ["memory": Quantity(request), "cpu": Quantity(milli: 100)]))
        #expect(OOMScore.adjust(pod: Self.pod([container]), container: container, memoryCapacity: 4 << 30) == score)
    }

    static let admission = Admission(
        nodeName: "node-1", nodeLabels: ["disk": "ssd"], allocatable: ["cpu": q("2"), "memory": q("4Gi"), "ephemeral-storage": q("10Gi")],
        maxPods: 3)

    @Test func podThatFitsIsAdmitted() {
        let pod = Self.pod([Self.container(requests: ["cpu": "1", "memory": "1Gi"])])
        #expect(Self.admission.decide(pod, admitted: [Self.pod([Self.container(requests: ["cpu": "1"])])]) == .admit)
    }

    @Test func podOverCPUIsRejectedOutOfcpuWithMillicores() {
        let existing = Self.pod([Self.container(requests: ["cpu": "1500m"])])
        let decision = Self.admission.decide(Self.pod([Self.container(requests: ["cpu": "1"])]), admitted: [existing])
        #expect(decision == .reject(reason: "OutOfcpu", message: "Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000"))
        #expect(decision.statusMessage == "Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000")
    }

    @Test func podOverMemoryIsRejectedOutOfmemoryWithBytes() {
        let decision = Self.admission.decide(Self.pod([Self.container(limits: ["memory": "5Gi"])]), admitted: [])
        #expect(decision == .reject(reason: "OutOfmemory", message: "Node didn't have enough resource: memory, requested: 5368709120, used: 0, capacity: 4294967296"))
    }

    @Test func podBeyondMaxPodsIsRejectedOutOfpods() {
        let existing = (0..<3).map { Self.pod([Self.container()], uid: "e\($0)") }
        #expect(Self.admission.decide(Self.pod([Self.container()]), admitted: existing)
            == .reject(reason: "OutOfpods", message: "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3"))
    }

    @Test func extendedResourceTheNodeLacksIsRejected() {
        let decision = Self.admission.decide(Self.pod([Self.container(limits: ["example.com/fpga": "1"])]), admitted: [])
        #expect(decision == .reject(reason: "OutOfexample.com/fpga", message: "Node didn't have enough resource: example.com/fpga, requested: 1, used: 0, capacity: 0"))
    }

    @Test func nodeSelectorMismatchIsRejectedNodeAffinity() {
        var pod = Self.pod([Self.container()])
        pod.spec?.nodeSelector = ["disk": "hdd"]
        #expect(Self.admission.decide(pod, admitted: [])
            == .reject(reason: "NodeAffinity", message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector"))
    }

    @Test func conflictingHostPortIsRejectedNodePorts() {
        var container = Self.container()
        container.ports = [CoreV1.ContainerPort(containerPort: 80, hostPort: 8080)]
        let decision = Self.admission.decide(Self.pod([container], uid: "new"), admitted: [Self.pod([container], uid: "old")])
        guard case .reject(let reason, _) = decision else {
            Issue.record("expected a rejection, got \(decision)")
            return
        }
        #expect(reason == "NodePorts")
    }
}

@Suite struct ResourcesRuntimeMappingTests {
    @Test func burstableContainerMapsToCRIResourcesWithOOMScore() {
        let container = CoreV1.Container(
            name: "c",
            resources: CoreV1.ResourceRequirements(
                limits: ["cpu": Quantity("500m")!, "memory": Quantity("256Mi")!], requests: ["cpu": Quantity("100m")!, "memory": Quantity("1Gi")!]))
        let pod = CoreV1.Pod(metadata: MetaV1.ObjectMeta(uid: "u"), spec: CoreV1.PodSpec(containers: [container]))
        let resources = CgroupResources.linuxContainerResources(container: container, pod: pod, memoryCapacity: 4 << 30)
        #expect(resources == LinuxContainerResources(
            cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 102, memoryLimitInBytes: 268_435_456, oomScoreAdj: 750))
    }

    @Test func bestEffortContainerHasMinimumSharesNoQuotaAndOOMScore1000() {
        let container = CoreV1.Container(name: "c")
        let pod = CoreV1.Pod(metadata: MetaV1.ObjectMeta(uid: "u"), spec: CoreV1.PodSpec(containers: [container]))
        #expect(CgroupResources.linuxContainerResources(container: container, pod: pod, memoryCapacity: 4 << 30)
            == LinuxContainerResources(cpuPeriod: 100_000, cpuQuota: 0, cpuShares: 2, memoryLimitInBytes: 0, oomScoreAdj: 1000))
    }

    @Test func probeGracePeriodOverridesPodsForLivenessKill() {
        #expect(ProbeSettings(CoreV1.Probe(terminationGracePeriodSeconds: 5)).killGracePeriodSeconds(podTerminationGracePeriodSeconds: 60) == 5)
        #expect(ProbeSettings(CoreV1.Probe()).killGracePeriodSeconds(podTerminationGracePeriodSeconds: 60) == 60)
        #expect(ProbeSettings(CoreV1.Probe()).killGracePeriodSeconds(podTerminationGracePeriodSeconds: nil) == 30)
    }
}

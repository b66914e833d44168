import ContainerRuntime
import KubeAPI
import Testing

@testable import Kubelet

@Suite("Node object and status setters")
struct NodeStatusBuilderTests {
    let now = nodeTestStart

    @Test func initialNodeCarriesDefaultAndConfiguredLabelsTaintsAndAttachDetachAnnotation() throws {
        let builder = NodeStatusBuilder(settings: testSettings {
            $0.labels = ["zone": "a", "kubernetes.io/hostname": "custom"]
            $0.taints = [CoreV1.Taint(effect: "NoSchedule", key: "dedicated", value: "gpu")]
            $0.registerSchedulable = false
        })
        let (node, _) = builder.initialNode(machine: testMachine, health: .healthy, nowNanoseconds: now)
        let labels = try #require(node.metadata?.labels)
        #expect(node.metadata?.name == "node-a")
        #expect(labels["kubernetes.io/os"] == "linux")
        #expect(labels["kubernetes.io/arch"] == "amd64")
        #expect(labels["beta.kubernetes.io/os"] == "linux")
        #expect(labels["beta.kubernetes.io/arch"] == "amd64")
        #expect(labels["zone"] == "a")
        #expect(labels["kubernetes.io/hostname"] == "custom", "configured labels are set over the defaults")
        #expect(node.spec?.taints == [
            CoreV1.Taint(effect: "NoSchedule", key: "dedicated", value: "gpu"),
            CoreV1.Taint(effect: "NoSchedule", key: "node.kubernetes.io/unschedulable"),
        ])
        #expect(node.spec?.unschedulable == true)
        #expect(node.metadata?.annotations == ["volumes.kubernetes.io/controller-managed-attach-detach": "true"])
        #expect(node.status?.addresses == [
            CoreV1.NodeAddress(address: "10.0.0.5", type: "InternalIP"), CoreV1.NodeAddress(address: "node-a", type: "Hostname"),
        ])
    }

    @Test func capacityAndAllocatableSubtractReservationsHardEvictionAndHugePages() throws {
        let builder = NodeStatusBuilder(settings: testSettings {
            $0.kubeReserved = ["cpu": "100m", "memory": "256Mi"]
            $0.systemReserved = ["cpu": "200m", "memory": "256Mi", "ephemeral-storage": "1Gi"]
        })
        let capacity = builder.capacity(machine: testMachine)
        #expect(capacity["cpu"] == Quantity(4))
        #expect(capacity["memory"] == Quantity(8 << 30))
        #expect(capacity["pods"] == Quantity(110))
        #expect(capacity["hugepages-2Mi"] == Quantity(1 << 30))
        #expect(capacity["ephemeral-storage"] == Quantity(100 << 30))
        let allocatable = builder.allocatable(capacity: capacity)
        #expect(allocatable["cpu"] == Quantity(milli: 3700))
        // 8 Gi − 512 Mi reserved − 100 Mi hard eviction − 1 Gi of huge pages.
        #expect(allocatable["memory"] == Quantity((8 << 30) - (512 << 20) - (100 << 20) - (1 << 30)))
        // 100 Gi − 1 Gi reserved − 10 % (nodefs.available).
        #expect(allocatable["ephemeral-storage"] == Quantity((100 << 30) - (1 << 30) - (10 << 30)))
        #expect(allocatable["hugepages-2Mi"] == Quantity(1 << 30))
        #expect(allocatable["pods"] == Quantity(110))
    }

    @Test func allocatableNeverGoesBelowZeroAndPodsPerCoreLimitsPods() {
        let builder = NodeStatusBuilder(settings: testSettings {
            $0.kubeReserved = ["cpu": "8"]
            $0.podsPerCore = 10
        })
        let capacity = builder.capacity(machine: testMachine)
        #expect(capacity["pods"] == Quantity(40))
        #expect(builder.allocatable(capacity: capacity)["cpu"] == Quantity(0))
    }

    @Test func nodeInfoAndKubeletEndpointComeFromMachineAndSettings() throws {
        let builder = NodeStatusBuilder(settings: testSettings { $0.kubeletPort = 10260 })
        var status: CoreV1.NodeStatus?
        _ = builder.update(&status, machine: testMachine, health: .healthy, nowNanoseconds: now)
        let info = try #require(status?.nodeInfo)
        #expect(info == CoreV1.NodeSystemInfo(
            architecture: "amd64", bootID: "boot-1", containerRuntimeVersion: "swiftlet://0.1.0", kernelVersion: "6.1.0-test",
            kubeProxyVersion: "v1.37.0", kubeletVersion: "v1.37.0", machineID: "machine-1", operatingSystem: "linux",
            osImage: "Debian GNU/Linux 12 (bookworm)", systemUUID: "uuid-1"))
        #expect(status?.daemonEndpoints?.kubeletEndpoint?.Port == 10260)
    }

    @Test func healthyNodeHasUpstreamReasonsMessagesAndEventsInSetterOrder() throws {
        let builder = NodeStatusBuilder(settings: testSettings())
        var status: CoreV1.NodeStatus?
        let events = builder.update(&status, machine: testMachine, health: .healthy, nowNanoseconds: now)
        let conditions = try #require(status?.conditions)
        #expect(conditions.map(\.type) == ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"])
        #expect(conditions.map(\.status) == ["False", "False", "False", "True"])
        #expect(conditions.map { $0.reason ?? "" } == [
            "KubeletHasSufficientMemory", "KubeletHasNoDiskPressure", "KubeletHasSufficientPID", "KubeletReady",
        ])
        #expect(conditions.map { $0.message ?? "" } == [
            "kubelet has sufficient memory available", "kubelet has no disk pressure",
            "kubelet has sufficient PID available", "kubelet is posting ready status",
        ])
        #expect(conditions.allSatisfy { $0.lastHeartbeatTime == NodeTime.time(now) && $0.lastTransitionTime == NodeTime.time(now) })
        #expect(events.map(\.reason) == ["NodeHasSufficientMemory", "NodeHasNoDiskPressure", "NodeHasSufficientPID", "NodeReady"])
        #expect(events[3].kubeletEvent(nodeName: "node-a").message == "Node node-a status is now: NodeReady")
    }

    @Test func readyTransitionTimeMovesOnlyWhenStatusFlips() throws {
        let builder = NodeStatusBuilder(settings: testSettings())
        var status: CoreV1.NodeStatus?
        _ = builder.update(&status, machine: testMachine, health: .healthy, nowNanoseconds: now)
        let later = now + 10_000_000_000
        let quiet = builder.update(&status, machine: testMachine, health: .healthy, nowNanoseconds: later)
        var ready = try #require(status?.conditions?.first { $0.type == "Ready" })
        #expect(quiet.isEmpty)
        #expect(ready.lastHeartbeatTime == NodeTime.time(later))
        #expect(ready.lastTransitionTime == NodeTime.time(now))

        let down = now + 20_000_000_000
        let health = NodeHealth(runtimeErrors: ["container runtime is down"])
        let events = builder.update(&status, machine: testMachine, health: health, nowNanoseconds: down)
        ready = try #require(status?.conditions?.first { $0.type == "Ready" })
        #expect(ready.status == "False")
        #expect(ready.reason == "KubeletNotReady")
        #expect(ready.message == "container runtime is down")
        #expect(ready.lastTransitionTime == NodeTime.time(down))
        #expect(events == [NodeConditionEvent(kind: .normal, reason: "NodeNotReady")])
    }

    @Test func notReadyMessageAggregatesRuntimeNetworkAndMissingCapacity() throws {
        let builder = NodeStatusBuilder(settings: testSettings())
        var machine = testMachine
        machine.ephemeralStorageBytes = nil
        var status: CoreV1.NodeStatus?
        let health = NodeHealth(
            networkErrors: ["container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:no network"])
        _ = builder.update(&status, machine: machine, health: health, nowNanoseconds: now)
        let ready = try #require(status?.conditions?.first { $0.type == "Ready" })
        #expect(ready.message == "[container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:no network, missing node capacity for resources: ephemeral-storage]")
    }

    @Test func pressureConditionFlipsWithReasonMessageTransitionAndEvent() throws {
        let builder = NodeStatusBuilder(settings: testSettings())
        var status: CoreV1.NodeStatus?
        _ = builder.update(&status, machine: testMachine, health: .healthy, nowNanoseconds: now)
        let later = now + 30_000_000_000
        let events = builder.update(&status, machine: testMachine, health: NodeHealth(diskPressure: true), nowNanoseconds: later)
        let disk = try #require(status?.conditions?.first { $0.type == "DiskPressure" })
        #expect(disk.status == "True")
        #expect(disk.reason == "KubeletHasDiskPressure")
        #expect(disk.message == "kubelet has disk pressure")
        #expect(disk.lastTransitionTime == NodeTime.time(later))
        let memory = try #require(status?.conditions?.first { $0.type == "MemoryPressure" })
        #expect(memory.lastTransitionTime == NodeTime.time(now))
        #expect(events == [NodeConditionEvent(kind: .normal, reason: "NodeHasDiskPressure")])
    }

    @Test func imagesAreListedLargestFirstWithDigestsThenTagsUpToFiveNames() throws {
        let builder = NodeStatusBuilder(settings: testSettings { $0.maxImages = 2 })
        var status: CoreV1.NodeStatus?
        builder.setImages(&status, images: [
            Image(id: "sha256:small", repoTags: ["busybox:latest"], size: 1_000),
            Image(
                id: "sha256:big", repoTags: ["a:1", "a:2", "a:3", "a:4"], repoDigests: ["a@sha256:d1", "a@sha256:d2"], size: 900_000),
            Image(id: "sha256:mid", repoTags: ["pause:3.10"], size: 50_000),
        ])
        #expect(status?.images == [
            CoreV1.ContainerImage(names: ["a@sha256:d1", "a@sha256:d2", "a:1", "a:2", "a:3"], sizeBytes: 900_000),
            CoreV1.ContainerImage(names: ["pause:3.10"], sizeBytes: 50_000),
        ])
        builder.setImages(&status, images: nil)
        #expect(status?.images == nil)
    }

    @Test func statusChangeIgnoresHeartbeatsButSeesEverythingElse() {
        let builder = NodeStatusBuilder(settings: testSettings())
        var first: CoreV1.NodeStatus?
        _ = builder.update(&first, machine: testMachine, health: .healthy, nowNanoseconds: now)
        var second = first
        _ = builder.update(&second, machine: testMachine, health: .healthy, nowNanoseconds: now + 10_000_000_000)
        #expect(first != second)
        #expect(!NodeStatusManager.statusHasChanged(first, second))
        var third = second
        var machine = testMachine
        machine.bootID = "boot-2"
        _ = builder.update(&third, machine: machine, health: .healthy, nowNanoseconds: now + 20_000_000_000)
        #expect(NodeStatusManager.statusHasChanged(second, third))
    }
}

@Suite("Strategic merge patches of node status")
struct StrategicMergePatchTests {
    @Test func changedConditionIsSentWithItsKeyAndTheElementOrder() {
        let original: JSONValue = .object([
            "status": .object([
                "conditions": .array([
                    .object(["type": .string("MemoryPressure"), "status": .string("False")]),
                    .object(["type": .string("Ready"), "status": .string("True"), "reason": .string("KubeletReady")]),
                ]),
                "capacity": .object(["cpu": .string("4"), "hugepages-1Gi": .string("0")]),
            ])
        ])
        let modified: JSONValue = .object([
            "status": .object([
                "conditions": .array([
                    .object(["type": .string("MemoryPressure"), "status": .string("False")]),
                    .object(["type": .string("Ready"), "status": .string("False"), "reason": .string("KubeletReady")]),
                ]),
                "capacity": .object(["cpu": .string("4")]),
            ])
        ])
        let patch = StrategicMergePatch.node.twoWay(original: original, modified: modified)
        #expect(JSONWriter.string(patch) == #"{"status":{"$setElementOrder/conditions":[{"type":"MemoryPressure"},{"type":"Ready"}],"conditions":[{"status":"False","type":"Ready"}],"capacity":{"hugepages-1Gi":null}}}"#)
    }

    @Test func equalObjectsGiveAnEmptyPatchAndRemovedConditionsAreDeleted() {
        let one: JSONValue = .object(["status": .object(["conditions": .array([.object(["type": .string("A")]), .object(["type": .string("B")])])])])
        #expect(StrategicMergePatch.node.twoWay(original: one, modified: one) == .object([:]))
        let fewer: JSONValue = .object(["status": .object(["conditions": .array([.object(["type": .string("A")])])])])
        let patch = StrategicMergePatch.node.twoWay(original: one, modified: fewer)
        #expect(JSONWriter.string(patch) == #"{"status":{"$setElementOrder/conditions":[{"type":"A"}],"conditions":[{"$patch":"delete","type":"B"}]}}"#)
    }
}

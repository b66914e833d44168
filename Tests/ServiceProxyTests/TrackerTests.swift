import Testing
@testable import ServiceProxy

@Suite("Change trackers")
struct TrackerTests {
    let name = ServiceName(namespace: "ns1", name: "web")
    var port: ServicePortInfo { ServicePortInfo(name: ServicePortName(service: name, port: "http", protocol: .tcp), clusterIP: "10.96.0.10", port: 80) }

    @Test func manyUpdatesOfOneServiceMergeIntoOnePendingChange() {
        var tracker = ServiceChangeTracker()
        let added = tracker.update(name, ports: [port])
        #expect(added)
        var changed = port
        changed.port = 8080
        let updated = tracker.update(name, ports: [changed])
        #expect(updated)
        #expect(tracker.pendingCount == 1)
        #expect(tracker.takeChanges() == [name])
        #expect(tracker.pendingCount == 0)
        #expect(tracker.servicePorts[port.name]?.port == 8080)
        #expect(tracker.totalChanges == 2)
    }

    @Test func aChangeUndoneBeforeTheSyncIsNoChange() {
        var tracker = ServiceChangeTracker()
        tracker.update(name, ports: [port])
        _ = tracker.takeChanges()
        var changed = port
        changed.port = 8080
        let updated = tracker.update(name, ports: [changed])
        #expect(updated)
        let reverted = tracker.update(name, ports: [port])
        #expect(!reverted)
        #expect(tracker.takeChanges().isEmpty)
    }

    @Test func deletingAServiceIsAChangeAndForgetsItsPorts() {
        var tracker = ServiceChangeTracker()
        tracker.update(name, ports: [port])
        _ = tracker.takeChanges()
        let deleted = tracker.update(name, ports: nil)
        #expect(deleted)
        #expect(tracker.takeChanges() == [name])
        #expect(tracker.servicePorts.isEmpty)
    }

    @Test func slicesOfOneServiceMergeByPortNameAndPreferReadyDuplicates() {
        var tracker = EndpointSliceTracker(family: .ipv4, hostname: "node-a")
        let ports = [EndpointSliceInfo.Port(name: "http", port: 8080)]
        tracker.update(EndpointSliceInfo(name: "a", service: name, family: .ipv4, ports: ports, endpoints: [
            .init(addresses: ["10.244.1.5"], ready: true, nodeName: "node-a"),
            .init(addresses: ["10.244.2.5"], ready: false, serving: true, terminating: true, nodeName: "node-b"),
        ]))
        tracker.update(EndpointSliceInfo(name: "b", service: name, family: .ipv4, ports: ports, endpoints: [
            .init(addresses: ["10.244.2.5"], ready: true, nodeName: "node-b"),
            .init(addresses: ["10.244.3.5"]),
        ]))
        let endpoints = tracker.endpoints(for: port.name)
        #expect(endpoints.map(\.description) == ["10.244.1.5:8080", "10.244.2.5:8080", "10.244.3.5:8080"])
        #expect(endpoints.map(\.isLocal) == [true, false, false])
        #expect(endpoints.map(\.isReady) == [true, true, true])
        #expect(Set(tracker.takeChanges().keys) == [name])
    }

    @Test func removingASliceRemovesItsEndpointsAndReportsTheServiceAsChanged() {
        var tracker = EndpointSliceTracker(family: .ipv4, hostname: "node-a")
        let slice = EndpointSliceInfo(name: "a", service: name, family: .ipv4, ports: [.init(name: "http", port: 8080)],
                                      endpoints: [.init(addresses: ["10.244.1.5"])])
        tracker.update(slice)
        _ = tracker.takeChanges()
        let removed = tracker.update(slice, removed: true)
        #expect(removed)
        let previous = tracker.takeChanges()
        #expect(previous[name]?[port.name]?.map(\.address) == ["10.244.1.5"])
        #expect(tracker.endpoints(for: port.name).isEmpty)
    }

    @Test func slicesOfTheOtherFamilyAreIgnored() {
        var tracker = EndpointSliceTracker(family: .ipv4, hostname: "node-a")
        let changed = tracker.update(EndpointSliceInfo(name: "v6", service: name, family: .ipv6, ports: [.init(name: "http", port: 80)],
                                                       endpoints: [.init(addresses: ["fd00::5"])]))
        #expect(!changed)
        #expect(tracker.endpoints(ofService: name).isEmpty)
    }

    @Test func aSortedPortListIsKeptAsHandedInSoTheSourceAndTheTrackerShareIt() {
        var tracker = ServiceChangeTracker()
        var https = port
        https.name.port = "https"
        let ports = [port, https]
        tracker.update(name, ports: ports)
        let kept = tracker.services[name]!
        #expect(kept == ports)
        let keptStorage = kept.withUnsafeBufferPointer { $0.baseAddress }
        let handedStorage = ports.withUnsafeBufferPointer { $0.baseAddress }
        #expect(keptStorage == handedStorage)
        #expect(tracker.port(https.name) == https && tracker.portCount == 2)
    }

    @Test func portsOfOneNameCountOnceAndUnsortedListsAreSortedByName() {
        var tracker = ServiceChangeTracker()
        var https = port
        https.name.port = "https"
        var later = port
        later.port = 8080
        tracker.update(name, ports: [https, port, later])
        #expect(tracker.services[name] == [later, https])
        #expect(tracker.servicePorts == [later.name: later, https.name: https])
        #expect(tracker.sortedPorts == [later, https])
        // The same ports in another order are no change.
        _ = tracker.takeChanges()
        let reordered = tracker.update(name, ports: [https, later])
        #expect(!reordered)
        tracker.update(name, ports: [])
        #expect(tracker.portCount == 0 && tracker.services.isEmpty)
    }

    @Test func aSecondSliceOfAServiceAndItsRemovalLeaveTheFirstSlicesEndpoints() {
        var tracker = EndpointSliceTracker(family: .ipv4, hostname: "node-a")
        let ports = [EndpointSliceInfo.Port(name: "http", port: 8080)]
        let first = EndpointSliceInfo(name: "a", service: name, family: .ipv4, ports: ports, endpoints: [.init(addresses: ["10.244.1.5"])])
        let second = EndpointSliceInfo(name: "b", service: name, family: .ipv4, ports: ports + [.init(name: "dns", port: 53, protocol: .udp)],
                                       endpoints: [.init(addresses: ["10.244.2.5"])])
        tracker.update(first)
        tracker.update(second)
        let dns = ServicePortName(service: name, port: "dns", protocol: .udp)
        #expect(tracker.endpoints(ofService: name).keys.sorted() == [dns, port.name].sorted())
        #expect(tracker.endpoints(for: port.name).map(\.address) == ["10.244.1.5", "10.244.2.5"])
        tracker.update(second, removed: true)
        #expect(tracker.endpoints(ofService: name).keys.sorted() == [port.name])
        #expect(tracker.endpoints(for: port.name).map(\.address) == ["10.244.1.5"])
        tracker.update(first, removed: true)
        #expect(tracker.endpoints(ofService: name).isEmpty)
    }
}

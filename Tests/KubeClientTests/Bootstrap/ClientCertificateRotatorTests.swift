import Foundation
import KubeAPI
import KubeClient
import Testing

@Suite struct ClientCertificateRotatorTests {
    @Test func deadlineFallsBetween70And90PercentOfTheLifetime() {
        let notBefore = Date(timeIntervalSince1970: 1_000_000)
        let notAfter = notBefore.addingTimeInterval(1000)
        #expect(ClientCertificateRotator.deadline(notBefore: notBefore, notAfter: notAfter, random: 0) == notBefore.addingTimeInterval(700))
        #expect(ClientCertificateRotator.deadline(notBefore: notBefore, notAfter: notAfter, random: 0.5) == notBefore.addingTimeInterval(800))
        #expect(ClientCertificateRotator.deadline(notBefore: notBefore, notAfter: notAfter, random: 0.999).timeIntervalSince(notBefore) < 900)
        for _ in 0..<100 {
            let offset = ClientCertificateRotator.deadline(notBefore: notBefore, notAfter: notAfter, random: Double.random(in: 0..<1))
                .timeIntervalSince(notBefore)
            #expect(offset >= 700 && offset < 900)
        }
    }

    @Test func rotationRequestsWithTheCurrentCertificateAndSwapsToANewKey() async throws {
        let setup = try FakeCluster(approvalTimeout: 900)
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let store = try await setup.bootstrap(root: root)
            let before = try #require(try store.current())
            let kubeconfigBefore = try String(contentsOfFile: root + "/kubeconfig", encoding: .utf8)
            setup.clock.advance(by: 1)

            let rotator = ClientCertificateRotator(flow: setup.flow, store: store, server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, nodeName: "worker-1")
            let path = try await rotator.rotate()

            let after = try #require(try store.current())
            #expect(after.keyPEM != before.keyPEM)
            #expect(after.leaf.publicKey != before.leaf.publicKey)
            #expect(after.leaf.subject == before.leaf.subject)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: store.currentPath) == path)
            #expect(try String(contentsOfFile: root + "/kubeconfig", encoding: .utf8) == kubeconfigBefore)

            let creates = await setup.api.calls.compactMap { call -> BootstrapEndpoint? in
                if case .create(let endpoint) = call { return endpoint }
                return nil
            }
            #expect(creates.count == 2)
            #expect(creates.last?.credentials == .clientCertificate(certificatePEM: before.certificatePEM, keyPEM: before.keyPEM))
            let rotated = await setup.api.requests.values.filter { $0.metadata?.generateName == "csr-" }
            #expect(rotated.count == 1)
        }
    }

    @Test func runRotatesAtTheJitteredDeadlineOfEachCertificate() async throws {
        let setup = try FakeCluster(approvalTimeout: 900)
        await setup.api.set(lifetime: 1000)
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let store = try await setup.bootstrap(root: root)
            let first = try #require(try store.current()).leaf
            let rotator = ClientCertificateRotator(
                flow: setup.flow, store: store, server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, nodeName: "worker-1",
                random: { 0.5 })
            let task = Task { try await rotator.run() }
            while await rotator.completedRotations < 2 { await Task.yield() }
            task.cancel()
            _ = await task.result

            let current = try #require(try store.current()).leaf
            // Two rotations, each at 80 % of a 1000 s certificate from its notBefore.
            #expect(current.notValidBefore >= first.notValidBefore.addingTimeInterval(1600))
            #expect(current.notValidBefore <= first.notValidBefore.addingTimeInterval(1610))
        }
    }

    @Test func failedRotationLeavesTheCurrentPairInPlace() async throws {
        let setup = try FakeCluster(approvalTimeout: 900)
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let store = try await setup.bootstrap(root: root)
            let before = try #require(try store.current())
            await setup.api.set(decision: .deny)
            let rotator = ClientCertificateRotator(flow: setup.flow, store: store, server: BootstrapFixtures.server, caPEM: setup.ca.caPEM, nodeName: "worker-1")
            await #expect {
                try await rotator.rotate()
            } throws: { error in
                if case .csrDenied = error as? BootstrapError { return true }
                return false
            }
            #expect(try #require(try store.current()).keyPEM == before.keyPEM)
            #expect(await rotator.completedRotations == 0)
        }
    }
}

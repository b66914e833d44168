// Runs the backend contract against the in-memory fake, so the fake the kubelet's tests use is held
// to the same promises as the real backends.

import ContainerRuntime
import ContainerRuntimeTesting
import Foundation
import Testing

@Suite("Fake runtime contract")
struct FakeRuntimeContractTests {
    @Test(arguments: RuntimeContract.Case.allCases)
    func fakeRuntimeKeepsTheContract(_ contractCase: RuntimeContract.Case) async throws {
        let logRoot = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-fake-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: logRoot) }
        try FileManager.default.createDirectory(atPath: logRoot, withIntermediateDirectories: true)
        let contract = RuntimeContract(runtime: FakeContainerRuntime(), image: ImageSpec("busybox"), logRoot: logRoot)
        try await contract.check(contractCase)
    }
}

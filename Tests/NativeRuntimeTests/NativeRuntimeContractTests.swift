// The backend contract, run against the native runtime on the real kernel.

import ContainerRuntime
import ContainerRuntimeTesting
import Testing

@testable import NativeRuntime

@Suite("Native runtime contract", .kernelRuntime, .serialized)
struct NativeRuntimeContractTests {
    @Test(arguments: RuntimeContract.Case.allCases)
    func nativeRuntimeKeepsTheContract(_ contractCase: RuntimeContract.Case) async throws {
        let fixture = try await RuntimeFixture()
        do {
            let contract = RuntimeContract(runtime: fixture.runtime, image: ImageSpec(RuntimeFixture.image), logRoot: fixture.logRoot)
            try await contract.check(contractCase)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }
}

import Logging
import Testing

@testable import NodeAgent

@Suite struct HealthzServerTests {
    @Test func healthzAnswersOkAndOtherPathsAnswer404() async throws {
        let server = try await HealthzServer.bind(host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        #expect(server.port > 0)
        let port = server.port
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let healthz = try httpGet(host: "127.0.0.1", port: port, path: "/healthz")
            #expect(healthz.status == 200)
            #expect(healthz.body == "ok")
            let other = try httpGet(host: "127.0.0.1", port: port, path: "/metrics")
            #expect(other.status == 404)
            group.cancelAll()
        }
    }

    @Test func bindingAPortInUseFails() async throws {
        let first = try await HealthzServer.bind(host: "127.0.0.1", port: 0, logger: Logger(label: "test"))
        await #expect(throws: (any Error).self) {
            _ = try await HealthzServer.bind(host: "127.0.0.1", port: first.port, logger: Logger(label: "test"))
        }
        let serving = Task { try await first.run() }
        serving.cancel()
        try await serving.value
    }
}

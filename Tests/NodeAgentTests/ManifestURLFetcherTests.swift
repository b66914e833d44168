import Kubelet
import Logging
import Testing

@testable import NodeAgent

@Suite struct ManifestURLFetcherTests {
    static let manifest = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: default}
        spec:
          containers: [{name: main, image: busybox}]

        """

    @Test func fetchReturnsTheBodyServedWithStatus200() async throws {
        let server = try await HealthzServer.bind(
            host: "127.0.0.1", port: 0, name: "manifests",
            routes: ["/pods.yaml": { HealthzServer.Response(status: 200, contentType: "application/yaml", body: Self.manifest) }],
            logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let body = try await ManifestURLFetcher.fetch(
                "http://127.0.0.1:\(server.port)/pods.yaml?node=n1", headers: ["X-Node": ["n1"]])
            #expect(String(decoding: body, as: UTF8.self) == Self.manifest)
            group.cancelAll()
        }
    }

    @Test func aStatusOtherThan200FailsTheFetchNamingURLAndStatus() async throws {
        let server = try await HealthzServer.bind(
            host: "127.0.0.1", port: 0, name: "manifests", routes: [:], logger: Logger(label: "test"))
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let url = "http://127.0.0.1:\(server.port)/missing.yaml"
            let error = await #expect(throws: ManifestURLSource.HTTPStatusError.self) {
                _ = try await ManifestURLFetcher.fetch(url, headers: [:])
            }
            #expect(error?.status == 404)
            #expect(error?.description == "\(url): HTTP status 404, expected 200")
            group.cancelAll()
        }
    }

    @Test func aRefusedConnectionFailsTheFetch() async throws {
        // Bound and closed again: nothing listens on the port.
        let server = try await HealthzServer.bind(
            host: "127.0.0.1", port: 0, name: "manifests", routes: [:], logger: Logger(label: "test"))
        let port = server.port
        let serving = Task { try await server.run() }
        serving.cancel()
        try await serving.value
        await #expect(throws: (any Error).self) {
            _ = try await ManifestURLFetcher.fetch("http://127.0.0.1:\(port)/pods.yaml", headers: [:])
        }
    }
}

import Foundation
import Testing
@testable import Images

@Suite struct RegistryAuthTests {
    @Test func bearerTokenIsFetchedWithBasicCredentialsFromDockerConfigAndReused() async throws {
        let directory = try TemporaryDirectory("auth")
        defer { directory.remove() }
        var layout = try OCILayoutBuilder(directory: directory.path + "/layout")
        var tar = TarBuilder()
        tar.file("hello", "hi\n")
        var second = TarBuilder()
        second.file("world", "there\n")
        try layout.addImage(layers: [tar.archive, second.archive], tag: "auth")
        let server = try await TokenAuthRegistry(layout: layout.directory, user: "alice", password: "s3cret")
        let configJSON = #"{"auths":{"\#(server.host)":{"auth":"\#(Data("alice:s3cret".utf8).base64EncodedString())"}}}"#
        let credentials = try DockerConfigFile.credentials(from: Data(configJSON.utf8), file: "config.json")
        let store = try ImageStore(
            root: directory.path + "/store",
            registry: RegistryConfiguration(plainHTTP: [server.host], credentials: credentials, parallelDownloads: 1))

        let image = try await store.pull("\(server.host)/busybox:auth")
        try await server.stop()

        #expect(image.layers.count == 2)
        #expect(server.tokenRequests == ["service=fake-registry&scope=repository:busybox:pull"])
        #expect(server.unauthorizedResponses == 1, "the token should be fetched once and reused for every request")
    }

    @Test func wrongCredentialsFailWithAnAuthenticationErrorNamingTheRegistry() async throws {
        let directory = try TemporaryDirectory("auth")
        defer { directory.remove() }
        var layout = try OCILayoutBuilder(directory: directory.path + "/layout")
        var tar = TarBuilder()
        tar.file("hello", "hi\n")
        try layout.addImage(layers: [tar.archive], tag: "auth")
        let server = try await TokenAuthRegistry(layout: layout.directory, user: "alice", password: "s3cret")
        defer { Task { try? await server.stop() } }
        let store = try ImageStore(
            root: directory.path + "/store",
            registry: RegistryConfiguration(
                plainHTTP: [server.host], credentials: [server.host: RegistryCredential(username: "alice", password: "wrong")]))
        let error = await #expect(throws: ImageError.self) { try await store.pull("\(server.host)/busybox:auth") }
        guard case .authentication(let registry, let reason) = error else {
            Issue.record("expected an authentication error, got \(String(describing: error))")
            return
        }
        #expect(registry == "http://\(server.host)")
        #expect(reason.contains("401"))
    }
}

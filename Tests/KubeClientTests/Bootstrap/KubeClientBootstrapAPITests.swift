import Foundation
import KubeClient
import Testing

@Suite struct KubeClientBootstrapAPITests {
    @Test func endpointWithoutCAIsAnUnverifiedAnonymousClient() {
        let configuration = KubeClientConfiguration(BootstrapEndpoint(server: "https://10.0.0.1:6443", caPEM: nil, credentials: .anonymous))
        #expect(configuration.server == "https://10.0.0.1:6443")
        #expect(configuration.tls.insecureSkipVerify)
        #expect(configuration.tls.caPEM == nil)
        #expect(configuration.credentials == .none)
    }

    @Test func tokenEndpointTrustsTheCAAndSendsTheToken() {
        let configuration = KubeClientConfiguration(
            BootstrapEndpoint(server: "https://a:6443", caPEM: "CA", credentials: .bearerToken("abcdef.0123456789abcdef")))
        #expect(!configuration.tls.insecureSkipVerify)
        #expect(configuration.tls.caPEM == Array("CA".utf8))
        #expect(configuration.credentials == .bearerToken("abcdef.0123456789abcdef"))
    }

    @Test func certificateEndpointPresentsTheClientCertificate() {
        let configuration = KubeClientConfiguration(
            BootstrapEndpoint(server: "https://a:6443", caPEM: "CA", credentials: .clientCertificate(certificatePEM: "C", keyPEM: "K")))
        #expect(configuration.tls.clientCertificatePEM == Array("C".utf8))
        #expect(configuration.tls.clientKeyPEM == Array("K".utf8))
        #expect(configuration.credentials == .none)
    }

    @Test func bootstrapKubeconfigWithTokenBecomesATokenEndpoint() async throws {
        try await BootstrapFixtures.withTemporaryDirectory { root in
            let ca = try BootstrapTestCA()
            let path = try BootstrapFixtures.writeBootstrapKubeconfig(
                in: root, server: "https://10.0.0.1:6443", caPEM: ca.caPEM, token: "abcdef.0123456789abcdef")
            let endpoint = try BootstrapEndpoint(bootstrapKubeconfig: KubeConfig.load(path: path).clientConfiguration())
            #expect(endpoint == BootstrapEndpoint(server: "https://10.0.0.1:6443", caPEM: ca.caPEM, credentials: .bearerToken("abcdef.0123456789abcdef")))
        }
    }

    @Test func bootstrapKubeconfigWithBasicAuthIsRefused() {
        let configuration = KubeClientConfiguration(server: "https://a", credentials: .basic(username: "u", password: "p"))
        #expect(throws: BootstrapError.credentials("the bootstrap kubeconfig must authenticate with a token or a client certificate")) {
            _ = try BootstrapEndpoint(bootstrapKubeconfig: configuration)
        }
    }
}

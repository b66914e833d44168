import Foundation
import KubeClient
import Logging
import ServiceLifecycle

/// The kubelet's client-certificate rotation as a service: ``ClientCertificateRotator`` renews
/// the pair in `certDir` before it expires, and after each renewal the API client re-reads the
/// node's kubeconfig (which names the store's current pair) so its new requests use the new
/// certificate.
struct ClientCertificateRotation: Service {
    let rotator: ClientCertificateRotator
    let client: KubeClient
    let api: KubeClientBootstrapAPI
    let kubeconfigPath: String
    let logger: Logger

    /// The rotation for `client` when the kubeconfig at `kubeconfigPath` authenticates with the
    /// current pair of the store in `certDir`; nil when its credentials live elsewhere (then
    /// whoever made them renews them).
    static func make(
        client: KubeClient, kubeconfigPath: String, certDir: String, nodeName: String, logger: Logger
    ) throws -> ClientCertificateRotation? {
        let store = KubeletCertificateStore(directory: certDir)
        let config = try KubeConfig.load(path: kubeconfigPath)
        let user = config.currentContext.flatMap { name in config.contexts.first { $0.name == name } }
            .flatMap { context in config.users.first { $0.name == context.context.user } }
        guard let certificate = user?.user.clientCertificate,
            Self.resolve(certificate, against: config.directory) == store.currentPath
        else { return nil }
        guard let caBytes = client.configuration.tls.caPEM, let caPEM = String(validating: caBytes, as: UTF8.self) else {
            throw KubeConfigError(
                file: kubeconfigPath, field: "certificate-authority",
                message: "expected the cluster CA, which certificate rotation trusts")
        }
        let api = KubeClientBootstrapAPI(logger: logger)
        // client-go waits up to 15 minutes for a renewal to be signed.
        let flow = NodeBootstrap(api: api, approvalTimeout: 900)
        let rotator = ClientCertificateRotator(
            flow: flow, store: store, server: client.configuration.server, caPEM: caPEM, nodeName: nodeName)
        return ClientCertificateRotation(rotator: rotator, client: client, api: api, kubeconfigPath: kubeconfigPath, logger: logger)
    }

    private static func resolve(_ path: String, against directory: String?) -> String {
        guard !path.hasPrefix("/"), let directory else { return path }
        return directory + "/" + path
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await rotator.run { path in
                    do {
                        try client.reloadTLS(kubeconfig: kubeconfigPath)
                        logger.notice("client certificate rotated", metadata: ["certificate": "\(path)"])
                    } catch {
                        logger.error(
                            "client certificate rotated but the API client did not take it", metadata: ["error": "\(error)"])
                    }
                }
            }
        } catch is CancellationError {
        }
        await api.shutdown()
    }
}

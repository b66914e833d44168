import ArgumentParser
import Foundation
import KubeClient

/// `swiftlet join`: join this node to a cluster with a bootstrap token, as `kubeadm join` does.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join this node to a cluster with a bootstrap token (kubeadm join's discovery and TLS bootstrap).",
        discussion: """
            Reads kube-public/cluster-info from --server, checks its signature with the token and \
            the cluster CA against --discovery-token-ca-cert-hash, then asks for a client \
            certificate for system:node:NAME with a CSR (signer \
            kubernetes.io/kube-apiserver-client-kubelet) and waits until it is approved and issued. \
            The key and certificate go to CERT-DIR/kubelet-client-current.pem (mode 0600, directory \
            0700) and a kubeconfig naming them to --kubeconfig. Nothing is written when a check fails.

            Exit codes: 0 joined, 1 refused or failed, 2 bad arguments.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The API server, https://HOST:PORT.", valueName: "url"))
    var server: String

    @Option(name: .long, help: ArgumentHelp("The bootstrap token, ID.SECRET.", valueName: "token"))
    var token: String

    @Option(
        name: .customLong("discovery-token-ca-cert-hash"),
        help: ArgumentHelp("The cluster CA's pin, sha256:HEX (repeatable; one must match).", valueName: "hash"))
    var caCertHashes: [String] = []

    @Option(name: .customLong("node-name"), help: ArgumentHelp("This node's name (default: the host name, lower-case).", valueName: "name"))
    var nodeName: String?

    @Option(name: .long, help: ArgumentHelp("Where to write the node's kubeconfig.", valueName: "path"))
    var kubeconfig = "/etc/swiftlet/kubeconfig"

    @Option(name: .customLong("cert-dir"), help: ArgumentHelp("Where to keep the client certificate and key.", valueName: "dir"))
    var certDir = "/var/lib/swiftlet/pki"

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for the CSR to be approved and signed.", valueName: "seconds"))
    var timeout: Int = 300

    func validate() throws {
        guard let url = URL(string: server), url.scheme == "https", url.host != nil else {
            throw ValidationError("--server: \"\(server)\" is not an https://HOST[:PORT] URL")
        }
        do {
            _ = try BootstrapToken(token)
            _ = try pins()
        } catch {
            throw ValidationError(error.description)
        }
        guard timeout > 0 else { throw ValidationError("--timeout: expected a positive number of seconds, got \(timeout)") }
        guard !resolvedNodeName.isEmpty else { throw ValidationError("--node-name: expected a node name; the host name is empty") }
    }

    func run() async throws {
        let request = try NodeBootstrap.JoinRequest(
            server: server, token: BootstrapToken(token), pins: pins(), nodeName: resolvedNodeName, kubeconfigPath: kubeconfig,
            certificateDirectory: certDir)
        let api = KubeClientBootstrapAPI()
        let flow = NodeBootstrap(api: api, approvalTimeout: TimeInterval(timeout))
        print("Joining \(server) as node \(request.nodeName) with token \(request.token)")
        do {
            let joined = try await flow.join(request)
            await api.shutdown()
            print("cluster-info: signature for token \(request.token.id) verified, CA matches the pinned hash")
            print("certificatesigningrequest \(joined.csrName): approved, certificate issued to \(joined.userName), valid until \(joined.notAfter)")
            print("wrote \(joined.certificatePath) (current: \(KubeletCertificateStore(directory: certDir).currentPath))")
            print("wrote \(joined.kubeconfigPath)")
            print("This node has joined the cluster; start swiftlet with this kubeconfig.")
        } catch {
            await api.shutdown()
            printToStandardError("swiftlet join: \(error.description)")
            printToStandardError("swiftlet join: nothing was written")
            throw ExitCode.runtimeFailure
        }
    }

    private var resolvedNodeName: String { nodeName ?? ProcessInfo.processInfo.hostName.lowercased() }

    private func pins() throws(BootstrapError) -> [CACertificatePin] {
        guard !caCertHashes.isEmpty else {
            throw .invalidCACertificatePin("missing; give the cluster CA's pin (kubeadm token create --print-join-command shows it)")
        }
        return try caCertHashes.map { hash throws(BootstrapError) in try CACertificatePin(hash) }
    }
}

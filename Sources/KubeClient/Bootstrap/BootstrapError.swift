/// Why joining a cluster, or renewing the node's client certificate, stopped.
///
/// Every case says what was found and what was expected, so a person reading
/// `swiftlet join`'s output knows which argument, object or file to fix. Nothing is written to
/// disk before a flow has succeeded, so any of these leaves the node's files as they were.
public enum BootstrapError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `--token` is not `[a-z0-9]{6}.[a-z0-9]{16}`.
    case invalidToken(String)
    /// `--discovery-token-ca-cert-hash` is not `sha256:<64 hex digits>`.
    case invalidCACertificatePin(String)
    /// The `cluster-info` ConfigMap lacks a field or has one that does not parse.
    case invalidClusterInfo(String)
    /// `cluster-info` carries no `jws-kubeconfig-<token id>` signature for this token.
    case missingSignature(tokenID: String)
    /// The signature for this token does not verify over `data.kubeconfig`.
    case badSignature(tokenID: String, reason: String)
    /// No certificate in the cluster CA bundle matches any pin.
    case caPinMismatch(expected: [String], found: [String])
    /// `cluster-info` read over TLS verified against the pinned CA differs from the one read
    /// without verification.
    case clusterInfoChanged
    /// A private key, certificate or CSR could not be made or read.
    case credentials(String)
    /// The CSR was denied (condition `Denied`).
    case csrDenied(name: String, reason: String, message: String)
    /// The signer failed to issue the certificate (condition `Failed`).
    case csrFailed(name: String, reason: String, message: String)
    /// No certificate was issued within the time allowed.
    case csrTimedOut(name: String, seconds: Int)
    /// The issued certificate is not the one asked for (other key, other subject, expired).
    case unexpectedCertificate(String)
    /// Writing credentials or the kubeconfig failed.
    case filesystem(path: String, reason: String)
    /// A request to the API server failed.
    case api(String)
    /// Neither a usable kubeconfig nor a bootstrap kubeconfig was given.
    case noCredentials(kubeconfig: String)

    public var description: String {
        switch self {
        case .invalidToken(let reason):
            return "token: \(reason); expected ID.SECRET matching [a-z0-9]{6}.[a-z0-9]{16}"
        case .invalidCACertificatePin(let reason):
            return "discovery-token-ca-cert-hash: \(reason); expected sha256:<64 hex digits>"
        case .invalidClusterInfo(let reason):
            return "kube-public/cluster-info: \(reason)"
        case .missingSignature(let id):
            return
                "kube-public/cluster-info: no data.jws-kubeconfig-\(id); the token \(id) is unknown to the cluster or expired"
        case .badSignature(let id, let reason):
            return "kube-public/cluster-info: data.jws-kubeconfig-\(id) does not verify with the token's secret: \(reason)"
        case .caPinMismatch(let expected, let found):
            return
                "cluster CA does not match discovery-token-ca-cert-hash: expected one of \(expected.joined(separator: ", ")), the cluster-info CA has \(found.joined(separator: ", "))"
        case .clusterInfoChanged:
            return "kube-public/cluster-info read over verified TLS differs from the one read before verification"
        case .credentials(let reason):
            return "credentials: \(reason)"
        case .csrDenied(let name, let reason, let message):
            return "certificatesigningrequest \(name) was denied (reason \(reason)): \(message)"
        case .csrFailed(let name, let reason, let message):
            return "certificatesigningrequest \(name) failed to be signed (reason \(reason)): \(message)"
        case .csrTimedOut(let name, let seconds):
            return "certificatesigningrequest \(name) was not approved and issued within \(seconds) s"
        case .unexpectedCertificate(let reason):
            return "issued certificate: \(reason)"
        case .filesystem(let path, let reason):
            return "\(path): \(reason)"
        case .api(let reason):
            return "API server: \(reason)"
        case .noCredentials(let kubeconfig):
            return "\(kubeconfig) does not exist and no bootstrap kubeconfig was given; expected one of them"
        }
    }
}

import Foundation
import KubeAPI

/// Joining a cluster as a node, in the manner of `kubeadm join` and the kubelet's TLS bootstrap:
///
/// 1. **Discovery**: read `kube-public/cluster-info` without verifying the server, check its
///    `jws-kubeconfig-<token id>` signature with the token and its CA against the pins, then
///    read it again over TLS verified by that CA and require the same kubeconfig.
/// 2. **TLS bootstrap**: make a P-256 key and a CSR for `system:node:<name>`, create it with the
///    bootstrap token, poll until it is approved and signed (or denied, failed, timed out).
/// 3. **Credentials**: store the pair as the kubelet does and write a kubeconfig naming it.
///
/// Nothing is written until every check has passed, so a refused join leaves no files.
public struct NodeBootstrap: Sendable {
    /// The API calls.
    public let api: any BootstrapAPI
    /// The time source for polling and timeouts.
    public let clock: any BootstrapClock
    /// How often a pending CSR is read again.
    public var pollInterval: TimeInterval
    /// How long to wait for approval and signing.
    public var approvalTimeout: TimeInterval
    /// The certificate lifetime a CSR asks for (`spec.expirationSeconds`, at least 600); nil
    /// leaves it to the signer, as the kubelet does.
    public var requestedLifetimeSeconds: Int32?

    /// A flow over `api`. The defaults poll every second for up to five minutes.
    public init(
        api: any BootstrapAPI, clock: any BootstrapClock = SystemBootstrapClock(), pollInterval: TimeInterval = 1,
        approvalTimeout: TimeInterval = 300
    ) {
        self.api = api
        self.clock = clock
        self.pollInterval = pollInterval
        self.approvalTimeout = approvalTimeout
    }

    /// What `swiftlet join` asks for.
    public struct JoinRequest: Sendable, Hashable {
        /// The API server to discover from and to bootstrap against.
        public var server: String
        /// The bootstrap token.
        public var token: BootstrapToken
        /// The accepted CA pins (at least one).
        public var pins: [CACertificatePin]
        /// This node's name.
        public var nodeName: String
        /// Where the kubeconfig goes.
        public var kubeconfigPath: String
        /// The certificate directory.
        public var certificateDirectory: String

        /// A join request.
        public init(
            server: String, token: BootstrapToken, pins: [CACertificatePin], nodeName: String, kubeconfigPath: String,
            certificateDirectory: String
        ) {
            self.server = server
            self.token = token
            self.pins = pins
            self.nodeName = nodeName
            self.kubeconfigPath = kubeconfigPath
            self.certificateDirectory = certificateDirectory
        }
    }

    /// What a successful bootstrap did.
    public struct Credentials: Sendable, Hashable {
        /// The API server the kubeconfig points at.
        public var server: String
        /// The CSR that was issued.
        public var csrName: String
        /// The kubeconfig written.
        public var kubeconfigPath: String
        /// The pair file written (the current symlink points at it).
        public var certificatePath: String
        /// The certificate's subject CN.
        public var userName: String
        /// When the certificate expires.
        public var notAfter: Date
    }

    /// An issued certificate for a key this node made.
    public struct IssuedCertificate: Sendable {
        /// The CSR's name.
        public var csrName: String
        /// The certificate chain, PEM.
        public var certificatePEM: String
        /// The key, PEM.
        public var keyPEM: String
    }

    /// Token discovery: the verified cluster-info.
    ///
    /// - Throws: ``BootstrapError`` — `missingSignature`, `badSignature`, `caPinMismatch`,
    ///   `invalidClusterInfo`, `clusterInfoChanged`, or `api` when a read fails.
    public func discover(server: String, token: BootstrapToken, pins: [CACertificatePin]) async throws(BootstrapError) -> ClusterInfo {
        guard !pins.isEmpty else { throw .invalidCACertificatePin("no pin given, expected at least one") }
        let insecure = try await call("reading kube-public/cluster-info") {
            try await api.clusterInfo(at: BootstrapEndpoint(server: server, caPEM: nil, credentials: .anonymous))
        }
        let info = try ClusterInfo.verified(insecure, token: token, pins: pins)
        let secure = try await call("reading kube-public/cluster-info with the pinned CA") {
            try await api.clusterInfo(at: BootstrapEndpoint(server: server, caPEM: info.caPEM, credentials: .anonymous))
        }
        guard secure.data?["kubeconfig"] == info.kubeconfig else { throw .clusterInfoChanged }
        return info
    }

    /// Creates a client-certificate CSR for `nodeName` with a new key, authenticated by
    /// `endpoint`, and waits until it is issued.
    ///
    /// With `stableName` the CSR is named ``NodeCertificateRequest/digestedName`` (an existing
    /// CSR of that name, made for the same key, is waited on rather than re-created); otherwise
    /// the server names it (`generateName: csr-`), as rotation does.
    ///
    /// - Throws: ``BootstrapError`` — `csrDenied`, `csrFailed`, `csrTimedOut`,
    ///   `unexpectedCertificate`, `api`.
    public func requestCertificate(nodeName: String, endpoint: BootstrapEndpoint, stableName: Bool) async throws(BootstrapError)
        -> IssuedCertificate
    {
        let request = try NodeCertificateRequest(nodeName: nodeName)
        let object = request.object(name: stableName ? request.digestedName : nil, expirationSeconds: requestedLifetimeSeconds)
        let created: KubeAPI.CertificateSigningRequest
        do {
            created = try await api.create(object, at: endpoint)
        } catch BootstrapAPIFailure.alreadyExists(let message) where stableName {
            let existing = try await call("reading certificatesigningrequest \(request.digestedName)") {
                try await api.certificateSigningRequest(named: request.digestedName, at: endpoint)
            }
            guard existing.spec.request == object.spec.request else {
                throw .api("certificatesigningrequest \(request.digestedName) exists for another request (\(message))")
            }
            created = existing
        } catch {
            throw .api("creating a certificatesigningrequest for node \(nodeName): \(error)")
        }
        guard let name = created.metadata?.name, !name.isEmpty else {
            throw .api("the created certificatesigningrequest has no metadata.name")
        }
        let certificatePEM = try await waitForCertificate(named: name, first: created, endpoint: endpoint)
        try request.checkIssued(certificatePEM, now: clock.now)
        return IssuedCertificate(csrName: name, certificatePEM: certificatePEM, keyPEM: request.privateKeyPEM)
    }

    /// Discovery, TLS bootstrap with the token, then the credentials and kubeconfig written.
    ///
    /// - Throws: ``BootstrapError``; nothing is written unless every step succeeded.
    public func join(_ request: JoinRequest) async throws(BootstrapError) -> Credentials {
        let info = try await discover(server: request.server, token: request.token, pins: request.pins)
        let endpoint = BootstrapEndpoint(server: request.server, caPEM: info.caPEM, credentials: .bearerToken(request.token.bearerToken))
        let issued = try await requestCertificate(nodeName: request.nodeName, endpoint: endpoint, stableName: true)
        return try persist(
            issued, server: request.server, caPEM: info.caPEM, nodeName: request.nodeName, kubeconfigPath: request.kubeconfigPath,
            certificateDirectory: request.certificateDirectory)
    }

    /// The kubelet's start-up path: an existing kubeconfig is used as it is (nil returned) unless
    /// the current client certificate in the store has expired; otherwise the bootstrap
    /// kubeconfig's credentials (`bootstrap`, already read by the caller) request a certificate.
    ///
    /// - Throws: ``BootstrapError/noCredentials(kubeconfig:)`` when there is neither;
    ///   ``BootstrapError`` from the bootstrap.
    public func loadOrBootstrap(
        kubeconfigPath: String, bootstrap: BootstrapEndpoint?, nodeName: String, certificateDirectory: String
    ) async throws(BootstrapError) -> Credentials? {
        let store = KubeletCertificateStore(directory: certificateDirectory)
        if CredentialFiles.exists(kubeconfigPath) {
            let current = try? store.current()
            guard let leaf = current?.leaf, leaf.notValidAfter <= clock.now, bootstrap != nil else { return nil }
        }
        guard let bootstrap else { throw .noCredentials(kubeconfig: kubeconfigPath) }
        guard let caPEM = bootstrap.caPEM else {
            throw .credentials("the bootstrap kubeconfig has no certificate authority; expected the cluster CA")
        }
        let issued = try await requestCertificate(nodeName: nodeName, endpoint: bootstrap, stableName: true)
        return try persist(
            issued, server: bootstrap.server, caPEM: caPEM, nodeName: nodeName, kubeconfigPath: kubeconfigPath,
            certificateDirectory: certificateDirectory)
    }

    private func persist(
        _ issued: IssuedCertificate, server: String, caPEM: String, nodeName: String, kubeconfigPath: String,
        certificateDirectory: String
    ) throws(BootstrapError) -> Credentials {
        let store = KubeletCertificateStore(directory: certificateDirectory)
        let path = try store.update(certificatePEM: issued.certificatePEM, keyPEM: issued.keyPEM, at: clock.now)
        try NodeKubeconfig(server: server, caPEM: caPEM, credentialsPath: store.currentPath).write(to: kubeconfigPath)
        let leaf = try store.current()?.leaf
        return Credentials(
            server: server, csrName: issued.csrName, kubeconfigPath: kubeconfigPath, certificatePath: path,
            userName: "system:node:\(nodeName)", notAfter: leaf?.notValidAfter ?? clock.now)
    }

    private func waitForCertificate(named name: String, first: KubeAPI.CertificateSigningRequest, endpoint: BootstrapEndpoint)
        async throws(BootstrapError) -> String
    {
        let deadline = clock.now.addingTimeInterval(approvalTimeout)
        var current = first
        while true {
            switch try CertificateSigningRequestOutcome(current) {
            case .issued(let certificatePEM): return certificatePEM
            case .denied(let reason, let message): throw .csrDenied(name: name, reason: reason, message: message)
            case .failed(let reason, let message): throw .csrFailed(name: name, reason: reason, message: message)
            case .pending: break
            }
            let now = clock.now
            guard now < deadline else { throw .csrTimedOut(name: name, seconds: Int(approvalTimeout)) }
            do {
                try await clock.sleep(until: min(deadline, now.addingTimeInterval(pollInterval)))
            } catch {
                throw .csrTimedOut(name: name, seconds: Int(approvalTimeout))
            }
            current = try await call("reading certificatesigningrequest \(name)") {
                try await api.certificateSigningRequest(named: name, at: endpoint)
            }
        }
    }

    private func call<T>(_ what: String, _ body: () async throws -> T) async throws(BootstrapError) -> T {
        do {
            return try await body()
        } catch let error as BootstrapError {
            throw error
        } catch {
            throw .api("\(what): \(error)")
        }
    }
}

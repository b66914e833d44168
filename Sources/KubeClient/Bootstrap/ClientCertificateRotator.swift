import Foundation

/// Renews the node's client certificate before it expires, by client-go's certificate manager
/// rule: the rotation deadline is a random point between 70 % and 90 % of the certificate's
/// lifetime after its notBefore. At the deadline a new key and CSR are made, authenticated by
/// the current certificate; the issued pair is stored and the current symlink swapped, so the
/// kubeconfig (which names the symlink) picks it up without being rewritten.
public actor ClientCertificateRotator {
    /// The rotation deadline of a certificate valid from `notBefore` to `notAfter`, for a
    /// `random` value in [0, 1): `notBefore + lifetime × (0.7 + 0.2 × random)`.
    public static func deadline(notBefore: Date, notAfter: Date, random: Double) -> Date {
        let lifetime = notAfter.timeIntervalSince(notBefore)
        let fraction = 0.7 + 0.2 * min(max(random, 0), 1)
        return notBefore.addingTimeInterval(lifetime * fraction)
    }

    private let flow: NodeBootstrap
    private let store: KubeletCertificateStore
    private let server: String
    private let caPEM: String
    private let nodeName: String
    private let random: @Sendable () -> Double
    private var rotations = 0

    /// A rotator for the pair in `store`, renewing against `server` (trusting `caPEM`) through
    /// `flow` (whose clock and API it uses). `random` draws the jitter; client-go waits up to
    /// 15 minutes for a renewal to be signed, which `flow.approvalTimeout` sets.
    public init(
        flow: NodeBootstrap, store: KubeletCertificateStore, server: String, caPEM: String, nodeName: String,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.flow = flow
        self.store = store
        self.server = server
        self.caPEM = caPEM
        self.nodeName = nodeName
        self.random = random
    }

    /// How many certificates this rotator has stored.
    public var completedRotations: Int { rotations }

    /// When the current certificate should be renewed; now when there is none.
    ///
    /// - Throws: ``BootstrapError/credentials(_:)`` when the current pair does not read.
    public func nextDeadline() throws(BootstrapError) -> Date {
        guard let current = try store.current() else { return flow.clock.now }
        return Self.deadline(notBefore: current.leaf.notValidBefore, notAfter: current.leaf.notValidAfter, random: random())
    }

    /// Renews now: a new key and CSR authenticated with the current certificate, waits for it
    /// to be issued, stores it and swaps the current symlink. Returns the new pair's path.
    ///
    /// - Throws: ``BootstrapError``; the current pair is unchanged then.
    @discardableResult
    public func rotate() async throws(BootstrapError) -> String {
        guard let current = try store.current() else {
            throw .credentials("\(store.currentPath) does not exist; rotation needs a current certificate to authenticate with")
        }
        let endpoint = BootstrapEndpoint(
            server: server, caPEM: caPEM, credentials: .clientCertificate(certificatePEM: current.certificatePEM, keyPEM: current.keyPEM))
        let issued = try await flow.requestCertificate(nodeName: nodeName, endpoint: endpoint, stableName: false)
        let path = try store.update(certificatePEM: issued.certificatePEM, keyPEM: issued.keyPEM, at: flow.clock.now)
        rotations += 1
        return path
    }

    /// Sleeps until each deadline and rotates, until cancelled. A failed rotation is retried
    /// with client-go's backoff (2 s doubling, five attempts) and then every 32 s. After each
    /// rotation `onRotation` is told the new pair's path (for clients to take the new pair).
    ///
    /// - Throws: `CancellationError` when cancelled.
    public func run(onRotation: @Sendable (String) async -> Void = { _ in }) async throws {
        while !Task.isCancelled {
            let deadline = (try? nextDeadline()) ?? flow.clock.now
            try await flow.clock.sleep(until: deadline)
            var delay: TimeInterval = 2
            var attempts = 0
            while true {
                do {
                    let path = try await rotate()
                    await onRotation(path)
                    break
                } catch {
                    try Task.checkCancellation()
                    attempts += 1
                    let wait = attempts <= 5 ? delay * (1 + 0.1 * random()) : 32
                    delay *= 2
                    try await flow.clock.sleep(until: flow.clock.now.addingTimeInterval(wait))
                }
            }
        }
        throw CancellationError()
    }
}

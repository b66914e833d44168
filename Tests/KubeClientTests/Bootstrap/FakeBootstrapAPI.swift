import Foundation
import KubeAPI
import KubeClient

/// The bootstrap API seam played by a fake cluster: it serves a `cluster-info` ConfigMap, stores
/// created CSRs and decides them after a number of reads, signing approved ones with a test CA
/// at the clock's time. Every call is recorded with the endpoint it was made to.
actor FakeBootstrapAPI: BootstrapAPI {
    enum Decision: Sendable { case approve, deny, fail, never }
    enum Call: Sendable, Hashable {
        case clusterInfo(BootstrapEndpoint)
        case create(BootstrapEndpoint)
        case get(String, BootstrapEndpoint)
    }

    let ca: BootstrapTestCA
    let clock: any BootstrapClock
    var clusterInfo: ConfigMap
    /// Served instead of ``clusterInfo`` to a request that verifies the server (has a CA).
    var verifiedClusterInfo: ConfigMap?
    var decision: Decision = .approve
    var readsBeforeDecision = 1
    var lifetime: TimeInterval = 3600
    private(set) var calls: [Call] = []
    private(set) var requests: [String: CertificateSigningRequest] = [:]
    private var reads: [String: Int] = [:]
    private var generated = 0

    init(ca: BootstrapTestCA, clock: any BootstrapClock, clusterInfo: ConfigMap) {
        self.ca = ca
        self.clock = clock
        self.clusterInfo = clusterInfo
    }

    func set(decision: Decision, readsBeforeDecision: Int = 1) {
        self.decision = decision
        self.readsBeforeDecision = readsBeforeDecision
    }

    func set(verifiedClusterInfo: ConfigMap?) { self.verifiedClusterInfo = verifiedClusterInfo }
    func set(lifetime: TimeInterval) { self.lifetime = lifetime }

    func clusterInfo(at endpoint: BootstrapEndpoint) async throws -> ConfigMap {
        calls.append(.clusterInfo(endpoint))
        return endpoint.caPEM == nil ? clusterInfo : (verifiedClusterInfo ?? clusterInfo)
    }

    func create(_ request: CertificateSigningRequest, at endpoint: BootstrapEndpoint) async throws -> CertificateSigningRequest {
        calls.append(.create(endpoint))
        var stored = request
        var metadata = request.metadata ?? MetaV1.ObjectMeta()
        if metadata.name == nil {
            generated += 1
            metadata.name = (metadata.generateName ?? "") + "\(generated)"
        }
        let name = metadata.name!
        if requests[name] != nil { throw BootstrapAPIFailure.alreadyExists("certificatesigningrequests \(name)") }
        stored.metadata = metadata
        requests[name] = stored
        return stored
    }

    func certificateSigningRequest(named name: String, at endpoint: BootstrapEndpoint) async throws -> CertificateSigningRequest {
        calls.append(.get(name, endpoint))
        guard var request = requests[name] else { throw BootstrapAPIFailure.notFound("certificatesigningrequests \(name)") }
        reads[name, default: 0] += 1
        if reads[name]! >= readsBeforeDecision, request.status?.conditions == nil {
            request.status = try decide(request)
            requests[name] = request
        }
        return request
    }

    private func decide(_ request: CertificateSigningRequest) throws -> CertificateSigningRequestStatus? {
        switch decision {
        case .never:
            return nil
        case .deny:
            return CertificateSigningRequestStatus(conditions: [
                CertificateSigningRequestCondition(message: "not a node of ours", reason: "AdminDenied", status: "True", type: "Denied")
            ])
        case .fail:
            return CertificateSigningRequestStatus(conditions: [
                CertificateSigningRequestCondition(reason: "AdminApproved", status: "True", type: "Approved"),
                CertificateSigningRequestCondition(message: "signer down", reason: "SignerError", status: "True", type: "Failed"),
            ])
        case .approve:
            let pem = String(decoding: Data(base64Encoded: request.spec.request)!, as: UTF8.self)
            let certificate = try ca.sign(requestPEM: pem, notBefore: clock.now, lifetime: lifetime)
            return CertificateSigningRequestStatus(
                certificate: Data(certificate.utf8).base64EncodedString(),
                conditions: [CertificateSigningRequestCondition(reason: "AutoApproved", status: "True", type: "Approved")])
        }
    }
}

import Foundation
import KubeAPI

/// Where a CertificateSigningRequest stands, read from its status as the kubelet reads it:
/// a `Denied` or `Failed` condition ends the wait; `Approved` with `status.certificate` set is
/// success; anything else is still pending (approved but not yet signed, or not yet looked at).
public enum CertificateSigningRequestOutcome: Sendable, Hashable {
    /// Not decided, or approved and not yet signed.
    case pending(approved: Bool)
    /// Approved and signed: the certificate chain as PEM.
    case issued(certificatePEM: String)
    /// Denied by an approver.
    case denied(reason: String, message: String)
    /// The signer could not issue it.
    case failed(reason: String, message: String)

    /// Reads `csr`'s conditions and certificate.
    ///
    /// - Throws: ``BootstrapError/unexpectedCertificate(_:)`` when `status.certificate` is not
    ///   base64 of text.
    public init(_ csr: KubeAPI.CertificateSigningRequest) throws(BootstrapError) {
        var approved = false
        for condition in csr.status?.conditions ?? [] {
            switch condition.type {
            case "Denied":
                self = .denied(reason: condition.reason ?? "", message: condition.message ?? "")
                return
            case "Failed":
                self = .failed(reason: condition.reason ?? "", message: condition.message ?? "")
                return
            case "Approved":
                approved = true
            default:
                continue
            }
        }
        guard approved, let encoded = csr.status?.certificate, !encoded.isEmpty else {
            self = .pending(approved: approved)
            return
        }
        guard let data = Data(base64Encoded: encoded), let pem = String(data: data, encoding: .utf8) else {
            throw .unexpectedCertificate("status.certificate is not base64-encoded PEM")
        }
        self = .issued(certificatePEM: pem)
    }
}

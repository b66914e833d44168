import Crypto
import Foundation
import KubeAPI
import SwiftASN1
import X509

/// A fresh node key and the kubelet client-certificate request made with it.
///
/// The key is ECDSA P-256, as the kubelet generates; the PKCS#10 request has the subject
/// `O=system:nodes, CN=system:node:<name>` and nothing else (no SANs), which is what the CSR
/// approver checks for a node client certificate.
public struct NodeCertificateRequest: Sendable {
    /// The signer of kubelet client certificates.
    public static let signerName = "kubernetes.io/kube-apiserver-client-kubelet"
    /// The usages the kubelet asks for with an ECDSA key (RSA keys add "key encipherment").
    public static let usages = ["digital signature", "client auth"]

    /// The node name in the subject.
    public let nodeName: String
    /// The new private key as PEM (PKCS#8 `PRIVATE KEY`).
    public let privateKeyPEM: String
    /// The public key, SubjectPublicKeyInfo DER.
    public let publicKeyDER: [UInt8]
    /// The request, PEM (`CERTIFICATE REQUEST`).
    public let requestPEM: String

    /// Makes a new key and signs a request for `nodeName` with it.
    ///
    /// - Throws: ``BootstrapError/credentials(_:)`` for an empty node name or when the request
    ///   cannot be encoded.
    public init(nodeName: String, privateKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey()) throws(BootstrapError) {
        guard !nodeName.isEmpty else { throw .credentials("node name is empty, expected the name of this node") }
        self.nodeName = nodeName
        privateKeyPEM = privateKey.pemRepresentation
        publicKeyDER = Array(privateKey.publicKey.derRepresentation)
        do {
            let subject = try DistinguishedName {
                OrganizationName("system:nodes")
                CommonName("system:node:\(nodeName)")
            }
            let request = try X509.CertificateSigningRequest(
                version: .v1,
                subject: subject,
                privateKey: Certificate.PrivateKey(privateKey),
                attributes: X509.CertificateSigningRequest.Attributes(),
                signatureAlgorithm: .ecdsaWithSHA256
            )
            requestPEM = try request.serializeAsPEM().pemString
        } catch {
            throw .credentials("cannot make a certificate request for node \(nodeName): \(error)")
        }
    }

    /// The CertificateSigningRequest object to create.
    ///
    /// With `name` nil the server names it from `generateName` `csr-`, as the kubelet's
    /// certificate manager does on rotation; the first bootstrap uses ``digestedName``.
    public func object(name: String?, expirationSeconds: Int32? = nil) -> KubeAPI.CertificateSigningRequest {
        KubeAPI.CertificateSigningRequest(
            apiVersion: KubeAPI.CertificateSigningRequest.apiVersion,
            kind: KubeAPI.CertificateSigningRequest.kind,
            metadata: name.map { MetaV1.ObjectMeta(name: $0) } ?? MetaV1.ObjectMeta(generateName: "csr-"),
            spec: CertificateSigningRequestSpec(
                expirationSeconds: expirationSeconds,
                request: Data(requestPEM.utf8).base64EncodedString(),
                signerName: Self.signerName,
                usages: Self.usages
            )
        )
    }

    /// A name that is the same for the same key, subject and usages, so a node that restarts
    /// with the same key finds its earlier request: `node-csr-` and the base64url SHA-256 of the
    /// public key, CN, O and usages each base64url-encoded and `|`-terminated. (The kubelet hashes
    /// the same fields with SHA-512/256, which swift-crypto does not offer; the name only has to
    /// be stable and unique, the API server does not check how it was made.)
    public var digestedName: String {
        var hasher = SHA256()
        func write(_ bytes: [UInt8]) {
            hasher.update(data: Array(ClusterInfoSignature.base64URL(bytes).utf8))
            hasher.update(data: [UInt8(ascii: "|")])
        }
        write(publicKeyDER)
        write(Array("system:node:\(nodeName)".utf8))
        write(Array("system:nodes".utf8))
        for usage in Self.usages { write(Array(usage.utf8)) }
        return "node-csr-" + ClusterInfoSignature.base64URL(Array(hasher.finalize()))
    }

    /// Checks that `certificatePEM` (leaf first) is for this key and node and is valid at `now`.
    ///
    /// - Throws: ``BootstrapError/unexpectedCertificate(_:)`` saying what differs.
    public func checkIssued(_ certificatePEM: String, now: Date) throws(BootstrapError) {
        let leaf: Certificate
        do {
            guard let first = try PEMDocument.parseMultiple(pemString: certificatePEM).first(where: { $0.discriminator == "CERTIFICATE" }) else {
                throw BootstrapError.unexpectedCertificate("status.certificate holds no CERTIFICATE block")
            }
            leaf = try Certificate(derEncoded: first.derBytes)
        } catch let error as BootstrapError {
            throw error
        } catch {
            throw .unexpectedCertificate("status.certificate does not parse: \(error)")
        }
        guard let requested = try? P256.Signing.PublicKey(derRepresentation: publicKeyDER),
            leaf.publicKey == Certificate.PublicKey(requested)
        else {
            throw .unexpectedCertificate("its public key is not the one this node requested")
        }
        let expectedCN = "system:node:\(nodeName)"
        let commonNames = leaf.subject.flatMap { $0 }.filter { $0.type == .RDNAttributeType.commonName }.map { String(describing: $0.value) }
        guard commonNames.contains(expectedCN) else {
            throw .unexpectedCertificate("subject \(leaf.subject) has no CN \(expectedCN)")
        }
        guard leaf.notValidAfter > now else {
            throw .unexpectedCertificate("it expired at \(leaf.notValidAfter)")
        }
    }
}

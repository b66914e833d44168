import Crypto
import Foundation
import SwiftASN1
import X509

/// A throwaway cluster CA for the bootstrap tests: an ECDSA P-256 self-signed CA certificate that
/// signs node certificates from PKCS#10 requests, as the csrsigning controller would.
struct BootstrapTestCA: Sendable {
    let caPEM: String
    let caDER: [UInt8]
    private let keyPEM: String
    private let name: DistinguishedName

    init(commonName: String = "kubernetes") throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil)) },
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        caDER = serializer.serializedBytes
        caPEM = try certificate.serializeAsPEM().pemString + "\n"
        keyPEM = key.pemRepresentation
        self.name = name
    }

    /// Signs the request in `requestPEM` (after checking its signature) for `lifetime` seconds
    /// from `notBefore`; returns the certificate PEM.
    func sign(requestPEM: String, notBefore: Date, lifetime: TimeInterval) throws -> String {
        let request = try X509.CertificateSigningRequest(pemEncoded: requestPEM)
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw CocoaError(.coderInvalidValue)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: request.publicKey,
            notValidBefore: notBefore, notValidAfter: notBefore.addingTimeInterval(lifetime),
            issuer: name, subject: request.subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                KeyUsage(digitalSignature: true)
                try ExtendedKeyUsage([.clientAuth])
            },
            issuerPrivateKey: .init(P256.Signing.PrivateKey(pemRepresentation: keyPEM)))
        return try certificate.serializeAsPEM().pemString + "\n"
    }
}

import Crypto
import Foundation
import SwiftASN1
import X509

/// The test cluster's CA (ECDSA P-256): the server's serving certificate, client certificates
/// for tests and the certificates CSRs get on approval are all issued here.
struct TestCertificateAuthority: Sendable {
    let privateKey: Certificate.PrivateKey
    let certificate: Certificate
    /// The SHA-1 of the CA's public key, its subject key identifier.
    let keyIdentifier: [UInt8]

    init(commonName: String = "swiftlet-test-ca") throws {
        let key = P256.Signing.PrivateKey()
        privateKey = Certificate.PrivateKey(key)
        keyIdentifier = Array(Insecure.SHA1.hash(data: key.publicKey.x963Representation))
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: key.publicKey.x963Representation)))
            },
            issuerPrivateKey: privateKey)
    }

    var certificatePEM: String {
        (try? certificate.serializeAsPEM().pemString) ?? ""
    }

    /// The DER bytes of the CA certificate.
    var certificateDER: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// Issues a certificate for `publicKey` with the given subject and uses.
    func issue(
        publicKey: Certificate.PublicKey, subject: DistinguishedName, validFor seconds: TimeInterval,
        clientAuth: Bool, serverAuth: Bool, dnsNames: [String] = [], ipAddresses: [[UInt8]] = []
    ) throws -> Certificate {
        // Whole seconds, as X.509 times carry them: the certificate lasts `seconds` at most.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var usages: [ExtendedKeyUsage.Usage] = []
        if clientAuth { usages.append(.clientAuth) }
        if serverAuth { usages.append(.serverAuth) }
        let names = dnsNames.map { GeneralName.dnsName($0) }
            + ipAddresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(seconds),
            issuer: certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage(usages)
                AuthorityKeyIdentifier(keyIdentifier: ArraySlice(keyIdentifier))
                if !names.isEmpty { SubjectAlternativeNames(names) }
            },
            issuerPrivateKey: privateKey)
    }

    /// A new key and a client certificate for `user` in `groups` (CN and O), both PEM.
    func issueClientCertificate(user: String, groups: [String], validFor seconds: TimeInterval = 86400) throws
        -> (certificatePEM: String, keyPEM: String)
    {
        let clientKey = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            for group in groups { OrganizationName(group) }
            CommonName(user)
        }
        let certificate = try issue(
            publicKey: .init(clientKey.publicKey), subject: subject, validFor: seconds, clientAuth: true, serverAuth: false)
        return (try certificate.serializeAsPEM().pemString, clientKey.pemRepresentation)
    }

    /// The user (CN) and groups (O) a client certificate names.
    static func identity(of subject: DistinguishedName) -> (user: String, groups: [String]) {
        var user = ""
        var groups: [String] = []
        for rdn in subject {
            for attribute in rdn {
                let text = String(describing: attribute.value)
                if attribute.type == .RDNAttributeType.commonName { user = text }
                if attribute.type == .RDNAttributeType.organizationName { groups.append(text) }
            }
        }
        return (user, groups)
    }
}

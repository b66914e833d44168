import Crypto
import Foundation
import KubeAPI
import KubeClient
import SwiftASN1
import Testing
import X509

@Suite struct NodeCertificateRequestTests {
    @Test func requestIsSignedPKCS10ForSystemNodeWithP256Key() throws {
        let request = try NodeCertificateRequest(nodeName: "worker-1")
        let csr = try X509.CertificateSigningRequest(pemEncoded: request.requestPEM)
        #expect(csr.publicKey.isValidSignature(csr.signature, for: csr))
        #expect(csr.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(csr.subject.description == "CN=system:node:worker-1,O=system:nodes")
        #expect(csr.attributes.isEmpty)
        #expect(P256.Signing.PublicKey(csr.publicKey) != nil)
        let key = try P256.Signing.PrivateKey(pemRepresentation: request.privateKeyPEM)
        #expect(csr.publicKey == Certificate.PublicKey(key.publicKey))
    }

    @Test func objectAsksTheKubeletClientSignerWithTheKubeletsUsages() throws {
        let request = try NodeCertificateRequest(nodeName: "worker-1")
        let object = request.object(name: request.digestedName)
        #expect(object.apiVersion == "certificates.k8s.io/v1")
        #expect(object.kind == "CertificateSigningRequest")
        #expect(object.metadata?.name == request.digestedName)
        #expect(object.spec.signerName == "kubernetes.io/kube-apiserver-client-kubelet")
        #expect(object.spec.usages == ["digital signature", "client auth"])
        #expect(object.spec.expirationSeconds == nil)
        let pem = String(decoding: try #require(Data(base64Encoded: object.spec.request)), as: UTF8.self)
        #expect(pem == request.requestPEM)
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----"))
        let encoded = JSONWriter.string(object.encoded())
        #expect(encoded.contains(#""signerName":"kubernetes.io/kube-apiserver-client-kubelet""#))
    }

    @Test func rotationObjectIsNamedByTheServer() throws {
        let object = try NodeCertificateRequest(nodeName: "worker-1").object(name: nil)
        #expect(object.metadata?.name == nil)
        #expect(object.metadata?.generateName == "csr-")
    }

    @Test func digestedNameIsStableForTheSameKeyAndDiffersForAnother() throws {
        let key = P256.Signing.PrivateKey()
        let first = try NodeCertificateRequest(nodeName: "worker-1", privateKey: key)
        let again = try NodeCertificateRequest(nodeName: "worker-1", privateKey: key)
        let other = try NodeCertificateRequest(nodeName: "worker-1")
        let otherNode = try NodeCertificateRequest(nodeName: "worker-2", privateKey: key)
        #expect(first.digestedName == again.digestedName)
        #expect(first.digestedName != other.digestedName)
        #expect(first.digestedName != otherNode.digestedName)
        #expect(first.digestedName.hasPrefix("node-csr-"))
        #expect(first.digestedName.count <= 253)
    }

    @Test func emptyNodeNameIsRefused() {
        #expect(throws: BootstrapError.credentials("node name is empty, expected the name of this node")) {
            _ = try NodeCertificateRequest(nodeName: "")
        }
    }

    @Test func issuedCertificateForAnotherKeyIsRefused() throws {
        let ca = try BootstrapTestCA()
        let request = try NodeCertificateRequest(nodeName: "worker-1")
        let other = try NodeCertificateRequest(nodeName: "worker-1")
        let now = Date()
        try request.checkIssued(try ca.sign(requestPEM: request.requestPEM, notBefore: now, lifetime: 3600), now: now)
        #expect(throws: BootstrapError.unexpectedCertificate("its public key is not the one this node requested")) {
            try request.checkIssued(try ca.sign(requestPEM: other.requestPEM, notBefore: now, lifetime: 3600), now: now)
        }
        #expect {
            try request.checkIssued(try ca.sign(requestPEM: request.requestPEM, notBefore: now, lifetime: 60), now: now.addingTimeInterval(120))
        } throws: { error in
            (error as? BootstrapError)?.description.contains("expired") == true
        }
    }

    @Test func outcomeIsReadFromConditionsAsTheKubeletReadsThem() throws {
        func csr(_ conditions: [(String, String)], certificate: String? = nil) -> KubeAPI.CertificateSigningRequest {
            KubeAPI.CertificateSigningRequest(
                spec: CertificateSigningRequestSpec(request: "", signerName: NodeCertificateRequest.signerName),
                status: CertificateSigningRequestStatus(
                    certificate: certificate,
                    conditions: conditions.map { CertificateSigningRequestCondition(message: "m-\($0.1)", reason: $0.1, status: "True", type: $0.0) }))
        }
        let pem = Data("-----BEGIN CERTIFICATE-----\n".utf8).base64EncodedString()
        #expect(try CertificateSigningRequestOutcome(csr([])) == .pending(approved: false))
        #expect(try CertificateSigningRequestOutcome(csr([("Approved", "A")])) == .pending(approved: true))
        #expect(try CertificateSigningRequestOutcome(csr([("Approved", "A")], certificate: pem)) == .issued(certificatePEM: "-----BEGIN CERTIFICATE-----\n"))
        #expect(try CertificateSigningRequestOutcome(csr([("Denied", "D")])) == .denied(reason: "D", message: "m-D"))
        #expect(try CertificateSigningRequestOutcome(csr([("Approved", "A"), ("Failed", "F")])) == .failed(reason: "F", message: "m-F"))
        #expect(try CertificateSigningRequestOutcome(csr([("Denied", "D")], certificate: pem)) == .denied(reason: "D", message: "m-D"))
        #expect(throws: BootstrapError.unexpectedCertificate("status.certificate is not base64-encoded PEM")) {
            _ = try CertificateSigningRequestOutcome(csr([("Approved", "A")], certificate: "%%%"))
        }
    }
}

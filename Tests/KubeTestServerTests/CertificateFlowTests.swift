import Crypto
import Foundation
import KubeAPI
import KubeTestServer
import Testing
import X509

@Suite("KubeTestServer authentication, CSRs, cluster-info and tokens")
struct CertificateFlowTests {
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func fromBase64URL(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    @Test func clusterInfoIsReadableAnonymouslyAndCarriesAKubeadmStyleDetachedJWS() async throws {
        try await withServer { server, _ in
            try server.addBootstrapToken(id: "abcdef", secret: "0123456789abcdef")
            let anonymous = try APITestClient.make(server, user: nil)
            defer { Task { await anonymous.shutdown() } }
            let answer = try await anonymous.get("/api/v1/namespaces/kube-public/configmaps/cluster-info")
            #expect(answer.status == 200)
            let kubeconfig = try #require(answer.body["data"]?["kubeconfig"]?.stringValue)
            #expect(kubeconfig.contains("server: \(server.url)"))
            #expect(kubeconfig.contains("certificate-authority-data: \(Data(server.caCertificatePEM.utf8).base64EncodedString())"))
            let jws = try #require(answer.body["data"]?["jws-kubeconfig-abcdef"]?.stringValue)
            let parts = jws.components(separatedBy: ".")
            #expect(parts.count == 3 && parts[1].isEmpty)
            let header = try #require(Self.fromBase64URL(parts[0]))
            #expect(String(decoding: header, as: UTF8.self) == "{\"alg\":\"HS256\",\"kid\":\"abcdef\"}")
            let input = parts[0] + "." + Self.base64URL(Array(kubeconfig.utf8))
            let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data("0123456789abcdef".utf8)))
            #expect(parts[2] == Self.base64URL(mac))

            let forbidden = try await anonymous.get("/api/v1/namespaces/default/pods")
            #expect(forbidden.status == 403)
            #expect(forbidden.body["reason"] == "Forbidden")
        }
    }

    @Test func bootstrapTokenMayCreateACSRWhoseApprovalYieldsACertificateSignedByTheCA() async throws {
        try await withServer { server, admin in
            try server.addBootstrapToken(id: "abcdef", secret: "0123456789abcdef")
            let bootstrap = try APITestClient.make(server, user: nil, bearer: "abcdef.0123456789abcdef")
            defer { Task { await bootstrap.shutdown() } }
            #expect(try await bootstrap.get("/api/v1/nodes").status == 403)

            let key = P256.Signing.PrivateKey()
            let subject = try DistinguishedName {
                OrganizationName("system:nodes")
                CommonName("system:node:worker-1")
            }
            let request = try CertificateSigningRequest(
                version: .v1, subject: subject, privateKey: .init(key), attributes: CertificateSigningRequest.Attributes(),
                signatureAlgorithm: .ecdsaWithSHA256)
            let pem = try request.serializeAsPEM().pemString
            let csr: JSONValue = [
                "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                "metadata": ["generateName": "csr-"],
                "spec": [
                    "request": .string(Data(pem.utf8).base64EncodedString()),
                    "signerName": "kubernetes.io/kube-apiserver-client-kubelet", "expirationSeconds": 3600,
                    "usages": ["digital signature", "client auth"],
                ],
            ]
            let created = try await bootstrap.send(.POST, "/apis/certificates.k8s.io/v1/certificatesigningrequests", csr)
            #expect(created.status == 201)
            #expect(created.body["spec"]?["username"] == "system:bootstrap:abcdef")
            let name = try #require(created.body["metadata"]?["name"]?.stringValue)

            let approval = created.body.setting(path: ["status", "conditions"], to: [
                ["type": "Approved", "status": "True", "reason": "KubectlApprove", "message": "approved by test"]
            ])
            let approved = try await admin.send(
                .PUT, "/apis/certificates.k8s.io/v1/certificatesigningrequests/\(name)/approval", approval)
            #expect(approved.status == 200)

            let fetched = try await bootstrap.get("/apis/certificates.k8s.io/v1/certificatesigningrequests/\(name)")
            let encoded = try #require(fetched.body["status"]?["certificate"]?.stringValue)
            let certificatePEM = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
            let certificate = try Certificate(pemEncoded: certificatePEM)
            let authority = try Certificate(pemEncoded: server.caCertificatePEM)
            #expect(certificate.issuer == authority.subject)
            #expect(authority.publicKey.isValidSignature(certificate.signature, for: certificate))
            #expect(certificate.subject == subject)
            #expect(certificate.publicKey == Certificate.PublicKey(key.publicKey))
            let lifetime = certificate.notValidAfter.timeIntervalSince(Date())
            #expect(lifetime > 3000 && lifetime <= 3600)
            let usages = try #require(try certificate.extensions.extendedKeyUsage)
            #expect(usages.contains(.clientAuth))

            // The issued certificate authenticates as the node.
            let node = try APITestClient.make(server, user: "system:node:worker-1", groups: ["system:nodes"])
            defer { Task { await node.shutdown() } }
            #expect(try await node.get("/api/v1/nodes").status == 200)
        }
    }

    @Test func tokenRequestReturnsAnES256JWTBoundToThePodThatAuthenticates() async throws {
        try await withServer { server, client in
            let created = try await client.send(.POST, "/api/v1/namespaces/default/pods", pod("web", node: "n1"))
            let podUID = try #require(created.body["metadata"]?["uid"]?.stringValue)
            let request: JSONValue = [
                "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                "spec": [
                    "audiences": ["api"], "expirationSeconds": 3600,
                    "boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": "web", "uid": .string(podUID)],
                ],
            ]
            let answer = try await client.send(.POST, "/api/v1/namespaces/default/serviceaccounts/default/token", request)
            #expect(answer.status == 201)
            #expect(answer.body["kind"] == "TokenRequest")
            #expect(answer.body["status"]?["expirationTimestamp"] != nil)
            let token = try #require(answer.body["status"]?["token"]?.stringValue)
            let parts = token.components(separatedBy: ".")
            #expect(parts.count == 3)
            let publicKey = try P256.Signing.PublicKey(pemRepresentation: server.serviceAccountPublicKeyPEM)
            let signature = try P256.Signing.ECDSASignature(rawRepresentation: try #require(Self.fromBase64URL(parts[2])))
            #expect(publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
            let claims = try JSONParser.parse(Array(try #require(Self.fromBase64URL(parts[1]))))
            #expect(claims["aud"] == ["api"])
            #expect(claims["sub"] == "system:serviceaccount:default:default")
            #expect(claims["kubernetes.io"]?["pod"]?["uid"]?.stringValue == podUID)
            #expect(claims["kubernetes.io"]?["namespace"] == "default")
            let lifetime = (claims["exp"]?.integerValue ?? 0) - (claims["iat"]?.integerValue ?? 0)
            #expect(lifetime == 3600)

            let holder = try APITestClient.make(server, user: nil, bearer: token)
            defer { Task { await holder.shutdown() } }
            #expect(try await holder.get("/api/v1/namespaces/default/pods/web").status == 200)
            let wrong = try APITestClient.make(server, user: nil, bearer: "not-a-token")
            defer { Task { await wrong.shutdown() } }
            let refused = try await wrong.get("/api/v1/namespaces/default/pods/web")
            #expect(refused.status == 401)
            #expect(refused.body["reason"] == "Unauthorized")
        }
    }

    @Test func autoApprovalSignsACSRAsSoonAsItIsCreated() async throws {
        var options = KubeTestServer.Options()
        options.autoApproveCSRs = true
        try await withServer(options) { server, client in
            let key = P256.Signing.PrivateKey()
            let subject = try DistinguishedName { CommonName("system:node:auto") }
            let request = try CertificateSigningRequest(
                version: .v1, subject: subject, privateKey: .init(key), attributes: CertificateSigningRequest.Attributes(),
                signatureAlgorithm: .ecdsaWithSHA256)
            let csr: JSONValue = [
                "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": ["name": "auto"],
                "spec": [
                    "request": .string(Data(try request.serializeAsPEM().pemString.utf8).base64EncodedString()),
                    "signerName": "kubernetes.io/kube-apiserver-client-kubelet", "usages": ["client auth"],
                ],
            ]
            #expect(try await client.send(.POST, "/apis/certificates.k8s.io/v1/certificatesigningrequests", csr).status == 201)
            let stored = try await client.get("/apis/certificates.k8s.io/v1/certificatesigningrequests/auto")
            #expect(stored.body["status"]?["conditions"]?.arrayValue?.first?["type"] == "Approved")
            let encoded = try #require(stored.body["status"]?["certificate"]?.stringValue)
            let pem = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
            let certificate = try Certificate(pemEncoded: pem)
            let authority = try Certificate(pemEncoded: server.caCertificatePEM)
            #expect(authority.publicKey.isValidSignature(certificate.signature, for: certificate))
        }
    }
}

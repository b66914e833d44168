import Foundation
import KubeAPI
import KubeClient
import SwiftASN1
import Testing

@Suite struct ClusterInfoTests {
    // From an independent HMAC-SHA256 (Python's hmac) over base64url(header) "." base64url(content)
    // with the 16-byte secret zero-padded to 32 bytes.
    static let content = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: \"\"\n"
    static let knownSignature = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..wVaoE7MrQB-RAG6WyPt-wfU_dz2Srivl2eIkiT_EEts"

    @Test func signatureMatchesKnownDetachedHS256Encoding() throws {
        #expect(ClusterInfoSignature.sign(content: Self.content, token: BootstrapFixtures.token) == Self.knownSignature)
        try ClusterInfoSignature.verify(Self.knownSignature, content: Self.content, token: BootstrapFixtures.token)
    }

    @Test func signatureOverOtherContentIsRefused() {
        #expect(throws: BootstrapError.badSignature(tokenID: "abcdef", reason: "HMAC-SHA256 mismatch")) {
            try ClusterInfoSignature.verify(Self.knownSignature, content: Self.content + " ", token: BootstrapFixtures.token)
        }
    }

    @Test func signatureWithAnotherSecretIsRefused() throws {
        let other = try BootstrapToken("abcdef.ffffffffffffffff")
        #expect(throws: BootstrapError.badSignature(tokenID: "abcdef", reason: "HMAC-SHA256 mismatch")) {
            try ClusterInfoSignature.verify(Self.knownSignature, content: Self.content, token: other)
        }
    }

    @Test func signatureForAnotherKeyIdIsRefused() throws {
        let other = try BootstrapToken("zzzzzz.0123456789abcdef")
        let signature = ClusterInfoSignature.sign(content: Self.content, token: other)
        #expect {
            try ClusterInfoSignature.verify(signature, content: Self.content, token: BootstrapFixtures.token)
        } throws: { error in
            (error as? BootstrapError)?.description.contains("kid is \"zzzzzz\", expected \"abcdef\"") == true
        }
    }

    @Test(arguments: [
        ("eyJhbGciOiJub25lIiwia2lkIjoiYWJjZGVmIn0..", "alg is \"none\", expected \"HS256\""),
        ("eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9.cGF5bG9hZA.wVaoE7MrQB-RAG6WyPt-wfU_dz2Srivl2eIkiT_EEts", "detached payload"),
        ("notjson..wVaoE7MrQB-RAG6WyPt-wfU_dz2Srivl2eIkiT_EEts", "not base64url-encoded JSON"),
        ("onlyonepart", "found 1 parts"),
    ])
    func malformedSignatureIsRefusedWithReason(signature: String, expectedPart: String) {
        #expect {
            try ClusterInfoSignature.verify(signature, content: Self.content, token: BootstrapFixtures.token)
        } throws: { error in
            (error as? BootstrapError)?.description.contains(expectedPart) == true
        }
    }

    @Test func verifiedClusterInfoGivesServerAndCA() throws {
        let ca = try BootstrapTestCA()
        let pin = try CACertificatePin(certificateDER: ca.caDER)
        let info = try ClusterInfo.verified(BootstrapFixtures.clusterInfo(ca: ca), token: BootstrapFixtures.token, pins: [pin])
        #expect(info.server == BootstrapFixtures.server)
        #expect(info.caPEM == ca.caPEM)
        #expect(info.caCertificatesDER == [ca.caDER])
    }

    @Test func clusterInfoWithoutSignatureForTokenIsRefused() throws {
        let ca = try BootstrapTestCA()
        let other = try BootstrapToken("ghijkl.0123456789abcdef")
        let configMap = BootstrapFixtures.clusterInfo(ca: ca, signedFor: [other])
        #expect(throws: BootstrapError.missingSignature(tokenID: "abcdef")) {
            try ClusterInfo.verified(configMap, token: BootstrapFixtures.token, pins: [try CACertificatePin(certificateDER: ca.caDER)])
        }
    }

    @Test func clusterInfoWithOtherCAIsRefusedNamingBothHashes() throws {
        let ca = try BootstrapTestCA()
        let wrongPin = try CACertificatePin(certificateDER: try BootstrapTestCA().caDER)
        let actual = try CACertificatePin(certificateDER: ca.caDER)
        #expect(throws: BootstrapError.caPinMismatch(expected: [wrongPin.description], found: [actual.description])) {
            try ClusterInfo.verified(BootstrapFixtures.clusterInfo(ca: ca), token: BootstrapFixtures.token, pins: [wrongPin])
        }
    }

    @Test(arguments: [
        ("apiVersion: v1\nclusters: []\n", "clusters is missing or empty"),
        ("clusters:\n- cluster:\n    certificate-authority-data: AAAA\n  name: x\n", "server is missing"),
        ("clusters:\n- cluster:\n    server: https://a\n  name: x\n", "certificate-authority-data is missing"),
        ("clusters:\n- cluster:\n    server: https://a\n    certificate-authority-data: \"%%%\"\n  name: x\n", "not base64"),
        ("clusters: [\n", "not YAML"),
    ])
    func malformedClusterInfoKubeconfigNamesTheField(kubeconfig: String, expectedPart: String) {
        #expect {
            _ = try ClusterInfo.parse(kubeconfig: kubeconfig)
        } throws: { error in
            let text = (error as? BootstrapError)?.description ?? ""
            return text.contains("kube-public/cluster-info") && text.contains(expectedPart)
        }
    }
}

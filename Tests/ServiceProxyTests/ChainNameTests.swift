import Testing
@testable import ServiceProxy

@Suite("Chain names and hashes")
struct ChainNameTests {
    @Test func sha256MatchesTheFIPSExampleForABC() {
        let hex = SHA256.digest(Array("abc".utf8)).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha256OfAMessageLongerThanOneBlockMatchesTheFIPSExample() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        let hex = SHA256.digest(Array(message.utf8)).map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
        #expect(hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func servicePortChainNamesMatchUpstreamsDocumentedExample() {
        // pkg/proxy/nftables/proxier.go documents "ULMVA6XW-ns1/svc1/tcp/p80".
        let port = ServicePortName(namespace: "ns1", name: "svc1", port: "p80", protocol: .tcp)
        #expect(KubeProxyNames.clusterPolicyChain(port) == "service-ULMVA6XW-ns1/svc1/tcp/p80")
        #expect(KubeProxyNames.externalChain(port) == "external-ULMVA6XW-ns1/svc1/tcp/p80")
        #expect(KubeProxyNames.localPolicyChain(port) == "local-ULMVA6XW-ns1/svc1/tcp/p80")
        #expect(KubeProxyNames.firewallChain(port) == "firewall-ULMVA6XW-ns1/svc1/tcp/p80")
    }

    @Test func endpointChainNamesMatchUpstreamsDocumentedExample() {
        // pkg/proxy/nftables/proxier.go documents "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80".
        let port = ServicePortName(namespace: "ns1", name: "svc1", port: "p80", protocol: .tcp)
        let endpoint = EndpointInfo(address: "10.180.0.1", port: 80)
        #expect(KubeProxyNames.endpointChain(port, endpoint) == "endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80")
        #expect(KubeProxyNames.affinitySet(port, endpoint) == "affinity-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80")
    }

    @Test func ipv6EndpointChainNamesReplaceColonsWithDots() {
        let port = ServicePortName(namespace: "ns1", name: "svc1", port: "p80", protocol: .tcp)
        let name = KubeProxyNames.endpointChain(port, EndpointInfo(address: "fd00:0:0::1", port: 80))
        #expect(name.hasSuffix("-ns1/svc1/tcp/p80__fd00..1/80"))
        #expect(!name.contains(":"))
    }

    @Test func overlongNamesAreCutToFitWithAnEllipsis() {
        let long = String(repeating: "a", count: 63)
        let port = ServicePortName(namespace: long, name: long, port: long, protocol: .sctp)
        let name = KubeProxyNames.endpointChain(port, EndpointInfo(address: "fd00:1111:2222:3333:4444:5555:6666:7777", port: 65535))
        #expect(name.utf8.count == "endpoint-".utf8.count + 240)
        #expect(name.hasSuffix("..."))
    }
}

import Netlink
import Testing

@Suite struct IPAddressTests {
    @Test func ipv4AndIPv6TextRoundTrips() throws {
        let v4 = try #require(IPAddress("10.244.1.7"))
        #expect(v4 == .v4(0x0AF4_0107))
        #expect(v4.description == "10.244.1.7")
        let v6 = try #require(IPAddress("fd00:10:244::1:7"))
        #expect(v6.description == "fd00:10:244::1:7")
        #expect(v6.bytes.count == 16)
        #expect(IPAddress(bytes: v6.bytes) == v6)
        #expect(IPAddress("10.244.1") == nil)
        #expect(IPAddress("fd00::zz") == nil)
    }

    @Test func ipv4TextIsTheDottedQuadInetNtopWrites() {
        for text in ["0.0.0.0", "255.255.255.255", "1.2.3.4", "192.168.100.10", "10.0.255.0"] {
            #expect(IPAddress(text)?.description == text)
        }
    }

    @Test func networkMasksHostBitsAndKnowsItsLastAddress() throws {
        let network = try #require(IPNetwork("10.244.1.7/24"))
        #expect(network.network == IPAddress("10.244.1.0"))
        #expect(network.lastAddress == IPAddress("10.244.1.255"))
        #expect(network.hostCount == 255)
        let v6 = try #require(IPNetwork("fd00:10:244:1::5/64"))
        #expect(v6.network == IPAddress("fd00:10:244:1::"))
        #expect(v6.lastAddress == IPAddress("fd00:10:244:1:ffff:ffff:ffff:ffff"))
        #expect(IPNetwork("10.0.0.0/33") == nil)
    }

    @Test func overlapAndContainmentFollowThePrefix() throws {
        let a = try #require(IPNetwork("10.244.0.0/16"))
        let b = try #require(IPNetwork("10.244.3.0/24"))
        let c = try #require(IPNetwork("10.245.0.0/24"))
        #expect(a.overlaps(b) && b.overlaps(a))
        #expect(!a.overlaps(c))
        #expect(a.contains(IPAddress("10.244.200.1")!))
        #expect(!a.contains(IPAddress("fd00::1")!))
    }

    @Test func advancingCarriesIntoTheHighHalfAndStopsAtTheEnd() {
        #expect(IPAddress.v6(high: 1, low: .max).advanced(by: 1) == .v6(high: 2, low: 0))
        #expect(IPAddress.v4(.max).advanced(by: 1) == nil)
        #expect(IPAddress("10.0.0.255")!.advanced(by: 2) == IPAddress("10.0.1.1"))
    }
}

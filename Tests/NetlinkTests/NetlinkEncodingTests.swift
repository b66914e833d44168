import CSwiftletNet
import Netlink
import Testing

/// Requests against encodings worked out by hand from the kernel's uapi headers
/// (`nlmsghdr`, `ifinfomsg`, `ifaddrmsg`, `rtattr`; little-endian, 4-byte aligned).
@Suite struct NetlinkEncodingTests {
    @Test func createBridgeEncodesHeaderNameAndNestedKind() throws {
        let batch = NetlinkBatch()
        try batch.createBridge(name: "br0")
        let expected: [UInt8] = [
            56, 0, 0, 0, 16, 0, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0,  // nlmsghdr: RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
            0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,          // ifinfomsg: IFF_UP in flags and change
            8, 0, 3, 0, 0x62, 0x72, 0x30, 0,                         // IFLA_IFNAME "br0"
            16, 0, 0x12, 0x80,                                       // IFLA_LINKINFO | NLA_F_NESTED
            11, 0, 1, 0, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0, 0,   // IFLA_INFO_KIND "bridge", padded
        ]
        #expect(batch.bytes == expected)
    }

    @Test func ipv6AddressCarriesNoDADFlagAndNoBroadcast() throws {
        let batch = NetlinkBatch()
        try batch.addAddress(IPNetwork("fd00::2/64")!, interfaceIndex: 7, skipDAD: true)
        let v6: [UInt8] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
        let expected: [UInt8] = [
            72, 0, 0, 0, 20, 0, 0x05, 0x05, 0, 0, 0, 0, 0, 0, 0, 0,  // RTM_NEWADDR, REQUEST|ACK|REPLACE|CREATE
            10, 64, 0, 0, 7, 0, 0, 0,                                // ifaddrmsg: AF_INET6, /64, index 7
            20, 0, 2, 0,                                             // IFA_LOCAL
        ] + v6 + [20, 0, 1, 0] + v6 + [                              // IFA_ADDRESS
            8, 0, 8, 0, 0x02, 0, 0, 0,                               // IFA_FLAGS = IFA_F_NODAD
        ]
        #expect(batch.bytes == expected)
    }

    @Test func ipv4AddressCarriesBroadcast() throws {
        let batch = NetlinkBatch()
        try batch.addAddress(IPNetwork("10.1.2.3/24")!, interfaceIndex: 2)
        let bytes = batch.bytes
        try #require(bytes.count == 16 + 8 + 8 * 3)
        #expect(Array(bytes[40..<48]) == [8, 0, 4, 0, 10, 1, 2, 255])  // IFA_BROADCAST 10.1.2.255
    }

    @Test func requestsOfOneBatchFollowEachOtherAligned() throws {
        let batch = NetlinkBatch()
        try batch.setLink(name: "lo", .init(up: true))
        try batch.deleteLink(name: "veth1")
        #expect(batch.requests.map(\.offset) == [0, 40])
        #expect(batch.bytes.count == 40 + 44)
    }

    @Test func invalidInterfaceNamesAreRejectedBeforeTheKernelSeesThem() {
        let batch = NetlinkBatch()
        #expect(throws: NetlinkError.self) { try batch.createBridge(name: "a-name-that-is-too-long") }
        #expect(throws: NetlinkError.self) { try batch.deleteLink(name: "a/b") }
        #expect(batch.isEmpty)
    }

    @Test func aBatchThatIsFullSaysSo() throws {
        let batch = NetlinkBatch(capacity: 100)
        try batch.createBridge(name: "br0")
        #expect(throws: NetlinkError.requestTooLarge(operation: "create bridge br1")) { try batch.createBridge(name: "br1") }
    }
}

// Proves that each system-library target resolves through pkg-config, compiles against the
// Debian headers and links: one real call into each library.

import CCap
import CMnl
import CNftnl
import CSeccomp
import Testing

@Suite("System libraries")
struct SystemLibraryLinkTests {
    @Test func libnftnlAllocatesAndNamesATable() throws {
        let table = try #require(nftnl_table_alloc())
        defer { nftnl_table_free(table) }
        nftnl_table_set_str(table, UInt16(NFTNL_TABLE_NAME.rawValue), "swiftlet-test")
        let name = try #require(nftnl_table_get_str(table, UInt16(NFTNL_TABLE_NAME.rawValue)))
        #expect(String(cString: name) == "swiftlet-test")
    }

    @Test func libmnlOpensARouteNetlinkSocket() throws {
        let socket = try #require(mnl_socket_open(NETLINK_ROUTE))
        defer { mnl_socket_close(socket) }
        #expect(mnl_socket_get_fd(socket) >= 0)
    }

    @Test func libseccompReportsAtLeastVersionTwoFive() throws {
        let version = try #require(seccomp_version())
        #expect(version.pointee.major == 2)
        #expect(version.pointee.minor >= 5)
    }

    @Test func libcapReadsTheCapabilitiesOfThisProcess() throws {
        let caps = try #require(cap_get_proc())
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        var flag = cap_flag_value_t(0)
        #expect(cap_get_flag(caps, CAP_NET_ADMIN, CAP_EFFECTIVE, &flag) == 0)
    }
}

import Foundation
import NFTables
import Testing
@testable import ServiceProxy

/// What the proxy benchmark (`scripts/bench proxy`, Benchmarks/swiftlet-bench-proxy) relies on,
/// checked at a small size with no figures: its peer, `nft -f` of `rulesetText()`, programs the
/// same ruleset as the proxier's own sync, and one endpoint change is a partial sync of one
/// service port.
@Suite("Proxy benchmark workload", .serialized, .kernel)
struct ProxyBenchmarkTests {
    static let services = 200

    @Test(arguments: [ProxyConfiguration.EndpointDispatch.verdictMap, .sequentialRules])
    func nftLoadingTheRulesetTextProgramsTheSameRulesetAsTheProxiersFullSync(dispatch: ProxyConfiguration.EndpointDispatch) async throws {
        let ours = try TestNamespace("bw")
        let workload = SyntheticWorkload(services: Self.services)
        let proxier = NFTablesProxier(configuration: Fixture.configuration(dispatch: dispatch),
                                      connection: try NetfilterConnection(networkNamespace: ours.path))
        await workload.load(into: proxier)
        let report = try #require(try await proxier.sync())
        #expect(report.full)

        let peer = try TestNamespace("bw-nft")
        try peer.nft(["-f", "-"], input: await proxier.rulesetText())
        let ourListing = try ours.nft(["-j", "list", "ruleset"])
        let mine = try NftJSON.comparable(ourListing)
        let theirs = try NftJSON.comparable(try peer.nft(["-j", "list", "ruleset"]))
        #expect(mine == theirs, "only swiftlet: \(Set(mine).subtracting(theirs).sorted().prefix(3)); only nft: \(Set(theirs).subtracting(mine).sorted().prefix(3))")
        // A service chain and three endpoint chains per service, besides the fixed chains.
        let chains = try NftJSON.objects(ourListing).filter { $0["chain"] != nil }
        #expect(chains.count > Self.services * 4)
    }

    @Test func anEndpointAddedOrRemovedIsAPartialSyncThatWritesOneServicePort() async throws {
        let ours = try TestNamespace("bw-change")
        let workload = SyntheticWorkload(services: Self.services)
        let proxier = NFTablesProxier(configuration: Fixture.configuration(), connection: try NetfilterConnection(networkNamespace: ours.path))
        await workload.load(into: proxier)
        _ = try await proxier.sync()

        let index = Self.services / 2
        let grown = SyntheticWorkload.slice(index, service: workload.services[index].name, endpoints: 4)
        let added = try #require(grown.endpoints.last?.addresses.first)
        #expect(!workload.slices[index].endpoints.contains { $0.addresses == [added] })
        // A rule that sends traffic to the added endpoint's chain (named `…__ADDRESS/8080`).
        func dispatchesToAdded() throws -> Bool {
            try ours.nft(["list", "ruleset"]).split(separator: "\n").contains { $0.contains("goto endpoint-") && $0.contains("__\(added)/8080") }
        }
        #expect(try !dispatchesToAdded())

        await proxier.updateEndpointSlice(grown)
        let add = try #require(try await proxier.sync())
        #expect(!add.full)
        #expect(add.servicePortsWritten == 1)
        #expect(try dispatchesToAdded())

        await proxier.updateEndpointSlice(workload.slices[index])
        let remove = try #require(try await proxier.sync())
        #expect(!remove.full)
        #expect(remove.servicePortsWritten == 1)
        #expect(try !dispatchesToAdded())
    }
}

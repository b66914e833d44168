import Foundation
import NFTables
import Testing
@testable import ServiceProxy

/// The proxy benchmark (`scripts/bench proxy` runs it in a release build): a full sync of N
/// services with 3 endpoints each against `nft -f` loading the same ruleset as text (as
/// upstream's kube-proxy programs it), one endpoint change, and the proxier's memory. Figures
/// are printed as `bench proxy NAME VALUE UNIT`; the test asserts that both sides programmed
/// the same ruleset, not the timings. Sizes come from `SWIFTLET_PROXY_BENCH_SIZES`
/// (default `1000`; `scripts/bench proxy` asks for `1000,10000,30000`).
@Suite("Proxy benchmark", .serialized, .kernel)
struct ProxyBenchmarkTests {
    static var sizes: [Int] {
        (ProcessInfo.processInfo.environment["SWIFTLET_PROXY_BENCH_SIZES"] ?? "1000")
            .split(separator: ",").compactMap { Int($0) }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func report(_ name: String, _ value: Double, _ unit: String) {
        print("bench proxy \(name) \(String(format: "%.4f", value)) \(unit)")
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes * 1024
    }

    static var dispatches: [ProxyConfiguration.EndpointDispatch] {
        (ProcessInfo.processInfo.environment["SWIFTLET_PROXY_BENCH_DISPATCH"] ?? "map,rules").split(separator: ",")
            .map { $0 == "rules" ? .sequentialRules : .verdictMap }
    }

    @Test(arguments: sizes, dispatches)
    func fullSyncAgainstNftLoadingTheSameText(services: Int, dispatch: ProxyConfiguration.EndpointDispatch) async throws {
        let tag = "\(dispatch == .verdictMap ? "map" : "rules")_\(services)"
        let clock = ContinuousClock()
        let ours = try TestNamespace("bench")
        let workload = SyntheticWorkload(services: services)
        var configuration = Fixture.configuration()
        configuration.endpointDispatch = dispatch
        let proxier = NFTablesProxier(configuration: configuration,
                                      connection: try NetfilterConnection(networkNamespace: ours.path))
        let rssBefore = Self.residentBytes()
        await workload.load(into: proxier)
        var report: NFTablesProxier.SyncReport?
        let ourTime = try await clock.measure { report = try await proxier.sync() }
        let rssAfter = Self.residentBytes()
        let operations = report?.operations ?? 0

        let text = await proxier.rulesetText()
        let peer = try TestNamespace("bench-nft")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sp-bench-\(services).nft")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let nftTime = try clock.measure { try peer.nft(["-f", file.path]) }

        Self.report("full_sync_\(tag)", Self.seconds(ourTime), "s")
        Self.report("nft_f_\(tag)", Self.seconds(nftTime), "s")
        Self.report("full_sync_ratio_\(tag)", Self.seconds(ourTime) / Self.seconds(nftTime), "x")
        Self.report("full_sync_operations_\(tag)", Double(operations), "ops")
        Self.report("full_sync_build_\(tag)", Self.seconds(report?.buildDuration ?? .zero), "s")
        Self.report("full_sync_commit_\(tag)", Self.seconds(report?.commitDuration ?? .zero), "s")
        Self.report("full_sync_encode_\(tag)", Self.seconds(report?.encodeDuration ?? .zero), "s")
        Self.report("full_sync_kernel_\(tag)", Self.seconds(report?.kernelDuration ?? .zero), "s")
        Self.report("proxy_rss_growth_\(tag)", Double(rssAfter - rssBefore) / 1_048_576, "MiB")
        Self.report("proxy_rss_\(tag)", Double(rssAfter) / 1_048_576, "MiB")

        // Both namespaces hold the same chains for the same text.
        var reader = try NetfilterConnection(networkNamespace: peer.path)
        var ourReader = try NetfilterConnection(networkNamespace: ours.path)
        let peerChains = Set(try reader.listChains(family: .ip, table: "kube-proxy").map(\.name))
        let ourChains = Set(try ourReader.listChains(family: .ip, table: "kube-proxy").map(\.name))
        #expect(peerChains == ourChains)
        #expect(ourChains.count > services * 4)

        // One endpoint of one service is replaced: a partial sync.
        let index = services / 2
        var moved = workload.slices[index]
        moved.endpoints[2].addresses = ["10.255.255.1"]
        await proxier.updateEndpointSlice(moved)
        var change: NFTablesProxier.SyncReport?
        let changeTime = try await clock.measure { change = try await proxier.sync() }
        Self.report("endpoint_change_\(tag)", Self.seconds(changeTime) * 1000, "ms")
        Self.report("endpoint_change_operations_\(tag)", Double(change?.operations ?? 0), "ops")
        Self.report("endpoint_change_commit_\(tag)", Self.seconds(change?.commitDuration ?? .zero) * 1000, "ms")
        Self.report("endpoint_change_kernel_\(tag)", Self.seconds(change?.kernelDuration ?? .zero) * 1000, "ms")
        #expect(change?.full == false)
        #expect(change?.servicePortsWritten == 1)

    }
}

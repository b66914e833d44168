import BenchReport
import Foundation
import Netlink
import ServiceProxy

extension ProxyBench {
    /// `full_sync_N`: a proxier's first sync of N services (3 endpoints each) in a fresh
    /// namespace, against `nft -f` of the same ruleset as text (`rulesetText()`, written the way
    /// upstream's knftables writes it) in another fresh namespace. Feeding the trackers and
    /// writing the text happen before the clock starts. The sides alternate which goes first;
    /// the first iteration of each size also checks both namespaces hold the same chains.
    ///
    /// `full_sync_kernel_N` is the kernel's share of our side (`SyncReport.kernelDuration`:
    /// sending the batch until the kernel's last reply); `full_sync_build_N` building the
    /// fragments and the transaction (`buildDuration`) and `full_sync_encode_N` encoding the
    /// batch (`encodeDuration`). None has a peer.
    func fullSync() async throws -> [ReportRow] {
        var rows: [ReportRow] = []
        let directory = try resources.makeDirectory()
        defer { resources.removeDirectory(directory) }
        // Warm-up (not recorded): the nft binary and libraries in the page cache, the kernel's
        // nf_tables and conntrack modules loaded.
        _ = try await fullSyncRound(SyntheticWorkload(services: min(options.sizes.min() ?? 100, 1000)), directory: directory,
                                    oursFirst: true, rulesetFile: nil)

        for size in options.sizes {
            let workload = SyntheticWorkload(services: size)
            var ours: [UInt64] = [], peer: [UInt64] = [], kernel: [UInt64] = [], build: [UInt64] = [], encode: [UInt64] = []
            var rulesetFile: String?
            for iteration in 0..<options.iterations {
                let round = try await fullSyncRound(workload, directory: directory, oursFirst: iteration % 2 == 0 || rulesetFile == nil,
                                                    rulesetFile: rulesetFile)
                rulesetFile = round.rulesetFile
                ours.append(round.ours)
                peer.append(round.peer)
                kernel.append(round.kernel)
                build.append(round.build)
                encode.append(round.encode)
                print("full_sync \(size) services, iteration \(iteration + 1): swiftlet \(milliseconds(Double(round.ours)))"
                      + " (\(round.operations) operations; build \(milliseconds(Double(round.build))),"
                      + " encode \(milliseconds(Double(round.encode))), kernel \(milliseconds(Double(round.kernel)))),"
                      + " nft -f \(milliseconds(Double(round.peer)))")
            }
            rows.append(ReportRow(metric: "full_sync_\(size)", unit: "ms", nanoseconds: ours, peer: "nft -f (kube-proxy nftables text)",
                                  peerNanoseconds: peer))
            rows.append(ReportRow(metric: "full_sync_kernel_\(size)", unit: "ms", nanoseconds: kernel, peer: "-", peerNanoseconds: nil))
            rows.append(ReportRow(metric: "full_sync_build_\(size)", unit: "ms", nanoseconds: build, peer: "-", peerNanoseconds: nil))
            rows.append(ReportRow(metric: "full_sync_encode_\(size)", unit: "ms", nanoseconds: encode, peer: "-", peerNanoseconds: nil))
        }
        return rows
    }

    private struct FullSyncRound {
        var ours: UInt64
        var peer: UInt64
        /// The kernel's, the builder's and the encoder's shares of `ours`.
        var kernel: UInt64
        var build: UInt64
        var encode: UInt64
        var operations: Int
        var rulesetFile: String
    }

    /// One fresh namespace per side, timed, then both removed. Without `rulesetFile` our side
    /// goes first and writes it.
    private func fullSyncRound(_ workload: SyntheticWorkload, directory: String, oursFirst: Bool, rulesetFile: String?) async throws -> FullSyncRound {
        let size = workload.services.count
        let ourNamespace = try resources.makeNamespace("full-swiftlet")
        defer { resources.removeNamespace(ourNamespace) }
        let peerNamespace = try resources.makeNamespace("full-nft")
        defer { resources.removeNamespace(peerNamespace) }

        var file = rulesetFile
        var ours: UInt64 = 0, peer: UInt64 = 0, kernel: UInt64 = 0, build: UInt64 = 0, encode: UInt64 = 0, operations = 0
        for side in oursFirst ? ["swiftlet", "nft"] : ["nft", "swiftlet"] {
            if side == "swiftlet" {
                let proxier = try makeProxier(in: ourNamespace)
                await workload.load(into: proxier)
                let start = now()
                let report = try await proxier.sync()
                ours = now() - start
                guard let report, report.full else { throw BenchError("full_sync \(size): the first sync was not a full sync (\(String(describing: report)))") }
                operations = report.operations
                kernel = nanoseconds(report.kernelDuration)
                build = nanoseconds(report.buildDuration)
                encode = nanoseconds(report.encodeDuration)
                if file == nil {
                    file = try write(await proxier.rulesetText(), to: directory, name: "ruleset-\(size).nft")
                    try checkSameChains(ourNamespace, file!, size: size)
                    settle(milliseconds: 200)
                }
            } else {
                guard let file else { throw BenchError("full_sync \(size): no ruleset text to load") }
                peer = try nftLoad(file, in: peerNamespace)
            }
        }
        settle(milliseconds: 200)
        return FullSyncRound(ours: ours, peer: peer, kernel: kernel, build: build, encode: encode, operations: operations, rulesetFile: file!)
    }

    /// Same text, same chains: loads `file` into a namespace of its own and compares its chains
    /// with those our sync programmed, so that the two sides are timed doing equal work.
    private func checkSameChains(_ ourNamespace: NetworkNamespace, _ file: String, size: Int) throws {
        let check = try resources.makeNamespace("full-check")
        defer { resources.removeNamespace(check) }
        _ = try nftLoad(file, in: check)
        let (mine, theirs) = (try chainNames(in: ourNamespace), try chainNames(in: check))
        guard mine == theirs, mine.count > size else {
            throw BenchError("full_sync \(size): the namespaces hold different chains (swiftlet \(mine.count), nft \(theirs.count);"
                             + " only swiftlet: \(mine.subtracting(theirs).sorted().prefix(3)), only nft: \(theirs.subtracting(mine).sorted().prefix(3)))")
        }
    }
}

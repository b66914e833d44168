import BenchReport
import Foundation
import ServiceProxy

extension ProxyBench {
    /// `endpoint_change_N`: with N services programmed, one service gains a fourth endpoint or
    /// loses it again (alternately, a different service each pair), and the proxier's partial
    /// sync writes it: the slice update and the sync are timed. The peer holds the same N
    /// services loaded by `nft -f` and gets the same change as upstream's partial sync writes
    /// it (`UpstreamPartialSync`), timed from the first `nft -f` spawn to the last exit.
    /// `endpoint_change_kernel_N` is the kernel's share of our side (`SyncReport.kernelDuration`).
    ///
    /// `table_validation_N` follows, in our namespace still holding the N services.
    func endpointChange() async throws -> [ReportRow] {
        let size = options.scale
        let workload = SyntheticWorkload(services: size)
        let directory = try resources.makeDirectory()
        defer { resources.removeDirectory(directory) }
        let ourNamespace = try resources.makeNamespace("change-swiftlet")
        defer { resources.removeNamespace(ourNamespace) }
        let peerNamespace = try resources.makeNamespace("change-nft")
        defer { resources.removeNamespace(peerNamespace) }

        let proxier = try makeProxier(in: ourNamespace)
        await workload.load(into: proxier)
        let initial = now()
        _ = try await proxier.sync()
        let synced = now() - initial
        let initialText = await proxier.rulesetText()
        let loaded = try nftLoad(try write(initialText, to: directory, name: "initial.nft"), in: peerNamespace)
        print("endpoint_change: \(size) services programmed (swiftlet full sync \(milliseconds(Double(synced))), nft -f \(milliseconds(Double(loaded))))")
        settle(milliseconds: 500)

        var upstream = UpstreamPartialSync(current: RulesetModel(text: initialText))
        var ours: [UInt64] = [], peer: [UInt64] = [], kernel: [UInt64] = []
        var notPartial = 0
        for change in 0..<options.changes {
            // Services spread over the table; each gains an endpoint, then loses it.
            let index = (change / 2 * 7919 + 17) % size
            let adding = change % 2 == 0
            let slice = adding ? SyntheticWorkload.slice(index, service: workload.services[index].name, endpoints: 4) : workload.slices[index]

            let start = now()
            await proxier.updateEndpointSlice(slice)
            let report = try await proxier.sync()
            ours.append(now() - start)
            kernel.append(report.map { nanoseconds($0.kernelDuration) } ?? 0)
            if report?.full != false || report?.servicePortsWritten != 1 { notPartial += 1 }

            let (deleteStale, sync) = upstream.transactions(to: RulesetModel(text: await proxier.rulesetText()), now: now())
            let syncFile = try write(sync, to: directory, name: "change-\(change).nft")
            let staleFile = try deleteStale.map { try write($0, to: directory, name: "stale-\(change).nft") }
            let peerStart = now()
            if let staleFile { _ = try nftLoad(staleFile, in: peerNamespace) }
            _ = try nftLoad(syncFile, in: peerNamespace)
            peer.append(now() - peerStart)
            settle(milliseconds: 20)
        }
        if notPartial > 0 { print("endpoint_change: \(notPartial) of \(options.changes) syncs were not a partial sync of one service port") }

        // Both kernels hold every chain the proxier means to have (stale ones may linger on either).
        let wanted = Set(upstream.current.chains.keys)
        let (mine, theirs) = (try chainNames(in: ourNamespace), try chainNames(in: peerNamespace))
        guard wanted.isSubset(of: mine), wanted.isSubset(of: theirs) else {
            throw BenchError("endpoint_change: chains missing after the changes (swiftlet: \(wanted.subtracting(mine).sorted().prefix(3)),"
                             + " nft: \(wanted.subtracting(theirs).sorted().prefix(3)))")
        }
        return [ReportRow(metric: "endpoint_change_\(size)", unit: "ms", nanoseconds: ours,
                          peer: "nft -f (kube-proxy partial sync)", peerNanoseconds: peer),
                ReportRow(metric: "endpoint_change_kernel_\(size)", unit: "ms", nanoseconds: kernel, peer: "-", peerNanoseconds: nil),
                try tableValidation(in: ourNamespace, size: size)]
    }
}

// swiftlet-bench-proxy: the service proxy's nftables programming against the way upstream
// kube-proxy's nftables mode programs the same rules — `nft -f` of ruleset text, as knftables
// writes it — measured in the same run on the same kernel (`scripts/bench proxy`).
//
//   full_sync_N             a proxier's first sync of N services (3 endpoints each, every tenth
//                           with a NodePort) in a fresh network namespace, against `nft -f` of
//                           the same ruleset's text in another fresh one; --iterations per size.
//   endpoint_change_N       with N services programmed, one endpoint added to or removed from a
//                           service (alternately) and the partial sync, against upstream's
//                           partial-sync text for the same change loaded with `nft -f` into a
//                           namespace holding the same N services; --changes times.
//   proxy_rss_N             resident memory of a real `swiftlet proxy run` reading N Services and
//                           EndpointSlices from manifest files, after it has programmed them.
//   first_packet_latency_M  connect() to established for a fresh TCP connection from a client
//                           namespace through a node namespace's ClusterIP rules to a backend
//                           namespace, with 10 and with N services on the node; the N row's
//                           ratio is N over 10 services.
//
// N is --scale (10,000) except for full_sync (--sizes). Figures are medians and p99 (nearest
// rank); the table and Benchmarks/results/proxy.json come from BenchReport.
//
// Needs root, Debian's nft and ip, and for proxy_rss the swiftlet binary (by default next to
// this one). Every namespace, file and child process the run makes is removed at the end, also
// when it fails or gets SIGINT or SIGTERM.

import BenchReport
import Foundation
import Glibc

let resources = BenchResources()
let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
let options: ProxyBenchOptions
do {
    options = try ProxyBenchOptions(Array(CommandLine.arguments.dropFirst()),
                                    swiftlet: URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("swiftlet").path)
} catch {
    FileHandle.standardError.write(Data("swiftlet-bench-proxy: \(error)\n".utf8))
    exit(2)
}
guard geteuid() == 0 else {
    FileHandle.standardError.write(Data("swiftlet-bench-proxy: needs root (network namespaces, nftables)\n".utf8))
    exit(2)
}
for tool in [options.nft, options.ip] where access(tool, X_OK) != 0 {
    FileHandle.standardError.write(Data("swiftlet-bench-proxy: \(tool) is missing (Debian: nftables, iproute2)\n".utf8))
    exit(2)
}

let signalSources = resources.removeAllOnSignals()

let loadBefore = loadAverage()
do {
    let rows = try await ProxyBench(options: options, resources: resources).run()
    resources.removeAll()
    print("load average before / after: \(loadBefore) / \(loadAverage()) (other work on the machine widens the spread)")
    try Report.emit("proxy", rows, output: options.output)
} catch {
    resources.removeAll()
    FileHandle.standardError.write(Data("swiftlet-bench-proxy: \(error)\n".utf8))
    exit(1)
}
withExtendedLifetime(signalSources) {}

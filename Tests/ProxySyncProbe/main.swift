// ProxySyncProbe: splits the proxier's sync time at N services into our side and the kernel's
// (CPU time as well as wall time, so a loaded machine still gives usable figures), measures the
// kernel's floors (a pre-encoded batch alone; a commit that makes the kernel validate the table
// against one that does not), and the memory of a process holding only the proxier.
//
// Not a SwiftPM target (Package.swift has no product for it): built with swiftc against a
// release build of ServiceProxy made with -enable-testing, e.g.
//   swift build -c release --scratch-path .build-proxy-rel --target ServiceProxy -Xswiftc -enable-testing
//   B=.build-proxy-rel/release
//   swiftc -O -module-name ProxySyncProbe -I $B/Modules \
//     -Xcc -fmodule-map-file=Sources/CNftnl/module.modulemap -Xcc -fmodule-map-file=Sources/CMnl/module.modulemap \
//     -Xcc -fmodule-map-file=Sources/CSwiftletNetfilter/module.modulemap \
//     -Xcc -fmodule-map-file=$B/CSwiftletNet.build/module.modulemap \
//     -Xcc -fmodule-map-file=.build-proxy-rel/checkouts/Yams/Sources/CYaml/include/module.modulemap \
//     -Xcc -ISources/CSwiftletNet/include Tests/ProxySyncProbe/main.swift \
//     $B/{ServiceProxy,NFTables,KubeAPI,Yams,CSwiftletNet}.build/*.o $(find $B/CYaml.build -name '*.o') \
//     -lnftnl -lmnl -o /tmp/proxy-sync-probe
// Run as root (it creates and deletes its own network namespaces):
//   proxy-sync-probe 10000 [all|validate|split|rss]     (PROBE_DISPATCH=map for verdict maps)
import Foundation
import Glibc
@testable import NFTables
@testable import ServiceProxy

@_silgen_name("malloc_stats") func probeMallocStats()
@_silgen_name("malloc_trim") func probeMallocTrim(_ pad: Int) -> Int32
let clock = ContinuousClock()
/// Process CPU time (user + system): the kernel's work in sendmsg is charged to us, so this
/// stays meaningful on a loaded machine where wall time does not.
func cpu() -> Duration {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return .seconds(t.tv_sec) + .nanoseconds(t.tv_nsec)
}
func ms(_ d: Duration) -> String {
    String(format: "%.2f", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
}
/// User and system CPU time of this process: our side runs in user mode, the kernel's work on
/// the batch (inside sendmsg) and page faults in system mode.
func usage() -> (user: Duration, system: Duration) {
    var r = rusage()
    getrusage(RUSAGE_SELF.rawValue, &r)
    return (.seconds(r.ru_utime.tv_sec) + .microseconds(r.ru_utime.tv_usec), .seconds(r.ru_stime.tv_sec) + .microseconds(r.ru_stime.tv_usec))
}
func rss() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) / 1024
}
@discardableResult
func sh(_ args: [String], input: String? = nil) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: args[0])
    p.arguments = Array(args.dropFirst())
    try! p.run()
    p.waitUntilExit()
    return p.terminationStatus
}
final class Netns {
    let name: String
    var path: String { "/run/netns/\(name)" }
    init(_ role: String) {
        name = "probe-\(role)-\(UInt32.random(in: 0...UInt32.max))"
        sh(["/usr/sbin/ip", "netns", "add", name])
    }
    deinit { sh(["/usr/sbin/ip", "netns", "delete", name]) }
}

let args = CommandLine.arguments
let count = args.count > 1 ? Int(args[1]) ?? 10000 : 10000
let mode = args.count > 2 ? args[2] : "all"
var configuration = ProxyConfiguration(family: .ipv4, clusterCIDR: CIDR("10.244.0.0/16"), nodePortAddresses: nil,
                                       nodeIP: "192.168.1.10", serviceCIDRs: [CIDR("10.96.0.0/16")!], hostname: "node-a")
if ProcessInfo.processInfo.environment["PROBE_DISPATCH"] == "map" { configuration.endpointDispatch = .verdictMap }

@_silgen_name("mallopt") func probeMallopt(_ parameter: Int32, _ value: Int32) -> Int32
if let fixed = ProcessInfo.processInfo.environment["PROBE_MALLOC_FIXED"], let bytes = Int32(fixed) {
    // M_TRIM_THRESHOLD (-1) and M_MMAP_THRESHOLD (-3) fixed: glibc stops raising them after
    // large blocks are freed.
    _ = probeMallopt(-1, bytes)
    _ = probeMallopt(-3, bytes)
}
let rss0 = rss()
if mode == "rss" { fputs("== start\n", stderr); probeMallocStats() }
let workload = SyntheticWorkload(services: count)
let nsA = Netns("a")
let proxier = NFTablesProxier(configuration: configuration, connection: try NetfilterConnection(networkNamespace: nsA.path))
await workload.load(into: proxier)
let rssLoaded = rss()
if mode == "rss" { fputs("== loaded\n", stderr); probeMallocStats() }
let doSync = mode != "split"
let doChanges = mode == "all" || mode == "validate"
let doSplit = mode == "all" || mode == "split"
if doSync {
let fullCPU0 = cpu()
let fullUsage0 = usage()
let fullWall0 = clock.now
let full = try await proxier.sync()!
let fullUsage1 = usage()
print("full_sync wall=\(ms(clock.now - fullWall0)) cpu=\(ms(cpu() - fullCPU0)) user=\(ms(fullUsage1.user - fullUsage0.user)) system=\(ms(fullUsage1.system - fullUsage0.system))")
let rssSynced = rss()
print("full_sync report total=\(ms(full.duration)) build=\(ms(full.buildDuration)) commit=\(ms(full.commitDuration)) encode=\(ms(full.encodeDuration)) kernel=\(ms(full.kernelDuration)) ops=\(full.operations)")
print("rss start=\(rss0) loaded=\(rssLoaded) synced=\(rssSynced) MiB")
_ = probeMallocTrim(0)
print("rss after malloc_trim \(rss()) MiB")
if mode == "rss" {
    // Only the proxier (and the workload it was fed from) are alive here.
    print("rss_only_proxier \(rss()) MiB")
    fputs("== synced+trim\n", stderr); probeMallocStats()
    // A later full sync (as after a node-label change) from the known state, twice.
    for _ in 0..<2 {
        await proxier.requestFullSync()
        let again = try await proxier.sync()!
        print("full_sync_again full=\(again.full) total=\(ms(again.duration)) rss=\(rss()) MiB")
        fputs("== again\n", stderr); probeMallocStats()
    }
    exit(0)
}
}
if doChanges {
// Endpoint changes: move one endpoint back and forth.
var changes: [Duration] = []
for round in 0..<7 {
    var moved = workload.slices[count / 2]
    moved.endpoints[2].addresses = [round % 2 == 0 ? "10.255.255.1" : "10.255.255.2"]
    await proxier.updateEndpointSlice(moved)
    let c0 = cpu()
    let w0 = clock.now
    let report = try await proxier.sync()!
    let wall = clock.now - w0
    let used = cpu() - c0
    changes.append(wall)
    print("endpoint_change wall=\(ms(wall)) cpu=\(ms(used))")
    print("endpoint_change report total=\(ms(report.duration)) build=\(ms(report.buildDuration)) commit=\(ms(report.commitDuration)) encode=\(ms(report.encodeDuration)) kernel=\(ms(report.kernelDuration)) ops=\(report.operations) full=\(report.full)")
}

// Kernel floors at N services: a commit that needs no validation vs one that does.
var probe = try NetfilterConnection(networkNamespace: nsA.path)
for round in 0..<5 {
    let chain = NFChain(family: .ip, table: "kube-proxy", name: "probe-\(round)")
    var plain = NFTransaction()
    plain.add(chain)
    plain.add(NFRule(family: .ip, table: "kube-proxy", chain: chain.name, expressions: [.counter]))
    let c0 = cpu()
    let t0 = clock.now
    try probe.commit(plain)
    let t1 = clock.now
    let c1 = cpu()
    var jump = NFTransaction()
    jump.add(NFRule(family: .ip, table: "kube-proxy", chain: chain.name, expressions: [.verdict(.jump("mark-for-masquerade"))]))
    try probe.commit(jump)
    let t2 = clock.now
    let c2 = cpu()
    var flush = NFTransaction()
    flush.flush(chain)
    flush.delete(chain)
    try probe.commit(flush)
    print("kernel_floor plain_counter=\(ms(t1 - t0)) (cpu \(ms(c1 - c0))) jump_rule(validate)=\(ms(t2 - t1)) (cpu \(ms(c2 - c1))) flush_delete=\(ms(clock.now - t2))")
}

}
if doSplit {
// Full sync split: fragments, transaction, encoding, and the kernel alone (pre-encoded batch).
let builder = RulesetBuilder(configuration: configuration)
let ports = workload.services.flatMap(\.ports)
var endpointMap: [ServicePortName: [EndpointInfo]] = [:]
for port in ports { endpointMap[port.name] = await proxier.endpoints(for: port.name) }
for round in 0..<3 {
    let t0 = cpu()
    var ledger = ElementLedger()
    var fragments: [(ServicePortName, ServiceFragment)] = []
    let sorted = ports.sorted(by: { $0.name < $1.name })
    let ts = cpu()
    for port in sorted {
        let fragment = builder.fragment(for: port, endpoints: endpointMap[port.name]!)
        fragments.append((port.name, fragment))
    }
    let tf = cpu()
    for (name, fragment) in fragments {
        ledger.add(owner: name, fragment.elements)
    }
    let tl = cpu()
    var appliedCopy: [ServicePortName: AppliedFragment] = [:]
    for (name, fragment) in fragments { appliedCopy[name] = AppliedFragment(fragment) }
    let t1 = cpu()
    print("fragment phases (cpu): sort=\(ms(ts - t0)) build=\(ms(tf - ts)) ledger=\(ms(tl - tf)) applied=\(ms(t1 - tl))")
    var writer = RulesetTransaction(builder: builder)
    _ = writer.writeFullSync(fragments: fragments, ledger: ledger, existingChains: [], existingSets: [], recreateBaseChains: true)
    let t2 = cpu()
    var batch = NFBatch(firstSequence: 1, expectedOperations: writer.transaction.operations.count)
    try batch.encode(writer.transaction)
    let t3 = cpu()
    let nsB = Netns("b")
    var connection = try NetfilterConnection(networkNamespace: nsB.path)
    try connection.ensureSendBuffer(batch.length)
    let t4 = clock.now
    let k0 = cpu()
    try connection.send(batch.bytes, operation: "probe")
    let t5 = clock.now
    let k1 = cpu()
    var errors = 0
    while let datagram = try connection.receive(wait: false, operation: "probe") {
        var failures: [NetfilterConnection.BatchFailure] = []
        try NetfilterConnection.collectErrors(in: datagram, into: &failures, portID: connection.portID)
        errors += failures.count
    }
    print("full_split (cpu) fragments=\(ms(t1 - t0)) transaction=\(ms(t2 - t1)) encode=\(ms(t3 - t2)) kernel_sendmsg=\(ms(t5 - t4)) (cpu \(ms(k1 - k0))) bytes=\(batch.length) ops=\(writer.transaction.operations.count) errors=\(errors)")
    _ = round
}

}
if mode == "all" {
// nft -f of the same text.
let text = await proxier.rulesetText()
let file = "/tmp/probe-\(count).nft"
try text.write(toFile: file, atomically: true, encoding: .utf8)
for _ in 0..<1 {
    let nsC = Netns("c")
    var before = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &before)
    let t0 = clock.now
    sh(["/usr/sbin/ip", "netns", "exec", nsC.name, "/usr/sbin/nft", "-f", file])
    var after = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &after)
    func usec(_ r: rusage) -> Double { Double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + Double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3 }
    print("nft_f wall=\(ms(clock.now - t0)) cpu=\(String(format: "%.1f", usec(after) - usec(before)))")
}
}

import BenchReport
import Foundation
import NFTables
import Netlink
import ServiceProxy

extension ProxyBench {
    /// `table_validation_N`: a kernel floor. In `namespace`, which holds the proxier's N
    /// services, one transaction adds a new chain with a rule jumping to `mark-for-masquerade`;
    /// a jump makes the kernel validate the whole table (every chain reachable from the base
    /// chains, for loops and depth) before it commits. The peer is the same transaction with a
    /// plain counter rule, which needs no validation. Each commit is timed from sending to the
    /// kernel's last reply; the sides alternate which goes first, and both chains are removed
    /// after each round. The difference is what any commit that adds a jump costs at N
    /// services, however little else it changes.
    func tableValidation(in namespace: NetworkNamespace, size: Int, rounds: Int = 20) throws -> ReportRow {
        var connection = try NetfilterConnection(networkNamespace: namespace.path)
        let table = KubeProxyNames.table
        var jumps: [UInt64] = [], counters: [UInt64] = []
        for round in 0..<rounds {
            let jumpChain = NFChain(family: .ip, table: table, name: "bench-validate-jump-\(round)")
            let counterChain = NFChain(family: .ip, table: table, name: "bench-validate-counter-\(round)")
            for side in round % 2 == 0 ? ["jump", "counter"] : ["counter", "jump"] {
                let chain = side == "jump" ? jumpChain : counterChain
                var transaction = NFTransaction()
                transaction.add(chain)
                transaction.add(NFRule(family: .ip, table: table, chain: chain.name,
                                       expressions: side == "jump" ? [.verdict(.jump(KubeProxyNames.markForMasquerade))] : [.counter]))
                let start = now()
                try connection.commit(transaction)
                let elapsed = now() - start
                if side == "jump" { jumps.append(elapsed) } else { counters.append(elapsed) }
            }
            var cleanup = NFTransaction()
            for chain in [jumpChain, counterChain] {
                cleanup.flush(chain)
                cleanup.delete(chain)
            }
            try connection.commit(cleanup)
            settle(milliseconds: 10)
        }
        print("table_validation \(size) services: jump rule \(milliseconds(ReportRow.median(jumps))),"
              + " counter rule \(milliseconds(ReportRow.median(counters))) (medians of \(rounds))")
        return ReportRow(metric: "table_validation_\(size)", unit: "ms", nanoseconds: jumps,
                         peer: "same commit with a counter rule (no validation)", peerNanoseconds: counters)
    }
}

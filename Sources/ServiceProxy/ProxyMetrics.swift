import Synchronization

/// kube-proxy's metrics, under upstream's names (`kubeproxy_sync_proxy_rules_duration_seconds`
/// and the rest), labelled by `ip_family` where upstream labels them. Shared by the proxiers of
/// both families; `prometheusText()` is the body of `/metrics`.
public final class ProxyMetrics: Sendable {
    /// Upstream's sync-duration buckets: 1 ms doubling fifteen times.
    static let syncBuckets: [Double] = (0..<15).map { 0.001 * Double(1 << $0) }

    private let state = Mutex(State())

    struct Histogram: Sendable {
        var counts: [Int] = Array(repeating: 0, count: ProxyMetrics.syncBuckets.count)
        var sum = 0.0
        var count = 0

        mutating func observe(_ value: Double) {
            for (index, bound) in ProxyMetrics.syncBuckets.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            count += 1
        }
    }

    struct State: Sendable {
        var syncDuration: [ProxyIPFamily: Histogram] = [:]
        var fullSyncDuration: [ProxyIPFamily: Histogram] = [:]
        var partialSyncDuration: [ProxyIPFamily: Histogram] = [:]
        var lastSync: [ProxyIPFamily: Double] = [:]
        var lastQueued: [ProxyIPFamily: Double] = [:]
        var syncFailures: [ProxyIPFamily: Int] = [:]
        var cleanupFailures: [ProxyIPFamily: Int] = [:]
        var endpointChangesTotal: [ProxyIPFamily: Int] = [:]
        var endpointChangesPending: [ProxyIPFamily: Int] = [:]
        var serviceChangesTotal: [ProxyIPFamily: Int] = [:]
        var serviceChangesPending: [ProxyIPFamily: Int] = [:]
        var noLocalEndpoints: [ProxyIPFamily: (internal: Int, external: Int)] = [:]
        var conntrackDeleted: [ProxyIPFamily: Int] = [:]
    }

    public init() {}

    /// One sync took `seconds`; `full` tells which of the two extra histograms it goes to.
    public func observeSync(_ family: ProxyIPFamily, seconds: Double, full: Bool) {
        state.withLock {
            $0.syncDuration[family, default: Histogram()].observe(seconds)
            if full { $0.fullSyncDuration[family, default: Histogram()].observe(seconds) }
            else { $0.partialSyncDuration[family, default: Histogram()].observe(seconds) }
        }
    }

    /// A sync succeeded at `time` (wall clock).
    public func syncSucceeded(_ family: ProxyIPFamily, at time: Double, noLocalEndpoints: (internal: Int, external: Int)) {
        state.withLock {
            $0.lastSync[family] = time
            $0.noLocalEndpoints[family] = noLocalEndpoints
        }
    }

    public func syncFailed(_ family: ProxyIPFamily) { state.withLock { $0.syncFailures[family, default: 0] += 1 } }
    public func cleanupFailed(_ family: ProxyIPFamily) { state.withLock { $0.cleanupFailures[family, default: 0] += 1 } }
    public func queued(_ family: ProxyIPFamily, at time: Double) { state.withLock { $0.lastQueued[family] = time } }
    public func conntrackEntriesDeleted(_ family: ProxyIPFamily, _ count: Int) {
        state.withLock { $0.conntrackDeleted[family, default: 0] += count }
    }

    /// The change trackers' counts.
    public func changes(_ family: ProxyIPFamily, servicesTotal: Int, servicesPending: Int, endpointsTotal: Int, endpointsPending: Int) {
        state.withLock {
            $0.serviceChangesTotal[family] = servicesTotal
            $0.serviceChangesPending[family] = servicesPending
            $0.endpointChangesTotal[family] = endpointsTotal
            $0.endpointChangesPending[family] = endpointsPending
        }
    }

    /// How many syncs (of any kind) `family` has recorded.
    public func syncCount(_ family: ProxyIPFamily) -> Int { state.withLock { $0.syncDuration[family]?.count ?? 0 } }

    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    public func prometheusText() -> String {
        let s = state.withLock { $0 }
        var out = ""
        func label(_ family: ProxyIPFamily) -> String { "ip_family=\"\(family.rawValue)\"" }
        func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
        func histogram(_ name: String, _ help: String, _ values: [ProxyIPFamily: Histogram]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
            for family in ProxyIPFamily.allCases {
                guard let h = values[family] else { continue }
                for (index, bound) in Self.syncBuckets.enumerated() {
                    out += "\(name)_bucket{\(label(family)),le=\"\(bound)\"} \(h.counts[index])\n"
                }
                out += "\(name)_bucket{\(label(family)),le=\"+Inf\"} \(h.count)\n"
                out += "\(name)_sum{\(label(family))} \(h.sum)\n\(name)_count{\(label(family))} \(h.count)\n"
            }
        }
        func simple<V>(_ name: String, _ type: String, _ help: String, _ values: [ProxyIPFamily: V], _ text: (V) -> String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for family in ProxyIPFamily.allCases {
                guard let value = values[family] else { continue }
                out += "\(name){\(label(family))} \(text(value))\n"
            }
        }
        histogram("kubeproxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds", s.syncDuration)
        histogram("kubeproxy_sync_full_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for full resyncs", s.fullSyncDuration)
        histogram("kubeproxy_sync_partial_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds for partial resyncs",
                  s.partialSyncDuration)
        simple("kubeproxy_sync_proxy_rules_last_timestamp_seconds", "gauge", "The last time proxy rules were successfully synced",
               s.lastSync, number)
        simple("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", "gauge",
               "The last time a sync of proxy rules was queued", s.lastQueued, number)
        simple("kubeproxy_sync_proxy_rules_nftables_sync_failures_total", "counter", "Cumulative proxy nftables sync failures",
               s.syncFailures) { String($0) }
        simple("kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total", "counter", "Cumulative proxy nftables cleanup failures",
               s.cleanupFailures) { String($0) }
        simple("kubeproxy_sync_proxy_rules_endpoint_changes_total", "counter", "Cumulative proxy rules Endpoint changes",
               s.endpointChangesTotal) { String($0) }
        simple("kubeproxy_sync_proxy_rules_endpoint_changes_pending", "gauge", "Pending proxy rules Endpoint changes",
               s.endpointChangesPending) { String($0) }
        simple("kubeproxy_sync_proxy_rules_service_changes_total", "counter", "Cumulative proxy rules Service changes",
               s.serviceChangesTotal) { String($0) }
        simple("kubeproxy_sync_proxy_rules_service_changes_pending", "gauge", "Pending proxy rules Service changes",
               s.serviceChangesPending) { String($0) }
        out += "# HELP kubeproxy_sync_proxy_rules_no_local_endpoints_total Number of services with a Local traffic policy and no endpoints\n"
        out += "# TYPE kubeproxy_sync_proxy_rules_no_local_endpoints_total gauge\n"
        for family in ProxyIPFamily.allCases {
            guard let value = s.noLocalEndpoints[family] else { continue }
            out += "kubeproxy_sync_proxy_rules_no_local_endpoints_total{\(label(family)),traffic_policy=\"internal\"} \(value.internal)\n"
            out += "kubeproxy_sync_proxy_rules_no_local_endpoints_total{\(label(family)),traffic_policy=\"external\"} \(value.external)\n"
        }
        simple("kubeproxy_conntrack_reconciler_deleted_entries_total", "counter",
               "Cumulative conntrack flows deleted by conntrack reconciler", s.conntrackDeleted) { String($0) }
        return out
    }
}

import Synchronization
import Testing
@testable import ServiceProxy

/// A wall clock the test moves.
final class TestWallClock: Sendable {
    private let value = Mutex(1_700_000_000.0)
    func advance(_ seconds: Double) { value.withLock { $0 += seconds } }
    var now: Double { value.withLock { $0 } }
}

@Suite("Health and metrics")
struct HealthAndMetricsTests {
    @Test func healthyWhileNothingIsQueuedAndUnhealthyWhenAnUpdateWaitsLongerThanTheTimeout() {
        let clock = TestWallClock()
        let health = ProxyHealth(healthTimeoutSeconds: 60, now: { clock.now })
        #expect(health.healthz().status == 200)
        health.updated(.ipv4)
        health.queuedUpdate(.ipv4)
        clock.advance(59)
        #expect(health.healthz().status == 200)
        clock.advance(2)
        let response = health.healthz()
        #expect(response.status == 503)
        #expect(response.body.hasPrefix("{\"lastUpdated\": \"2023-11-14 22:13:20 +0000 UTC\",\"currentTime\": \"2023-11-14 22:14:21 +0000 UTC\""))
        #expect(response.body.hasSuffix(", \"nodeEligible\": true}"))
        health.updated(.ipv4)
        #expect(health.healthz().status == 200)
    }

    @Test func theOldestQueuedUpdateCountsNotTheLatest() {
        let clock = TestWallClock()
        let health = ProxyHealth(healthTimeoutSeconds: 60, now: { clock.now })
        health.updated(.ipv6)
        health.queuedUpdate(.ipv6)
        clock.advance(40)
        health.queuedUpdate(.ipv6)
        clock.advance(30)
        #expect(!health.isHealthy().healthy)
    }

    @Test func aNodeBeingDeletedFailsHealthzButNotLivez() {
        let clock = TestWallClock()
        let health = ProxyHealth(healthTimeoutSeconds: 60, now: { clock.now })
        health.syncNode(beingDeleted: false, taintKeys: [ProxyHealth.toBeDeletedTaint])
        #expect(health.healthz().status == 503)
        #expect(health.healthz().body.hasSuffix("\"nodeEligible\": false}"))
        #expect(health.livez().status == 200)
        health.syncNode(beingDeleted: false, taintKeys: [])
        #expect(health.healthz().status == 200)
    }

    @Test func metricsUseUpstreamNamesAndBuckets() {
        let metrics = ProxyMetrics()
        metrics.observeSync(.ipv4, seconds: 0.003, full: true)
        metrics.observeSync(.ipv4, seconds: 0.0005, full: false)
        metrics.syncFailed(.ipv4)
        let text = metrics.prometheusText()
        #expect(text.contains("# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram"))
        #expect(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family=\"IPv4\",le=\"0.001\"} 1"))
        #expect(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family=\"IPv4\",le=\"0.004\"} 2"))
        #expect(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_count{ip_family=\"IPv4\"} 2"))
        #expect(text.contains("kubeproxy_sync_full_proxy_rules_duration_seconds_count{ip_family=\"IPv4\"} 1"))
        #expect(text.contains("kubeproxy_sync_partial_proxy_rules_duration_seconds_count{ip_family=\"IPv4\"} 1"))
        #expect(text.contains("kubeproxy_sync_proxy_rules_nftables_sync_failures_total{ip_family=\"IPv4\"} 1"))
        #expect(text.contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family=\"IPv4\",le=\"16.384\"} 2"))
    }

    @Test func healthCheckNodePortAnswersWithTheLocalEndpointCount() {
        let service = ServiceName(namespace: "default", name: "web")
        let ok = ServiceHealthCheck.response(service: service, localEndpoints: 2, proxyHealthy: true)
        #expect(ok.status == 200)
        #expect(ok.headers["X-Load-Balancing-Endpoint-Weight"] == "2")
        #expect(ok.body == "{\n\t\"service\": {\n\t\t\"namespace\": \"default\",\n\t\t\"name\": \"web\"\n\t},\n\t\"localEndpoints\": 2,\n\t\"serviceProxyHealthy\": true\n}")
        #expect(ServiceHealthCheck.response(service: service, localEndpoints: 0, proxyHealthy: true).status == 503)
        #expect(ServiceHealthCheck.response(service: service, localEndpoints: 1, proxyHealthy: false).status == 503)
    }

    @Test func routesTableShowsFrontendsEndpointsAndPolicy() {
        let port = Fixture.port()
        let service = ServicePortInfo(name: port, clusterIP: "10.96.0.10", port: 80, nodePort: 30080, externalPolicyLocal: true)
        let table = ServiceRouteTable.render([
            ServiceRoute(service: service, endpoints: [EndpointInfo(address: "10.244.1.5", port: 8080, isLocal: true),
                                                       EndpointInfo(address: "10.244.2.5", port: 8080, isReady: false)]),
            ServiceRoute(service: ServicePortInfo(name: Fixture.port("empty"), clusterIP: "10.96.0.20", port: 80), endpoints: []),
        ])
        #expect(table == """
            SERVICE        PROTO  FRONTEND             ENDPOINTS                            POLICY
            ns1/web:p80    TCP    10.96.0.10:80        10.244.1.5:8080 (local)              etp=Local
                                  *:30080 (node port)  10.244.2.5:8080 (not ready, unused)
            ns1/empty:p80  TCP    10.96.0.20:80        none: rejected                       Cluster

            """)
    }
}

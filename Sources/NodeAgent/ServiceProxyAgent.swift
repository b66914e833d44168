import Foundation
import Logging
import NFTables
import ServiceLifecycle
import ServiceProxy
import UnixSignals

/// `swiftlet proxy run`: the service proxy alone, as kube-proxy runs. One service group holds
/// a sync loop per IP family, the Service/EndpointSlice source, `/healthz` and `/livez` on
/// `healthzBindAddress` and `/metrics` on `metricsBindAddress`; SIGTERM or SIGINT stops it.
///
/// The families are IPv4, and IPv6 as well when `clusterCIDR` names an IPv6 range. The health
/// timeout is twice `nftables.syncPeriod`, as upstream's.
public struct ServiceProxyAgent: Sendable {
    public let configuration: KubeProxyConfiguration
    /// The directory of Service and EndpointSlice manifests; nil runs with none.
    public let manifestDirectory: String?
    let logger: Logger

    public init(configuration: KubeProxyConfiguration, manifestDirectory: String?, logger: Logger) {
        self.configuration = configuration
        self.manifestDirectory = manifestDirectory
        self.logger = logger
    }

    /// The node name endpoints are compared with: `hostnameOverride`, else the host's name.
    public var hostname: String {
        let override = configuration.hostnameOverride.trimmingCharacters(in: .whitespaces)
        return (override.isEmpty ? ProcessInfo.processInfo.hostName : override).lowercased()
    }

    /// The IP families this proxy programs.
    public var families: [ProxyIPFamily] {
        let cidrs = configuration.clusterCIDR.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return cidrs.contains { $0.contains(":") } ? [.ipv4, .ipv6] : [.ipv4]
    }

    /// The HTTP routes of `healthzBindAddress`: `/healthz` and `/livez` with upstream's semantics.
    public static func healthRoutes(_ health: ProxyHealth) -> [String: HealthzServer.Handler] {
        ["/healthz": { httpResponse(health.healthz()) }, "/livez": { httpResponse(health.livez()) }]
    }

    private static func httpResponse(_ response: ProxyHealth.Response) -> HealthzServer.Response {
        HealthzServer.Response(status: response.status, contentType: response.contentType, body: response.body)
    }

    /// The HTTP routes of `metricsBindAddress`: `/metrics` in the Prometheus text format.
    public static func metricsRoutes(_ metrics: ProxyMetrics) -> [String: HealthzServer.Handler] {
        ["/metrics": { HealthzServer.Response(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.prometheusText()) }]
    }

    /// `host:port` or `[host]:port` split in two; nil when `text` is not of that form.
    static func hostPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    /// Runs the proxy until graceful shutdown completes.
    ///
    /// - Throws: a bind error for either HTTP server, an `NFTablesError` when the nf_tables
    ///   socket cannot be opened, or the first error a service fails with.
    public func run() async throws {
        let services = try await makeServices { loops, families, logger in
            ProxySourceService(
                source: manifestDirectory.map { ProxyManifestSource(directory: $0, loops: loops, families: families, logger: logger) },
                loops: loops, resyncPeriod: configuration.configSyncPeriod.duration)
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("swiftlet service proxy stopped")
    }

    /// The proxy's services in start order: a sync loop per family, the source `makeSource`
    /// builds for those loops, `/healthz` and, when configured, `/metrics`. The HTTP servers
    /// are bound here, so a port in use fails before anything runs.
    ///
    /// - Throws: a bind error for either HTTP server, `ServiceProxyAgentError` for a bind address
    ///   that does not parse, or an `NFTablesError` when the nf_tables socket cannot be opened.
    func makeServices(
        source makeSource: ([ProxySyncLoop], [ProxyIPFamily], Logger) -> any Service
    ) async throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let nft = configuration.nftables
        let health = ProxyHealth(healthTimeoutSeconds: 2 * Double(nft.syncPeriod.nanoseconds) / 1e9)
        let metrics = ProxyMetrics()
        let clusterCIDRs = configuration.clusterCIDR.split(separator: ",").compactMap { CIDR($0.trimmingCharacters(in: .whitespaces)) }
        let families = self.families
        logger.info("starting swiftlet service proxy", metadata: [
            "hostname": "\(hostname)", "families": "\(families.map(\.rawValue).joined(separator: ","))",
            "manifests": "\(manifestDirectory ?? "none")",
        ])

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var loops: [ProxySyncLoop] = []
        for family in families {
            let proxyConfiguration = ProxyConfiguration(
                family: family, masqueradeBit: Int(nft.masqueradeBit), masqueradeAll: nft.masqueradeAll,
                clusterCIDR: clusterCIDRs.first { $0.family == family },
                nodePortAddresses: configuration.nodePortAddresses.isEmpty ? nil : configuration.nodePortAddresses,
                hostname: hostname)
            // Without conntrack (no nf_conntrack_netlink) the rules still work; only stale UDP
            // flows are left to time out, so that is a warning, not a failed start.
            var conntrack: NetlinkConntrack?
            do {
                conntrack = try NetlinkConntrack()
            } catch {
                logger.warning("conntrack unavailable: stale UDP flows will not be cleared", metadata: ["family": "\(family)", "error": "\(error)"])
            }
            let proxier = NFTablesProxier(configuration: proxyConfiguration, connection: try NetfilterConnection(),
                                          conntrack: conntrack, health: health, metrics: metrics)
            let logger = self.logger
            let loop = ProxySyncLoop(proxier: proxier, minSyncPeriod: nft.minSyncPeriod.duration, syncPeriod: nft.syncPeriod.duration,
                                     health: health) { error in
                logger.error("proxy rules sync failed", metadata: ["family": "\(family)", "error": "\(error)"])
            }
            loops.append(loop)
            services.append(.init(service: ProxySyncService(loop: loop), serviceName: "proxy-\(family)"))
        }
        services.append(.init(service: makeSource(loops, families, logger), serviceName: "proxy-source"))

        guard let healthzAddress = Self.hostPort(configuration.healthzBindAddress) else {
            throw ServiceProxyAgentError.badBindAddress(field: "healthzBindAddress", value: configuration.healthzBindAddress)
        }
        let healthz = try await HealthzServer.bind(host: healthzAddress.host, port: healthzAddress.port, name: "proxy healthz",
                                                   routes: Self.healthRoutes(health), logger: logger)
        services.append(.init(service: healthz, serviceName: "proxy-healthz"))
        if !configuration.metricsBindAddress.isEmpty {
            guard let metricsAddress = Self.hostPort(configuration.metricsBindAddress) else {
                throw ServiceProxyAgentError.badBindAddress(field: "metricsBindAddress", value: configuration.metricsBindAddress)
            }
            let server = try await HealthzServer.bind(host: metricsAddress.host, port: metricsAddress.port, name: "proxy metrics",
                                                      routes: Self.metricsRoutes(metrics), logger: logger)
            services.append(.init(service: server, serviceName: "proxy-metrics"))
        }
        return services
    }
}

/// Why the service proxy could not start.
public enum ServiceProxyAgentError: Error, Sendable, CustomStringConvertible {
    case badBindAddress(field: String, value: String)

    public var description: String {
        switch self {
        case .badBindAddress(let field, let value):
            "KubeProxyConfiguration \(field): expected ip:port or [ipv6]:port, got \"\(value)\""
        }
    }
}

/// One family's sync loop as a service: runs until graceful shutdown.
struct ProxySyncService: Service {
    let loop: ProxySyncLoop

    func run() async throws {
        await cancelWhenGracefulShutdown { await loop.run() }
    }
}

/// Feeds the loops: reads the manifest directory at start, then again on SIGHUP and every
/// `configSyncPeriod`. Without a directory the initial (empty) lists are declared in at once.
struct ProxySourceService: Service {
    let source: ProxyManifestSource?
    let loops: [ProxySyncLoop]
    let resyncPeriod: Duration

    func run() async throws {
        guard let source else {
            for loop in loops {
                await loop.servicesDidSync()
                await loop.endpointSlicesDidSync()
            }
            try? await gracefulShutdown()
            return
        }
        // Trap SIGHUP before the first read: a SIGHUP sent once the first rules are visible
        // must reload, not end the process with the signal's default action.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await source.reload()
        let period = resyncPeriod > .zero ? resyncPeriod : .seconds(900)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in hangups { await source.reload() }
                }
                group.addTask {
                    while (try? await Task.sleep(for: period)) != nil { await source.reload() }
                }
                await group.waitForAll()
            }
        }
    }
}

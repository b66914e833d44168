// NodeAgent: the wiring of swiftlet's node agent.
//
// Owns the node configuration (KubeletConfiguration, KubeProxyConfiguration and
// SwiftletConfiguration, read from one multi-document YAML file), the service group that runs
// the agent's long-lived services, the HTTP servers, signal handling, sd_notify and journald-
// friendly logging. It builds on every other module; nothing else in swiftlet depends on it
// except the `swiftlet` command line.

import Kubelet
import Logging
import RuntimeWiring
import ServiceLifecycle

/// The running node agent: binds what must be bound, then runs every service in one
/// `ServiceGroup` until SIGTERM or SIGINT starts a graceful shutdown.
///
/// Start-up order, and why:
/// 1. with static pods configured (standalone), the node's runtime is opened before the group
///    starts (image store, pod network, containers of a previous agent re-adopted), so a bad
///    pod network fails the start; ``NodeRuntimeService`` and the kubelet then run in the group;
/// 2. sockets that can fail to bind (the health server) are bound before the group starts, so a
///    port in use fails the start with an error instead of a half-running agent;
/// 3. the services run in the group in the order listed, shut down in reverse: the kubelet stops
///    before the runtime, and pods keep running for the next start to adopt;
/// 4. in standalone mode the service proxy follows the kubelet (a sync loop per IP family, fed
///    the kubelet's Services and the EndpointSlices of its pods, and the proxy's `/healthz`);
/// 5. the local API (``LocalAPIServer``, `apiSocket`) is bound with the pod side and serves
///    while the kubelet runs; its socket file is removed when it stops;
/// 6. ``HeapTrimService`` gives the C heap's free pages back after bursts of work;
/// 7. ``SystemdNotifyService`` comes last, so `READY=1` is sent only after every other service
///    has started, and `STOPPING=1` is the first thing said on shutdown.
public struct NodeAgent: Sendable {
    /// The validated configuration the agent runs with.
    public let configuration: NodeConfiguration
    let environment: [String: String]
    let logger: Logger
    /// The `swiftlet-monitor` executable the runtime starts containers under.
    let monitorPath: String
    /// The UIDs of the pods the API server bound to this node, for the Events about them.
    let apiPodUIDs = APIPodUIDs()

    /// Creates an agent; nothing starts until ``run()``.
    ///
    /// - Parameter environment: the process environment, read for `NOTIFY_SOCKET`,
    ///   `WATCHDOG_USEC` and `WATCHDOG_PID`.
    /// - Parameter monitorPath: the `swiftlet-monitor` executable; by default the one next to the
    ///   running executable.
    public init(
        configuration: NodeConfiguration, environment: [String: String], logger: Logger,
        monitorPath: String = NodeRuntimeSettings.monitorNextToExecutable
    ) {
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
        self.monitorPath = monitorPath
    }

    /// Runs the agent until graceful shutdown completes.
    ///
    /// - Throws: a bind error when the health server cannot listen, the runtime's error when the
    ///   pod side cannot start, or the first error a service fails with.
    public func run() async throws {
        let kubelet = configuration.kubelet
        logger.info(
            "starting swiftlet",
            metadata: [
                "version": "\(SwiftletVersionInfo.current.version)",
                "config": "\(configuration.sourcePath ?? "defaults")",
            ])

        // With a control plane, a kubeconfig that cannot be read fails the start before anything runs.
        let client = joinsControlPlane ? try await connectControlPlane(identity: NodeIdentity.current(configuration)) : nil
        // A node that already has pod CIDRs from the cluster runs its pod network on them.
        let agent = if let client { await adoptingNodePodCIDRs(client) } else { self }
        let pods: (runtime: NodeRuntimeService, kubelet: Kubelet)?
        do {
            pods = runsStandalonePods || client != nil ? try await agent.podServices(client: client) : nil
        } catch {
            try? await client?.shutdown()
            throw error
        }
        if pods == nil {
            logger.notice("no staticPodPath, staticPodURL or controlPlane.kubeconfig configured: no pods to run")
        }
        let healthz: HealthzServer
        do {
            healthz = try await HealthzServer.bind(
                host: kubelet.healthzBindAddress, port: Int(kubelet.healthzPort), logger: logger)
        } catch {
            await pods?.runtime.node.runtime.shutdown()
            try? await client?.shutdown()
            throw error
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: healthz, serviceName: "healthz")]
        if let pods {
            services.append(.init(service: pods.runtime, serviceName: "runtime"))
            services.append(.init(service: pods.kubelet, serviceName: "kubelet"))
            services.append(.init(service: containerLogManager(runtime: pods.runtime.node.runtime), serviceName: "container-logs"))
            // The local API for `swiftlet pods|logs|exec`, bound now so a socket that cannot be
            // made fails the start.
            do {
                let directory = LocalPodDirectory(statuses: pods.kubelet.statuses, runtime: pods.runtime.node.runtime)
                let api = try await LocalAPIServer.bind(path: configuration.swiftlet.apiSocket, pods: directory, logger: logger)
                services.append(.init(service: api, serviceName: "local-api"))
            } catch {
                await pods.runtime.node.runtime.shutdown()
                throw error
            }
            services.append(
                .init(
                    service: PodStatusReport(
                        statuses: pods.kubelet.statuses, path: configuration.swiftlet.runDir + "/pods", logger: logger),
                    serviceName: "pod-status"))
            if let client {
                services += await agent.nodeServices(
                    client: client, kubelet: pods.kubelet, runtime: pods.runtime.node.runtime,
                    identity: NodeIdentity.current(configuration))
            }
            // The service proxy routes Services to their endpoints, programming nftables in the
            // agent's own network namespace: the cluster's Services and EndpointSlices when the
            // node joined an API server, else the manifest directory's Services and the local
            // pods as their endpoints.
            var proxyLogger = logger
            proxyLogger[metadataKey: "component"] = "proxy"
            let proxy = ServiceProxyAgent(configuration: configuration.proxy, manifestDirectory: nil, logger: proxyLogger)
            do {
                services += try await proxy.makeServices { loops, families, logger in
                    let feed = ProxyObjectFeed(loops: loops, families: families, logger: logger)
                    if let client { return APIServiceSource(client: client, feed: feed, logger: logger) }
                    return KubeletServiceSource(kubelet: pods.kubelet, feed: feed)
                }
            } catch {
                await pods.runtime.node.runtime.shutdown()
                try? await client?.shutdown()
                throw error
            }
        }

        services.append(.init(service: HeapTrimService(), serviceName: "heap-trim"))

        if let notifier = SystemdNotifier(environment: environment) {
            let watchdog = SystemdWatchdog(environment: environment)
            services.append(
                .init(
                    service: SystemdNotifyService(notifier: notifier, watchdog: watchdog, logger: logger),
                    serviceName: "sd_notify"))
        }

        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Past this, services are cancelled rather than waited for; systemd's TimeoutStopSec
        // (30s in the shipped unit) is the outer bound.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(10)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            try? await client?.shutdown()
            throw error
        }
        try? await client?.shutdown()
        logger.info("swiftlet stopped")
    }
}

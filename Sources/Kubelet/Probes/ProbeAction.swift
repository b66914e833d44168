import KubeAPI

/// What a probe or lifecycle hook does, with ports and hosts resolved against the container
/// and the pod's IP.
public enum ProbeAction: Sendable, Equatable {
    /// Run a command in the container; exit status 0 passes.
    case exec(command: [String])
    /// An HTTP GET from the node; a status of 200–399 passes.
    case httpGet(HTTPProbeRequest)
    /// A TCP connection from the node; connecting passes.
    case tcpSocket(host: String, port: Int)
    /// A gRPC health check (`grpc.health.v1.Health/Check`).
    case grpc(host: String, port: Int, service: String)
    /// Wait (lifecycle hooks only).
    case sleep(seconds: Int64)

    /// The action of a probe. `podIP` is where network probes go when no host is given.
    ///
    /// Throws `ProbeConfigError` for a probe without an action or a named port the container
    /// does not declare.
    public init(probe: CoreV1.Probe, container: CoreV1.Container, podIP: String) throws(ProbeConfigError) {
        if let exec = probe.exec {
            self = .exec(command: exec.command ?? [])
        } else if let http = probe.httpGet {
            self = .httpGet(try HTTPProbeRequest(http, container: container, podIP: podIP))
        } else if let tcp = probe.tcpSocket {
            self = .tcpSocket(host: Self.host(tcp.host, podIP), port: try Self.port(tcp.port, in: container))
        } else if let grpc = probe.grpc {
            self = .grpc(host: podIP, port: Int(grpc.port), service: grpc.service ?? "")
        } else {
            throw ProbeConfigError(message: "probe of container \"\(container.name)\" has no action (exec, httpGet, tcpSocket or grpc)")
        }
    }

    /// The action of a lifecycle hook handler.
    public init(handler: CoreV1.LifecycleHandler, container: CoreV1.Container, podIP: String) throws(ProbeConfigError) {
        if let exec = handler.exec {
            self = .exec(command: exec.command ?? [])
        } else if let http = handler.httpGet {
            self = .httpGet(try HTTPProbeRequest(http, container: container, podIP: podIP))
        } else if let sleep = handler.sleep {
            self = .sleep(seconds: sleep.seconds)
        } else if let tcp = handler.tcpSocket {
            // Deprecated for hooks and not run by upstream either; kept as a no-op connect.
            self = .tcpSocket(host: Self.host(tcp.host, podIP), port: try Self.port(tcp.port, in: container))
        } else {
            throw ProbeConfigError(message: "lifecycle hook of container \"\(container.name)\" has no action (exec, httpGet or sleep)")
        }
    }

    static func host(_ host: String?, _ podIP: String) -> String {
        guard let host, !host.isEmpty else { return podIP }
        return host
    }

    /// A numeric port, or a named one looked up in the container's ports.
    static func port(_ port: IntOrString, in container: CoreV1.Container) throws(ProbeConfigError) -> Int {
        switch port {
        case .int(let number):
            guard number > 0 && number < 65536 else { throw ProbeConfigError(message: "invalid port number: \(number)") }
            return Int(number)
        case .string(let name):
            if let number = Int(name), number > 0 && number < 65536 { return number }
            guard let found = container.ports?.first(where: { $0.name == name }) else {
                throw ProbeConfigError(message: "couldn't find port: \(name) in container \"\(container.name)\"")
            }
            return Int(found.containerPort)
        }
    }
}

/// A probe or hook that cannot be run as written.
public struct ProbeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

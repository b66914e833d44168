import ContainerRuntime

/// Runs one probe or hook action: exec through the runtime's `execSync`, HTTP and TCP from the
/// node to the pod's IP (as upstream's `pkg/probe/{exec,http,tcp}`), gRPC health checks over
/// HTTP/2 cleartext.
public struct Prober: Sendable {
    /// The runtime that runs exec actions.
    public var runtime: any RuntimeService
    /// The HTTP client of httpGet actions.
    public var http: HTTPProbeClient

    public init(runtime: any RuntimeService, http: HTTPProbeClient = HTTPProbeClient()) {
        self.runtime = runtime
        self.http = http
    }

    /// Runs `action` against the container with `containerID`, giving up after `timeout`.
    /// Never throws: every problem is a `.failure` with upstream's wording where there is one.
    public func run(_ action: ProbeAction, containerID: String, timeout: Duration) async -> ProbeResult {
        switch action {
        case .exec(let command):
            return await exec(command, containerID: containerID, timeout: timeout)
        case .httpGet(let request):
            return await http.probe(request, timeout: timeout)
        case .tcpSocket(let host, let port):
            return await Self.tcp(host: host, port: port, timeout: timeout)
        case .grpc(let host, let port, let service):
            return await GRPCHealthClient.check(host: host, port: port, service: service, timeout: timeout)
        case .sleep(let seconds):
            do {
                try await Task.sleep(for: .seconds(seconds))
                return .success(output: "")
            } catch {
                return .failure("sleep interrupted")
            }
        }
    }

    private func exec(_ command: [String], containerID: String, timeout: Duration) async -> ProbeResult {
        let seconds = max(1, timeout.components.seconds + (timeout.components.attoseconds > 0 ? 1 : 0))
        do {
            let result = try await runtime.execSync(containerID: containerID, command: command, timeout: seconds)
            let output = result.stdoutText + result.stderrText
            if result.exitCode == 0 { return .success(output: output) }
            return .failure(output.isEmpty ? "command \(Self.quoted(command)) exited with \(result.exitCode)" : output)
        } catch RuntimeError.timedOut {
            return .failure("command \(Self.quoted(command)) timed out")
        } catch {
            return .failure("command \(Self.quoted(command)) failed: \(error)")
        }
    }

    /// Connects to `host:port` and closes the connection (upstream's `DoTCPProbe`).
    static func tcp(host: String, port: Int, timeout: Duration) async -> ProbeResult {
        let deadline = ProbeDeadline(timeout)
        return await ProbeSocket.offload {
            do throws(ProbeSocket.Failure) {
                _ = try ProbeSocket(host: host, port: port, deadline: deadline.dispatchTime)
                return .success(output: "")
            } catch {
                return .failure(error.description)
            }
        }
    }

    static func quoted(_ command: [String]) -> String {
        "[" + command.joined(separator: " ") + "]"
    }
}

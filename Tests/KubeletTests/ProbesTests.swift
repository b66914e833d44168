import ContainerRuntime
import ContainerRuntimeTesting
import Foundation
import KubeAPI
import Kubelet
import Testing

@Suite struct ProbesTests {
    static let server = Result { try TestHTTPServer() }

    static func request(_ path: String, headers: [(name: String, value: String)] = []) throws -> HTTPProbeRequest {
        HTTPProbeRequest(host: "127.0.0.1", port: try server.get().port, path: path, headers: headers)
    }

    @Test func httpProbeOf200IsSuccessWithBody() async throws {
        #expect(await HTTPProbeClient().probe(try Self.request("/ok"), timeout: .seconds(2)) == .success(output: "fine"))
    }

    @Test func httpProbeOf500IsFailureWithStatusCodeOnly() async throws {
        #expect(await HTTPProbeClient().probe(try Self.request("/bad"), timeout: .seconds(2)) == .failure("HTTP probe failed with statuscode: 500"))
    }

    @Test func httpProbeFollowsRedirectToSameHost() async throws {
        #expect(await HTTPProbeClient().probe(try Self.request("/local-redirect"), timeout: .seconds(2)) == .success(output: "fine"))
    }

    @Test func httpProbeStopsAtRedirectToOtherHostWithWarning() async throws {
        let result = await HTTPProbeClient().probe(try Self.request("/remote-redirect"), timeout: .seconds(2))
        #expect(result == .warning("Probe terminated redirects, Response body: moved"))
        #expect(result.passed)
    }

    @Test func httpProbeGivesUpAfterTenRedirects() async throws {
        let result = await HTTPProbeClient().probe(try Self.request("/loop"), timeout: .seconds(5))
        guard case .failure(let message) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(message.hasSuffix("stopped after 10 redirects"))
    }

    /// `/slow` answers 200 after 3 s: a probe that passed would mean the timeout was not kept.
    @Test func httpProbeTimesOut() async throws {
        let result = await HTTPProbeClient().probe(try Self.request("/slow"), timeout: .milliseconds(300))
        guard case .failure(let message) = result else {
            Issue.record("expected a timeout failure, got \(result)")
            return
        }
        #expect(message.contains("timeout"), "\(message)")
    }

    @Test func httpProbeSendsUserAgentAcceptAndCustomHeadersWithHostOverride() async throws {
        let request = try Self.request("/headers", headers: [(name: "X-Custom", value: "yes"), (name: "Host", value: "example.test")])
        let response = try await HTTPProbeClient().get(request, timeout: .seconds(2)).get()
        #expect(response.body.contains("GET /headers HTTP/1.1\r\n"))
        #expect(response.body.contains("Host: example.test\r\n"))
        #expect(response.body.contains("User-Agent: kube-probe/"))
        #expect(response.body.contains("Accept: */*\r\n"))
        #expect(response.body.contains("X-Custom: yes\r\n"))
    }

    @Test func httpProbeReadsChunkedBody() async throws {
        #expect(await HTTPProbeClient().probe(try Self.request("/chunked"), timeout: .seconds(2)) == .success(output: "abcdefg"))
    }

    @Test func httpsProbeIsReportedUnsupportedNotPassed() async throws {
        let request = HTTPProbeRequest(scheme: "HTTPS", host: "127.0.0.1", port: try Self.server.get().port, path: "/ok")
        #expect(!(await HTTPProbeClient().probe(request, timeout: .seconds(1))).passed)
    }

    @Test func tcpProbeSucceedsOnListeningPortAndFailsOnClosedOne() async throws {
        let prober = Prober(runtime: FakeContainerRuntime())
        let open = await prober.run(.tcpSocket(host: "127.0.0.1", port: try Self.server.get().port), containerID: "", timeout: .seconds(1))
        #expect(open == .success(output: ""))
        let closedPort = try Self.closedPort()
        let closed = await prober.run(.tcpSocket(host: "127.0.0.1", port: closedPort), containerID: "", timeout: .seconds(1))
        #expect(closed == .failure("dial tcp 127.0.0.1:\(closedPort): connect: Connection refused"))
    }

    /// A port nobody listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let fd = try TestHTTPServer.listen(host: "127.0.0.1")
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A running container of the fake runtime.
    static func runningContainer(_ runtime: FakeContainerRuntime) async throws -> String {
        let sandboxConfig = PodSandboxConfig(metadata: PodSandboxMetadata(name: "p", uid: "u", namespace: "default"))
        let sandbox = try await runtime.runPodSandbox(sandboxConfig, runtimeHandler: "")
        let config = ContainerConfig(
            metadata: ContainerMetadata(name: "c"), image: ImageSpec("busybox"), command: ["sleep", "1000"])
        let id = try await runtime.createContainer(podSandboxID: sandbox, config: config, sandboxConfig: sandboxConfig)
        try await runtime.startContainer(id: id)
        return id
    }

    @Test func execProbeUsesRuntimeExecSyncExitStatusAndTimeout() async throws {
        let runtime = FakeContainerRuntime()
        let id = try await Self.runningContainer(runtime)
        let prober = Prober(runtime: runtime)
        #expect(await prober.run(.exec(command: ["echo", "healthy"]), containerID: id, timeout: .seconds(1)) == .success(output: "healthy\n"))
        #expect(await prober.run(.exec(command: ["sh", "-c", "exit 3"]), containerID: id, timeout: .seconds(1)) == .failure("command [sh -c exit 3] exited with 3"))
        #expect(await prober.run(.exec(command: ["sleep", "60"]), containerID: id, timeout: .seconds(1)) == .failure("command [sleep 60] timed out"))
    }

    @Test func probeActionResolvesNamedPortDefaultHostAndPath() throws {
        let container = CoreV1.Container(name: "web", ports: [CoreV1.ContainerPort(containerPort: 8080, name: "http")])
        let probe = CoreV1.Probe(httpGet: CoreV1.HTTPGetAction(path: "healthz?full=1", port: .string("http")))
        let action = try ProbeAction(probe: probe, container: container, podIP: "10.88.0.7")
        #expect(action == .httpGet(HTTPProbeRequest(host: "10.88.0.7", port: 8080, path: "/healthz?full=1")))
        #expect(throws: ProbeConfigError.self) {
            try ProbeAction(probe: CoreV1.Probe(tcpSocket: CoreV1.TCPSocketAction(port: .string("nope"))), container: container, podIP: "10.88.0.7")
        }
    }

    @Test func probeSettingsTakeUpstreamDefaults() {
        #expect(ProbeSettings(CoreV1.Probe()) == ProbeSettings(period: .seconds(10), timeout: .seconds(1), successThreshold: 1, failureThreshold: 3))
        let custom = ProbeSettings(CoreV1.Probe(failureThreshold: 5, initialDelaySeconds: 4, periodSeconds: 2, successThreshold: 2, terminationGracePeriodSeconds: 7, timeoutSeconds: 3))
        #expect(custom == ProbeSettings(initialDelay: .seconds(4), period: .seconds(2), timeout: .seconds(3), successThreshold: 2, failureThreshold: 5, terminationGracePeriodSeconds: 7))
    }
}

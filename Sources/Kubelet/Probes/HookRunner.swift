import ContainerRuntime
import KubeAPI

/// Runs a container's postStart and preStop hooks (exec, httpGet, sleep) as upstream's
/// `lifecycle.handlerRunner` does. A failed postStart hook makes the kubelet kill the container;
/// a failed preStop hook is reported and termination goes on.
public struct HookRunner: Sendable {
    /// Which hook.
    public enum Hook: String, Sendable {
        case postStart = "PostStart"
        case preStop = "PreStop"

        /// The event reason of a failure (`FailedPostStartHook`, `FailedPreStopHook`).
        public var failureReason: String { "Failed\(rawValue)Hook" }
    }

    /// A failed hook: the event reason and upstream's message.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var message: String
        public var description: String { message }
    }

    public var runtime: any RuntimeService
    public var http: HTTPProbeClient

    public init(runtime: any RuntimeService, http: HTTPProbeClient = HTTPProbeClient()) {
        self.runtime = runtime
        self.http = http
    }

    /// Runs `hook` of `container` (if it has one) in the container with `containerID`.
    ///
    /// - Parameter deadline: how long the hook may take; `nil` for no limit (postStart). A
    ///   preStop hook gets what is left of the termination grace period.
    /// - Throws: `Failure` naming the hook, container and pod, with upstream's wording.
    public func run(
        _ hook: Hook, pod: CoreV1.Pod, container: CoreV1.Container, containerID: String, podIP: String, deadline: Duration? = nil
    ) async throws(Failure) {
        let handler: CoreV1.LifecycleHandler? =
            switch hook {
            case .postStart: container.lifecycle?.postStart
            case .preStop: container.lifecycle?.preStop
            }
        guard let handler else { return }
        let podName = "\(pod.metadata?.name ?? "")_\(pod.metadata?.namespace ?? "")(\(pod.metadata?.uid ?? ""))"
        let action: ProbeAction
        do {
            action = try ProbeAction(handler: handler, container: container, podIP: podIP)
        } catch {
            throw Failure(reason: hook.failureReason, message: "\(hook.rawValue) hook of container \"\(container.name)\" in pod \"\(podName)\": \(error)")
        }
        switch action {
        case .exec(let command):
            let seconds = deadline.map { max(1, $0.components.seconds) } ?? 0
            let failure: String
            var output = ""
            do {
                let result = try await runtime.execSync(containerID: containerID, command: command, timeout: seconds)
                if result.exitCode == 0 { return }
                output = result.stdoutText + result.stderrText
                failure = "command '\(command.joined(separator: " "))' exited with \(result.exitCode): \(result.stderrText)"
            } catch {
                failure = String(describing: error)
            }
            throw Failure(
                reason: hook.failureReason,
                message: "Exec lifecycle hook (\(Prober.quoted(command))) for Container \"\(container.name)\" in Pod \"\(podName)\" failed - error: \(failure), message: \"\(output)\"")
        case .httpGet(let request):
            if case .failure(let error) = await http.get(request, timeout: deadline ?? .seconds(3600)) {
                throw Failure(
                    reason: hook.failureReason,
                    message: "HTTP lifecycle hook (\(request.path)) for Container \"\(container.name)\" in Pod \"\(podName)\" failed - error: \(error)")
            }
        case .sleep(let seconds):
            let wanted = Duration.seconds(seconds)
            let limited = deadline.map { min($0, wanted) } ?? wanted
            do {
                try await Task.sleep(for: limited)
            } catch {
                throw Failure(reason: hook.failureReason, message: "container terminated before sleep hook finished")
            }
        case .tcpSocket, .grpc:
            // tcpSocket hooks are accepted by the API for compatibility and never run upstream.
            return
        }
    }
}

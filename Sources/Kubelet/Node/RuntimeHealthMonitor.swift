import ContainerRuntime
import Logging
import ServiceLifecycle

/// Polls the runtime's CRI status and turns it into the runtime and network problems the Ready
/// condition reports, as upstream's `updateRuntimeUp` and `runtimeState` do: every 5 s ask for
/// the status; `NetworkReady` false or missing is `container runtime network not ready: …`;
/// `RuntimeReady` false or missing is `container runtime not ready: …`; no successful check yet
/// is `container runtime status check may not have completed yet`; none for 2 minutes is
/// `container runtime is down`.
public actor RuntimeHealthMonitor: Service {
    /// Upstream's polling period and the age after which the runtime counts as down.
    public static let period: Duration = .seconds(5)
    public static let downThreshold: Duration = .seconds(120)

    private let status: @Sendable () async throws -> RuntimeStatus
    private let clock: any KubeletClock
    private let sleeper: any LoopSleeper
    private let logger: Logger
    private var lastSync: Int64?
    private var runtimeError: String?
    private var networkError: String?

    /// Creates a monitor over a runtime's `status()`.
    public init(
        status: @escaping @Sendable () async throws -> RuntimeStatus, clock: any KubeletClock = SystemKubeletClock(),
        sleeper: any LoopSleeper = TaskLoopSleeper(), logger: Logger = Logger(label: "swiftlet.runtime-health")
    ) {
        self.status = status
        self.clock = clock
        self.sleeper = sleeper
        self.logger = logger
    }

    /// Checks every `period` until cancelled.
    public func run() async throws {
        try await runUntilShutdown {
            while !Task.isCancelled {
                await self.check()
                try await self.sleeper.sleep(for: Self.period)
            }
        }
    }

    /// One status check.
    public func check() async {
        let current: RuntimeStatus
        do {
            current = try await status()
        } catch {
            logger.error("container runtime sanity check failed", metadata: ["error": "\(error)"])
            return
        }
        let network = current.condition(RuntimeCondition.networkReady)
        networkError = network?.status == true ? nil : "container runtime network not ready: " + Self.describe(network)
        let runtime = current.condition(RuntimeCondition.runtimeReady)
        guard runtime?.status == true else {
            runtimeError = "container runtime not ready: " + Self.describe(runtime)
            return
        }
        runtimeError = nil
        lastSync = clock.nowNanoseconds()
    }

    /// The problems now, for `NodeHealth`.
    public func problems() -> (runtime: [String], network: [String]) {
        var runtime: [String] = []
        if let lastSync {
            if clock.nowNanoseconds() - lastSync >= NodeTime.nanoseconds(Self.downThreshold) { runtime.append("container runtime is down") }
        } else {
            runtime.append("container runtime status check may not have completed yet")
        }
        if let runtimeError { runtime.append(runtimeError) }
        return (runtime, networkError.map { [$0] } ?? [])
    }

    /// A health snapshot with these problems and no pressure.
    public func health() -> NodeHealth {
        let (runtime, network) = problems()
        return NodeHealth(runtimeErrors: runtime, networkErrors: network)
    }

    /// How upstream prints a runtime condition: `NetworkReady=false reason:… message:…`, or `<nil>`.
    static func describe(_ condition: RuntimeCondition?) -> String {
        guard let condition else { return "<nil>" }
        return "\(condition.type)=\(condition.status) reason:\(condition.reason) message:\(condition.message)"
    }
}

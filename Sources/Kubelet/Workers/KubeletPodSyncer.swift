import ContainerRuntime
import KubeAPI
import Logging

/// The kubelet's `PodSyncHandler`: reads the runtime, applies `PodActions` through the
/// `RuntimeManager`, generates the status and records what a person should know.
struct KubeletPodSyncer: PodSyncHandler {
    let manager: RuntimeManager
    let statuses: PodStatusStore
    let events: EventRecorder
    let generator: PodStatusGenerator
    let clock: any KubeletClock
    let logger: Logger
    /// The probe workers' results.
    let probeResults: ProbeResults
    /// Told when a pod being deleted in the API has stopped and been cleaned up.
    var statusManager: PodStatusManager? = nil

    func syncPod(_ pod: CoreV1.Pod) async -> PodSyncOutcome {
        let uid = pod.metadata?.uid ?? ""
        let name = pod.metadata?.name ?? ""
        let namespace = pod.metadata?.namespace ?? ""
        let fullName = "\(namespace)/\(name)"
        let before: RuntimePodStatus
        do {
            before = try await manager.podStatus(uid: uid, name: name, namespace: namespace)
        } catch {
            logger.error("cannot read the pod's runtime status", metadata: ["pod": "\(fullName)", "error": "\(error)"])
            return PodSyncOutcome(requeueAfter: .seconds(1))
        }
        let previous = await statuses.pod(uid: uid)?.status
        // A pod that already finished stays finished (upstream never runs it again).
        if let phase = previous?.phase, phase == "Succeeded" || phase == "Failed" {
            return PodSyncOutcome(isTerminal: true)
        }
        let (probeStates, livenessFailed) = Self.probeStates(pod, before, probeResults)
        let result = await manager.syncPod(
            pod, status: before, livenessFailed: livenessFailed, started: { probeStates.started[$0.id] ?? true })
        for (container, error) in result.containerErrors.sorted(by: { $0.key < $1.key }) {
            let reason = error.reason == ContainerSyncError.crashLoopBackOff || error.reason == ContainerSyncError.imagePullBackOff ? "BackOff" : "Failed"
            let message = error.reason == ContainerSyncError.crashLoopBackOff ? "Back-off restarting failed container \(container) in pod \(fullName)" : "Error: \(error.reason): \(error.message)"
            await events.record(KubeletEvent(kind: .warning, reason: reason, object: fullName, message: message, uid: uid))
        }
        if let volumeError = result.volumeError {
            await events.record(KubeletEvent(kind: .warning, reason: "FailedMount", object: fullName, message: volumeError, uid: uid))
        }
        if let sandboxError = result.sandboxError {
            await events.record(KubeletEvent(kind: .warning, reason: "FailedCreatePodSandBox", object: fullName, message: sandboxError, uid: uid))
        }
        let after = (try? await manager.podStatus(uid: uid, name: name, namespace: namespace)) ?? before
        if result.volumeError == nil, after.hasRunningContainers { await refreshVolumes(pod, podIPs: after.ips) }
        let status = generator.generate(
            pod: pod, runtime: after, sync: result, probes: Self.probeStates(pod, after, probeResults).0, previous: previous,
            now: Self.time(clock.nowNanoseconds()))
        await statuses.set(pod, status: status)
        let terminal = status.phase == "Succeeded" || status.phase == "Failed"
        var requeue = result.requeueAfter
        if result.sandboxError != nil { requeue = requeue ?? .seconds(1) }
        return PodSyncOutcome(isTerminal: terminal, requeueAfter: requeue)
    }

    /// Rewrites the ConfigMap, Secret, downwardAPI and projected volumes of a running pod, so a
    /// changed object or a refreshed token reaches it (upstream remounts them on every sync); the
    /// atomic writer leaves unchanged contents alone.
    private func refreshVolumes(_ pod: CoreV1.Pod, podIPs: [String]) async {
        let volumes = pod.spec?.volumes ?? []
        guard let manager = manager.settings.volumes,
            volumes.contains(where: { $0.configMap != nil || $0.secret != nil || $0.projected != nil || $0.downwardAPI != nil })
        else { return }
        let referenced = await ReferencedObjects.fetch(for: pod, from: await self.manager.objects())
        let prepared = manager.setUp(pod: pod, objects: referenced, fields: PodFieldValues(pod: pod, podIPs: podIPs))
        if !prepared.isComplete {
            logger.warning("cannot refresh the pod's volumes", metadata: ["pod": "\(PodConfig.fullName(pod))", "error": "\(prepared.failureMessage)"])
        }
    }

    func syncTerminatingPod(_ pod: CoreV1.Pod, gracePeriod: Int64?) async {
        let uid = pod.metadata?.uid ?? ""
        let name = pod.metadata?.name ?? ""
        let namespace = pod.metadata?.namespace ?? ""
        guard let status = try? await manager.podStatus(uid: uid, name: name, namespace: namespace) else { return }
        if status.hasRunningContainers || status.sandboxes.contains(where: { $0.state == .ready }) {
            // Upstream says this once per container ("Stopping container NAME"); one per pod here.
            await events.record(KubeletEvent(
                kind: .normal, reason: "Killing", object: "\(namespace)/\(name)", message: "Stopping pod", uid: uid))
        }
        await manager.killPod(pod, status: status, gracePeriod: gracePeriod)
        if let stopped = try? await manager.podStatus(uid: uid, name: name, namespace: namespace) {
            let previous = await statuses.pod(uid: uid)?.status
            var generated = generator.generate(
                pod: pod, runtime: stopped, sync: PodSyncResult(), previous: previous, now: Self.time(clock.nowNanoseconds()))
            if let phase = previous?.phase, phase == "Succeeded" || phase == "Failed" {
                generated.phase = phase
            } else if APIPodSource.isAPIPod(pod), let terminal = Self.terminalPhase(pod, generated) {
                generated.phase = terminal
            }
            await statuses.set(pod, status: generated)
        }
    }

    func syncTerminatedPod(_ pod: CoreV1.Pod, removed: Bool) async {
        // A pod deleted in the API is cleaned up now, keeping its final status, so the status
        // manager can delete it from the API (upstream's `PodResourcesAreReclaimed`).
        let deleting = pod.metadata?.deletionTimestamp != nil
        guard removed || deleting else { return }
        let uid = pod.metadata?.uid ?? ""
        if let status = try? await manager.podStatus(uid: uid, name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "") {
            await manager.removePod(status: status)
        }
        if removed {
            await statuses.remove(uid: uid)
        } else {
            await statusManager?.podResourcesReclaimed(uid: uid)
        }
    }

    /// Readiness and startup of each running container, and the containers whose liveness or
    /// startup probe failed, from the probe workers' results. A container without a readiness
    /// probe is left to the default (ready when running), one without a startup probe is started.
    static func probeStates(_ pod: CoreV1.Pod, _ status: RuntimePodStatus, _ results: ProbeResults) -> (PodStatusGenerator.ProbeStates, Set<String>) {
        var states = PodStatusGenerator.ProbeStates()
        var failed: Set<String> = []
        let containers = (pod.spec?.containers ?? []) + (pod.spec?.initContainers ?? [])
        for container in containers {
            guard let latest = status.latest(container.name), latest.state == .running else { continue }
            if container.startupProbe != nil {
                let startup = results.status(containerID: latest.id, kind: .startup)
                states.started[latest.id] = startup == .success
                if startup == .failure { failed.insert(latest.id) }
            }
            if container.readinessProbe != nil {
                states.ready[latest.id] = results.status(containerID: latest.id, kind: .readiness) == .success
            }
            if container.livenessProbe != nil, results.status(containerID: latest.id, kind: .liveness) == .failure {
                failed.insert(latest.id)
            }
        }
        return (states, failed)
    }

    /// The phase of a stopped pod that will not run again (upstream's `getPhase` with
    /// `podIsTerminal`, which static pods do not get): Succeeded when every regular container
    /// stopped with exit code 0, Failed when one did not; nil while a container runs, has no
    /// status, or none ever ran.
    static func terminalPhase(_ pod: CoreV1.Pod, _ status: CoreV1.PodStatus) -> String? {
        var stopped = 0
        var succeeded = 0
        for container in pod.spec?.containers ?? [] {
            guard let state = (status.containerStatuses ?? []).first(where: { $0.name == container.name }) else { return nil }
            if state.state?.running != nil { return nil }
            if let terminated = state.state?.terminated {
                stopped += 1
                if terminated.exitCode == 0 { succeeded += 1 }
            } else if state.lastState?.terminated != nil {
                stopped += 1
            } else {
                return nil
            }
        }
        guard stopped > 0 else { return nil }
        return stopped == succeeded ? "Succeeded" : "Failed"
    }

    static func time(_ nanoseconds: Int64) -> MetaV1.Time {
        MetaV1.Time(secondsSinceEpoch: nanoseconds / 1_000_000_000)
    }
}

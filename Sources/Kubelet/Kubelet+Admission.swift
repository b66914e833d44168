import KubeAPI

extension Kubelet {
    /// The pods admission counts against a newcomer: desired, not rejected, not finished.
    func admittedPods() async -> [CoreV1.Pod] {
        var result: [CoreV1.Pod] = []
        for (uid, pod) in desired where !rejected.contains(uid) {
            if await workers.lifecycle(of: uid) == .terminated { continue }
            if let phase = await statuses.pod(uid: uid)?.status?.phase, phase == "Succeeded" || phase == "Failed" { continue }
            result.append(pod)
        }
        return result
    }

    /// Decides whether a new pod may run (upstream's `canAdmitPod`); a rejected pod is never
    /// started: it gets upstream's status (phase Failed, the reason, `Pod was rejected: …`) and a
    /// warning event. Returns whether the pod was admitted.
    func admitOrReject(_ pod: CoreV1.Pod, admitted: [CoreV1.Pod]) async -> Bool {
        guard let admission = settings.admission else { return true }
        let decision = admission.decide(pod, admitted: admitted)
        guard case .reject(let reason, let message) = decision else { return true }
        let uid = pod.metadata?.uid ?? ""
        rejected.insert(uid)
        logger.warning("pod rejected by admission", metadata: ["pod": "\(PodConfig.fullName(pod))", "reason": "\(reason)", "message": "\(message)"])
        await events.record(KubeletEvent(kind: .warning, reason: reason, object: PodConfig.fullName(pod), message: message))
        var status = CoreV1.PodStatus()
        status.phase = "Failed"
        status.reason = reason
        status.message = decision.statusMessage
        status.qosClass = QOSClass(pod: pod).rawValue
        await statuses.set(pod, status: status)
        await statusManager?.podResourcesReclaimed(uid: uid)
        return false
    }
}

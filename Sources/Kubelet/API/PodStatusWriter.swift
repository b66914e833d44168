import KubeAPI

/// Writes pod status to the API server and deletes finished pods; the agent implements it over
/// its API client.
public protocol PodStatusWriter: Sendable {
    /// Sends `patch` as a strategic-merge patch to the pod's `status` subresource
    /// (`PATCH /api/v1/namespaces/<ns>/pods/<name>/status`).
    ///
    /// - Throws: `APIWriteError.notFound` when the pod is gone, `.conflict` when the UID
    ///   precondition in the patch failed, anything else for other failures (retried later).
    func patchPodStatus(namespace: String, name: String, patch: JSONValue) async throws
    /// Deletes the pod with `gracePeriodSeconds` and the UID precondition.
    ///
    /// - Throws: as `patchPodStatus`.
    func deletePod(namespace: String, name: String, uid: String, gracePeriodSeconds: Int64) async throws
}

/// The failures of an API write that the kubelet treats specially.
public enum APIWriteError: Error, Sendable, Equatable {
    /// 404: the object does not exist (any more).
    case notFound
    /// 409: the UID precondition or resource version did not match.
    case conflict
}

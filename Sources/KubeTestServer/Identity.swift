/// Who made a request, as the authenticators establish it.
struct Identity: Sendable, Hashable {
    var user: String
    var groups: [String]

    static let anonymous = Identity(user: "system:anonymous", groups: ["system:unauthenticated"])

    var isAnonymous: Bool { user == "system:anonymous" }
    var isBootstrapper: Bool { groups.contains("system:bootstrappers") }

    /// Whether this identity may do `verb` on `resource` (`name` in `namespace`): bootstrap
    /// identities only the CSR calls and cluster-info, anonymous only cluster-info and the health
    /// and version endpoints, everyone else everything.
    func may(_ verb: String, _ resource: ResourceType?, namespace: String?, name: String?) -> Bool {
        guard let resource else { return true }
        let clusterInfo = resource == .configMaps && namespace == "kube-public" && name == "cluster-info" && verb == "get"
        if isAnonymous { return clusterInfo }
        if isBootstrapper && !groups.contains("system:nodes") && !groups.contains("system:masters") {
            if clusterInfo { return true }
            return resource == .certificateSigningRequests && ["create", "get", "list", "watch"].contains(verb)
        }
        return true
    }
}

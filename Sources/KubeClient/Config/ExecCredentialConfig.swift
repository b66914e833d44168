/// A user's `exec` credential plugin (`client.authentication.k8s.io/v1`): a command whose
/// standard output is an `ExecCredential` carrying a token or a client certificate.
public struct ExecCredentialConfig: Sendable, Hashable {
    /// `client.authentication.k8s.io/v1`.
    public static let v1 = "client.authentication.k8s.io/v1"
    /// `client.authentication.k8s.io/v1beta1`, still accepted by kubectl.
    public static let v1beta1 = "client.authentication.k8s.io/v1beta1"

    /// The command (a path, or a name looked up in `PATH`; relative paths resolve against the
    /// kubeconfig's directory as kubectl does).
    public var command: String
    /// Its arguments.
    public var args: [String]
    /// Variables added to the agent's environment.
    public var env: [(name: String, value: String)]
    /// The ExecCredential version exchanged.
    public var apiVersion: String
    /// Whether `spec.cluster` is passed in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool
    /// Shown when the command is missing.
    public var installHint: String?

    /// A plugin from its parts.
    public init(
        command: String, args: [String] = [], env: [(name: String, value: String)] = [], apiVersion: String = v1,
        provideClusterInfo: Bool = false, installHint: String? = nil
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.provideClusterInfo = provideClusterInfo
        self.installHint = installHint
    }

    public static func == (lhs: ExecCredentialConfig, rhs: ExecCredentialConfig) -> Bool {
        lhs.command == rhs.command && lhs.args == rhs.args && lhs.env.map(\.name) == rhs.env.map(\.name)
            && lhs.env.map(\.value) == rhs.env.map(\.value) && lhs.apiVersion == rhs.apiVersion
            && lhs.provideClusterInfo == rhs.provideClusterInfo && lhs.installHint == rhs.installHint
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(command)
        hasher.combine(args)
        hasher.combine(env.map(\.name))
        hasher.combine(apiVersion)
    }
}

/// One attachment of a network to a sandbox, as CNI 1.1's GC names it in
/// `cni.dev/valid-attachments`: the container (sandbox) id and the interface inside it.
public struct CNIAttachment: Sendable, Hashable, Comparable {
    /// The sandbox id (`CNI_CONTAINERID` at ADD).
    public var containerID: String
    /// The interface name inside the sandbox (`CNI_IFNAME` at ADD).
    public var interfaceName: String

    /// An attachment of `containerID` on `interfaceName`.
    public init(containerID: String, interfaceName: String = "eth0") {
        self.containerID = containerID
        self.interfaceName = interfaceName
    }

    public static func < (lhs: CNIAttachment, rhs: CNIAttachment) -> Bool {
        (lhs.containerID, lhs.interfaceName) < (rhs.containerID, rhs.interfaceName)
    }
}

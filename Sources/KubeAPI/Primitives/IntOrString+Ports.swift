// Resolving a probe's or Service's port, given by number or by a container port's name, as the
// kubelet's prober does (ResolveContainerPort).

extension IntOrString {
    /// Why a port could not be resolved.
    public struct PortResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The port number: the integer itself, or the `containerPort` of the port named so in
    /// `ports`, or a string of digits read as a number. The result must be 1-65535.
    ///
    /// - Throws: ``PortResolutionError`` naming the port that was not found or is out of range.
    public func resolvedPort(in ports: [CoreV1.ContainerPort]) throws(PortResolutionError) -> Int {
        let port: Int
        switch self {
        case .int(let number):
            port = Int(number)
        case .string(let name):
            if let match = ports.first(where: { $0.name == name }) {
                port = Int(match.containerPort)
            } else if let number = Int(name) {
                port = number
            } else {
                throw PortResolutionError(description: "port \"\(name)\" not found; expected a port number or the name of a container port")
            }
        }
        guard port > 0 && port < 65536 else {
            throw PortResolutionError(description: "invalid port number: \(port); expected 1-65535")
        }
        return port
    }
}

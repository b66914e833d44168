/// CRI `RuntimeStatus`: a list of conditions, of which `RuntimeReady` and `NetworkReady` are required.
public struct RuntimeStatus: Sendable, Equatable {
    public var conditions: [RuntimeCondition]

    public init(conditions: [RuntimeCondition]) { self.conditions = conditions }

    /// The condition of this type, if reported.
    public func condition(_ type: String) -> RuntimeCondition? { conditions.first { $0.type == type } }
}

/// One runtime condition (CRI `RuntimeCondition`).
public struct RuntimeCondition: Sendable, Equatable {
    /// `RuntimeReady` and `NetworkReady` are the condition types CRI requires.
    public static let runtimeReady = "RuntimeReady"
    public static let networkReady = "NetworkReady"

    public var type: String
    public var status: Bool
    public var reason: String
    public var message: String

    public init(type: String, status: Bool, reason: String = "", message: String = "") {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
    }
}

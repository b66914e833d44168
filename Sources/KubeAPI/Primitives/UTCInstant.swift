// The instant behind the Kubernetes time types, in whole seconds and nanoseconds.

/// An instant as whole seconds since 1970-01-01T00:00:00Z plus nanoseconds.
struct UTCInstant: Sendable, Hashable, Comparable {
    var seconds: Int64
    var nanoseconds: Int32

    static func < (lhs: UTCInstant, rhs: UTCInstant) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }
}

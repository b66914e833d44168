import KubeAPI

/// Conversions from the kubelet clock's nanoseconds to the API's time types.
enum NodeTime {
    /// A `Time` at whole seconds, as it reads back from the server.
    static func time(_ nanoseconds: Int64) -> MetaV1.Time {
        MetaV1.Time(secondsSinceEpoch: floorDiv(nanoseconds, 1_000_000_000))
    }

    /// A `MicroTime` at whole microseconds, as it reads back from the server.
    static func microTime(_ nanoseconds: Int64) -> MetaV1.MicroTime {
        let seconds = floorDiv(nanoseconds, 1_000_000_000)
        let micros = (nanoseconds - seconds * 1_000_000_000) / 1000
        return MetaV1.MicroTime(secondsSinceEpoch: seconds, nanoseconds: Int32(micros * 1000))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

// Conversions between the Kubernetes time types and Foundation's Date.

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension MetaV1.Time {
    /// The instant of `date`, to the nanosecond as far as a Double carries it.
    public init(_ date: Date) {
        let instant = UTCInstant(date)
        self.init(secondsSinceEpoch: instant.seconds, nanoseconds: instant.nanoseconds)
    }

    /// The current time.
    public static func now() -> MetaV1.Time { MetaV1.Time(Date()) }

    /// The instant as a Date.
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanoseconds) / 1e9)
    }
}

extension MetaV1.MicroTime {
    /// The instant of `date`, to the nanosecond as far as a Double carries it.
    public init(_ date: Date) {
        let instant = UTCInstant(date)
        self.init(secondsSinceEpoch: instant.seconds, nanoseconds: instant.nanoseconds)
    }

    /// The current time.
    public static func now() -> MetaV1.MicroTime { MetaV1.MicroTime(Date()) }

    /// The instant as a Date.
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanoseconds) / 1e9)
    }
}

extension UTCInstant {
    init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        var nanos = ((interval - whole) * 1e9).rounded()
        var seconds = Int64(whole)
        if nanos >= 1e9 {
            nanos -= 1e9
            seconds += 1
        }
        self.init(seconds: seconds, nanoseconds: Int32(nanos))
    }
}

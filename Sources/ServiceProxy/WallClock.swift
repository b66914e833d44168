import Glibc

/// Wall-clock time in seconds since the epoch, for timestamps people and Prometheus read
/// (`lastUpdated`, `*_timestamp_seconds`). Durations are measured with `ContinuousClock`.
public enum WallClock {
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// The time as Go prints a UTC `time.Time` (`2006-01-02 15:04:05.999999999 +0000 UTC`),
    /// which upstream's `/healthz` body quotes.
    public static func goFormat(_ seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        var nanoseconds = Int((seconds - seconds.rounded(.down)) * 1e9)
        if nanoseconds > 0 {
            var digits = String(nanoseconds)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
            nanoseconds = 0
        }
        return text + " +0000 UTC"
    }
}

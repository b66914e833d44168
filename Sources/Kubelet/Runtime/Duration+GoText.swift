extension Duration {
    /// The duration as Go's `time.Duration.String()` writes it in event messages: `1.5s`,
    /// `250ms`, `2m3.5s`, trailing zeros dropped.
    var goText: String {
        let (seconds, attoseconds) = components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        if nanoseconds == 0 { return "0s" }
        if nanoseconds < 1_000 { return "\(nanoseconds)ns" }
        if nanoseconds < 1_000_000 { return Self.decimal(nanoseconds, unit: 1_000, digits: 3) + "µs" }
        if nanoseconds < 1_000_000_000 { return Self.decimal(nanoseconds, unit: 1_000_000, digits: 6) + "ms" }
        let minutes = nanoseconds / 60_000_000_000
        let rest = Self.decimal(nanoseconds % 60_000_000_000, unit: 1_000_000_000, digits: 9) + "s"
        return minutes == 0 ? rest : (minutes >= 60 ? "\(minutes / 60)h\(minutes % 60)m" : "\(minutes)m") + rest
    }

    /// `value / unit` with up to `digits` decimals, trailing zeros (and a bare point) removed.
    private static func decimal(_ value: Int64, unit: Int64, digits: Int) -> String {
        let whole = value / unit
        var fraction = String(value % unit)
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}

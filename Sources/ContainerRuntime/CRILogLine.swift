/// One line of a container log file in the CRI format, as kubelet's `kuberuntime/logs` reads it:
/// `<RFC 3339 time with nanoseconds> <stdout|stderr> <F|P> <content>`.
///
/// `P` marks a piece of a longer line (the writer splits lines over its buffer size, 16 KiB); the
/// line ends with the next `F` piece of the same stream.
public struct CRILogLine: Sendable, Equatable {
    /// The size at which writers split a line into `P` pieces.
    public static let maximumPieceBytes = 16 * 1024

    /// Nanoseconds since the Unix epoch.
    public var timestamp: Int64
    public var channel: OutputChannel
    /// `true` for a `P` (partial) piece.
    public var isPartial: Bool
    /// The content without the trailing newline.
    public var content: [UInt8]

    public init(timestamp: Int64, channel: OutputChannel, isPartial: Bool, content: [UInt8]) {
        self.timestamp = timestamp
        self.channel = channel
        self.isPartial = isPartial
        self.content = content
    }

    /// The content decoded as UTF-8.
    public var text: String { String(decoding: content, as: UTF8.self) }

    /// The line as written to the file, with its trailing newline.
    public var encoded: [UInt8] {
        var bytes = Array(Self.formatTimestamp(timestamp).utf8)
        bytes.append(0x20)
        bytes += Array((channel == .stdout ? "stdout" : "stderr").utf8)
        bytes += [0x20, isPartial ? UInt8(ascii: "P") : UInt8(ascii: "F"), 0x20]
        bytes += content
        bytes.append(0x0A)
        return bytes
    }

    /// Parses one line (without or with its trailing newline). Returns `nil` for a malformed line.
    public static func parse(_ line: some Collection<UInt8>) -> CRILogLine? {
        var bytes = Array(line)
        if bytes.last == 0x0A { bytes.removeLast() }
        let fields = bytes.split(separator: 0x20, maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count >= 3 else { return nil }
        guard let timestamp = parseTimestamp(String(decoding: fields[0], as: UTF8.self)) else { return nil }
        let channel: OutputChannel
        switch String(decoding: fields[1], as: UTF8.self) {
        case "stdout": channel = .stdout
        case "stderr": channel = .stderr
        default: return nil
        }
        let tag = String(decoding: fields[2], as: UTF8.self)
        guard tag == "F" || tag == "P" else { return nil }
        let content = fields.count == 4 ? Array(fields[3]) : []
        return CRILogLine(timestamp: timestamp, channel: channel, isPartial: tag == "P", content: content)
    }

    /// Every well-formed line of a log file's contents.
    public static func parseAll(_ contents: [UInt8]) -> [CRILogLine] {
        contents.split(separator: 0x0A).compactMap { parse($0) }
    }

    /// `2016-10-06T00:17:09.669794202Z` for a UTC time in nanoseconds since the epoch.
    public static func formatTimestamp(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        let fraction = nanoseconds % 1_000_000_000
        let days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 9))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (RFC 3339 in UTC, any number of fraction digits).
    public static func parseTimestamp(_ text: String) -> Int64? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let digit = utf8[index]
                guard digit >= 0x30, digit <= 0x39 else { return nil }
                value = value * 10 + Int64(digit - 0x30)
            }
            return value
        }
        guard utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[10] == UInt8(ascii: "T"),
            utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var nanos: Int64 = 0
        if utf8[19] == UInt8(ascii: ".") {
            let digits = utf8.count - 1 - 20
            guard digits >= 1, digits <= 9, let fraction = number(20..<(utf8.count - 1)) else { return nil }
            nanos = fraction
            for _ in digits..<9 { nanos *= 10 }
        } else if utf8.count != 20 {
            return nil
        }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000_000) + nanos
    }

    // Howard Hinnant's civil-from-days and days-from-civil algorithms (proleptic Gregorian).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

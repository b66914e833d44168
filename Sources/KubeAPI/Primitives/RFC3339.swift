// RFC 3339 date-times as Go's time package reads and writes them for metav1.Time and MicroTime:
// civil dates in the proleptic Gregorian calendar, offsets folded into UTC, no leap seconds.

/// Reading and writing `2006-01-02T15:04:05[.999999999](Z|±07:00)`.
enum RFC3339 {
    /// How many fractional-second digits the layout demands.
    enum Fraction {
        /// Any number (0-9) of digits, as Go accepts for layouts without a fraction.
        case optional
        /// Exactly this many digits.
        case exactly(Int)
    }

    /// Parses `2006-01-02T15:04:05[.999999999](Z|±07:00)`.
    static func parse(_ text: String, fraction: Fraction, layout: String) throws(TimeParseError) -> UTCInstant {
        let bytes = Array(text.utf8)
        var position = 0
        func fail(_ reason: String) -> TimeParseError {
            TimeParseError(text: text, reason: reason, expectedLayout: layout)
        }
        func digits(_ count: Int, _ name: String) throws(TimeParseError) -> Int {
            guard position + count <= bytes.count else { throw fail("\(name) missing") }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[position + offset]
                guard byte >= 0x30 && byte <= 0x39 else { throw fail("\(name) must be \(count) digits") }
                value = value * 10 + Int(byte - 0x30)
            }
            position += count
            return value
        }
        func literal(_ character: UInt8, after name: String) throws(TimeParseError) {
            guard position < bytes.count, bytes[position] == character else {
                throw fail("expected '\(Character(Unicode.Scalar(character)))' after \(name)")
            }
            position += 1
        }

        let year = try digits(4, "year")
        try literal(UInt8(ascii: "-"), after: "year")
        let month = try digits(2, "month")
        guard (1...12).contains(month) else { throw fail("month out of range") }
        try literal(UInt8(ascii: "-"), after: "month")
        let day = try digits(2, "day")
        guard day >= 1 && day <= daysIn(month: month, year: year) else { throw fail("day out of range") }
        try literal(UInt8(ascii: "T"), after: "date")
        let hour = try digits(2, "hour")
        guard hour < 24 else { throw fail("hour out of range") }
        try literal(UInt8(ascii: ":"), after: "hour")
        let minute = try digits(2, "minute")
        guard minute < 60 else { throw fail("minute out of range") }
        try literal(UInt8(ascii: ":"), after: "minute")
        let second = try digits(2, "second")
        guard second < 60 else { throw fail("second out of range") }

        var nanoseconds = 0
        var fractionDigits = 0
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            while position < bytes.count, bytes[position] >= 0x30 && bytes[position] <= 0x39 {
                if fractionDigits < 9 { nanoseconds = nanoseconds * 10 + Int(bytes[position] - 0x30) }
                fractionDigits += 1
                position += 1
            }
            guard fractionDigits > 0 else { throw fail("fractional seconds must have digits after '.'") }
            guard fractionDigits <= 9 else { throw fail("fractional seconds have more than 9 digits") }
            for _ in fractionDigits..<9 { nanoseconds *= 10 }
        }
        if case .exactly(let required) = fraction, fractionDigits != required {
            throw fail("fractional seconds must have exactly \(required) digits")
        }

        var offsetSeconds = 0
        guard position < bytes.count else { throw fail("time zone missing") }
        switch bytes[position] {
        case UInt8(ascii: "Z"):
            position += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = bytes[position] == UInt8(ascii: "-") ? -1 : 1
            position += 1
            let offsetHours = try digits(2, "offset hours")
            guard offsetHours < 24 else { throw fail("offset hours out of range") }
            try literal(UInt8(ascii: ":"), after: "offset hours")
            let offsetMinutes = try digits(2, "offset minutes")
            guard offsetMinutes < 60 else { throw fail("offset minutes out of range") }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        default:
            throw fail("time zone must be 'Z' or ±hh:mm")
        }
        guard position == bytes.count else { throw fail("extra text after the time zone") }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return UTCInstant(seconds: seconds, nanoseconds: Int32(nanoseconds))
    }

    /// Formats in UTC with `Z`, with `fractionDigits` digits of fraction (0 for none).
    static func format(_ instant: UTCInstant, fractionDigits: Int) -> String {
        let days = floorDivide(instant.seconds, 86_400)
        let secondOfDay = Int(instant.seconds - days * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T"
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fractionDigits > 0 {
            var fraction = Int(instant.nanoseconds)
            for _ in fractionDigits..<9 { fraction /= 10 }
            text += "." + pad(fraction, fractionDigits)
        }
        return text + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && value < 0) ? quotient - 1 : quotient
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the civil date (Howard Hinnant's days_from_civil).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count from 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

import KubeAPI

/// Collects value problems of a configuration document, each at its field path from the
/// document root; the loader adds file and line.
struct FieldChecks {
    private(set) var errors: [FieldError] = []

    mutating func fail(_ path: FieldPath, _ message: String) {
        errors.append(FieldError(path: path, message: message))
    }

    /// 0–65535, or 1–65535 when zero is not allowed.
    mutating func port(_ value: Int32, _ path: FieldPath, allowZero: Bool) {
        let lower: Int32 = allowZero ? 0 : 1
        if value < lower || value > 65535 {
            fail(path, "invalid port \(value): expected \(lower) to 65535")
        }
    }

    mutating func percent(_ value: Int32, _ path: FieldPath) {
        if value < 0 || value > 100 {
            fail(path, "invalid value \(value): expected a percentage from 0 to 100")
        }
    }

    mutating func atLeast<T: BinaryInteger>(_ value: T, _ minimum: T, _ path: FieldPath) {
        if value < minimum {
            fail(path, "invalid value \(value): must be at least \(minimum)")
        }
    }

    mutating func inRange<T: BinaryInteger>(_ value: T, _ range: ClosedRange<T>, _ path: FieldPath) {
        if !range.contains(value) {
            fail(path, "invalid value \(value): expected \(range.lowerBound) to \(range.upperBound)")
        }
    }

    mutating func nonNegative(_ value: GoDuration, _ path: FieldPath) {
        if value < .zero {
            fail(path, "invalid duration \(value): must not be negative")
        }
    }

    mutating func positive(_ value: GoDuration, _ path: FieldPath) {
        if value <= .zero {
            fail(path, "invalid duration \(value): must be greater than 0s")
        }
    }

    mutating func oneOf(_ value: String, _ allowed: [String], _ path: FieldPath) {
        if !allowed.contains(value) {
            errors.append(FieldError(path: path, message: FieldError.unsupportedValue(value, supported: allowed).message))
        }
    }

    mutating func ipAddress(_ value: String, _ path: FieldPath) {
        if !NetworkText.isIPAddress(value) {
            fail(path, "invalid IP address \(quotedText(value)): expected an IPv4 or IPv6 address such as 10.0.0.1")
        }
    }

    mutating func hostPort(_ value: String, _ path: FieldPath) {
        if !NetworkText.isHostPort(value) {
            fail(path, "invalid address \(quotedText(value)): expected IP:port such as 127.0.0.1:10249 or [::1]:10249")
        }
    }

    mutating func cidr(_ value: String, _ path: FieldPath) {
        if !NetworkText.isCIDR(value) {
            fail(path, "invalid CIDR \(quotedText(value)): expected an address and prefix length such as 10.88.0.0/16")
        }
    }

    mutating func absolutePath(_ value: String, _ path: FieldPath, allowEmpty: Bool = false) {
        if value.isEmpty && allowEmpty { return }
        if !value.hasPrefix("/") {
            fail(path, "invalid path \(quotedText(value)): expected an absolute path")
        }
    }

    mutating func quantity(_ value: String, _ path: FieldPath) {
        do {
            _ = try Quantity(parsing: value)
        } catch {
            fail(path, "invalid quantity \(quotedText(value)): \(error)")
        }
    }

    /// A quantity such as `100Mi` or a percentage such as `10%` (eviction thresholds).
    mutating func quantityOrPercentage(_ value: String, _ path: FieldPath) {
        if value.hasSuffix("%") {
            guard let percent = Double(value.dropLast()), percent >= 0, percent <= 100 else {
                fail(path, "invalid percentage \(quotedText(value)): expected 0% to 100%")
                return
            }
            return
        }
        quantity(value, path)
    }
}

// The name and identifier rules of k8s.io/apimachinery/pkg/util/validation (and its `content`
// package), written without regular expressions. Each check returns upstream's messages; an
// empty list means the value is valid.

/// Upstream's checks for names, label keys and values, port names, env var names and
/// ConfigMap keys. Each returns the list of problems, empty when the value is valid.
public enum NameValidation {
    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123SubdomainFormat = dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*"
    static let dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?"
    static let labelKeyFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let labelValueFormat = "(" + labelKeyFormat + ")?"
    static let configMapKeyFormat = "[-._a-zA-Z0-9]+"

    /// The longest DNS-1123 label.
    public static let dns1123LabelMaxLength = 63
    /// The longest DNS-1123 subdomain.
    public static let dns1123SubdomainMaxLength = 253
    /// The longest label value.
    public static let labelValueMaxLength = 63

    /// `must be no more than N characters`.
    public static func maxLengthMessage(_ length: Int) -> String {
        "must be no more than \(length) characters"
    }

    /// Upstream's `RegexError`: the message, examples and the pattern.
    public static func regexMessage(_ message: String, _ format: String, examples: [String] = []) -> String {
        if examples.isEmpty { return message + " (regex used for validation is '" + format + "')" }
        var text = message + " (e.g. "
        for (index, example) in examples.enumerated() {
            if index > 0 { text += " or " }
            text += "'" + example + "', "
        }
        return text + "regex used for validation is '" + format + "')"
    }

    /// `must be between LO and HI, inclusive`.
    public static func inclusiveRangeMessage(_ low: Int, _ high: Int) -> String {
        "must be between \(low) and \(high), inclusive"
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5A)
    }

    /// Whether `bytes` matches `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    static func matchesDNS1123Label<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, let last = bytes.last,
              isLowerAlphanumeric(first), isLowerAlphanumeric(last) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// Whether `value` matches the DNS-1123 subdomain pattern (dot-separated labels).
    static func matchesDNS1123Subdomain(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        if bytes.isEmpty { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            .allSatisfy { matchesDNS1123Label($0) }
    }

    /// Whether `value` matches `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    static func matchesLabelKeyName<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> Bool {
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }

    /// A DNS-1123 label (container names, namespace names): at most 63 lowercase alphanumerics
    /// or '-', starting and ending alphanumeric.
    public static func dns1123Label(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { problems.append(maxLengthMessage(dns1123LabelMaxLength)) }
        if !matchesDNS1123Label(value.utf8) {
            if matchesDNS1123Subdomain(value) {
                problems.append("must not contain dots")
            } else {
                problems.append(regexMessage(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                        + "and must start and end with an alphanumeric character",
                    dns1123LabelFormat, examples: ["my-name", "123-abc"]))
            }
        }
        return problems
    }

    /// A DNS-1123 subdomain (pod names, most object names): at most 253 characters of
    /// dot-separated labels.
    public static func dns1123Subdomain(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { problems.append(maxLengthMessage(dns1123SubdomainMaxLength)) }
        if !matchesDNS1123Subdomain(value) {
            problems.append(regexMessage(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character",
                dns1123SubdomainFormat, examples: ["example.com"]))
        }
        return problems
    }

    /// A DNS-1035 label (service names): like a DNS-1123 label but starting with a letter.
    public static func dns1035Label(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > dns1123LabelMaxLength { problems.append(maxLengthMessage(dns1123LabelMaxLength)) }
        let startsWithLetter = bytes.first.map { $0 >= 0x61 && $0 <= 0x7A } ?? false
        if !(startsWithLetter && matchesDNS1123Label(bytes)) {
            problems.append(regexMessage(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                    + "alphabetic character, and end with an alphanumeric character",
                dns1035LabelFormat, examples: ["my-name", "abc-123"]))
        }
        return problems
    }

    /// A label key or qualified name: an optional DNS-1123 subdomain prefix and '/', then a name
    /// of at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric.
    public static func labelKey(_ value: String) -> [String] {
        let nameMessage = regexMessage(
            "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            labelKeyFormat, examples: ["MyName", "my.name", "123-abc"])
        var problems: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = String(parts[0])
            name = parts[1]
            if prefix.isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += dns1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        default:
            return ["a valid label key " + nameMessage + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            problems.append("name part " + maxLengthMessage(63))
        }
        if !matchesLabelKeyName(name.utf8) { problems.append("name part " + nameMessage) }
        return problems
    }

    /// A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending
    /// alphanumeric.
    public static func labelValue(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > labelValueMaxLength { problems.append(maxLengthMessage(labelValueMaxLength)) }
        if !value.isEmpty && !matchesLabelKeyName(value.utf8) {
            problems.append(regexMessage(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    + "and must start and end with an alphanumeric character",
                labelValueFormat, examples: ["MyValue", "my_value", "12345"]))
        }
        return problems
    }

    /// An IANA service name used as a port name: at most 15 of [-a-z0-9], at least one letter,
    /// no leading, trailing or doubled '-'.
    public static func portName(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > 15 { problems.append(maxLengthMessage(15)) }
        if bytes.isEmpty || !bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) {
            problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if !bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) {
            problems.append("must contain at least one letter (a-z)")
        }
        if value.contains("--") { problems.append("must not contain consecutive hyphens") }
        if let first = bytes.first, let last = bytes.last, first == UInt8(ascii: "-") || last == UInt8(ascii: "-") {
            problems.append("must not begin or end with a hyphen")
        }
        return problems
    }

    /// A port number, 1-65535.
    public static func portNumber(_ value: Int) -> [String] {
        (1...65535).contains(value) ? [] : [inclusiveRangeMessage(1, 65535)]
    }

    /// An environment variable name as current upstream accepts it (relaxed rules): non-empty,
    /// printable ASCII except '='.
    public static func environmentVariableName(_ value: String) -> [String] {
        var problems: [String] = []
        if value.isEmpty { problems.append("environment variable name must be non-empty") }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value > 0x7E || $0 == "=" }) {
            problems.append("a valid environment variable name must consist only of printable ASCII characters other than '='")
        }
        return problems
    }

    /// A ConfigMap or Secret key: at most 253 of alphanumerics, '-', '_' or '.', and not `.`,
    /// `..` or starting with `..`.
    public static func configMapKey(_ value: String) -> [String] {
        var problems: [String] = []
        let bytes = Array(value.utf8)
        if bytes.count > dns1123SubdomainMaxLength { problems.append(maxLengthMessage(dns1123SubdomainMaxLength)) }
        let valid = !bytes.isEmpty && bytes.allSatisfy {
            isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
        if !valid {
            problems.append(regexMessage("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                         configMapKeyFormat, examples: ["key.name", "KEY_NAME", "key-name"]))
        }
        if value == "." {
            problems.append("must not be '.'")
        } else if value == ".." {
            problems.append("must not be '..'")
        } else if value.hasPrefix("..") {
            problems.append("must not start with '..'")
        }
        return problems
    }
}

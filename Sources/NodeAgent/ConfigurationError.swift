import KubeAPI

/// An unusable configuration file: the file and every problem found, each with its line and
/// field path.
///
/// `description` has one line per problem:
/// `/etc/swiftlet/config.yaml:12: KubeletConfiguration: imageGCHighThresholdPercent: invalid value 120: expected a percentage from 0 to 100`.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The 1-based line in the file, when known.
        public var line: Int?
        /// The document's kind (`KubeletConfiguration`, ...), when the problem is inside one.
        public var kind: String?
        /// The field path from the document root (empty for a problem of the whole file).
        public var path: FieldPath
        /// What was wrong and what was expected.
        public var message: String

        public init(line: Int?, kind: String?, path: FieldPath, message: String) {
            self.line = line
            self.kind = kind
            self.path = path
            self.message = message
        }

        public var description: String {
            var text = ""
            if let kind { text += "\(kind): " }
            if !path.isEmpty { text += "\(path): " }
            return text + message
        }
    }

    /// The file, as given.
    public var file: String
    /// The problems in file order; never empty.
    public var problems: [Problem]

    public init(file: String, problems: [Problem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        problems.map { problem in
            "\(file)\(problem.line.map { ":\($0)" } ?? ""): \(problem)"
        }.joined(separator: "\n")
    }
}

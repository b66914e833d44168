import Foundation
import KubeAPI

/// The whole configuration of a node agent, read from one YAML file with up to three
/// documents: a `KubeletConfiguration`, a `KubeProxyConfiguration` and a
/// `SwiftletConfiguration`. A missing document means that part's defaults.
public struct NodeConfiguration: Sendable, Hashable {
    /// The kubelet settings.
    public var kubelet: KubeletConfiguration
    /// The service proxy settings.
    public var proxy: KubeProxyConfiguration
    /// swiftlet's own settings.
    public var swiftlet: SwiftletConfiguration
    /// The file it was read from; nil for defaults built in code.
    public var sourcePath: String?

    /// Where the installed agent's configuration lives.
    public static let defaultPath = "/etc/swiftlet/config.yaml"

    /// Creates a configuration from its parts.
    public init(
        kubelet: KubeletConfiguration = KubeletConfiguration(),
        proxy: KubeProxyConfiguration = KubeProxyConfiguration(),
        swiftlet: SwiftletConfiguration = SwiftletConfiguration(),
        sourcePath: String? = nil
    ) {
        self.kubelet = kubelet
        self.proxy = proxy
        self.swiftlet = swiftlet
        self.sourcePath = sourcePath
    }

    /// Every part at its defaults.
    public static let defaults = NodeConfiguration()

    /// The kinds a configuration file may hold, with their `apiVersion`.
    public static let documentKinds: [(kind: String, apiVersion: String)] = [
        (KubeletConfiguration.kind, KubeletConfiguration.apiVersion),
        (KubeProxyConfiguration.kind, KubeProxyConfiguration.apiVersion),
        (SwiftletConfiguration.kind, SwiftletConfiguration.apiVersion),
    ]

    /// Reads, decodes strictly and validates the configuration file at `path`.
    ///
    /// - Throws: ``ConfigurationError`` naming the file, and for each problem the line, the
    ///   field path and what was expected: unreadable file, YAML syntax, unknown kinds, fields
    ///   swiftlet does not support, and invalid values.
    public static func load(path: String) throws(ConfigurationError) -> NodeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw ConfigurationError(file: path, problems: [.init(line: nil, kind: nil, path: .root, message: reason)])
        }
        return try parse(Array(data), file: path)
    }

    /// Decodes strictly and validates configuration text; `file` names it in errors.
    ///
    /// - Throws: ``ConfigurationError``; see ``load(path:)``.
    public static func parse(_ text: String, file: String) throws(ConfigurationError) -> NodeConfiguration {
        try parse(Array(text.utf8), file: file)
    }

    /// Decodes strictly and validates configuration bytes; `file` names it in errors.
    ///
    /// - Throws: ``ConfigurationError``; see ``load(path:)``.
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> NodeConfiguration {
        let decoder = ManifestDecoder(strict: true)
        let documents: [ManifestDocument]
        do {
            documents = try decoder.documents(in: bytes, file: file)
        } catch {
            throw ConfigurationError(
                file: file,
                problems: error.errors.map { .init(line: $0.line, kind: nil, path: $0.path, message: $0.message) })
        }

        var configuration = NodeConfiguration(sourcePath: file)
        var problems: [ConfigurationError.Problem] = []
        var seen: [String: Int] = [:]
        for document in documents {
            guard case .object = document.value else {
                problems.append(.init(line: document.line, kind: nil, path: .root,
                    message: "expected a configuration document (an object with apiVersion and kind), got \(document.value.typeName)"))
                continue
            }
            guard let kind = document.kind else {
                problems.append(.init(line: document.line, kind: nil, path: FieldPath("kind"),
                    message: "required value: one of \(documentKinds.map { quotedText($0.kind) }.joined(separator: ", "))"))
                continue
            }
            guard let known = documentKinds.first(where: { $0.kind == kind }) else {
                problems.append(.init(line: document.sourceLine(of: FieldPath("kind")), kind: nil, path: FieldPath("kind"),
                    message: FieldError.unsupportedValue(kind, supported: documentKinds.map(\.kind)).message))
                continue
            }
            if let first = seen[kind] {
                problems.append(.init(line: document.line, kind: kind, path: .root,
                    message: "a second \(kind) document (the first starts at line \(first)): expected at most one"))
                continue
            }
            seen[kind] = document.line
            if document.apiVersion == nil {
                problems.append(.init(line: document.line, kind: kind, path: FieldPath("apiVersion"),
                    message: "required value: \(quotedText(known.apiVersion))"))
            }

            let fieldErrors: [FieldError]
            switch kind {
            case KubeletConfiguration.kind:
                fieldErrors = decode(document, decoder: decoder, into: &configuration.kubelet)
            case KubeProxyConfiguration.kind:
                fieldErrors = decode(document, decoder: decoder, into: &configuration.proxy)
            default:
                fieldErrors = decode(document, decoder: decoder, into: &configuration.swiftlet)
            }
            for error in fieldErrors {
                problems.append(.init(
                    line: error.line ?? document.sourceLine(of: error.path), kind: kind, path: error.path,
                    message: supportMessage(error.message)))
            }
        }
        if !problems.isEmpty {
            throw ConfigurationError(file: file, problems: problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) })
        }
        return configuration
    }

    /// The three documents as YAML, every field written out: the effective configuration.
    public func yaml() -> String {
        YAMLWriter.string(documents: [kubelet.encoded(), proxy.encoded(), swiftlet.encoded()])
    }

    /// Decodes one document into `target` and, when that worked, validates it; the errors of
    /// either step.
    private static func decode<T: ValidatedConfiguration>(
        _ document: ManifestDocument, decoder: ManifestDecoder, into target: inout T
    ) -> [FieldError] {
        do {
            target = try decoder.decode(T.self, from: document)
        } catch {
            return error.errors
        }
        return target.validate()
    }

    /// Unknown fields are reported as what they are to the user: not supported by swiftlet
    /// (upstream may well have them).
    private static func supportMessage(_ message: String) -> String {
        message.hasPrefix("unknown field ") ? message + ": not supported by swiftlet" : message
    }
}

/// The configuration documents: decodable, and able to list their own value problems.
protocol ValidatedConfiguration: KubeCodable {
    func validate() -> [FieldError]
}

extension KubeletConfiguration: ValidatedConfiguration {}
extension KubeProxyConfiguration: ValidatedConfiguration {}
extension SwiftletConfiguration: ValidatedConfiguration {}

import KubeAPI

/// Turns the bytes of one manifest file (or URL body) into defaulted, validated pods and the
/// standalone objects beside them. Each document stands alone: a bad one becomes a
/// `ManifestIssue` and the others are still used.
public struct ManifestReader: Sendable {
    /// The node's name, for pod names and UIDs.
    public var nodeName: String
    private let decoder = ManifestDecoder(strict: true)

    public init(nodeName: String) {
        self.nodeName = nodeName
    }

    /// What one file or URL body holds.
    public struct Contents: Sendable {
        public var pods: [CoreV1.Pod] = []
        public var configMaps: [CoreV1.ConfigMap] = []
        public var secrets: [CoreV1.Secret] = []
        public var services: [CoreV1.Service] = []
        public var issues: [ManifestIssue] = []
        /// Whether the file could not be read at all (syntax error): nothing in it is usable.
        public var unreadable = false
    }

    /// Reads `bytes` from `location` (a path when `isFile`, else a URL).
    public func read(_ bytes: [UInt8], location: String, isFile: Bool) -> Contents {
        var contents = Contents()
        let documents: [ManifestDocument]
        do {
            documents = try decoder.documents(in: bytes, file: location)
        } catch {
            contents.unreadable = true
            contents.issues.append(ManifestIssue(location: location, message: error.description))
            return contents
        }
        for document in documents {
            read(document, location: location, isFile: isFile, into: &contents)
        }
        return contents
    }

    private func read(_ document: ManifestDocument, location: String, isFile: Bool, into contents: inout Contents) {
        let kind = document.kind ?? ""
        do {
            switch (document.apiVersion ?? "", kind) {
            case ("v1", "Pod"), ("", "Pod"), ("", ""):
                let pod = try decoder.decode(CoreV1.Pod.self, from: document)
                let defaulted = StaticPodDefaults.apply(to: pod, source: location, isFile: isFile, nodeName: nodeName)
                let problems = PodValidation.validate(defaulted)
                if problems.isEmpty {
                    contents.pods.append(defaulted)
                } else {
                    let name = "\(defaulted.metadata?.namespace ?? "")/\(pod.metadata?.name ?? "")"
                    let lines = problems.map { "\(location):\(document.line): \($0)" }
                    contents.issues.append(ManifestIssue(location: location, message: lines.joined(separator: "\n"), podName: name))
                }
            case ("v1", "ConfigMap"):
                let object = try decoder.decode(CoreV1.ConfigMap.self, from: document)
                let problems = ConfigMapValidation.validate(object)
                if problems.isEmpty { contents.configMaps.append(Self.defaultNamespace(object)) } else { report(problems, document, location, &contents) }
            case ("v1", "Secret"):
                let object = try decoder.decode(CoreV1.Secret.self, from: document)
                let problems = ConfigMapValidation.validate(object)
                if problems.isEmpty { contents.secrets.append(Self.defaultNamespace(object)) } else { report(problems, document, location, &contents) }
            case ("v1", "Service"):
                let object = try decoder.decode(CoreV1.Service.self, from: document)
                let problems = ServiceValidation.validate(object)
                if problems.isEmpty { contents.services.append(Self.defaultNamespace(object)) } else { report(problems, document, location, &contents) }
            default:
                let message = "\(location):\(document.line): kind: expected Pod, ConfigMap, Secret or Service (apiVersion v1), got \(JSONWriter.quoted(kind)) \(JSONWriter.quoted(document.apiVersion ?? ""))"
                contents.issues.append(ManifestIssue(location: location, message: message))
            }
        } catch {
            contents.issues.append(ManifestIssue(location: location, message: error.description))
        }
    }

    private func report(_ problems: [ValidationError], _ document: ManifestDocument, _ location: String, _ contents: inout Contents) {
        let lines = problems.map { "\(location):\(document.line): \($0)" }
        contents.issues.append(ManifestIssue(location: location, message: lines.joined(separator: "\n")))
    }

    private static func defaultNamespace<T: NamespacedObject>(_ object: T) -> T {
        var object = object
        var metadata = object.metadata ?? MetaV1.ObjectMeta()
        if (metadata.namespace ?? "").isEmpty { metadata.namespace = "default" }
        object.metadata = metadata
        return object
    }
}

/// The standalone kinds whose namespace the reader defaults.
protocol NamespacedObject {
    var metadata: MetaV1.ObjectMeta? { get set }
}

extension CoreV1.ConfigMap: NamespacedObject {}
extension CoreV1.Secret: NamespacedObject {}
extension CoreV1.Service: NamespacedObject {}

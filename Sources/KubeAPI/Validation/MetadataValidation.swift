// ObjectMeta checks shared by every kind, as k8s.io/apimachinery/pkg/api/validation does them:
// names, namespaces, labels and annotations.

/// Validation of `metadata` and of label and annotation maps.
public enum MetadataValidation {
    /// The most bytes all annotation keys and values of one object may take (256 KiB).
    public static let totalAnnotationSizeLimit = 256 * 1024

    /// A rule a `metadata.name` must follow, returning upstream's messages.
    public typealias NameRule = @Sendable (String) -> [String]

    /// Checks `metadata` at `path`: a name (following `nameRule`) or generateName, a valid
    /// namespace when `requiresNamespace` (an absent one is read as `default`, as the kubelet
    /// does for static pods), a non-negative generation, valid labels and annotations.
    public static func validateObjectMeta(
        _ meta: MetaV1.ObjectMeta?, requiresNamespace: Bool, nameRule: NameRule, at path: FieldPath
    ) -> [ValidationError] {
        var problems: [ValidationError] = []
        let name = meta?.name ?? ""
        if name.isEmpty {
            if (meta?.generateName ?? "").isEmpty {
                problems.append(.required(path.child("name"), "name or generateName is required"))
            }
        } else {
            for message in nameRule(name) {
                problems.append(.invalid(path.child("name"), .string(name), message))
            }
        }
        if let generateName = meta?.generateName, !generateName.isEmpty {
            // A generated name gets a random suffix, so a trailing '-' is fine (upstream's maskTrailingDash).
            let masked = generateName.hasSuffix("-") ? generateName.dropLast() + "a" : generateName
            for message in nameRule(masked) {
                problems.append(.invalid(path.child("generateName"), .string(generateName), message))
            }
        }
        if requiresNamespace, let namespace = meta?.namespace, !namespace.isEmpty {
            for message in NameValidation.dns1123Label(namespace) {
                problems.append(.invalid(path.child("namespace"), .string(namespace), message))
            }
        }
        if let generation = meta?.generation, generation < 0 {
            problems.append(.invalid(path.child("generation"), .integer(generation), "must be greater than or equal to 0"))
        }
        problems += validateLabels(meta?.labels ?? [:], at: path.child("labels"))
        problems += validateAnnotations(meta?.annotations ?? [:], at: path.child("annotations"))
        return problems
    }

    /// One problem per message for a label key that is not a qualified name, at `path`.
    public static func validateLabelName(_ name: String, at path: FieldPath) -> [ValidationError] {
        NameValidation.labelKey(name).map { .invalid(path, .string(name), $0) }
    }

    /// Keys must be qualified names and values valid label values; problems are reported at
    /// `path` itself (e.g. `metadata.labels`), as upstream does. Keys are checked in sorted order.
    public static func validateLabels(_ labels: [String: String], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        for key in labels.keys.sorted() {
            problems += validateLabelName(key, at: path)
            for message in NameValidation.labelValue(labels[key]!) {
                problems.append(.invalid(path, .string(labels[key]!), message))
            }
        }
        return problems
    }

    /// Keys must be qualified names (case ignored) and all keys and values together at most
    /// 256 KiB.
    public static func validateAnnotations(_ annotations: [String: String], at path: FieldPath) -> [ValidationError] {
        var problems: [ValidationError] = []
        var totalSize = 0
        for key in annotations.keys.sorted() {
            for message in NameValidation.labelKey(key.lowercased()) {
                problems.append(.invalid(path, .string(key), message))
            }
            totalSize += key.utf8.count + annotations[key]!.utf8.count
        }
        if totalSize > totalAnnotationSizeLimit {
            problems.append(.tooLong(path, maxLength: totalAnnotationSizeLimit))
        }
        return problems
    }

    /// `must be greater than or equal to 0` when `value` is negative.
    static func validateNonNegative(_ value: Int64?, at path: FieldPath) -> [ValidationError] {
        guard let value, value < 0 else { return [] }
        return [.invalid(path, .integer(value), "must be greater than or equal to 0")]
    }
}

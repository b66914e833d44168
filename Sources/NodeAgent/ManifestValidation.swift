import KubeAPI

/// Chooses the validation for each kind `swiftlet manifest check` reads. The checks themselves
/// live in KubeAPI; this only maps a decoded object to them.
enum ManifestValidation {
    /// Every validation problem of `object`; empty when it is valid or its kind has no checks
    /// beyond decoding.
    static func errors(for object: any KubeObject) -> [ValidationError] {
        switch object {
        case let pod as CoreV1.Pod:
            return PodValidation.validate(pod)
        case let service as CoreV1.Service:
            // Upstream's ValidateServiceName: a DNS-1035 label.
            return MetadataValidation.validateObjectMeta(
                service.metadata, requiresNamespace: true, nameRule: NameValidation.dns1035Label, at: FieldPath("metadata"))
        case let configMap as CoreV1.ConfigMap:
            return MetadataValidation.validateObjectMeta(
                configMap.metadata, requiresNamespace: true, nameRule: NameValidation.dns1123Subdomain, at: FieldPath("metadata"))
        case let secret as CoreV1.Secret:
            return MetadataValidation.validateObjectMeta(
                secret.metadata, requiresNamespace: true, nameRule: NameValidation.dns1123Subdomain, at: FieldPath("metadata"))
        default:
            return []
        }
    }
}

// ConfigMap and Secret checks as upstream's ValidateConfigMap and ValidateSecret do them: key
// shapes, keys not in both maps, the 1 MiB size limit, and the keys each Secret type needs.

/// Validation of ConfigMaps and Secrets, with upstream's field paths and messages.
public enum ConfigMapValidation {
    /// The most bytes of data one ConfigMap or Secret may carry (1 MiB).
    public static let maxSize = 1024 * 1024

    /// Every problem with `configMap`, or an empty list when it is valid.
    public static func validate(_ configMap: CoreV1.ConfigMap) -> [ValidationError] {
        var problems = MetadataValidation.validateObjectMeta(
            configMap.metadata, requiresNamespace: true, nameRule: NameValidation.dns1123Subdomain, at: FieldPath("metadata"))
        let data = configMap.data ?? [:]
        let binaryData = configMap.binaryData ?? [:]
        var totalSize = 0
        for key in data.keys.sorted() {
            let path = FieldPath("data").key(key)
            problems += NameValidation.configMapKey(key).map { .invalid(path, .string(key), $0) }
            if binaryData[key] != nil {
                problems.append(.invalid(path, .string(key), "duplicate of key present in binaryData"))
            }
            totalSize += data[key]!.utf8.count
        }
        for key in binaryData.keys.sorted() {
            problems += NameValidation.configMapKey(key).map { .invalid(FieldPath("binaryData").key(key), .string(key), $0) }
            totalSize += decodedBase64Length(binaryData[key]!)
        }
        if totalSize > maxSize {
            problems.append(.tooLong(.root, maxLength: maxSize))
        }
        return problems
    }

    /// Every problem with `secret`, or an empty list when it is valid. `stringData` counts as
    /// data, as the API server merges it in.
    public static func validate(_ secret: CoreV1.Secret) -> [ValidationError] {
        var problems = MetadataValidation.validateObjectMeta(
            secret.metadata, requiresNamespace: true, nameRule: NameValidation.dns1123Subdomain, at: FieldPath("metadata"))
        let dataPath = FieldPath("data")
        var sizes: [String: Int] = [:]
        for (key, value) in secret.data ?? [:] { sizes[key] = decodedBase64Length(value) }
        for (key, value) in secret.stringData ?? [:] { sizes[key] = value.utf8.count }
        for key in (secret.data ?? [:]).keys.sorted() {
            problems += NameValidation.configMapKey(key).map { .invalid(dataPath.key(key), .string(key), $0) }
        }
        for key in (secret.stringData ?? [:]).keys.sorted() {
            problems += NameValidation.configMapKey(key).map { .invalid(FieldPath("stringData").key(key), .string(key), $0) }
        }
        if sizes.values.reduce(0, +) > maxSize {
            problems.append(.tooLong(dataPath, maxLength: maxSize))
        }
        let required: [String]
        switch secret.type ?? "" {
        case "kubernetes.io/service-account-token":
            if (secret.metadata?.annotations?["kubernetes.io/service-account.name"] ?? "").isEmpty {
                problems.append(.required(FieldPath("metadata", "annotations").key("kubernetes.io/service-account.name"), ""))
            }
            required = []
        case "kubernetes.io/dockercfg": required = [".dockercfg"]
        case "kubernetes.io/dockerconfigjson": required = [".dockerconfigjson"]
        case "kubernetes.io/basic-auth":
            if sizes["username"] == nil && sizes["password"] == nil {
                problems.append(.required(dataPath.key("username"), ""))
                problems.append(.required(dataPath.key("password"), ""))
            }
            required = []
        case "kubernetes.io/ssh-auth":
            if (sizes["ssh-privatekey"] ?? 0) == 0 { problems.append(.required(dataPath.key("ssh-privatekey"), "")) }
            required = []
        case "kubernetes.io/tls": required = ["tls.crt", "tls.key"]
        default: required = []
        }
        for key in required where sizes[key] == nil {
            problems.append(.required(dataPath.key(key), ""))
        }
        return problems
    }

    /// The byte length of base64 text once decoded (padding and whitespace not counted).
    static func decodedBase64Length(_ text: String) -> Int {
        let significant = text.utf8.filter { $0 != UInt8(ascii: "=") && $0 != 0x20 && $0 != 0x0A && $0 != 0x0D }.count
        return significant * 3 / 4
    }
}

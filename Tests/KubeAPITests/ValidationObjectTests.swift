import Testing
import KubeAPI

private func decode<T: KubeObject>(_ type: T.Type, _ yaml: String) throws -> T {
    let decoder = ManifestDecoder(strict: true)
    let document = try #require(try decoder.documents(in: yaml, file: "object.yaml").first)
    return try decoder.decode(type, from: document)
}

private let serviceYAML = """
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  selector:
    app: web
  sessionAffinity: ClientIP
  sessionAffinityConfig:
    clientIP:
      timeoutSeconds: 600
  ports:
  - name: http
    port: 80
    targetPort: http
    nodePort: 30080
  - name: dns
    port: 53
    protocol: UDP
    targetPort: 5353
"""

@Test func validServiceHasNoValidationErrors() throws {
    #expect(ServiceValidation.validate(try decode(CoreV1.Service.self, serviceYAML)).map(\.description) == [])
}

struct ServiceRuleCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let change: @Sendable (inout CoreV1.Service) -> Void
    let expected: [String]
    var testDescription: String { rule }
}

private let serviceRuleCases: [ServiceRuleCase] = [
    ServiceRuleCase(rule: "service names are DNS-1035 labels", change: { $0.metadata!.name = "1web" },
                    expected: ["metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]),
    ServiceRuleCase(rule: "type is known", change: { $0.spec!.type = "Internal" },
                    expected: ["spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""]),
    ServiceRuleCase(rule: "ports are required", change: { $0.spec!.ports = [] },
                    expected: ["spec.ports: Required value"]),
    ServiceRuleCase(rule: "several ports need names", change: { $0.spec!.ports![1].name = nil },
                    expected: ["spec.ports[1].name: Required value"]),
    ServiceRuleCase(rule: "port names are unique", change: { $0.spec!.ports![1].name = "http" },
                    expected: ["spec.ports[1].name: Duplicate value: \"http\""]),
    ServiceRuleCase(rule: "port numbers are in range", change: { $0.spec!.ports![0].port = 0 },
                    expected: ["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"]),
    ServiceRuleCase(rule: "nodePort is not for ClusterIP", change: { $0.spec!.type = "ClusterIP" },
                    expected: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]),
    ServiceRuleCase(rule: "protocol and port pairs are unique", change: { $0.spec!.ports![1].port = 80; $0.spec!.ports![1].protocol = "TCP" },
                    expected: ["spec.ports[1]: Duplicate value: \"TCP/80\""]),
    ServiceRuleCase(rule: "selector is a valid label set", change: { $0.spec!.selector = ["app": "web!"] },
                    expected: ["spec.selector: Invalid value: \"web!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
    ServiceRuleCase(rule: "session affinity is known", change: { $0.spec!.sessionAffinity = "Cookie" },
                    expected: ["spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: \"ClientIP\", \"None\""]),
    ServiceRuleCase(rule: "affinity timeout is at most a day", change: { $0.spec!.sessionAffinityConfig!.clientIP!.timeoutSeconds = 86_401 },
                    expected: ["spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400"]),
    ServiceRuleCase(rule: "ExternalName services name a host", change: { $0.spec!.type = "ExternalName"; $0.spec!.ports![0].nodePort = nil },
                    expected: ["spec.externalName: Required value"]),
]

@Test(arguments: serviceRuleCases)
func brokenServiceRuleGivesUpstreamPathAndMessage(_ rule: ServiceRuleCase) throws {
    var service = try decode(CoreV1.Service.self, serviceYAML)
    rule.change(&service)
    #expect(ServiceValidation.validate(service).map(\.description) == rule.expected)
}

private let configMapYAML = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  app.conf: "listen 8080"
  KEY_NAME: value
binaryData:
  logo.png: iVBORw0KGgo=
"""

@Test func validConfigMapHasNoValidationErrors() throws {
    #expect(ConfigMapValidation.validate(try decode(CoreV1.ConfigMap.self, configMapYAML)).map(\.description) == [])
}

@Test func configMapKeysFollowTheKeyRule() throws {
    var configMap = try decode(CoreV1.ConfigMap.self, configMapYAML)
    configMap.data!["bad key"] = "x"
    configMap.data![".."] = "x"
    #expect(ConfigMapValidation.validate(configMap).map(\.description) == [
        "data[..]: Invalid value: \"..\": must not be '..'",
        "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ])
}

@Test func configMapKeyMayNotBeInBothMaps() throws {
    var configMap = try decode(CoreV1.ConfigMap.self, configMapYAML)
    configMap.data!["logo.png"] = "x"
    #expect(ConfigMapValidation.validate(configMap).map(\.description) == [
        "data[logo.png]: Invalid value: \"logo.png\": duplicate of key present in binaryData",
    ])
}

@Test func configMapDataIsAtMostOneMebibyte() throws {
    var configMap = try decode(CoreV1.ConfigMap.self, configMapYAML)
    configMap.data!["big"] = String(repeating: "x", count: 1024 * 1024)
    #expect(ConfigMapValidation.validate(configMap).map(\.description) == ["Too long: must have at most 1048576 bytes"])
}

private let secretYAML = """
apiVersion: v1
kind: Secret
metadata:
  name: web-tls
  namespace: shop
type: kubernetes.io/tls
data:
  tls.crt: Y2VydA==
stringData:
  tls.key: key
"""

@Test func validSecretWithStringDataHasNoValidationErrors() throws {
    #expect(ConfigMapValidation.validate(try decode(CoreV1.Secret.self, secretYAML)).map(\.description) == [])
}

@Test func tlsSecretNeedsCertificateAndKey() throws {
    var secret = try decode(CoreV1.Secret.self, secretYAML)
    secret.stringData = nil
    #expect(ConfigMapValidation.validate(secret).map(\.description) == ["data[tls.key]: Required value"])
}

@Test func basicAuthSecretNeedsUsernameOrPassword() throws {
    var secret = try decode(CoreV1.Secret.self, secretYAML)
    secret.type = "kubernetes.io/basic-auth"
    #expect(ConfigMapValidation.validate(secret).map(\.description) == [
        "data[username]: Required value", "data[password]: Required value",
    ])
}

@Test func secretKeysFollowTheKeyRule() throws {
    var secret = try decode(CoreV1.Secret.self, secretYAML)
    secret.type = nil
    secret.data!["a/b"] = "eA=="
    #expect(ConfigMapValidation.validate(secret).map(\.description) == [
        "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ])
}

import Testing
import KubeAPI

/// A pod using most of what validation looks at; every field valid.
private let validPodYAML = """
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: shop
  labels:
    app: web
    example.com/tier: frontend
  annotations:
    Example.com/Owner: team-a
spec:
  restartPolicy: Always
  dnsPolicy: ClusterFirst
  hostname: web-0
  subdomain: web
  terminationGracePeriodSeconds: 30
  activeDeadlineSeconds: 3600
  nodeSelector:
    kubernetes.io/os: linux
  imagePullSecrets:
  - name: registry
  volumes:
  - name: cache
    emptyDir:
      sizeLimit: 1Gi
  - name: logs
    hostPath:
      path: /var/log/web
      type: DirectoryOrCreate
  - name: config
    configMap:
      name: web-config
      defaultMode: 0644
      items:
      - key: app.conf
        path: conf/app.conf
  - name: tls
    secret:
      secretName: web-tls
  - name: scratch
  initContainers:
  - name: migrate
    image: registry.example/web:1.2
    command: ["/migrate"]
  - name: proxy
    image: registry.example/proxy:2
    restartPolicy: Always
    ports:
    - name: proxy
      containerPort: 15001
    startupProbe:
      tcpSocket:
        port: proxy
      failureThreshold: 30
      periodSeconds: 1
  containers:
  - name: web
    image: registry.example/web:1.2
    imagePullPolicy: IfNotPresent
    terminationMessagePolicy: FallbackToLogsOnError
    ports:
    - name: http
      containerPort: 8080
      protocol: TCP
    - name: metrics
      containerPort: 9090
      hostPort: 9090
    - containerPort: 5353
      protocol: UDP
    env:
    - name: MODE
      value: production
    - name: my.env-name
      value: "1"
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: PASSWORD
      valueFrom:
        secretKeyRef:
          name: web-secret
          key: password
    envFrom:
    - prefix: CFG_
      configMapRef:
        name: web-env
    volumeMounts:
    - name: cache
      mountPath: /cache
    - name: config
      mountPath: /etc/web
      subPath: conf
    - name: logs
      mountPath: /var/log/web
    resources:
      requests:
        cpu: 250m
        memory: 64Mi
        example.com/gpu: "1"
      limits:
        cpu: "1"
        memory: 128Mi
        example.com/gpu: "1"
    livenessProbe:
      httpGet:
        path: /healthz
        port: http
        httpHeaders:
        - name: X-Probe
          value: liveness
      initialDelaySeconds: 5
      periodSeconds: 10
      failureThreshold: 3
    readinessProbe:
      grpc:
        port: 9090
    lifecycle:
      preStop:
        exec:
          command: ["/bin/sh", "-c", "sleep 5"]
  - name: sidecar
    image: registry.example/agent:3
    startupProbe:
      exec:
        command: ["/ready"]
  ephemeralContainers:
  - name: debug
    image: busybox
    targetContainerName: web
"""

private func validPod() throws -> CoreV1.Pod {
    let decoder = ManifestDecoder(strict: true)
    let documents = try decoder.documents(in: validPodYAML, file: "pod.yaml")
    return try decoder.decode(CoreV1.Pod.self, from: try #require(documents.first))
}

@Test func fullValidPodHasNoValidationErrors() throws {
    let problems = PodValidation.validate(try validPod())
    #expect(problems.map(\.description) == [])
}

/// One rule broken in an otherwise valid pod, and exactly what upstream would report.
struct PodRuleCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let change: @Sendable (inout CoreV1.Pod) -> Void
    let expected: [String]

    var testDescription: String { rule }
}

private let dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
private let dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
private let labelKeyNameMessage = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
private let initOnlyDetail = "may not be set for init containers without restartPolicy=Always"

private let podRuleCases: [PodRuleCase] = [
    PodRuleCase(rule: "pod name is a DNS-1123 subdomain", change: { $0.metadata!.name = "Web_0" },
                expected: ["metadata.name: Invalid value: \"Web_0\": \(dns1123SubdomainMessage)"]),
    PodRuleCase(rule: "pod name or generateName is required", change: { $0.metadata!.name = nil },
                expected: ["metadata.name: Required value: name or generateName is required"]),
    PodRuleCase(rule: "namespace is a DNS-1123 label", change: { $0.metadata!.namespace = "shop.prod" },
                expected: ["metadata.namespace: Invalid value: \"shop.prod\": must not contain dots"]),
    PodRuleCase(rule: "label keys are qualified names", change: { $0.metadata!.labels!["-app"] = "x" },
                expected: ["metadata.labels: Invalid value: \"-app\": \(labelKeyNameMessage)"]),
    PodRuleCase(rule: "label values are at most 63 characters", change: { $0.metadata!.labels!["app"] = String(repeating: "a", count: 64) },
                expected: ["metadata.labels: Invalid value: \"\(String(repeating: "a", count: 64))\": must be no more than 63 characters"]),
    PodRuleCase(rule: "annotations total at most 256 KiB", change: { $0.metadata!.annotations!["big"] = String(repeating: "x", count: 262_144) },
                expected: ["metadata.annotations: Too long: must have at most 262144 bytes"]),
    PodRuleCase(rule: "at least one container", change: { $0.spec!.containers = [] },
                expected: [
                    "spec.containers: Required value",
                    "spec.ephemeralContainers[0].targetContainerName: Not found: \"web\"",
                ]),
    PodRuleCase(rule: "container names are unique among regular containers", change: { $0.spec!.containers[1].name = "web" },
                expected: ["spec.containers[1].name: Duplicate value: \"web\""]),
    PodRuleCase(rule: "init container names do not repeat regular ones", change: { $0.spec!.initContainers![0].name = "sidecar" },
                expected: ["spec.initContainers[0].name: Duplicate value: \"sidecar\""]),
    PodRuleCase(rule: "ephemeral container names are unique across all containers", change: { $0.spec!.ephemeralContainers![0].name = "migrate" },
                expected: ["spec.ephemeralContainers[0].name: Duplicate value: \"migrate\""]),
    PodRuleCase(rule: "container names are DNS-1123 labels", change: { $0.spec!.containers[1].name = "Side_car" },
                expected: ["spec.containers[1].name: Invalid value: \"Side_car\": \(dns1123LabelMessage)"]),
    PodRuleCase(rule: "container name is required", change: { $0.spec!.containers[1].name = "" },
                expected: ["spec.containers[1].name: Required value"]),
    PodRuleCase(rule: "container image is required", change: { $0.spec!.containers[0].image = nil },
                expected: ["spec.containers[0].image: Required value"]),
    PodRuleCase(rule: "port names are IANA service names", change: { $0.spec!.containers[0].ports![0].name = "http--web-server" },
                expected: [
                    "spec.containers[0].ports[0].name: Invalid value: \"http--web-server\": must be no more than 15 characters",
                    "spec.containers[0].ports[0].name: Invalid value: \"http--web-server\": must not contain consecutive hyphens",
                ]),
    PodRuleCase(rule: "port names need a letter", change: { $0.spec!.containers[0].ports![0].name = "8080" },
                expected: ["spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at least one letter (a-z)"]),
    PodRuleCase(rule: "port names are unique within a container", change: { $0.spec!.containers[0].ports![1].name = "http" },
                expected: ["spec.containers[0].ports[1].name: Duplicate value: \"http\""]),
    PodRuleCase(rule: "containerPort is required", change: { $0.spec!.containers[0].ports![0].containerPort = 0 },
                expected: ["spec.containers[0].ports[0].containerPort: Required value"]),
    PodRuleCase(rule: "containerPort is at most 65535", change: { $0.spec!.containers[0].ports![0].containerPort = 70000 },
                expected: ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]),
    PodRuleCase(rule: "hostPort is within range", change: { $0.spec!.containers[0].ports![1].hostPort = -1 },
                expected: ["spec.containers[0].ports[1].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive"]),
    PodRuleCase(rule: "protocol is TCP, UDP or SCTP", change: { $0.spec!.containers[0].ports![0].protocol = "HTTP" },
                expected: ["spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""]),
    PodRuleCase(rule: "host ports do not collide", change: { $0.spec!.containers[1].ports = [CoreV1.ContainerPort(containerPort: 1, hostPort: 9090)] },
                expected: ["spec.containers[1].ports[0].hostPort: Duplicate value: \"/TCP/9090\""]),
    PodRuleCase(rule: "restartPolicy is Always, OnFailure or Never", change: { $0.spec!.restartPolicy = "Sometimes" },
                expected: ["spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""]),
    PodRuleCase(rule: "dnsPolicy is one of four", change: { $0.spec!.dnsPolicy = "Custom" },
                expected: ["spec.dnsPolicy: Unsupported value: \"Custom\": supported values: \"ClusterFirst\", \"ClusterFirstWithHostNet\", \"None\", \"Default\""]),
    PodRuleCase(rule: "dnsPolicy None needs dnsConfig", change: { $0.spec!.dnsPolicy = "None" },
                expected: ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"]),
    PodRuleCase(rule: "init container restartPolicy is only Always", change: { $0.spec!.initContainers![1].restartPolicy = "OnFailure" },
                expected: [
                    "spec.initContainers[1].restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"",
                    "spec.initContainers[1].startupProbe: Forbidden: \(initOnlyDetail)",
                ]),
    PodRuleCase(rule: "regular containers may not set restartPolicy", change: { $0.spec!.containers[1].restartPolicy = "Always" },
                expected: ["spec.containers[1].restartPolicy: Forbidden: may not be set for non-init containers"]),
    PodRuleCase(rule: "plain init containers may not have probes", change: { $0.spec!.initContainers![0].startupProbe = $0.spec!.containers[1].startupProbe },
                expected: ["spec.initContainers[0].startupProbe: Forbidden: \(initOnlyDetail)"]),
    PodRuleCase(rule: "plain init containers may not have lifecycle hooks", change: { $0.spec!.initContainers![0].lifecycle = $0.spec!.containers[0].lifecycle },
                expected: ["spec.initContainers[0].lifecycle: Forbidden: \(initOnlyDetail)"]),
    PodRuleCase(rule: "a probe has a handler", change: { $0.spec!.containers[0].livenessProbe!.httpGet = nil },
                expected: ["spec.containers[0].livenessProbe: Required value: must specify a handler type"]),
    PodRuleCase(rule: "a probe has only one handler", change: { $0.spec!.containers[0].livenessProbe!.exec = CoreV1.ExecAction(command: ["true"]) },
                expected: ["spec.containers[0].livenessProbe.httpGet: Forbidden: may not specify more than 1 handler type"]),
    PodRuleCase(rule: "probe thresholds are not negative", change: { $0.spec!.containers[0].livenessProbe!.failureThreshold = -1 },
                expected: ["spec.containers[0].livenessProbe.failureThreshold: Invalid value: -1: must be greater than or equal to 0"]),
    PodRuleCase(rule: "liveness successThreshold is 1", change: { $0.spec!.containers[0].livenessProbe!.successThreshold = 2 },
                expected: ["spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"]),
    PodRuleCase(rule: "probe port names are IANA names", change: { $0.spec!.containers[0].livenessProbe!.httpGet!.port = .string("HTTP") },
                expected: [
                    "spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"HTTP\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                    "spec.containers[0].livenessProbe.httpGet.port: Invalid value: \"HTTP\": must contain at least one letter (a-z)",
                ]),
    PodRuleCase(rule: "exec handlers have a command", change: { $0.spec!.containers[1].startupProbe!.exec!.command = [] },
                expected: ["spec.containers[1].startupProbe.exec.command: Required value"]),
    PodRuleCase(rule: "a preStop sleep fits in the grace period", change: {
                    $0.spec!.containers[0].lifecycle!.preStop = CoreV1.LifecycleHandler(sleep: CoreV1.SleepAction(seconds: 60))
                },
                expected: ["spec.containers[0].lifecycle.preStop.sleep: Invalid value: 60: must be non-negative and less than terminationGracePeriodSeconds (30)"]),
    PodRuleCase(rule: "readiness probes have no terminationGracePeriodSeconds", change: { $0.spec!.containers[0].readinessProbe!.terminationGracePeriodSeconds = 10 },
                expected: ["spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 10: must not be set for readinessProbes"]),
    PodRuleCase(rule: "volume names are unique", change: { $0.spec!.volumes![1].name = "cache" },
                expected: [
                    "spec.volumes[1].name: Duplicate value: \"cache\"",
                    "spec.containers[0].volumeMounts[2].name: Not found: \"logs\"",
                ]),
    PodRuleCase(rule: "a volume has at most one source", change: { $0.spec!.volumes![0].hostPath = CoreV1.HostPathVolumeSource(path: "/tmp") },
                expected: [
                    "spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type",
                    "spec.containers[0].volumeMounts[0].name: Not found: \"cache\"",
                ]),
    PodRuleCase(rule: "volume mounts refer to volumes", change: { $0.spec!.containers[0].volumeMounts![0].name = "data" },
                expected: ["spec.containers[0].volumeMounts[0].name: Not found: \"data\""]),
    PodRuleCase(rule: "mount paths are unique in a container", change: { $0.spec!.containers[0].volumeMounts![1].mountPath = "/cache" },
                expected: ["spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/cache\": must be unique"]),
    PodRuleCase(rule: "subPath stays inside the volume", change: { $0.spec!.containers[0].volumeMounts![1].subPath = "../etc" },
                expected: ["spec.containers[0].volumeMounts.subPath: Invalid value: \"../etc\": must not contain '..'"]),
    PodRuleCase(rule: "hostPath type is known", change: { $0.spec!.volumes![1].hostPath!.type = "Folder" },
                expected: [
                    "spec.volumes[1].hostPath.type: Unsupported value: \"Folder\": supported values: \"\", \"BlockDevice\", \"CharDevice\", \"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\"",
                    "spec.containers[0].volumeMounts[2].name: Not found: \"logs\"",
                ]),
    PodRuleCase(rule: "configMap file modes are at most 0777", change: { $0.spec!.volumes![2].configMap!.defaultMode = 0o1000 },
                expected: [
                    "spec.volumes[2].configMap.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive",
                    "spec.containers[0].volumeMounts[1].name: Not found: \"config\"",
                ]),
    PodRuleCase(rule: "secret volumes name the secret", change: { $0.spec!.volumes![3].secret!.secretName = nil },
                expected: ["spec.volumes[3].secret.secretName: Required value"]),
    PodRuleCase(rule: "requests are at most limits", change: { $0.spec!.containers[0].resources!.requests!["cpu"] = try! Quantity(parsing: "1500m") },
                expected: ["spec.containers[0].resources.requests: Invalid value: \"1500m\": must be less than or equal to cpu limit of 1"]),
    PodRuleCase(rule: "extended resources are not overcommitted", change: { $0.spec!.containers[0].resources!.limits!["example.com/gpu"] = Quantity(2) },
                expected: ["spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to example.com/gpu limit of 2"]),
    PodRuleCase(rule: "extended resources are whole numbers", change: {
                    $0.spec!.containers[0].resources!.limits!["example.com/gpu"] = try! Quantity(parsing: "500m")
                    $0.spec!.containers[0].resources!.requests!["example.com/gpu"] = try! Quantity(parsing: "500m")
                },
                expected: [
                    "spec.containers[0].resources.limits[example.com/gpu]: Invalid value: \"500m\": must be an integer",
                    "spec.containers[0].resources.requests[example.com/gpu]: Invalid value: \"500m\": must be an integer",
                ]),
    PodRuleCase(rule: "quantities are not negative", change: { $0.spec!.containers[0].resources!.requests!["memory"] = try! Quantity(parsing: "-1Mi") },
                expected: ["spec.containers[0].resources.requests[memory]: Invalid value: \"-1Mi\": must be greater than or equal to 0"]),
    PodRuleCase(rule: "resource names are standard for containers", change: { $0.spec!.containers[1].resources = CoreV1.ResourceRequirements(limits: ["pods": Quantity(1)]) },
                expected: ["spec.containers[1].resources.limits[pods]: Invalid value: \"pods\": must be a standard resource for containers"]),
    PodRuleCase(rule: "env var names are printable ASCII without '='", change: { $0.spec!.containers[0].env![0].name = "A=B" },
                expected: ["spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"]),
    PodRuleCase(rule: "env var names are required", change: { $0.spec!.containers[0].env![0].name = "" },
                expected: [
                    "spec.containers[0].env[0].name: Required value",
                    "spec.containers[0].env[0].name: Invalid value: \"\": environment variable name must be non-empty",
                ]),
    PodRuleCase(rule: "env valueFrom and value are exclusive", change: { $0.spec!.containers[0].env![2].value = "x" },
                expected: ["spec.containers[0].env[2].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"]),
    PodRuleCase(rule: "envFrom names one source", change: { $0.spec!.containers[0].envFrom![0].configMapRef = nil },
                expected: ["spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"]),
    PodRuleCase(rule: "imagePullPolicy is known", change: { $0.spec!.containers[0].imagePullPolicy = "Sometimes" },
                expected: ["spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\""]),
    PodRuleCase(rule: "ephemeral containers have no ports or probes", change: {
                    $0.spec!.ephemeralContainers![0].ports = [CoreV1.ContainerPort(containerPort: 80)]
                    $0.spec!.ephemeralContainers![0].readinessProbe = $0.spec!.containers[0].readinessProbe
                },
                expected: [
                    "spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container",
                    "spec.ephemeralContainers[0].readinessProbe: Forbidden: cannot be set for an Ephemeral Container",
                ]),
    PodRuleCase(rule: "ephemeral target container exists", change: { $0.spec!.ephemeralContainers![0].targetContainerName = "db" },
                expected: ["spec.ephemeralContainers[0].targetContainerName: Not found: \"db\""]),
    PodRuleCase(rule: "hostname is a DNS-1123 label", change: { $0.spec!.hostname = "web.0" },
                expected: ["spec.hostname: Invalid value: \"web.0\": must not contain dots"]),
    PodRuleCase(rule: "activeDeadlineSeconds is positive", change: { $0.spec!.activeDeadlineSeconds = 0 },
                expected: ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"]),
    PodRuleCase(rule: "hostNetwork ports match host ports", change: {
                    $0.spec!.hostNetwork = true
                    $0.spec!.containers[0].ports![1].hostPort = 9091
                },
                expected: ["spec.containers[0].ports[1].containerPort: Invalid value: 9090: must match `hostPort` when `hostNetwork` is true"]),
]

@Test(arguments: podRuleCases)
func brokenPodRuleGivesUpstreamPathAndMessage(_ rule: PodRuleCase) throws {
    var pod = try validPod()
    rule.change(&pod)
    #expect(PodValidation.validate(pod).map(\.description) == rule.expected)
}

@Test func validationErrorDescriptionMatchesUpstreamShape() {
    let error = ValidationError.duplicate(FieldPath("spec").child("containers").index(1).child("name"), "web")
    #expect(error.description == "spec.containers[1].name: Duplicate value: \"web\"")
    #expect(error.kind.rawValue == "FieldValueDuplicate")
    #expect(ValidationError.required(FieldPath("spec", "containers"), "").description == "spec.containers: Required value")
}

import Foundation
import KubeAPI

/// The `model` suite: decode and re-encode a large pod list, as the agent does with every list and
/// watch from the API server. The peer does the same work with Python's `json` and the official
/// Kubernetes client's deserialiser, and with PyYAML for the YAML form, on the same bytes.
enum ModelSuite {
    static let podCount = 1000

    static func run(_ options: BenchOptions) throws -> [MetricResult] {
        let iterations = options.iterations ?? 20
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlet-bench-model-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var keepFiles = false
        defer { if !keepFiles { try? FileManager.default.removeItem(at: directory) } }

        let json = Array(podListJSON(count: podCount).utf8)
        let jsonFile = directory.appendingPathComponent("pods.json").path
        try Data(json).write(to: URL(fileURLWithPath: jsonFile))
        let decoder = ManifestDecoder(strict: true)
        let list = try decodePodList(json, decoder)
        let yaml = YAMLWriter.string(list.encoded())
        let yamlFile = directory.appendingPathComponent("pods.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: yamlFile))
        print("model: \(podCount) pods, JSON \(json.count / 1024) KiB, YAML \(yaml.utf8.count / 1024) KiB, \(iterations) iterations")

        // The work measured must be faithful: the list survives decode + encode unchanged.
        let reencoded = JSONWriter.bytes(list.encoded())
        guard try JSONParser.parse(reencoded) == JSONParser.parse(json) else {
            let dump = directory.deletingLastPathComponent().appendingPathComponent("swiftlet-bench-model-reencoded.json")
            try Data(reencoded).write(to: dump)
            keepFiles = true
            throw BenchError.peer("the pod list did not survive decode + encode unchanged; compare \(jsonFile) with \(dump.path)")
        }

        let peerScript = options.peersDirectory + "/model_peer.py"
        func peer(_ metric: String, _ file: String) throws -> Samples {
            try PeerProcess.samples(executable: options.python, arguments: [peerScript, metric, file, String(iterations)])
        }

        var results: [MetricResult] = []
        let decodeJSON = try Samples.measure(iterations: iterations) { _ = try decodePodList(json, decoder) }
        results.append(MetricResult(
            metric: "decode_pod_list_json", unit: "ms", ours: decodeJSON,
            peer: "python3 json + kubernetes client deserialize", peerSamples: try peer("decode_pod_list_json", jsonFile)))

        let encodeJSON = Samples.measure(iterations: iterations) { _ = JSONWriter.bytes(list.encoded()) }
        results.append(MetricResult(
            metric: "encode_pod_list_json", unit: "ms", ours: encodeJSON,
            peer: "kubernetes client sanitize + python3 json", peerSamples: try peer("encode_pod_list_json", jsonFile)))

        let yamlBytes = Array(yaml.utf8)
        let decodeYAML = try Samples.measure(iterations: iterations) { _ = try decodePodList(yamlBytes, decoder) }
        results.append(MetricResult(
            metric: "decode_pod_list_yaml", unit: "ms", ours: decodeYAML,
            peer: "PyYAML CSafeLoader + kubernetes client deserialize", peerSamples: try peer("decode_pod_list_yaml", yamlFile)))

        return results
    }

    static func decodePodList(_ bytes: [UInt8], _ decoder: ManifestDecoder) throws -> CoreV1.PodList {
        let documents = try decoder.documents(in: bytes, file: "pods")
        guard documents.count == 1 else { throw BenchError.peer("expected one document, got \(documents.count)") }
        return try decoder.decode(CoreV1.PodList.self, from: documents[0])
    }

    /// A list of `count` pods shaped like a real Deployment's pods as the API server returns them.
    static func podListJSON(count: Int) -> String {
        var items: [String] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            let suffix = String(index, radix: 36)
            items.append(
                podTemplate
                    .replacingOccurrences(of: "{{name}}", with: "web-6d4b75cb6d-\(suffix)")
                    .replacingOccurrences(of: "{{uid}}", with: String(format: "5f0c1a2e-3b4d-4e5f-8a9b-%012x", index))
                    .replacingOccurrences(of: "{{ip}}", with: "10.244.\(index / 250).\(index % 250 + 2)"))
        }
        return #"{"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"123456"},"items":["#
            + items.joined(separator: ",") + "]}"
    }

    static let podTemplate = #"""
    {"metadata":{"name":"{{name}}","generateName":"web-6d4b75cb6d-","namespace":"default","uid":"{{uid}}","resourceVersion":"982734","creationTimestamp":"2026-11-20T10:12:31Z","labels":{"app":"web","pod-template-hash":"6d4b75cb6d","tier":"frontend"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-20T10:12:30Z","prometheus.io/scrape":"true"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-6d4b75cb6d","uid":"0b6f3c44-9a1e-4c55-b0d2-6f1f6e0d9a11","controller":true,"blockOwnerDeletion":true}],"managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2026-11-20T10:12:31Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{}}}}}]},
    "spec":{"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"cache","emptyDir":{"sizeLimit":"256Mi"}},{"name":"kube-api-access-x7k2p","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],
    "initContainers":[{"name":"migrate","image":"registry.example/web:1.4.2","command":["/bin/migrate","--once"],"resources":{"requests":{"cpu":"50m","memory":"32Mi"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"},{"name":"log-shipper","image":"registry.example/shipper:2.0","restartPolicy":"Always","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
    "containers":[{"name":"web","image":"registry.example/web:1.4.2","args":["--port=8080","--config=/etc/web/config.yaml"],"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"name":"metrics","containerPort":9090,"protocol":"TCP"}],"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},{"name":"LOG_LEVEL","value":"info"},{"name":"DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"web-db","key":"password"}}}],"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},"volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/web"},{"name":"cache","mountPath":"/var/cache/web"},{"name":"kube-api-access-x7k2p","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":5,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"readinessProbe":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},"lifecycle":{"preStop":{"sleep":{"seconds":5}}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent","securityContext":{"capabilities":{"drop":["ALL"]},"runAsNonRoot":true,"readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false}},{"name":"proxy","image":"registry.example/envoy:1.31","ports":[{"containerPort":15001,"protocol":"TCP"}],"resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"100m","memory":"64Mi"}},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
    "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"web","serviceAccount":"web","nodeName":"node-17","securityContext":{"runAsUser":1000,"runAsGroup":1000,"fsGroup":2000,"seccompProfile":{"type":"RuntimeDefault"}},"affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,"podAffinityTerm":{"labelSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]},"topologyKey":"kubernetes.io/hostname"}}]}},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
    "status":{"phase":"Running","conditions":[{"type":"PodReadyToStartContainers","status":"True","lastTransitionTime":"2026-11-20T10:12:33Z"},{"type":"Initialized","status":"True","lastTransitionTime":"2026-11-20T10:12:35Z"},{"type":"Ready","status":"True","lastTransitionTime":"2026-11-20T10:12:41Z"},{"type":"ContainersReady","status":"True","lastTransitionTime":"2026-11-20T10:12:41Z"},{"type":"PodScheduled","status":"True","lastTransitionTime":"2026-11-20T10:12:31Z"}],"hostIP":"192.0.2.17","hostIPs":[{"ip":"192.0.2.17"}],"podIP":"{{ip}}","podIPs":[{"ip":"{{ip}}"}],"startTime":"2026-11-20T10:12:31Z",
    "initContainerStatuses":[{"name":"migrate","state":{"terminated":{"exitCode":0,"reason":"Completed","startedAt":"2026-11-20T10:12:33Z","finishedAt":"2026-11-20T10:12:34Z","containerID":"containerd://9f1c"}},"lastState":{},"ready":true,"restartCount":0,"image":"registry.example/web:1.4.2","imageID":"registry.example/web@sha256:4c1f0d6fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c","containerID":"containerd://9f1c","started":false},{"name":"log-shipper","state":{"running":{"startedAt":"2026-11-20T10:12:35Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"registry.example/shipper:2.0","imageID":"registry.example/shipper@sha256:0a1b","containerID":"containerd://77aa","started":true}],
    "containerStatuses":[{"name":"proxy","state":{"running":{"startedAt":"2026-11-20T10:12:36Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"registry.example/envoy:1.31","imageID":"registry.example/envoy@sha256:5d6e","containerID":"containerd://51b2","started":true},{"name":"web","state":{"running":{"startedAt":"2026-11-20T10:12:36Z"}},"lastState":{"terminated":{"exitCode":137,"reason":"OOMKilled","startedAt":"2026-11-20T10:10:01Z","finishedAt":"2026-11-20T10:12:30Z","containerID":"containerd://3e4f"}},"ready":true,"restartCount":1,"image":"registry.example/web:1.4.2","imageID":"registry.example/web@sha256:4c1f0d6fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c","containerID":"containerd://aa01","started":true,"resources":{"limits":{"cpu":"1","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}}}],
    "qosClass":"Burstable"}}
    """#.replacingOccurrences(of: "\n", with: "")
}

import KubeAPI
import Kubelet
import Testing

@Suite struct EnvironmentContainerTests {
    static func pod(_ containers: [CoreV1.Container]) -> CoreV1.Pod {
        CoreV1.Pod(
            metadata: MetaV1.ObjectMeta(
                annotations: ["note": "say \"hi\"\n", "a": "1"], labels: ["app": "web", "tier": "front"],
                name: "web-0", namespace: "shop", uid: "1234-abcd"),
            spec: CoreV1.PodSpec(containers: containers, nodeName: "node-1", serviceAccountName: "robot"),
            status: CoreV1.PodStatus(
                hostIP: "192.168.1.10", hostIPs: [CoreV1.HostIP(ip: "192.168.1.10"), CoreV1.HostIP(ip: "fd00::10")],
                podIP: "10.88.0.5", podIPs: [CoreV1.PodIP(ip: "10.88.0.5"), CoreV1.PodIP(ip: "fd01::5")]))
    }

    static let objects = StaticConfigObjects(
        configMaps: [
            CoreV1.ConfigMap(
                binaryData: ["blob": "aGVsbG8="], data: ["LEVEL": "debug", "URL": "http://$(HOST)/x", "bad=key": "v"],
                metadata: MetaV1.ObjectMeta(name: "settings", namespace: "shop"))
        ],
        secrets: [
            CoreV1.Secret(
                data: ["password": "czNjcjN0"], metadata: MetaV1.ObjectMeta(name: "creds", namespace: "shop"),
                stringData: ["token": "plain"])
        ])

    static func build(_ container: CoreV1.Container, allocatable: [String: Quantity] = [:]) async throws -> ContainerEnvironment {
        let pod = pod([container])
        return try await ContainerEnvironment.build(
            container: container, fields: PodFieldValues(pod: pod, nodeAllocatable: allocatable), objects: objects)
    }

    @Test func envFromWithPrefixThenEnvOverridesAndExpandsEarlierVariables() async throws {
        let container = CoreV1.Container(
            args: ["--level=$(CFG_LEVEL)", "$$(HOST)"], command: ["/bin/app", "$(HOST)"],
            env: [
                CoreV1.EnvVar(name: "HOST", value: "db"),
                CoreV1.EnvVar(name: "CFG_LEVEL", value: "info-$(HOST)"),
                CoreV1.EnvVar(name: "MISSING", value: "$(NOPE)"),
            ],
            envFrom: [CoreV1.EnvFromSource(configMapRef: CoreV1.ConfigMapEnvSource(name: "settings"), prefix: "CFG_")],
            name: "app")
        let env = try await Self.build(container)
        let values = env.dictionary
        #expect(values["CFG_LEVEL"] == "info-db")
        #expect(values["CFG_URL"] == "http://$(HOST)/x", "envFrom values are not expanded")
        #expect(values["CFG_blob"] == nil, "binaryData keys do not become variables")
        #expect(values["MISSING"] == "$(NOPE)")
        #expect(env.skippedKeys == ["CFG_bad=key"])
        #expect(env.variables.map(\.name) == ["CFG_LEVEL", "CFG_URL", "HOST", "MISSING"])
        #expect(env.command == ["/bin/app", "db"])
        #expect(env.args == ["--level=info-db", "$(HOST)"])
    }

    @Test func configMapKeyRefReadsDataButNotBinaryData() async throws {
        let container = CoreV1.Container(
            env: [CoreV1.EnvVar(name: "B", valueFrom: CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "blob", name: "settings")))],
            name: "app")
        let error = await #expect(throws: EnvironmentError.self) { try await Self.build(container) }
        #expect(error == .configMapKeyNotFound(namespace: "shop", name: "settings", key: "blob"))
    }

    @Test func secretKeyRefDecodesBase64AndStringData() async throws {
        let container = CoreV1.Container(
            env: [
                CoreV1.EnvVar(name: "PW", valueFrom: CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "password", name: "creds"))),
                CoreV1.EnvVar(name: "TOKEN", valueFrom: CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "token", name: "creds"))),
            ], name: "app")
        let values = try await Self.build(container).dictionary
        #expect(values == ["PW": "s3cr3t", "TOKEN": "plain"])
    }

    @Test func optionalReferencesToMissingObjectsOrKeysAreLeftOut() async throws {
        let container = CoreV1.Container(
            env: [
                CoreV1.EnvVar(name: "A", valueFrom: CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "x", name: "gone", optional: true))),
                CoreV1.EnvVar(name: "B", valueFrom: CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "x", name: "settings", optional: true))),
                CoreV1.EnvVar(name: "C", valueFrom: CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "x", name: "creds", optional: true))),
            ],
            envFrom: [CoreV1.EnvFromSource(secretRef: CoreV1.SecretEnvSource(name: "nothere", optional: true))],
            name: "app")
        #expect(try await Self.build(container).variables.isEmpty)
    }

    @Test(arguments: [
        (CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "x", name: "gone")), "configmaps \"gone\" not found"),
        (CoreV1.EnvVarSource(configMapKeyRef: CoreV1.ConfigMapKeySelector(key: "x", name: "settings")), "couldn't find key x in ConfigMap shop/settings"),
        (CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "x", name: "gone")), "secrets \"gone\" not found"),
        (CoreV1.EnvVarSource(secretKeyRef: CoreV1.SecretKeySelector(key: "x", name: "creds")), "couldn't find key x in Secret shop/creds"),
        (CoreV1.EnvVarSource(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "spec.hostname")), "unsupported fieldPath: spec.hostname"),
        (CoreV1.EnvVarSource(resourceFieldRef: CoreV1.ResourceFieldSelector(resource: "limits.gpu")), "unsupported container resource : limits.gpu"),
    ])
    func requiredReferenceThatCannotResolveFailsWithUpstreamMessage(_ source: CoreV1.EnvVarSource, _ message: String) async throws {
        let container = CoreV1.Container(env: [CoreV1.EnvVar(name: "X", valueFrom: source)], name: "app")
        let error = await #expect(throws: EnvironmentError.self) { try await Self.build(container) }
        #expect(error?.description == message)
    }

    @Test func requiredEnvFromConfigMapMissingFails() async throws {
        let container = CoreV1.Container(envFrom: [CoreV1.EnvFromSource(configMapRef: CoreV1.ConfigMapEnvSource(name: "gone"))], name: "app")
        let error = await #expect(throws: EnvironmentError.self) { try await Self.build(container) }
        #expect(error == .configMapNotFound(namespace: "shop", name: "gone"))
    }

    @Test(arguments: [
        ("metadata.name", "web-0"), ("metadata.namespace", "shop"), ("metadata.uid", "1234-abcd"),
        ("metadata.labels['app']", "web"), ("metadata.labels['none']", ""),
        ("metadata.annotations['a']", "1"),
        ("metadata.labels", "app=\"web\"\ntier=\"front\""),
        ("metadata.annotations", "a=\"1\"\nnote=\"say \\\"hi\\\"\\n\""),
        ("spec.nodeName", "node-1"), ("spec.serviceAccountName", "robot"),
        ("status.podIP", "10.88.0.5"), ("status.podIPs", "10.88.0.5,fd01::5"),
        ("status.hostIP", "192.168.1.10"), ("status.hostIPs", "192.168.1.10,fd00::10"),
    ])
    func fieldRefGivesDownwardAPIValue(_ path: String, _ expected: String) async throws {
        let container = CoreV1.Container(
            env: [CoreV1.EnvVar(name: "F", valueFrom: CoreV1.EnvVarSource(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: path)))],
            name: "app")
        #expect(try await Self.build(container).dictionary["F"] == expected)
    }

    @Test(arguments: [
        ("limits.cpu", nil, "2"), ("limits.cpu", "1m", "1500"), ("requests.cpu", nil, "1"),
        ("requests.cpu", "100m", "3"), ("limits.memory", "1Mi", "64"), ("requests.memory", nil, "33554432"),
        ("limits.ephemeral-storage", "1Gi", "10"), ("requests.ephemeral-storage", nil, "0"),
    ] as [(String, String?, String)])
    func resourceFieldRefDividesAndRoundsUpWithAllocatableAsDefaultLimit(
        _ resource: String, _ divisor: String?, _ expected: String
    ) async throws {
        let container = CoreV1.Container(
            env: [
                CoreV1.EnvVar(
                    name: "R",
                    valueFrom: CoreV1.EnvVarSource(
                        resourceFieldRef: CoreV1.ResourceFieldSelector(divisor: divisor.flatMap { Quantity($0) }, resource: resource)))
            ],
            name: "app",
            resources: CoreV1.ResourceRequirements(
                limits: ["cpu": Quantity("1500m")!, "memory": Quantity("64Mi")!],
                requests: ["cpu": Quantity("250m")!, "memory": Quantity("32Mi")!]))
        let value = try await Self.build(container, allocatable: ["ephemeral-storage": Quantity("10Gi")!]).dictionary["R"]
        #expect(value == expected)
    }
}

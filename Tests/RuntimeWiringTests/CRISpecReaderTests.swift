import ContainerRuntime
import RuntimeCLI
import Testing

@Suite("crictl spec files")
struct CRISpecReaderTests {
    @Test func crictlSandboxJSONIsReadWithPortMappingsAndNamespaceOptions() throws {
        let config = try CRISpecReader.sandboxConfig(text: """
            {
              "metadata": {"name": "nginx-sandbox", "namespace": "default", "attempt": 1, "uid": "hdishd83djaidwnduwk28bcsb"},
              "hostname": "nginx",
              "log_directory": "/tmp",
              "dns_config": {"servers": ["10.96.0.10"], "searches": ["svc.cluster.local"]},
              "port_mappings": [{"protocol": "TCP", "container_port": 80, "host_port": 8080, "host_ip": "127.0.0.1"}],
              "labels": {"app": "nginx"},
              "linux": {"cgroup_parent": "kubepods/podx", "security_context": {"namespace_options": {"network": "NODE", "pid": "POD"}}}
            }
            """, file: "pod.json")
        #expect(config.metadata == PodSandboxMetadata(name: "nginx-sandbox", uid: "hdishd83djaidwnduwk28bcsb", namespace: "default", attempt: 1))
        #expect(config.hostname == "nginx" && config.logDirectory == "/tmp")
        #expect(config.dnsConfig == DNSConfig(servers: ["10.96.0.10"], searches: ["svc.cluster.local"]))
        #expect(config.portMappings == [PortMapping(transportProtocol: .tcp, containerPort: 80, hostPort: 8080, hostIP: "127.0.0.1")])
        #expect(config.labels == ["app": "nginx"])
        #expect(config.linux.cgroupParent == "kubepods/podx")
        #expect(config.linux.securityContext.namespaceOptions == NamespaceOption(network: .node, pid: .pod))
    }

    @Test func containerYAMLInCamelCaseIsReadLikeSnakeCase() throws {
        let yaml = """
            metadata: {name: app, attempt: 2}
            image: {image: "busybox:1.36"}
            command: [sh, -c]
            args: ["echo hi"]
            workingDir: /srv
            envs: [{key: A, value: "1"}]
            mounts: [{containerPath: /data, hostPath: /tmp/data, readonly: true}]
            logPath: app/2.log
            tty: true
            linux:
              resources: {memoryLimitInBytes: 67108864, cpuQuota: 50000, cpuPeriod: 100000}
              securityContext: {runAsUser: {value: 1000}, capabilities: {dropCapabilities: [NET_RAW]}}
            """
        let config = try CRISpecReader.containerConfig(text: yaml, file: "c.yaml")
        #expect(config.metadata == ContainerMetadata(name: "app", attempt: 2))
        #expect(config.image.image == "busybox:1.36")
        #expect(config.command == ["sh", "-c"] && config.args == ["echo hi"] && config.workingDir == "/srv")
        #expect(config.envs == [KeyValue("A", "1")])
        #expect(config.mounts == [Mount(containerPath: "/data", hostPath: "/tmp/data", readonly: true)])
        #expect(config.logPath == "app/2.log" && config.tty)
        #expect(config.linux.resources.memoryLimitInBytes == 67_108_864 && config.linux.resources.cpuQuota == 50_000)
        #expect(config.linux.securityContext.runAsUser == 1000)
        #expect(config.linux.securityContext.dropCapabilities == ["NET_RAW"])
    }

    @Test func unknownFieldIsRejectedWithFileLineAndFieldPath() throws {
        let error = try #require(throws: CRISpecReader.SpecError.self) {
            try CRISpecReader.containerConfig(text: "metadata: {name: app}\nimage: {image: busybox}\nlinux:\n  resources:\n    memory: 1\n", file: "c.yaml")
        }
        #expect(error.file == "c.yaml" && error.line == 5 && error.field == "linux.resources.memory")
        #expect(error.description.hasPrefix("c.yaml:5: linux.resources.memory: an unknown field"))
    }

    @Test func wrongTypesAndMissingRequiredFieldsNameTheField() throws {
        let port = try #require(throws: CRISpecReader.SpecError.self) {
            try CRISpecReader.sandboxConfig(
                text: #"{"metadata": {"name": "p", "uid": "u"}, "port_mappings": [{"container_port": "eighty"}]}"#, file: "p.json")
        }
        #expect(port.field == "port_mappings[0].container_port" && port.expected == "an integer")
        let image = try #require(throws: CRISpecReader.SpecError.self) {
            try CRISpecReader.containerConfig(text: "metadata: {name: app}\n", file: "c.yaml")
        }
        #expect(image.field == "image.image")
    }
}

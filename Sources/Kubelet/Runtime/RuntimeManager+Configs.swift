import ContainerRuntime
import Foundation
import KubeAPI

extension RuntimeManager {
    /// The sandbox configuration for a pod (upstream's `generatePodSandboxConfig`).
    func makeSandboxConfig(_ pod: CoreV1.Pod, attempt: UInt32) -> PodSandboxConfig {
        let metadata = PodSandboxMetadata(
            name: pod.metadata?.name ?? "", uid: pod.metadata?.uid ?? "", namespace: pod.metadata?.namespace ?? "default", attempt: attempt)
        let spec = pod.spec ?? CoreV1.PodSpec()
        var hostname = spec.hostname ?? metadata.name
        if hostname.count > 63 { hostname = String(hostname.prefix(63)) }
        while hostname.hasSuffix("-") || hostname.hasSuffix(".") { hostname.removeLast() }
        var portMappings: [PortMapping] = []
        for container in spec.containers {
            for port in container.ports ?? [] where (port.hostPort ?? 0) > 0 {
                let transport: PortMapping.TransportProtocol = switch port.protocol ?? "TCP" {
                case "UDP": .udp
                case "SCTP": .sctp
                default: .tcp
                }
                portMappings.append(PortMapping(
                    transportProtocol: transport, containerPort: port.containerPort, hostPort: port.hostPort ?? 0, hostIP: port.hostIP ?? ""))
            }
        }
        let namespaces = NamespaceOption(
            network: spec.hostNetwork == true ? .node : .pod,
            pid: spec.hostPID == true ? .node : (spec.shareProcessNamespace == true ? .pod : .container),
            ipc: spec.hostIPC == true ? .node : .pod)
        var sysctls: [String: String] = [:]
        for sysctl in spec.securityContext?.sysctls ?? [] { sysctls[sysctl.name] = sysctl.value }
        var dns: DNSConfig? = nil
        if let config = spec.dnsConfig {
            dns = DNSConfig(servers: config.nameservers ?? [], searches: config.searches ?? [], options: (config.options ?? []).map { option in
                option.value.map { "\(option.name ?? ""):\($0)" } ?? (option.name ?? "")
            })
        }
        let security = LinuxSandboxSecurityContext(
            namespaceOptions: namespaces, runAsUser: spec.securityContext?.runAsUser, runAsGroup: spec.securityContext?.runAsGroup,
            supplementalGroups: spec.securityContext?.supplementalGroups ?? [])
        let cgroupParent = settings.cgroups.map { $0.podCgroup(uid: metadata.uid, qos: QOSClass(pod: pod)) } ?? ""
        return PodSandboxConfig(
            metadata: metadata, hostname: hostname, logDirectory: metadata.logDirectory(root: settings.podLogsRoot), dnsConfig: dns,
            portMappings: portMappings, labels: RuntimeLabels.sandboxLabels(pod), annotations: pod.metadata?.annotations ?? [:],
            linux: LinuxPodSandboxConfig(cgroupParent: cgroupParent, securityContext: security, sysctls: sysctls))
    }

    /// The container configuration (upstream's `generateContainerConfig`): env, command and args
    /// through `ContainerEnvironment`, the termination message file, labels and annotations.
    ///
    /// - Throws: `EnvironmentError` or `VolumeError` (the container's
    ///   `CreateContainerConfigError`), or an error naming the termination message file that
    ///   could not be made.
    func makeContainerConfig(
        _ container: CoreV1.Container, pod: CoreV1.Pod, restartCount: UInt32, imageRef: String, podIPs: [String], volumes: PodVolumes
    ) async throws -> ContainerConfig {
        let environment = try await ContainerEnvironment.build(
            container: container, fields: PodFieldValues(pod: pod, podIPs: podIPs), objects: await objects())
        var mounts: [Mount] = []
        if let manager = settings.volumes {
            mounts = try manager.mounts(for: container, volumes: volumes, environment: environment.dictionary)
        }
        let messagePath = container.terminationMessagePath ?? "/dev/termination-log"
        if !messagePath.isEmpty {
            let directory = "\(settings.podsDirectory)/\(pod.metadata?.uid ?? "")/containers/\(container.name)"
            let file = "\(directory)/\(restartCount)"
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                // An empty file made in place, as upstream's os.Create: FileManager.createFile
                // writes a temporary file and renames it, one more journalled step on the start path.
                let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
                guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                close(descriptor)
            } catch {
                throw TerminationMessageFileError(path: file, underlying: "\(error)")
            }
            mounts.append(Mount(containerPath: messagePath, hostPath: file))
        }
        var annotations: [String: String] = [
            RuntimeLabels.containerHash: RuntimeLabels.hash(of: container),
            RuntimeLabels.restartCount: String(restartCount),
            RuntimeLabels.terminationMessagePath: messagePath,
            RuntimeLabels.terminationMessagePolicy: container.terminationMessagePolicy ?? "File",
        ]
        annotations[RuntimeLabels.terminationGracePeriod] = String(pod.spec?.terminationGracePeriodSeconds ?? 30)
        let security = container.securityContext
        let resources = CgroupResources.linuxContainerResources(container: container, pod: pod, memoryCapacity: settings.memoryCapacity)
        let linux = LinuxContainerConfig(resources: resources, securityContext: LinuxContainerSecurityContext(
            addCapabilities: security?.capabilities?.add ?? [], dropCapabilities: security?.capabilities?.drop ?? [],
            privileged: security?.privileged ?? false,
            runAsUser: security?.runAsUser ?? pod.spec?.securityContext?.runAsUser,
            runAsGroup: security?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup,
            supplementalGroups: pod.spec?.securityContext?.supplementalGroups ?? [],
            readonlyRootfs: security?.readOnlyRootFilesystem ?? false,
            noNewPrivs: security?.allowPrivilegeEscalation == false))
        return ContainerConfig(
            metadata: ContainerMetadata(name: container.name, attempt: restartCount), image: ImageSpec(container.image ?? ""),
            command: environment.command, args: environment.args, workingDir: container.workingDir ?? "",
            envs: environment.variables.map { KeyValue($0.name, $0.value) }, mounts: mounts,
            labels: RuntimeLabels.containerLabels(pod, container: container.name), annotations: annotations,
            logPath: "\(container.name)/\(restartCount).log", stdin: container.stdin ?? false, stdinOnce: container.stdinOnce ?? false,
            tty: container.tty ?? false, linux: linux)
    }

    /// The message of an exited container: its termination message file (at most 4096 bytes),
    /// or with `FallbackToLogsOnError` and a failure exit, the tail of its log (80 lines, 2048
    /// bytes); otherwise the runtime's message.
    func terminationMessage(of status: RuntimeContainerStatus) -> String {
        let path = status.annotations[RuntimeLabels.terminationMessagePath] ?? ""
        var message = ""
        if !path.isEmpty, let mount = status.mounts.first(where: { $0.containerPath == path }),
            let handle = FileHandle(forReadingAtPath: mount.hostPath)
        {
            let data = (try? handle.read(upToCount: Self.maxTerminationMessageBytes)) ?? nil
            try? handle.close()
            message = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        if message.isEmpty, status.exitCode != 0,
            status.annotations[RuntimeLabels.terminationMessagePolicy] == "FallbackToLogsOnError"
        {
            message = logTail(status.logPath)
        }
        return message.isEmpty ? status.message : message
    }

    /// The last lines of a CRI log file, within upstream's limits.
    func logTail(_ path: String) -> String {
        guard !path.isEmpty, let data = FileManager.default.contents(atPath: path) else { return "" }
        let lines = CRILogLine.parseAll([UInt8](data))
        var text = ""
        var current = ""
        var complete: [String] = []
        for line in lines {
            current += line.text
            if !line.isPartial {
                complete.append(current)
                current = ""
            }
        }
        if !current.isEmpty { complete.append(current) }
        text = complete.suffix(Self.maxTerminationMessageLogLines).joined(separator: "\n")
        if text.utf8.count > Self.maxTerminationMessageLogBytes {
            text = String(decoding: text.utf8.suffix(Self.maxTerminationMessageLogBytes), as: UTF8.self)
        }
        return text
    }
}

/// The termination message file of a container could not be made.
struct TerminationMessageFileError: Error, CustomStringConvertible {
    var path: String
    var underlying: String
    var description: String { "cannot create the termination message file \(path): \(underlying)" }
}

import CSwiftletRuntime
import ContainerRuntime
import Foundation
import Glibc
import Logging

extension NativeRuntime {
    public func runPodSandbox(_ config: PodSandboxConfig, runtimeHandler: String) async throws -> String {
        let id = Self.newID()
        let directory = "\(sandboxesDirectory)/\(id)"
        let pod = "\(config.metadata.namespace)/\(config.metadata.name)"
        let cgroupPath = config.linux.cgroupParent.isEmpty
            ? "\(configuration.cgroupParent)/pod\(config.metadata.uid.isEmpty ? id : config.metadata.uid)"
            : config.linux.cgroupParent
        var record = SandboxRecord(
            id: id, config: config, runtimeHandler: runtimeHandler, createdAt: WallClock.nowNanoseconds(), state: .ready,
            ips: [], cgroupPath: cgroupPath, directory: directory, networkReady: false)
        do {
            // The kernel work (namespaces, the shm tmpfs, cgroup directories) runs off the actor,
            // so sandboxes created at once do not wait for each other.
            let hostname = config.hostname.isEmpty ? config.metadata.name : config.hostname
            let sysctls = try Self.namespacedSysctls(config.linux.sysctls)
            let (namespaceDirectory, shmMountPoint, cgroups) = (record.namespaceDirectory, record.shmMountPoint, self.cgroups)
            let hostIPC = config.linux.securityContext.namespaceOptions.ipc == .node
            let resources = config.linux.resources
            let sysctlPaths = sysctls.map(\.path), sysctlValues = sysctls.map(\.value)
            record.shmPath = hostIPC ? "/dev/shm" : shmMountPoint
            try await Blocking.run {
                try FileSystem.makeDirectories(namespaceDirectory, mode: 0o711)
                try Self.createNamespaces(namespaceDirectory, hostname: hostname, sysctlPaths: sysctlPaths, sysctlValues: sysctlValues, pod: pod)
                if !hostIPC { try Self.mountShm(shmMountPoint) }
                try cgroups.create(cgroupPath)
                if let resources { try cgroups.apply(cgroupPath, resources) }
            }
            if config.linux.securityContext.namespaceOptions.pid == .pod {
                let monitorPath = configuration.monitorPath
                let initPID = try await Blocking.run { try MonitorClient.launchPodInit(monitorPath: monitorPath) }
                record.podInitPID = initPID
                for file in cgroups.procsFiles(cgroupPath) { try? FileSystem.write(file, text: String(initPID)) }
            }
            try save(record)
            record.ips = try await configuration.network.setUp(sandboxID: id, namespacePath: record.namespacePath("net"), config: config)
            record.networkReady = true
            try writeEtcFiles(record)
            try save(record)
        } catch {
            configuration.logger.warning("pod sandbox failed", metadata: ["pod": "\(pod)", "error": "\(error)"])
            try? await configuration.network.tearDown(sandboxID: id, namespacePath: record.namespacePath("net"), config: config)
            destroySandboxFiles(record)
            if error is RuntimeError { throw error }
            throw RuntimeError.failed("run pod sandbox \(pod): \(error)")
        }
        sandboxes[id] = record
        configuration.logger.info(
            "pod sandbox ready", metadata: ["pod": "\(pod)", "sandboxID": "\(id.prefix(12))", "ips": "\(record.ips.joined(separator: ","))"])
        return id
    }

    /// The pod's network, IPC and UTS namespaces, kept by bind mounts in `directory`.
    nonisolated static func createNamespaces(
        _ directory: String, hostname: String, sysctlPaths: [String], sysctlValues: [String], pod: String
    ) throws {
        var step: Int32 = 0
        let created = withCStrings(sysctlPaths) { paths in
            withCStrings(sysctlValues) { values in
                SL_create_sandbox_namespaces(
                    directory, hostname, paths.map { UnsafePointer($0) }, values.map { UnsafePointer($0) }, sysctlPaths.count, &step)
            }
        }
        if created != 0 {
            throw RuntimeError.failed("run pod sandbox \(pod): \(String(cString: SL_step_name(step))): \(String(cString: strerror(errno)))")
        }
    }

    /// The pod's `/dev/shm`: a tmpfs at `path` that each container binds (containerd's sandbox shm).
    nonisolated static func mountShm(_ path: String) throws {
        try FileSystem.makeDirectories(path, mode: 0o755)
        try Syscall.retrying("mount", path) {
            mount("shm", path, "tmpfs", UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC), InitSpec.shmOptions)
        }
    }

    /// The sysctls a pod may set, as paths under /proc/sys: those of its network and IPC
    /// namespaces (Kubernetes' "safe and unsafe namespaced" sets). Others name the field and fail.
    static func namespacedSysctls(_ sysctls: [String: String]) throws -> [(path: String, value: String)] {
        let ipc = ["kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "kernel.msgmax", "kernel.msgmnb",
                   "kernel.msgmni", "kernel.sem"]
        return try sysctls.sorted { $0.key < $1.key }.map { key, value in
            let name = key.replacingOccurrences(of: "/", with: ".")
            guard name.hasPrefix("net.") || name.hasPrefix("fs.mqueue.") || ipc.contains(name), !name.contains("..") else {
                throw RuntimeError.invalidArgument(
                    field: "linux.sysctls[\(key)]", reason: "not a sysctl of the pod's network or IPC namespace")
            }
            return (name.replacingOccurrences(of: ".", with: "/"), value)
        }
    }

    /// `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf` of the pod, shared by its containers.
    private func writeEtcFiles(_ record: SandboxRecord) throws {
        let config = record.config
        let hostname = config.hostname.isEmpty ? config.metadata.name : config.hostname
        var hosts = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters

            """
        for ip in record.ips { hosts += "\(ip)\t\(hostname)\n" }
        try FileSystem.write(record.directory + "/hosts", text: hosts)
        try FileSystem.write(record.directory + "/hostname", text: hostname + "\n")
        let resolv: String
        if let dns = config.dnsConfig {
            resolv = dns.servers.map { "nameserver \($0)\n" }.joined()
                + (dns.searches.isEmpty ? "" : "search \(dns.searches.joined(separator: " "))\n")
                + (dns.options.isEmpty ? "" : "options \(dns.options.joined(separator: " "))\n")
        } else {
            resolv = (try? FileSystem.readText("/etc/resolv.conf")) ?? ""
        }
        try FileSystem.write(record.directory + "/resolv.conf", text: resolv)
    }

    /// Kills the init of the pod's shared PID namespace, if it is still the one this pod started.
    private func stopPodInit(_ record: SandboxRecord) {
        guard let pid = record.podInitPID, let bytes = try? FileSystem.readBytes("/proc/\(pid)/cmdline") else { return }
        if bytes.split(separator: 0).map({ String(decoding: $0, as: UTF8.self) }).dropFirst().first == "pod-init" {
            kill(pid, SIGKILL)
        }
    }

    private func destroySandboxFiles(_ record: SandboxRecord) {
        stopPodInit(record)
        for name in ["net", "ipc", "uts"] { umount2(record.namespacePath(name), Int32(MNT_DETACH)) }
        if record.shmPath == record.shmMountPoint { umount2(record.shmMountPoint, Int32(MNT_DETACH)) }
        FileSystem.removeTree(record.directory)
        cgroups.remove(record.cgroupPath)
    }

    public func stopPodSandbox(id: String) async throws {
        guard var record = sandboxes[id] else { return }
        // Not ready first, so a createContainer in flight gives up instead of leaving a container.
        record.state = .notReady
        sandboxes[id] = record
        for container in containers.values where container.sandboxID == id {
            try await stopContainer(id: container.id, timeout: 0)
        }
        record = sandboxes[id] ?? record
        stopPodInit(record)
        if record.networkReady {
            try await configuration.network.tearDown(sandboxID: id, namespacePath: record.namespacePath("net"), config: record.config)
            record.networkReady = false
        }
        record.state = .notReady
        sandboxes[id] = record
        try save(record)
    }

    public func removePodSandbox(id: String) async throws {
        guard sandboxes[id] != nil else { return }
        try await stopPodSandbox(id: id)
        for container in containers.values where container.sandboxID == id {
            try await removeContainer(id: container.id)
        }
        guard let record = sandboxes.removeValue(forKey: id) else { return }
        destroySandboxFiles(record)
    }

    public func podSandboxStatus(id: String) async throws -> PodSandboxStatus {
        guard let record = sandboxes[id] else { throw RuntimeError.notFound(kind: "pod sandbox", id: id) }
        return PodSandboxStatus(
            id: id, metadata: record.config.metadata, state: record.state, createdAt: record.createdAt,
            ip: record.ips.first ?? "", additionalIPs: Array(record.ips.dropFirst()),
            networkNamespacePath: record.namespacePath("net"),
            namespaceOptions: record.config.linux.securityContext.namespaceOptions, labels: record.config.labels,
            annotations: record.config.annotations, runtimeHandler: record.runtimeHandler)
    }

    public func listPodSandboxes(filter: PodSandboxFilter) async throws -> [PodSandbox] {
        sandboxes.values.map(\.listItem).filter(filter.matches).sorted { $0.createdAt < $1.createdAt }
    }
}

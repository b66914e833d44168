import Glibc

/// The spec file the C init path reads (`SL_spec_load`): NUL-terminated keys and values, one
/// pair after another. Every decision is made here in Swift; the C side only carries it out.
struct InitSpec {
    private(set) var bytes: [UInt8] = []

    /// One mount, with `MS_*` flags; destination inside the container.
    struct MountEntry: Equatable {
        var destination: String
        var source: String
        var type: String
        var flags: UInt
        var data: String
    }

    mutating func add(_ key: String, _ value: String) {
        bytes += Array(key.utf8)
        bytes.append(0)
        bytes += Array(value.utf8)
        bytes.append(0)
    }

    mutating func add(_ key: String, _ value: some BinaryInteger) { add(key, String(value)) }

    mutating func add(_ mount: MountEntry) {
        add("mount", mount.destination)
        add("mount.src", mount.source)
        if !mount.type.isEmpty { add("mount.type", mount.type) }
        add("mount.flags", mount.flags)
        if !mount.data.isEmpty { add("mount.data", mount.data) }
    }

    mutating func addCapabilities(_ set: CapabilitySet, ambient: CapabilitySet = CapabilitySet(mask: 0)) {
        add("caps.bounding", "0x" + String(set.mask, radix: 16))
        add("caps.effective", "0x" + String(set.mask, radix: 16))
        add("caps.permitted", "0x" + String(set.mask, radix: 16))
        add("caps.ambient", "0x" + String(ambient.mask, radix: 16))
    }

    mutating func addProcess(_ process: ContainerProcess) {
        add("uid", process.uid)
        add("gid", process.gid)
        for group in process.groups { add("group", group) }
        add("cwd", process.workingDir)
        for arg in process.argv { add("arg", arg) }
        for entry in process.env { add("env", entry) }
    }

    /// The mounts every container gets (the OCI/containerd defaults), before the caller's.
    /// `podShm` is the pod's `/dev/shm` on the host, bound in so the pod's containers share it (as
    /// containerd binds the sandbox's); nil gives the container a tmpfs of its own.
    static func defaultMounts(readonlySys: Bool, podShm: String? = nil) -> [MountEntry] {
        let nosuid = UInt(MS_NOSUID), nodev = UInt(MS_NODEV), noexec = UInt(MS_NOEXEC)
        let shm = podShm.map {
            MountEntry(destination: "/dev/shm", source: $0, type: "bind", flags: UInt(MS_BIND) | UInt(MS_REC) | nosuid | noexec | nodev, data: "")
        } ?? MountEntry(destination: "/dev/shm", source: "shm", type: "tmpfs", flags: nosuid | noexec | nodev, data: shmOptions)
        return [
            MountEntry(destination: "/proc", source: "proc", type: "proc", flags: nosuid | noexec | nodev, data: ""),
            MountEntry(destination: "/dev", source: "tmpfs", type: "tmpfs", flags: nosuid | UInt(MS_STRICTATIME), data: "mode=755,size=65536k"),
            MountEntry(destination: "/dev/pts", source: "devpts", type: "devpts", flags: nosuid | noexec,
                       data: "newinstance,ptmxmode=0666,mode=0620,gid=5"),
            shm,
            MountEntry(destination: "/dev/mqueue", source: "mqueue", type: "mqueue", flags: nosuid | noexec | nodev, data: ""),
            MountEntry(destination: "/sys", source: "sysfs", type: "sysfs",
                       flags: nosuid | noexec | nodev | (readonlySys ? UInt(MS_RDONLY) : 0), data: ""),
        ]
    }

    /// The options of a `/dev/shm` tmpfs: containerd's 64 MiB, writable by all with the sticky bit.
    static let shmOptions = "mode=1777,size=65536k"

    /// containerd's and runc's default masked paths.
    static let defaultMaskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/scsi",
    ]

    /// containerd's and runc's default read-only paths.
    static let defaultReadonlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
}

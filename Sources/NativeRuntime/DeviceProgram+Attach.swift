import Glibc

extension DeviceProgram {
    /// The name the program carries in the kernel (`bpftool prog` shows it).
    static let kernelName = "swiftlet_dev"

    /// Loads the program and makes it the device program of the cgroup v2 directory `directory`,
    /// in place of the device programs attached there before (so an update replaces the rules
    /// rather than adding to them). A single earlier program attached with `BPF_F_ALLOW_MULTI` is
    /// swapped atomically (`BPF_F_REPLACE`); otherwise the new one is attached first and the old
    /// ones detached after, so for a moment both apply and the cgroup never gets more than either
    /// allows. The program's descriptor is closed at the end: an attached program stays loaded
    /// for as long as it is attached (until the cgroup goes away).
    ///
    /// Throws ``SystemCallError`` naming the call and the directory, or ``BPFLoadError`` when the
    /// kernel refuses the program.
    func attach(toCgroup directory: String) throws {
        let program = try BPFSystemCall.loadDeviceProgram(bytes, name: Self.kernelName, subject: directory)
        let cgroup = try FileDescriptor(opening: directory, flags: O_DIRECTORY | O_RDONLY)
        try Self.attach(program: program.rawValue, cgroup: cgroup.rawValue, directory: directory)
    }

    private static func attach(program: Int32, cgroup: Int32, directory: String) throws {
        let (previous, flags) = try BPFSystemCall.attachedDevicePrograms(cgroup: cgroup, subject: directory)
        let multi = BPFSystemCall.allowMulti
        if !previous.isEmpty, flags & multi == 0 {
            // One program attached without BPF_F_ALLOW_MULTI (by another manager): the kernel takes
            // no multi-program attach on top of it, and attaching with its flags replaces it.
            try BPFSystemCall.attach(program: program, cgroup: cgroup, flags: flags, subject: directory)
            return
        }
        if previous.count == 1 {
            let swapped = try BPFSystemCall.withProgram(id: previous[0], subject: directory) { old in
                do {
                    try BPFSystemCall.attach(
                        program: program, cgroup: cgroup, flags: multi | BPFSystemCall.replace, replacing: old, subject: directory)
                    return true
                } catch let error as SystemCallError where error.errno == EINVAL {
                    // A kernel before 5.6 has no BPF_F_REPLACE: attach, then detach, below.
                    return false
                }
            }
            if swapped == true { return }
        }
        try BPFSystemCall.attach(program: program, cgroup: cgroup, flags: multi, subject: directory)
        for id in previous {
            // A program detached or unloaded since the query is already what we want.
            _ = try BPFSystemCall.withProgram(id: id, subject: directory) { old in
                do {
                    try BPFSystemCall.detach(program: old, cgroup: cgroup, subject: directory)
                } catch let error as SystemCallError where error.errno == ENOENT {}
            }
        }
    }

    /// The IDs of the device programs attached to the cgroup v2 directory itself.
    static func attachedPrograms(cgroup directory: String) throws -> [UInt32] {
        let cgroup = try FileDescriptor(opening: directory, flags: O_DIRECTORY | O_RDONLY)
        return try BPFSystemCall.attachedDevicePrograms(cgroup: cgroup.rawValue, subject: directory).ids
    }
}

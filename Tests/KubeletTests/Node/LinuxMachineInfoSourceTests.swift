import Foundation
import Testing

@testable import Kubelet

@Suite("Machine facts from Linux files")
struct LinuxMachineInfoSourceTests {
    @Test func factsAreReadFromProcSysAndEtcUnderTheGivenRoot() throws {
        let root = try makeTemporaryDirectory("node-machine")
        defer { removeDirectory(root) }
        let files = [
            "/proc/meminfo": "MemTotal:        8029564 kB\nMemFree:         1234 kB\n",
            "/etc/machine-id": "0123456789abcdef0123456789abcdef\n",
            "/sys/class/dmi/id/product_uuid": "4c4c4544-0042-3510-8051-b4c04f4e4e32\n",
            "/proc/sys/kernel/random/boot_id": "b6d1a0ba-3d6c-4b1c-9bf5-6b4b5b1b2c3d\n",
            "/etc/os-release": "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n",
            "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages": "16\n",
            "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages": "0\n",
            "/proc/self/status": "Name:\tswiftlet\nCpus_allowed_list:\t0-2,5\n",
        ]
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try writeFile(root + path, text)
        }
        let source = LinuxMachineInfoSource(rootDirectory: root, hostnameOverride: "Node-A", fileRoot: root)
        let info = try source.machineInfo()
        #expect(info.memoryBytes == 8_029_564 * 1024)
        #expect(info.cpuCores == 4)
        #expect(info.machineID == "0123456789abcdef0123456789abcdef")
        #expect(info.systemUUID == "4c4c4544-0042-3510-8051-b4c04f4e4e32")
        #expect(info.bootID == "b6d1a0ba-3d6c-4b1c-9bf5-6b4b5b1b2c3d")
        #expect(info.osImage == "Debian GNU/Linux 12 (bookworm)")
        #expect(info.hugePages == [2 << 20: 16, 1 << 30: 0])
        #expect(info.hostname == "node-a")
        #expect((info.ephemeralStorageBytes ?? 0) > 0)
        #expect(!info.kernelVersion.isEmpty)
        #expect(["amd64", "arm64", "386", "arm", "ppc64le", "s390x", "riscv64"].contains(info.architecture))
        #expect(NodeStatusBuilder.hugePageResourceName(pageSize: 2 << 20) == "hugepages-2Mi")
        #expect(NodeStatusBuilder.hugePageResourceName(pageSize: 1 << 30) == "hugepages-1Gi")
    }

    @Test func missingMemTotalIsAnErrorNamingTheFile() throws {
        let root = try makeTemporaryDirectory("node-machine")
        defer { removeDirectory(root) }
        let error = #expect(throws: MachineInfoError.self) {
            try LinuxMachineInfoSource(rootDirectory: root, fileRoot: root).machineInfo()
        }
        #expect(error?.description == "\(root)/proc/meminfo: expected a MemTotal line in kB")
    }

    @Test func parsersReadCPUListsAndArchitectures() {
        #expect(LinuxMachineInfoSource.cpuListCount("0-3,6") == 5)
        #expect(LinuxMachineInfoSource.cpuListCount(" 7\n") == 1)
        #expect(LinuxMachineInfoSource.cpuListCount("3-1") == nil)
        #expect(LinuxMachineInfoSource.cpuListCount("-") == nil)
        #expect(LinuxMachineInfoSource.cpuListCount("1-2-3") == nil)
        #expect(LinuxMachineInfoSource.goArchitecture("x86_64") == "amd64")
        #expect(LinuxMachineInfoSource.goArchitecture("aarch64") == "arm64")
        #expect(LinuxMachineInfoSource.goArchitecture("armv7l") == "arm")
        #expect(LinuxMachineInfoSource.prettyName("PRETTY_NAME='Alpine Linux v3.20'") == "Alpine Linux v3.20")
    }

    @Test func realMachineHasTheFactsReadyNeeds() throws {
        let info = try LinuxMachineInfoSource(rootDirectory: NSTemporaryDirectory()).machineInfo()
        #expect(info.cpuCores >= 1)
        #expect(info.memoryBytes > 0)
        #expect(info.ephemeralStorageBytes != nil)
        #expect(!info.bootID.isEmpty)
        #expect(!info.hostname.isEmpty)
    }
}

import BenchReport
import CSwiftletNet
import Glibc
import Netlink

/// The CNI reference `bridge` plugin (with `host-local` IPAM) run as a container runtime runs it:
/// spawned in the node namespace, the network configuration on stdin, `CNI_*` in the environment,
/// waited for until it exits. Its result is read and discarded.
struct ReferencePlugin {
    let cniPath: String
    let nodeNamespace: NetworkNamespace
    let configuration: [UInt8]

    init(cniPath: String, nodeNamespace: NetworkNamespace, dataDirectory: String, bridge: String, subnet: String) {
        self.cniPath = cniPath
        self.nodeNamespace = nodeNamespace
        let text = """
            {"cniVersion":"1.0.0","name":"swiftlet-bench","type":"bridge","bridge":"\(bridge)","isGateway":true,\
            "ipMasq":false,"hairpinMode":true,"mtu":1500,"ipam":{"type":"host-local","ranges":[[{"subnet":"\(subnet)"}]],\
            "routes":[{"dst":"0.0.0.0/0"}],"dataDir":"\(dataDirectory)"}}
            """
        configuration = Array(text.utf8)
    }

    /// Runs `command` (`ADD` or `DEL`) for one sandbox; throws with the plugin's output when it fails.
    func run(_ command: String, sandboxID: String, namespacePath: String) throws {
        let path = cniPath + "/bridge"
        let environment = ["CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(sandboxID)", "CNI_NETNS=\(namespacePath)",
                           "CNI_IFNAME=eth0", "CNI_PATH=\(cniPath)", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw BenchError("pipe: errno \(errno)") }
        for end in input + output { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let argv = [strdup(path)] + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = SL_net_spawn(nodeNamespace.descriptor, path, argv, envp, input[0], output[1], output[1], &pid)
        close(input[0])
        close(output[1])
        guard rc == 0 else {
            close(input[1]); close(output[0])
            throw BenchError("spawn \(path): errno \(rc)")
        }
        _ = configuration.withUnsafeBytes { write(input[1], $0.baseAddress, $0.count) }
        close(input[1])
        let printed = readToEnd(output[0])
        close(output[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        guard status == 0 else {
            throw BenchError("\(path) \(command) \(sandboxID) exited with status \(status): \(String(decoding: printed, as: UTF8.self))")
        }
    }
}

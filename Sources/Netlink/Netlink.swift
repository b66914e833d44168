// Netlink: rtnetlink over libmnl. It owns links (bridges, veth pairs created straight into a pod's
// namespace, up/down, MTU, MAC, master, hairpin), IPv4 and IPv6 addresses, routes, network
// namespace handles and the per-namespace sysctls the pod datapath needs. Requests are built into
// one buffer and sent in one write (`NetlinkBatch`); kernel refusals come back as
// `NetlinkError.kernel` with the errno and the extended-ack message.
//
// It must not know about pods, IPAM, CNI or Kubernetes: PodNetwork builds those on top.

import Glibc

/// Runs a system call, retrying on `EINTR`, and turns a `-1` result into
/// `NetlinkError.system` naming the call.
@discardableResult
func systemCall<T: BinaryInteger>(_ name: @autoclosure () -> String, _ body: () -> T) throws(NetlinkError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw NetlinkError.system(call: name(), errno: code)
    }
}

/// The text of an errno value, as `strerror` gives it.
func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

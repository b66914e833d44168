import Glibc

/// Nanoseconds on the monotonic clock.
public func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// Lets the kernel finish the asynchronous work of namespaces just created or deleted (netns
/// cleanup and addrconf run from workqueues and take the RTNL and nf_tables locks), so it is not
/// charged to whichever side runs next.
public func settle(milliseconds: Int) {
    usleep(useconds_t(milliseconds * 1000))
}

/// Everything `descriptor` yields until end of file (a read interrupted by a signal is retried).
/// The descriptor stays open.
public func readToEnd(_ descriptor: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count > 0 { bytes += buffer[0..<count]; continue }
        if count < 0, errno == EINTR { continue }
        return bytes
    }
}

// What the native runtime's kernel tests need from the machine (TestSupport's requirement traits:
// skipped on a developer's machine without it, failed under CI=true).

import TestSupport
import Testing

extension Trait where Self == ConditionTrait {
    /// Root, the cgroup v1 memory and pids controllers, busybox-static (the test images' root
    /// filesystem) and a C compiler (for the static syscall probe).
    static var kernelRuntime: Self {
        .requires(.root, .path("/sys/fs/cgroup/memory/memory.limit_in_bytes"), .path("/sys/fs/cgroup/pids"),
                  .path("/usr/bin/busybox"), .command("cc"))
    }
}

// bpf(2) for the agent: Swift cannot call the variadic syscall(2). The attribute union is laid out
// by the caller (NativeRuntime's BPFSystemCall), so this holds no policy.
#include "CSwiftletRuntime.h"

#include <sys/syscall.h>
#include <unistd.h>

int SL_bpf(int command, void *attributes, unsigned int size) {
    return (int)syscall(SYS_bpf, command, attributes, size);
}

// The calling thread's network namespace switch, for sockets that must live in another netns.
#define _GNU_SOURCE
#include <sched.h>
#include "CSwiftletNetfilter.h"

int SL_setns_net(int fd) {
    return setns(fd, CLONE_NEWNET);
}

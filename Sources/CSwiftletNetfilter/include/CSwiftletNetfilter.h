// CSwiftletNetfilter: the kernel's nf_tables and nfnetlink constants for Swift, and the one
// system call Swift's Glibc module does not expose (setns). No policy lives here.
#ifndef SWIFTLET_NETFILTER_H
#define SWIFTLET_NETFILTER_H

// glibc's socket headers first, so the kernel headers below leave their definitions alone.
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>

/// Moves the calling thread into the network namespace behind `fd` (setns with CLONE_NEWNET).
/// Returns 0, or -1 with errno set.
int SL_setns_net(int fd);

#endif

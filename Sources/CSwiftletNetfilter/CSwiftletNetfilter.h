// CSwiftletNetfilter: the kernel's nf_tables and nfnetlink constants for Swift (headers only, no
// code). Switching network namespaces lives in one place, CSwiftletNet, which NFTables uses too.
#ifndef SWIFTLET_NETFILTER_H
#define SWIFTLET_NETFILTER_H

// glibc's socket headers first, so the kernel headers below leave their definitions alone.
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
// malloc_trim: a full sync's transient objects are returned to the system after it.
#include <malloc.h>

#endif

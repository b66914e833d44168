// CSwiftletNet: the rtnetlink constants Swift's Glibc module does not expose, and the few calls
// that must run on one thread inside another network namespace (socket, open, spawn) or create
// one (unshare + bind mount). Each function does one thing and holds no policy; every function
// that switches namespaces switches the calling thread back before it returns.
#ifndef SWIFTLET_NET_H
#define SWIFTLET_NET_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/if_bridge.h>
#include <linux/veth.h>
#include <linux/neighbour.h>

/// Creates a socket inside the network namespace behind `nsfd` (a socket stays in the namespace
/// it was created in). Returns the descriptor (close-on-exec), or -1 with errno set.
int SL_net_socket_in(int nsfd, int domain, int type, int protocol);

/// Opens `path` while the calling thread is inside the network namespace behind `nsfd` (for the
/// per-namespace files under /proc/sys/net). Returns the descriptor, or -1 with errno set.
int SL_net_open_in(int nsfd, const char *path, int flags);

/// Creates a new network namespace and bind-mounts it on `path` (created if missing, must not be
/// a mount point yet). The calling thread is returned to its namespace. 0, or -1 with errno set.
int SL_net_create_namespace(const char *path);

/// Starts `path` with `argv` and `envp` as a child inside the network namespace behind `nsfd`
/// (or the caller's own when `nsfd` is -1); the child's stdin, stdout and stderr are the given
/// descriptors, every other descriptor is closed, signal dispositions are default and the mask is
/// empty. Stores the child's pid in `pid`. Returns 0, or an errno value.
int SL_net_spawn(int nsfd, const char *path, char *const argv[], char *const envp[],
                 int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid);

#endif

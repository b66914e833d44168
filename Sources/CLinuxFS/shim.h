// CLinuxFS: the Linux file-system calls Swift's Glibc module does not export: extended attributes
// (setxattr and friends) and unshare(2) for private mount namespaces. Header only: all live in libc.
#ifndef SL_CLINUXFS_H
#define SL_CLINUXFS_H
#include <sys/xattr.h>

// glibc declares unshare() only under _GNU_SOURCE, which would change other system types this
// module shares with Swift's Glibc module; declare it (and the flag, from linux/sched.h) directly.
extern int unshare(int flags);
#define SL_CLONE_NEWNS 0x00020000

/// unshare(2) with CLONE_NEWNS: gives the calling thread a mount namespace of its own.
static inline int SL_unshare_mount_namespace(void) { return unshare(SL_CLONE_NEWNS); }
#endif

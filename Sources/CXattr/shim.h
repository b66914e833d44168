// CXattr: glibc's extended-attribute calls (setxattr and friends), which Swift's Glibc module
// does not export. Header only: the functions live in libc.
#include <sys/xattr.h>

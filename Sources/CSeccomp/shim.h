// CSeccomp: the system library libseccomp, found through pkg-config.
#include <seccomp.h>

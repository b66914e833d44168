// CCap: the system library libcap, found through pkg-config.
#include <sys/capability.h>

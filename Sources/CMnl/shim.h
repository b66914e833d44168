// CMnl: the system library libmnl, found through pkg-config.
#include <libmnl/libmnl.h>

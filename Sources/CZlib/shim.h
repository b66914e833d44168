// CZlib: the system library zlib, found through pkg-config (gzip layers).
#include <zlib.h>

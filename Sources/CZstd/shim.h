// CZstd: the system library libzstd, found through pkg-config (zstd layers).
#include <zstd.h>

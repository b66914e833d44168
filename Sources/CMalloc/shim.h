// CMalloc: glibc's heap statistics and trimming (mallinfo2, malloc_trim), which Swift's Glibc
// module does not export. Header only: both live in libc.
#ifndef SL_CMALLOC_H
#define SL_CMALLOC_H
#include <malloc.h>
#endif

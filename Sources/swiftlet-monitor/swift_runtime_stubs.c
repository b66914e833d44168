// SwiftPM links every executable product with the Swift runtime's image-registration object,
// which calls into libswiftCore. This program contains no Swift, so it answers those two calls
// itself, so the static link (-static-executable) pulls nothing of the runtime or libstdc++ in:
// the monitor stays a plain static C program, under 1 MiB resident against a 2 MiB budget.
#include <stdbool.h>

void swift_addNewDSOImage(const void *image);
void swift_addNewDSOImage(const void *image) { (void)image; }

bool _swift_backtrace_isThunkFunction(const char *name);
bool _swift_backtrace_isThunkFunction(const char *name) { (void)name; return false; }

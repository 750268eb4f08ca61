/* The library's version, for programs that link libk1fw.so and want to know
 * which one the loader gave them (the VERSION file of the source tree). */
#ifndef K1_VERSION_H
#define K1_VERSION_H

/* "0.1.0": the version libk1fw was built as. */
const char *k1_version(void);

#endif

/* Reading device-tree properties defensively: the FIT reader and the RAM
 * size rewriter both take trees from untrusted files. */
#ifndef K1_FDT_PROP_H
#define K1_FDT_PROP_H

#include <stdint.h>

/* A NUL-terminated string property (the first string of a list), or NULL. */
const char *k1_fdt_str(const void *fdt, int node, const char *name);

/* A 4-byte cell: 1 found, 0 absent, -1 present but not 4 bytes. */
int k1_fdt_u32(const void *fdt, int node, const char *name, uint32_t *v);

#endif

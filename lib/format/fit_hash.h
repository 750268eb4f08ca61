/* FIT hash nodes: the algorithms k1fw reads and writes, and their values. */
#ifndef K1_FIT_HASH_H
#define K1_FIT_HASH_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

/* The digest length of a FIT hash algorithm, 0 when k1fw cannot write it. */
size_t k1_fit_hash_len(const char *algo);

/* The `value` mkimage stores for algo over p[0..n): crc32 as 4 big-endian
 * bytes, the others as the plain digest. out holds 64 bytes. */
int k1_fit_hash(const char *algo, const uint8_t *p, size_t n, uint8_t out[64], size_t *outlen,
		struct k1_error *err);

#endif

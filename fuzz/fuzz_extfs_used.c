/* libFuzzer: the block-usage reader (k1fw flash and image skip an ext2/3/4
 * image's free blocks by it) on arbitrary bytes: a superblock that lies
 * about its size, bitmaps that point anywhere, a stale journal. */
#include "format/extfs_used.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k1_extents used = K1_EXTENTS_INIT;
	struct k1_extfs_usage u;
	struct k1_error err;

	if (!k1_extfs_used(data, size, &used, &u, &err)) {
		for (size_t i = 0; i < used.n; i++) /* sorted, inside the image */
			if (used.v[i].start >= used.v[i].end || used.v[i].end > size ||
			    (i && used.v[i].start <= used.v[i - 1].end))
				__builtin_trap();
	}
	k1_extents_free(&used);
	return 0;
}

/* libFuzzer: k1_spl_kind (which U-Boot an SPL is, by its banner) on
 * arbitrary bytes: an answer, never a read past the input; a version is
 * found exactly when the kind is known. */
#include "format/fsbl.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char v[64];
	enum k1_spl_kind k = k1_spl_kind(data, size, v, sizeof(v));

	if ((k == K1_SPL_UNKNOWN) != !v[0])
		abort();
	return 0;
}

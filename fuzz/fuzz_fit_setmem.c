/* libFuzzer: `k1fw fit set-memory` on arbitrary bytes, both as a FIT and as
 * a single device tree. Whatever it writes must read back as a sound FIT /
 * device tree; anything else must be a clean error. */
#include "format/dtb.h"
#include "format/fit.h"
#include "format/fit_build.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the last byte picks the size: both sides of the 2 GiB split */
	static const uint64_t ram[] = {1ull << 30, 2ull << 30, 3ull << 30, 16ull << 30};
	uint64_t r = ram[size ? data[size - 1] & 3 : 0];
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err;

	if (!k1_fit_set_memory(data, size, r, &out, NULL, &err) &&
	    k1_fit_check(out.data, out.len, &err))
		abort();
	out.len = 0;
	if (!k1_dtb_set_memory(data, size, r, &out, &err) && k1_dtb_check(out.data, out.len, &err))
		abort();
	k1_buf_free(&out);
	return 0;
}

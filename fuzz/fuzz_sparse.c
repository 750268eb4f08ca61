/* libFuzzer: the Android sparse reader (probe, inspect, verify, expand) on
 * arbitrary bytes. Expansion runs when the image expands to at most 1 MiB
 * (its cost is the output size by design). Seed it with img2simg and
 * simg2simg output (tests/cli/test_sparse.sh makes some). */
#include "format/format.h"
#include "format/sparse.h"

#include <stdint.h>
#include <stdlib.h>

static int count_sink(void *ctx, uint64_t off, const uint8_t *data, size_t len,
		      struct k1_error *err)
{
	(void)off;
	(void)data;
	(void)err;
	*(uint64_t *)ctx += len;
	return 0;
}

static void expand(const uint8_t *data, size_t size)
{
	struct k1_sparse_header h;
	struct k1_error err;
	uint64_t total = 0, out_len;
	uint8_t *out;

	if (k1_sparse_header_decode(data, size, &h, &err))
		return;
	out_len = (uint64_t)h.total_blks * h.blk_sz;
	if (out_len > (1u << 20))
		return;
	if (!k1_sparse_expand(data, size, count_sink, &total, &err) && total != out_len)
		abort(); /* a successful expansion covers the whole output */
	out = malloc(out_len ? out_len : 1);
	if (out) {
		k1_sparse_expand_buf(data, size, out, (size_t)out_len, &err);
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct k1_format *f = &k1_format_sparse;
	struct k1_input in = {"fuzz", data, size};
	struct k1_error err;
	struct k1_checks c = {0};
	json_t *j = NULL;

	if (!f->probe(data, size))
		return 0;
	if (!f->inspect(&in, &j, &err))
		json_decref(j);
	f->verify(&in, NULL, &c, &err);
	k1_checks_free(&c);
	expand(data, size);
	return 0;
}

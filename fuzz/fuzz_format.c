/* libFuzzer: one format handler (probe, inspect, verify) on arbitrary
 * bytes. Built once per format: -DFORMAT=fsbl makes fuzz_fsbl (the
 * Makefile also defines FORMAT_fsbl). Some formats have other readers,
 * which run on the same bytes before (before()) or, once probe accepted
 * them, after (after()). */
#include "format/env.h"
#include "format/fit.h"
#include "format/format.h"
#include "format/ptable.h"
#include "format/sparse.h"

#include <stdint.h>
#include <stdlib.h>

#define HANDLER_(f) k1_format_##f
#define HANDLER(f) HANDLER_(f)

#if defined(FORMAT_env)
/* the builder on the bytes taken as text, into an image whose size the
 * first byte picks; the parser in every layout */
static void before(const uint8_t *data, size_t size)
{
	struct k1_error err;
	struct k1_buf out = K1_BUF_INIT;
	struct k1_env env;

	if (size > 0)
		k1_env_build((const char *)data + 1, size - 1, 6 + data[0], data[0] & 1, &out,
			     &err);
	k1_buf_free(&out);
	for (int layout = K1_ENV_AUTO; layout <= K1_ENV_REDUNDANT; layout++)
		if (!k1_env_parse(data, size, (enum k1_env_layout)layout, &env, &err))
			k1_env_free(&env);
}
#elif defined(FORMAT_ptable)
/* Files the table names are looked up beside "fuzz.json" in the current
 * folder, so the file checks run too. */
#define INPUT_NAME "fuzz.json"
static void before(const uint8_t *data, size_t size)
{
	struct k1_error err;
	struct k1_ptable pt;

	if (!k1_ptable_parse((const char *)data, size, "fuzz", &pt, &err))
		k1_ptable_free(&pt);
}
#else
static void before(const uint8_t *data, size_t size)
{
	(void)data, (void)size;
}
#endif

#if defined(FORMAT_fit)
/* Seed it with real FITs: the golden u-boot.itb and the ones
 * tests/cli/test_fit.sh builds with mkimage. */
static void after(const uint8_t *data, size_t size)
{
	struct k1_error err;
	const uint8_t *img;
	size_t len;

	k1_fit_image_data(data, size, "uboot", &img, &len, &err);
}
#elif defined(FORMAT_sparse)
/* Expansion, when the image expands to at most 1 MiB (its cost is the
 * output size by design). Seed it with img2simg and simg2simg output
 * (tests/cli/test_sparse.sh makes some). */
static int count_sink(void *ctx, uint64_t off, const uint8_t *data, size_t len,
		      struct k1_error *err)
{
	(void)off, (void)data, (void)err;
	*(uint64_t *)ctx += len;
	return 0;
}

static void after(const uint8_t *data, size_t size)
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
#else
static void after(const uint8_t *data, size_t size)
{
	(void)data, (void)size;
}
#endif

#ifndef INPUT_NAME
#define INPUT_NAME "fuzz"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct k1_format *f = &HANDLER(FORMAT);
	struct k1_input in = {INPUT_NAME, data, size};
	struct k1_error err;
	struct k1_checks c = {0};
	json_t *j = NULL;

	before(data, size);
	if (!f->probe(data, size))
		return 0;
	if (!f->inspect(&in, &j, &err))
		json_decref(j);
	f->verify(&in, NULL, &c, &err);
	k1_checks_free(&c);
	after(data, size);
	return 0;
}

/* Android sparse images: hand-built images of every chunk type, expansion
 * against a reference expander written here, the CRC conventions, and
 * every kind of damage (truncation at each length, each byte flipped,
 * inconsistent sizes) giving a clear error and no crash. */
#include "testutil.h"

#include "base/fileio.h"
#include "format/format.h"
#include "format/sparse.h"

#include <zlib.h>

#define BLK 64 /* small blocks keep the images small */

struct img {
	uint8_t d[1 << 16];
	size_t len;
	uint32_t chunks, blocks;
	uint8_t out[1 << 16]; /* the expansion, built alongside */
	size_t out_len;
};

static void begin(struct img *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 28;
}

static void chunk_hdr(struct img *m, uint16_t type, uint32_t blocks, uint32_t data)
{
	put16(m->d + m->len, type);
	put32(m->d + m->len + 4, blocks);
	put32(m->d + m->len + 8, 12 + data);
	m->len += 12;
	m->chunks++;
	m->blocks += blocks;
}

static void raw(struct img *m, uint32_t blocks, uint8_t seed)
{
	chunk_hdr(m, 0xCAC1, blocks, blocks * BLK);
	for (uint32_t i = 0; i < blocks * BLK; i++)
		m->d[m->len + i] = m->out[m->out_len + i] = (uint8_t)(seed + i * 13);
	m->len += blocks * BLK;
	m->out_len += blocks * BLK;
}

static void fill(struct img *m, uint32_t blocks, uint32_t pattern)
{
	chunk_hdr(m, 0xCAC2, blocks, 4);
	put32(m->d + m->len, pattern);
	m->len += 4;
	for (uint32_t i = 0; i < blocks * BLK; i += 4)
		put32(m->out + m->out_len + i, pattern);
	m->out_len += blocks * BLK;
}

static void hole(struct img *m, uint32_t blocks)
{
	chunk_hdr(m, 0xCAC3, blocks, 0);
	m->out_len += blocks * BLK; /* out[] is zeroed */
}

/* A CRC32 chunk holding the CRC-32 of the output so far (libsparse's
 * reader convention). */
static void crc(struct img *m)
{
	chunk_hdr(m, 0xCAC4, 0, 4);
	put32(m->d + m->len, (uint32_t)crc32(0L, m->out, (uInt)m->out_len));
	m->len += 4;
}

static void finish(struct img *m)
{
	put32(m->d, 0xED26FF3A);
	put16(m->d + 4, 1);
	put16(m->d + 6, 0);
	put16(m->d + 8, 28);
	put16(m->d + 10, 12);
	put32(m->d + 12, BLK);
	put32(m->d + 16, m->blocks);
	put32(m->d + 20, m->chunks);
	put32(m->d + 24, 0);
}

/* raw, fill, hole, raw, crc, fill: every chunk type. */
static void sample(struct img *m)
{
	begin(m);
	raw(m, 3, 1);
	fill(m, 5, 0xDEADBEEF);
	hole(m, 7);
	raw(m, 1, 9);
	crc(m);
	fill(m, 2, 0);
	finish(m);
}

/* Verify the bytes: the number of failed checks (-1: unreadable), the
 * failed checks' names and messages in out. */
static int verify_bytes(const uint8_t *d, size_t len, char *out, size_t outsz)
{
	return test_verify(&k1_format_sparse, "t.simg", d, len, true, out, outsz);
}

static int expand(const uint8_t *d, size_t len, uint8_t *out, size_t out_len, struct k1_error *err)
{
	return k1_sparse_expand_buf(d, len, out, out_len, err);
}

/* o[k1][k2] as an integer. */
static json_int_t sub_int(json_t *o, const char *k1, const char *k2)
{
	return json_integer_value(json_object_get(json_object_get(o, k1), k2));
}

static void test_probe(void **state)
{
	static struct img m;
	(void)state;

	sample(&m);
	assert_true(k1_format_sparse.probe(m.d, m.len));
	assert_ptr_equal(k1_format_detect(m.d, m.len), &k1_format_sparse);
	assert_false(k1_format_sparse.probe(m.d, 3));
	m.d[0] ^= 1;
	assert_false(k1_format_sparse.probe(m.d, m.len));
}

static void test_expand_matches_reference(void **state)
{
	static struct img m;
	static uint8_t out[1 << 16];
	struct k1_error err = {0};
	(void)state;

	sample(&m);
	memset(out, 0xA5, sizeof(out)); /* holes must come out as zeros */
	assert_int_equal(expand(m.d, m.len, out, m.out_len, &err), 0);
	assert_memory_equal(out, m.out, m.out_len);
	/* a buffer of the wrong size is refused up front */
	assert_int_equal(expand(m.d, m.len, out, m.out_len - 1, &err), K1_ERANGE);
	assert_non_null(strstr(err.msg, "expands to"));
}

/* Larger file and chunk headers are skipped, as libsparse does. */
static void test_larger_headers(void **state)
{
	static struct img m, big;
	static uint8_t out[1 << 16];
	struct k1_error err = {0};
	char msg[4096];
	size_t src = 28, dst = 32;
	(void)state;

	sample(&m);
	memset(&big, 0, sizeof(big));
	memcpy(big.d, m.d, 28);
	put16(big.d + 8, 32);
	put16(big.d + 10, 16);
	while (src < m.len) { /* copy each chunk, its header grown by 4 */
		uint32_t total = m.d[src + 8] | m.d[src + 9] << 8 | m.d[src + 10] << 16;
		memcpy(big.d + dst, m.d + src, 12);
		put32(big.d + dst + 8, total + 4);
		memcpy(big.d + dst + 16, m.d + src + 12, total - 12);
		src += total;
		dst += total + 4;
	}
	big.len = dst;
	assert_int_equal(expand(big.d, big.len, out, m.out_len, &err), 0);
	assert_memory_equal(out, m.out, m.out_len);
	assert_int_equal(verify_bytes(big.d, big.len, msg, sizeof(msg)), 0);
}

static void test_inspect(void **state)
{
	static struct img m;
	struct k1_input in = {"t.simg", NULL, 0};
	struct k1_error err = {0};
	json_t *j = NULL, *rows, *r;
	(void)state;

	sample(&m);
	in.data = m.d;
	in.len = m.len;
	assert_int_equal(k1_format_sparse.inspect(&in, &j, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "expanded_size")), m.out_len);
	assert_int_equal(json_integer_value(json_object_get(j, "blk_sz")), BLK);
	assert_int_equal(json_integer_value(json_object_get(j, "total_blks")), 18);
	assert_true(json_is_true(json_object_get(j, "chunks_ok")));
	assert_int_equal(sub_int(j, "chunk_counts", "raw"), 2);
	assert_int_equal(sub_int(j, "chunk_counts", "fill"), 2);
	assert_int_equal(sub_int(j, "chunk_counts", "dont_care"), 1);
	assert_int_equal(sub_int(j, "chunk_counts", "crc32"), 1);
	assert_int_equal(sub_int(j, "block_counts", "fill"), 7);
	rows = json_object_get(j, "chunks");
	assert_int_equal(json_array_size(rows), 6);
	r = json_array_get(rows, 2);
	assert_string_equal(json_string_value(json_object_get(r, "type")), "dont_care");
	assert_int_equal(json_integer_value(json_object_get(r, "output_offset")), 8 * BLK);
	assert_int_equal(json_integer_value(json_object_get(r, "blocks")), 7);
	r = json_array_get(rows, 1);
	assert_string_equal(json_string_value(json_object_get(r, "value")), "0xdeadbeef");
	json_decref(j);
}

/* More than 1000 chunks: counted in full, listed up to 1000 with a note. */
static void test_inspect_caps_rows(void **state)
{
	static struct img m;
	struct k1_input in = {"t.simg", NULL, 0};
	struct k1_error err = {0};
	json_t *j = NULL;
	(void)state;

	begin(&m);
	for (int i = 0; i < 1500; i++)
		hole(&m, 1);
	finish(&m);
	in.data = m.d;
	in.len = m.len;
	assert_int_equal(k1_format_sparse.inspect(&in, &j, &err), 0);
	assert_int_equal(json_array_size(json_object_get(j, "chunks")), 1000);
	assert_int_equal(sub_int(j, "chunk_counts", "dont_care"), 1500);
	assert_non_null(
		strstr(json_string_value(json_object_get(j, "chunks_note")), "1000 of 1500"));
	json_decref(j);
}

static void test_verify_clean(void **state)
{
	static struct img m;
	char msg[4096];
	(void)state;

	sample(&m);
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 0);
	/* a correct image_checksum is accepted, a wrong one named */
	put32(m.d + 24, (uint32_t)crc32(0L, m.out, (uInt)m.out_len));
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 0);
	m.d[24] ^= 1;
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "sparse.image_checksum @ 0x18"));
}

/* libsparse's writer puts RAW data plus ONE block per FILL chunk into its
 * CRC32 chunk (holes not at all); its reader wants the CRC of the whole
 * output. Both are accepted; anything else is named. */
static void test_crc_conventions(void **state)
{
	static struct img m;
	static uint8_t out[1 << 16];
	struct k1_error err = {0};
	char msg[4096];
	uint8_t blockfill[BLK];
	uint32_t w;
	size_t crc_at;
	(void)state;

	begin(&m);
	raw(&m, 2, 3);
	fill(&m, 4, 0x01020304);
	hole(&m, 3);
	crc_at = m.len + 12;
	crc(&m);
	finish(&m);
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 0);
	/* the writer's convention */
	for (int i = 0; i < BLK; i += 4)
		put32(blockfill + i, 0x01020304);
	w = (uint32_t)crc32(0L, m.d + 28 + 12, 2 * BLK);
	w = (uint32_t)crc32(w, blockfill, BLK);
	put32(m.d + crc_at, w);
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 0);
	assert_int_equal(expand(m.d, m.len, out, m.out_len, &err), 0);
	/* neither */
	m.d[crc_at] ^= 0x40;
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "sparse.crc32 @ 0x"));
	assert_int_equal(expand(m.d, m.len, out, m.out_len, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "CRC32"));
}

static void test_crc_repeat(void **state)
{
	static uint8_t buf[3 * 1000];
	(void)state;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i % 3 * 77 + 1);
	for (uint64_t n = 0; n <= 1000; n += (n < 20 ? 1 : 97)) {
		uint32_t want = (uint32_t)crc32(0x1234L, buf, (uInt)(3 * n));
		uint32_t got = k1_sparse_crc_repeat(0x1234, (uint32_t)crc32(0L, buf, 3), 3, n);
		assert_int_equal(got, want);
	}
}

/* A 4 TiB hole with a CRC after it verifies at once (no pass over zeros). */
static void test_huge_hole_is_cheap(void **state)
{
	static struct img m;
	char msg[4096];
	uint32_t blocks = 0x40000000u; /* x 4096 = 4 TiB */
	uint32_t zero_blk, c;
	(void)state;

	begin(&m);
	chunk_hdr(&m, 0xCAC3, blocks, 0);
	zero_blk = k1_sparse_crc_repeat(0, (uint32_t)crc32(0L, (const uint8_t *)"\0\0\0\0", 4), 4,
					4096 / 4);
	c = k1_sparse_crc_repeat(0, zero_blk, 4096, blocks);
	chunk_hdr(&m, 0xCAC4, 0, 4);
	put32(m.d + m.len, c);
	m.len += 4;
	finish(&m);
	put32(m.d + 12, 4096);
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 0);
	put32(m.d + m.len - 4, c ^ 1);
	assert_int_equal(verify_bytes(m.d, m.len, msg, sizeof(msg)), 1);
}

struct case_ {
	const char *what, *check, *words;
	void (*edit)(struct img *m);
};

static void e_major(struct img *m)
{
	put16(m->d + 4, 2);
}
static void e_hdr_small(struct img *m)
{
	put16(m->d + 8, 20);
}
static void e_chunk_hdr_small(struct img *m)
{
	put16(m->d + 10, 8);
}
static void e_blk_odd(struct img *m)
{
	put32(m->d + 12, 62);
}
static void e_blk_zero(struct img *m)
{
	put32(m->d + 12, 0);
}
static void e_more_blocks(struct img *m)
{
	put32(m->d + 16, m->blocks + 1);
}
static void e_fewer_blocks(struct img *m)
{
	put32(m->d + 16, m->blocks - 1);
}
static void e_more_chunks(struct img *m)
{
	put32(m->d + 20, m->chunks + 1);
}
static void e_fewer_chunks(struct img *m)
{
	put32(m->d + 20, m->chunks - 1);
}
static void e_trailing(struct img *m)
{
	m->d[m->len++] = 0;
}
static void e_type(struct img *m)
{
	put16(m->d + 28, 0xCAC5);
}
static void e_raw_size(struct img *m)
{
	put32(m->d + 28 + 4, 4);
} /* 4 blocks, data for 3 */
static void e_total_small(struct img *m)
{
	put32(m->d + 28 + 8, 8);
}
static void e_total_huge(struct img *m)
{
	put32(m->d + 28 + 8, 0xFFFFFFF0u);
}
static void e_fill_size(struct img *m) /* the fill chunk (2nd) claims 8 data bytes */
{
	put32(m->d + 28 + 12 + 3 * BLK + 8, 20);
}
static void e_crc_blocks(struct img *m) /* the CRC chunk (5th) claims an output block */
{
	put32(m->d + 28 + 12 + 3 * BLK + 16 + 12 + 12 + BLK + 4, 1);
}

static void test_damage_is_named(void **state)
{
	static const struct case_ cases[] = {
		{"major 2", "sparse.version", "major version 1", e_major},
		{"file_hdr_sz 20", "sparse.file_hdr_sz", "found 20", e_hdr_small},
		{"chunk_hdr_sz 8", "sparse.chunk_hdr_sz", "found 8", e_chunk_hdr_small},
		{"blk_sz 62", "sparse.blk_sz", "multiple of 4", e_blk_odd},
		{"blk_sz 0", "sparse.blk_sz", "non-zero", e_blk_zero},
		{"total_blks +1", "sparse.total_blks", "found 18 blocks", e_more_blocks},
		{"total_blks -1", "sparse.chunks", "run past total_blks 17", e_fewer_blocks},
		{"total_chunks +1", "sparse.chunks", "chunk 6 at 0x", e_more_chunks},
		{"total_chunks -1", "sparse.total_blks", "add up to", e_fewer_chunks},
		{"trailing byte", "sparse.trailing", "1 more bytes", e_trailing},
		{"unknown type", "sparse.chunks", "unknown chunk type 0xcac5", e_type},
		{"raw size", "sparse.chunks", "raw chunk of 4 blocks", e_raw_size},
		{"total_sz < header", "sparse.chunks", "total_sz 8", e_total_small},
		{"total_sz past end", "sparse.chunks", "total_sz 4294967280", e_total_huge},
		{"fill size", "sparse.chunks", "fill chunk of 5 blocks", e_fill_size},
		{"crc with blocks", "sparse.chunks", "CRC32 chunk with chunk_sz 1", e_crc_blocks},
	};
	static struct img m;
	static uint8_t out[1 << 16];
	char msg[4096];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct k1_error err = {0};
		sample(&m);
		cases[i].edit(&m);
		int n = verify_bytes(m.d, m.len, msg, sizeof(msg));
		if (n < 1 || !strstr(msg, cases[i].check) || !strstr(msg, cases[i].words))
			fail_msg("%s: expected %s naming '%s', got %d failures:\n%s", cases[i].what,
				 cases[i].check, cases[i].words, n, msg);
		/* expansion refuses it with a message too */
		assert_int_not_equal(expand(m.d, m.len, out, m.out_len, &err), 0);
		assert_true(err.msg[0] != '\0');
	}
}

/* Every truncation and every single-byte flip: no crash, and the verdict
 * is a failure or an error whenever the bytes changed. */
static void test_every_truncation_and_flip(void **state)
{
	static struct img m;
	static uint8_t out[1 << 16], copy[1 << 16];
	struct k1_input in = {"t.simg", NULL, 0};
	char msg[8192];
	(void)state;

	sample(&m);
	for (size_t len = 0; len < m.len; len++) {
		struct k1_error err = {0};
		json_t *j = NULL;
		memcpy(copy, m.d, len);
		assert_int_not_equal(verify_bytes(copy, len, msg, sizeof(msg)), 0);
		assert_int_not_equal(expand(copy, len, out, m.out_len, &err), 0);
		assert_true(err.msg[0] != '\0');
		in.data = copy;
		in.len = len;
		if (!k1_format_sparse.inspect(&in, &j, &err))
			json_decref(j);
	}
	for (size_t pos = 0; pos < m.len; pos++) {
		struct k1_error err = {0};
		json_t *j = NULL;
		memcpy(copy, m.d, m.len);
		copy[pos] ^= 0xFF;
		verify_bytes(copy, m.len, msg, sizeof(msg));
		expand(copy, m.len, out, m.out_len, &err);
		in.data = copy;
		in.len = m.len;
		if (!k1_format_sparse.inspect(&in, &j, &err))
			json_decref(j);
	}
}

/* The sink's error stops expansion and comes back unchanged. */
static int refusing_sink(void *ctx, uint64_t off, const uint8_t *data, size_t len,
			 struct k1_error *err)
{
	int *calls = ctx;
	(void)data;
	(void)len;
	if (++*calls == 2)
		return k1_err(err, K1_EIO, "disk full at 0x%llx", (unsigned long long)off);
	return 0;
}

static void test_sink_error(void **state)
{
	static struct img m;
	struct k1_error err = {0};
	int calls = 0;
	(void)state;

	sample(&m);
	assert_int_equal(k1_sparse_expand(m.d, m.len, refusing_sink, &calls, &err), K1_EIO);
	assert_string_equal(err.msg, "disk full at 0xc0");
	assert_int_equal(calls, 2);
}

/* Peer agreement: img2simg makes the sparse image (and simg2simg splits it
 * into pieces with DONT_CARE chunks); k1_sparse_expand must give exactly
 * the bytes simg2img gives. */
static void expand_like_simg2img(const char *dir, const char *simg)
{
	char path[4400], cmd[9000];
	struct k1_buf sp = K1_BUF_INIT, ref = K1_BUF_INIT;
	struct k1_error err = {0};
	uint8_t *out;

	snprintf(cmd, sizeof(cmd), "cd '%s' && simg2img %s %s.ref >/dev/null 2>&1", dir, simg,
		 simg);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, simg);
	assert_int_equal(k1_read_file(path, &sp, &err), 0);
	snprintf(path, sizeof(path), "%s/%s.ref", dir, simg);
	assert_int_equal(k1_read_file(path, &ref, &err), 0);
	out = malloc(ref.len);
	assert_non_null(out);
	if (k1_sparse_expand_buf(sp.data, sp.len, out, ref.len, &err))
		fail_msg("%s: %s", simg, err.msg);
	assert_memory_equal(out, ref.data, ref.len);
	free(out);
	k1_buf_free(&sp);
	k1_buf_free(&ref);
}

static void test_peer_simg2img(void **state)
{
	char *dir;
	char cmd[9000];
	static uint8_t raw[3 << 20];
	(void)state;

	if (system("command -v img2simg >/dev/null && command -v simg2img >/dev/null && "
		   "command -v simg2simg >/dev/null")) {
		fprintf(stderr, "SKIP: img2simg/simg2img not installed "
				"(android-sdk-libsparse-utils)\n");
		skip();
	}
	dir = test_tmpdir();
	/* data, a fill pattern, zeros, data again, an odd tail */
	for (size_t i = 0; i < 300000; i++)
		raw[10000 + i] = (uint8_t)(i * 2654435761u >> 13);
	for (size_t i = 1 << 20; i < (3 << 19); i += 4)
		memcpy(raw + i, "\xde\xad\xbe\xef", 4);
	memset(raw + (2 << 20), 0x77, 5000);
	test_write(dir, "a.raw", raw, sizeof(raw) - 1000);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && img2simg a.raw a.simg && img2simg a.raw b.simg 1024 && "
		 "simg2simg a.simg p.simg 200000",
		 dir);
	assert_int_equal(system(cmd), 0);
	expand_like_simg2img(dir, "a.simg");
	expand_like_simg2img(dir, "b.simg");
	expand_like_simg2img(dir, "p.simg.0"); /* the pieces: DONT_CARE chunks */
	expand_like_simg2img(dir, "p.simg.1");
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_expand_matches_reference),
		cmocka_unit_test(test_larger_headers),
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_inspect_caps_rows),
		cmocka_unit_test(test_verify_clean),
		cmocka_unit_test(test_crc_conventions),
		cmocka_unit_test(test_crc_repeat),
		cmocka_unit_test(test_huge_hole_is_cheap),
		cmocka_unit_test(test_damage_is_named),
		cmocka_unit_test(test_every_truncation_and_flip),
		cmocka_unit_test(test_sink_error),
		cmocka_unit_test(test_peer_simg2img),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

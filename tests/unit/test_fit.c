/* FIT reader: FITs laid out here with libfdt's sequential writer (no
 * mkimage needed), hashes against published test vectors, every truncation
 * and every flipped byte of a small FIT, misaligned buffers, external data,
 * /memory decoding, and the vendor u-boot.itb. */
#include "testutil.h"

#include "format/fit.h"
#include "format/format.h"

#include <libfdt.h>

/* "abc" under each algorithm: FIPS 180 / RFC 1321 vectors; CRC-32 of "abc"
 * is 0x352441c2 (big-endian as FIT stores it). */
static const struct {
	const char *algo, *hex;
} abc_vectors[] = {
	{"crc32", "352441c2"},
	{"md5", "900150983cd24fb0d6963f7d28e17f72"},
	{"sha1", "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{"sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"sha384", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
		   "8086072ba1e7cc2358baeca134c825a7"},
	{"sha512", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		   "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
};
#define N_VECTORS (sizeof(abc_vectors) / sizeof(abc_vectors[0]))

static void unhex(const char *h, uint8_t *out, size_t *n)
{
	*n = strlen(h) / 2;
	for (size_t i = 0; i < *n; i++) {
		unsigned v;
		sscanf(h + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* A small device tree: 2+2 cells, memory@0 4 GiB and memory@100000000 4 GiB. */
static size_t make_dtb(uint8_t *buf, size_t size)
{
	/* base, size as two cells each: 0+4 GiB and 4 GiB+4 GiB */
	const fdt32_t r0[4] = {cpu_to_fdt32(0), 0, cpu_to_fdt32(1), 0};
	const fdt32_t r1[4] = {cpu_to_fdt32(1), 0, cpu_to_fdt32(1), 0};
	assert_int_equal(fdt_create(buf, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_u32(buf, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(buf, "#size-cells", 2), 0);
	assert_int_equal(fdt_property_string(buf, "model", "unit board"), 0);
	assert_int_equal(fdt_property(buf, "compatible", "k1fw,unit\0spacemit,k1x", 23), 0);
	assert_int_equal(fdt_begin_node(buf, "memory@0"), 0);
	assert_int_equal(fdt_property(buf, "reg", r0, sizeof(r0)), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "memory@100000000"), 0);
	assert_int_equal(fdt_property(buf, "reg", r1, sizeof(r1)), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	return fdt_totalsize(buf);
}

struct opts {
	bool external;      /* data-offset + data-size, data after the tree */
	bool bad_hash;      /* first hash value of "abc" inverted */
	const char *fdtref; /* conf_1's fdt (default "fdt_1") */
	const char *dflt;   /* /configurations default (default "conf_1") */
};

/* The data of image i: "abc" for image 0, the DTB for image 1. */
struct payload {
	const char *name, *type;
	const uint8_t *data;
	size_t len;
};

static void add_image(uint8_t *buf, const struct payload *p, uint32_t ext_off, const struct opts *o,
		      bool hashes)
{
	assert_int_equal(fdt_begin_node(buf, p->name), 0);
	assert_int_equal(fdt_property_string(buf, "description", p->name), 0);
	assert_int_equal(fdt_property_string(buf, "type", p->type), 0);
	assert_int_equal(fdt_property_string(buf, "compression", "none"), 0);
	if (!strcmp(p->type, "standalone")) {
		assert_int_equal(fdt_property_string(buf, "arch", "riscv"), 0);
		assert_int_equal(fdt_property_string(buf, "os", "U-Boot"), 0);
		assert_int_equal(fdt_property_u64(buf, "load", 0x200000), 0);
	}
	if (o->external) {
		assert_int_equal(fdt_property_u32(buf, "data-offset", ext_off), 0);
		assert_int_equal(fdt_property_u32(buf, "data-size", (uint32_t)p->len), 0);
	} else {
		assert_int_equal(fdt_property(buf, "data", p->data, (int)p->len), 0);
	}
	for (size_t i = 0; hashes && i < N_VECTORS; i++) {
		char node[16];
		uint8_t v[64];
		size_t n;
		snprintf(node, sizeof(node), "hash-%zu", i + 1);
		unhex(abc_vectors[i].hex, v, &n);
		if (o->bad_hash && i == 0)
			v[0] ^= 0xff;
		assert_int_equal(fdt_begin_node(buf, node), 0);
		assert_int_equal(fdt_property_string(buf, "algo", abc_vectors[i].algo), 0);
		assert_int_equal(fdt_property(buf, "value", v, (int)n), 0);
		assert_int_equal(fdt_end_node(buf), 0);
	}
	assert_int_equal(fdt_end_node(buf), 0);
}

/* A FIT with image uboot ("abc", six hashes) and fdt_1 (no hash), one
 * configuration. Returns its length in buf. */
static size_t make_fit(uint8_t *buf, size_t size, const struct opts *o)
{
	uint8_t dtb[1024];
	size_t dlen = make_dtb(dtb, sizeof(dtb));
	struct payload p[2] = {{"uboot", "standalone", (const uint8_t *)"abc", 3},
			       {"fdt_1", "flat_dt", dtb, dlen}};
	size_t total;

	assert_int_equal(fdt_create(buf, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_string(buf, "description", "unit FIT"), 0);
	assert_int_equal(fdt_property_u32(buf, "timestamp", 1745313988), 0);
	assert_int_equal(fdt_begin_node(buf, "images"), 0);
	add_image(buf, &p[0], 0, o, true);
	add_image(buf, &p[1], 4, o, false);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "configurations"), 0);
	assert_int_equal(fdt_property_string(buf, "default", o->dflt ? o->dflt : "conf_1"), 0);
	assert_int_equal(fdt_begin_node(buf, "conf_1"), 0);
	assert_int_equal(fdt_property_string(buf, "description", "unit board"), 0);
	assert_int_equal(fdt_property_string(buf, "loadables", "uboot"), 0);
	assert_int_equal(fdt_property_string(buf, "fdt", o->fdtref ? o->fdtref : "fdt_1"), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	total = fdt_totalsize(buf);
	if (o->external) { /* as mkimage -E: after the 4-aligned tree */
		size_t base = (total + 3) / 4 * 4;
		assert_true(base + 4 + dlen <= size);
		memset(buf + total, 0, base - total);
		memcpy(buf + base, "abc", 3);
		buf[base + 3] = 0;
		memcpy(buf + base + 4, dtb, dlen);
		total = base + 4 + dlen;
	}
	return total;
}

static int run_verify(const uint8_t *d, size_t n, struct k1_checks *c, struct k1_error *err)
{
	struct k1_input in = {"unit.itb", d, n};
	memset(c, 0, sizeof(*c));
	return k1_format_fit.verify(&in, NULL, c, err);
}

static const struct k1_check *find_check(const struct k1_checks *c, const char *name,
					 const char *where)
{
	for (size_t i = 0; i < c->count; i++)
		if (!strcmp(c->items[i].name, name) && !strcmp(c->items[i].where, where))
			return &c->items[i];
	return NULL;
}

static void test_probe(void **state)
{
	uint8_t fit[4096], dtb[1024];
	struct opts o = {0};
	size_t n = make_fit(fit, sizeof(fit), &o), dn = make_dtb(dtb, sizeof(dtb));
	(void)state;

	assert_true(k1_format_fit.probe(fit, n));
	assert_false(k1_format_fit.probe(dtb, dn));   /* a plain .dtb is not a FIT */
	assert_true(k1_format_fit.probe(fit, n - 1)); /* truncated: claimed, to explain */
	assert_false(k1_format_fit.probe(fit, 39));
	assert_false(k1_format_fit.probe(
		(const uint8_t *)"\xd0\x0d\xfe\xec-not-a-tree-at-all-----------------", 40));
	assert_ptr_equal(k1_format_detect(fit, n), &k1_format_fit);
}

static void test_verify_all_algorithms(void **state)
{
	uint8_t fit[4096];
	struct opts o = {0};
	size_t n = make_fit(fit, sizeof(fit), &o);
	struct k1_checks c;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(run_verify(fit, n, &c, &err), 0);
	assert_int_equal(k1_checks_failed(&c), 0);
	for (size_t i = 0; i < N_VECTORS; i++) {
		char where[32];
		snprintf(where, sizeof(where), "image uboot hash-%zu", i + 1);
		const struct k1_check *k = find_check(&c, "fit.hash", where);
		assert_non_null(k);
		assert_true(k->ok);
		assert_non_null(strstr(k->message, abc_vectors[i].hex));
	}
	const struct k1_check *k = find_check(&c, "fit.hash", "fdt_1");
	assert_non_null(k); /* no hash node: passed, noted */
	assert_true(k->ok);
	assert_non_null(strstr(k->message, "no hash"));
	assert_non_null(find_check(&c, "fit.fdt", "image fdt_1"));
	assert_non_null(find_check(&c, "fit.default_config", "/configurations/default"));
	k1_checks_free(&c);
}

static void test_bad_hash_named(void **state)
{
	uint8_t fit[4096];
	struct opts o = {.bad_hash = true};
	size_t n = make_fit(fit, sizeof(fit), &o);
	struct k1_checks c;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(run_verify(fit, n, &c, &err), 0);
	assert_int_equal(k1_checks_failed(&c), 1);
	const struct k1_check *k = find_check(&c, "fit.hash", "image uboot hash-1");
	assert_non_null(k);
	assert_false(k->ok);
	assert_string_equal(
		k->message,
		"crc32: expected ca2441c2 (stored), found 352441c2 (computed over 3 bytes)");
	k1_checks_free(&c);
}

static void test_bad_references(void **state)
{
	uint8_t fit[4096];
	struct opts o = {.fdtref = "fdt_9", .dflt = "conf_5"};
	size_t n = make_fit(fit, sizeof(fit), &o);
	struct k1_checks c;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(run_verify(fit, n, &c, &err), 0);
	assert_int_equal(k1_checks_failed(&c), 2);
	const struct k1_check *k = find_check(&c, "fit.config_ref", "configuration conf_1");
	assert_non_null(k);
	assert_false(k->ok);
	assert_non_null(strstr(k->message, "'fdt_9'"));
	k = find_check(&c, "fit.default_config", "/configurations/default");
	assert_false(k->ok);
	assert_non_null(strstr(k->message, "conf_5"));
	k1_checks_free(&c);
}

static void test_inspect_fields(void **state)
{
	uint8_t fit[4096];
	struct opts o = {0};
	size_t n = make_fit(fit, sizeof(fit), &o);
	struct k1_input in = {"unit.itb", fit, n};
	struct k1_error err = {0};
	json_t *j = NULL, *im, *dt;
	(void)state;

	assert_int_equal(k1_format_fit.inspect(&in, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "description")), "unit FIT");
	assert_string_equal(json_string_value(json_object_get(j, "created")),
			    "2025-04-22 09:26:28 UTC");
	assert_string_equal(json_string_value(json_object_get(j, "default_config")), "conf_1");
	assert_non_null(strstr(json_string_value(json_object_get(j, "k1_layout")), "vendor"));
	im = json_array_get(json_object_get(j, "images"), 0);
	assert_string_equal(json_string_value(json_object_get(im, "name")), "uboot");
	assert_string_equal(json_string_value(json_object_get(im, "load")), "0x00200000");
	assert_true(json_is_null(json_object_get(im, "entry")));
	assert_int_equal(json_integer_value(json_object_get(im, "size")), 3);
	assert_string_equal(json_string_value(json_object_get(im, "hash")),
			    "crc32,md5,sha1,sha256,sha384,sha512");
	assert_true(json_is_true(json_object_get(im, "verified")));
	assert_int_equal(json_array_size(json_object_get(j, "hashes")), N_VECTORS);
	im = json_array_get(json_object_get(j, "images"), 1);
	assert_true(json_is_null(json_object_get(im, "verified")));
	dt = json_array_get(json_object_get(j, "device_trees"), 0);
	assert_string_equal(json_string_value(json_object_get(dt, "model")), "unit board");
	assert_string_equal(json_string_value(json_object_get(dt, "compatible")),
			    "k1fw,unit, spacemit,k1x");
	assert_int_equal(json_integer_value(json_object_get(dt, "memory_bytes")), 8LL << 30);
	assert_string_equal(json_string_value(json_object_get(dt, "memory")), "8 GiB");
	assert_string_equal(json_string_value(json_object_get(dt, "regions")),
			    "0x0+0x100000000, 0x100000000+0x100000000");
	json_decref(j);
}

/* libfdt refuses trees that are not 8-byte aligned: the reader copies. */
static void test_misaligned(void **state)
{
	static uint8_t raw[4096 + 8];
	uint8_t fit[4096];
	struct opts o = {0};
	size_t n = make_fit(fit, sizeof(fit), &o);
	struct k1_checks c;
	struct k1_error err = {0};
	const uint8_t *d;
	size_t dn;
	(void)state;

	for (size_t shift = 1; shift < 8; shift++) {
		memcpy(raw + shift, fit, n);
		assert_true(k1_format_fit.probe(raw + shift, n));
		assert_int_equal(run_verify(raw + shift, n, &c, &err), 0);
		assert_int_equal(k1_checks_failed(&c), 0);
		k1_checks_free(&c);
		assert_int_equal(k1_fit_image_data(raw + shift, n, "uboot", &d, &dn, &err), 0);
		assert_int_equal(dn, 3);
		assert_memory_equal(d, "abc", 3);
		assert_true(d > raw + shift && d < raw + shift + n); /* the caller's bytes */
	}
}

static void test_external(void **state)
{
	uint8_t fit[8192];
	struct opts o = {.external = true};
	size_t n = make_fit(fit, sizeof(fit), &o);
	struct k1_checks c;
	struct k1_error err = {0};
	const uint8_t *d;
	size_t dn;
	(void)state;

	assert_true(n > fdt_totalsize(fit));
	assert_int_equal(run_verify(fit, n, &c, &err), 0);
	assert_int_equal(k1_checks_failed(&c), 0);
	k1_checks_free(&c);
	assert_int_equal(k1_fit_image_data(fit, n, "uboot", &d, &dn, &err), 0);
	assert_memory_equal(d, "abc", 3);
	assert_int_not_equal(k1_fit_image_data(fit, n, "nope", &d, &dn, &err), 0);
	assert_non_null(strstr(err.msg, "no image 'nope'"));
	/* cut into fdt_1's data: the tree is whole, the data is not */
	assert_int_equal(run_verify(fit, n - 1, &c, &err), 0);
	const struct k1_check *k = find_check(&c, "fit.image_data", "image fdt_1");
	assert_non_null(k);
	assert_false(k->ok);
	assert_non_null(strstr(k->message, "runs past the end of the file"));
	k1_checks_free(&c);
	assert_int_not_equal(k1_fit_image_data(fit, n - 1, "fdt_1", &d, &dn, &err), 0);
}

/* Every prefix of an embedded and an external FIT: a clear error or failed
 * checks, never a crash (the sanitizer build runs this too). */
static void test_every_truncation(void **state)
{
	uint8_t fit[8192];
	(void)state;

	for (int ext = 0; ext < 2; ext++) {
		struct opts o = {.external = ext};
		size_t n = make_fit(fit, sizeof(fit), &o);
		for (size_t len = 0; len < n; len++) {
			uint8_t *copy = malloc(len ? len : 1); /* ASan sees the exact end */
			struct k1_input in = {"cut.itb", copy, len};
			struct k1_checks c;
			struct k1_error err = {0};
			json_t *j = NULL;
			int rc;
			memcpy(copy, fit, len);
			if (k1_format_fit.probe(copy, len)) {
				rc = k1_format_fit.inspect(&in, &j, &err);
				if (rc)
					assert_non_null(strstr(err.msg, "cut.itb: "));
				json_decref(j);
				rc = run_verify(copy, len, &c, &err);
				assert_true(rc == K1_EINVAL ||
					    (rc == 0 && k1_checks_failed(&c) > 0));
				k1_checks_free(&c);
			} else {
				assert_true(len < 40);
			}
			free(copy);
		}
	}
}

/* Every single-byte flip of the small FIT: no crash, and a flip inside the
 * hashed data is always caught. */
static void test_every_flip(void **state)
{
	uint8_t fit[4096];
	struct opts o = {0};
	size_t n = make_fit(fit, sizeof(fit), &o);
	(void)state;

	for (size_t i = 0; i < n; i++) {
		struct k1_input in = {"flip.itb", fit, n};
		struct k1_checks c;
		struct k1_error err = {0};
		json_t *j = NULL;
		fit[i] ^= 0xff;
		if (k1_format_fit.probe(fit, n)) {
			if (!k1_format_fit.inspect(&in, &j, &err))
				json_decref(j);
			run_verify(fit, n, &c, &err);
			k1_checks_free(&c);
		}
		fit[i] ^= 0xff;
	}
	/* inside "abc" */
	const uint8_t *d;
	size_t dn;
	struct k1_error err = {0};
	struct k1_checks c;
	assert_int_equal(k1_fit_image_data(fit, n, "uboot", &d, &dn, &err), 0);
	fit[d - fit + 1] ^= 0x01;
	assert_int_equal(run_verify(fit, n, &c, &err), 0);
	assert_int_equal(k1_checks_failed(&c), N_VECTORS);
	k1_checks_free(&c);
}

static void test_errors_name_the_file(void **state)
{
	uint8_t fit[4096];
	struct opts o = {0};
	size_t n = make_fit(fit, sizeof(fit), &o);
	struct k1_checks c;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(run_verify(fit, n - 10, &c, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "unit.itb: truncated FIT: FDT header totalsize"));
	k1_checks_free(&c);
	assert_int_equal(k1_fit_check(fit, 20, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "the FDT header needs 40"));
	assert_int_equal(k1_fit_check(fit, n, &err), 0);
	/* old FDT versions crash libfdt 1.6.1's fdt_check_full (fuzzing): refused */
	fit[0x17] = 4, fit[0x1b] = 0;
	assert_true(k1_format_fit.probe(fit, n));
	assert_int_equal(run_verify(fit, n, &c, &err), K1_ENOTSUP);
	assert_non_null(strstr(err.msg, "FDT version 4 at 0x14"));
	k1_checks_free(&c);
}

static void test_golden(void **state)
{
	const char *v = test_vendor_dir();
	char path[4200];
	FILE *f;
	uint8_t *buf;
	long n;
	struct k1_checks c;
	struct k1_error err = {0};
	json_t *j = NULL;
	(void)state;

	SKIP_WITHOUT_VENDOR(v);
	snprintf(path, sizeof(path), "%s/golden/u-boot.itb", v);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(n, 1931278);
	assert_ptr_equal(k1_format_detect(buf, (size_t)n), &k1_format_fit);
	assert_int_equal(run_verify(buf, (size_t)n, &c, &err), 0);
	assert_int_equal(k1_checks_failed(&c), 0);
	assert_int_equal(c.count,
			 1 + 19 * 2 + 18 + 18 + 1); /* structure, data+hash, fdt, confs, default */
	k1_checks_free(&c);
	struct k1_input in = {path, buf, (size_t)n};
	assert_int_equal(k1_format_fit.inspect(&in, &j, &err), 0);
	assert_int_equal(json_array_size(json_object_get(j, "images")), 19);
	assert_int_equal(json_array_size(json_object_get(j, "device_trees")), 18);
	assert_string_equal(json_string_value(json_object_get(j, "default_config")), "conf_2");
	json_decref(j);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),          cmocka_unit_test(test_verify_all_algorithms),
		cmocka_unit_test(test_bad_hash_named), cmocka_unit_test(test_bad_references),
		cmocka_unit_test(test_inspect_fields), cmocka_unit_test(test_misaligned),
		cmocka_unit_test(test_external),       cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_flip),     cmocka_unit_test(test_errors_name_the_file),
		cmocka_unit_test(test_golden),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

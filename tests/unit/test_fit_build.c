/* FIT writers and the memory rewriter: the trees they write read back with
 * libfdt and verify with k1fw's FIT reader; reproducible bytes; every hash
 * algorithm against OpenSSL; the K1 DRAM split in every cell layout; a FIT
 * whose device trees were rewritten equals one built from rewritten trees;
 * refusals (signed, compressed, bad sizes and inputs); every truncation and
 * every flipped byte of a small FIT. mkimage agreement is in the CLI test. */
#include "testutil.h"

#include "base/crypto.h"
#include "base/fileio.h"
#include "format/check.h"
#include "format/dtb.h"
#include "format/fit.h"
#include "format/fit_build.h"
#include "format/format.h"

#include <fcntl.h>
#include <libfdt.h>
#include <sys/stat.h>
#include <zlib.h>

#define GIB (1ull << 30)

/* A device tree: root cells ac/sc, and `nmem` memory nodes of 1 GiB each
 * (memory@0, memory@40000000, ...) when ac == 2 (one cell otherwise). */
static size_t make_dtb(uint8_t *buf, size_t size, uint32_t ac, uint32_t sc, int nmem, size_t pad)
{
	assert_int_equal(fdt_create(buf, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_u32(buf, "#address-cells", ac), 0);
	assert_int_equal(fdt_property_u32(buf, "#size-cells", sc), 0);
	assert_int_equal(fdt_property_string(buf, "model", "unit board"), 0);
	for (int i = 0; i < nmem; i++) {
		char name[32];
		fdt32_t reg[4];
		int n = 0;
		snprintf(name, sizeof(name), "memory@%x", (unsigned)i * 0x40000000u);
		if (ac == 2)
			reg[n++] = 0;
		reg[n++] = cpu_to_fdt32((uint32_t)i * 0x40000000u);
		if (sc == 2)
			reg[n++] = 0;
		reg[n++] = cpu_to_fdt32(0x40000000u);
		assert_int_equal(fdt_begin_node(buf, name), 0);
		assert_int_equal(fdt_property_string(buf, "device_type", "memory"), 0);
		assert_int_equal(fdt_property(buf, "reg", reg, n * 4), 0);
		assert_int_equal(fdt_end_node(buf), 0);
	}
	assert_int_equal(fdt_begin_node(buf, "chosen"), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	assert_int_equal(fdt_open_into(buf, buf, (int)(fdt_totalsize(buf) + pad)), 0);
	return fdt_totalsize(buf);
}

static const struct k1_fit_opts default_opts = {NULL, K1_FIT_UBOOT_LOAD, false, 0, 1700000000};

/* u-boot.itb over 300 bytes of U-Boot and two boards. */
static void build_uboot(const uint8_t *dtb, size_t dlen, const struct k1_fit_opts *o,
			struct k1_buf *out)
{
	static uint8_t uboot[300];
	struct k1_fit_dtb d[2] = {{"k1-x_a", dtb, dlen}, {"k1-x_b", dtb, dlen}};
	struct k1_error err = {0};

	for (size_t i = 0; i < sizeof(uboot); i++)
		uboot[i] = (uint8_t)(i * 7);
	assert_int_equal(k1_fit_build_uboot(uboot, sizeof(uboot), d, 2, 1, o, out, &err), 0);
}

/* Every check of k1fw's reader passes. */
static void assert_verifies(const uint8_t *p, size_t n)
{
	struct k1_input in = {"unit.itb", p, n};
	struct k1_checks c = {0};
	struct k1_error err = {0};

	assert_int_equal(k1_format_fit.verify(&in, NULL, &c, &err), 0);
	for (size_t i = 0; i < c.count; i++)
		if (!c.items[i].ok)
			fail_msg("%s %s: %s", c.items[i].name, c.items[i].where,
				 c.items[i].message);
	k1_checks_free(&c);
}

static const char *str(const void *fdt, const char *path, const char *prop)
{
	int node = fdt_path_offset(fdt, path);
	assert_true(node >= 0);
	return fdt_getprop(fdt, node, prop, NULL);
}

static void test_opensbi_shape(void **state)
{
	uint8_t fw[101], crc[4];
	struct k1_fit_opts o = {NULL, 0, false, 0, 1234};
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	const uint8_t *v;
	uint32_t c;
	int len;

	(void)state;
	memset(fw, 0x5a, sizeof(fw));
	assert_int_equal(k1_fit_build_opensbi(fw, sizeof(fw), &o, &out, &err), 0);
	assert_int_equal(fdt_check_full(out.data, out.len), 0);
	assert_string_equal(str(out.data, "/", "description"),
			    "Configuration to load OpenSBI before U-Boot");
	assert_string_equal(str(out.data, "/images/opensbi", "type"), "firmware");
	assert_string_equal(str(out.data, "/images/opensbi", "os"), "opensbi");
	assert_string_equal(str(out.data, "/configurations", "default"), "config_1");
	assert_string_equal(str(out.data, "/configurations/config_1", "firmware"), "opensbi");
	v = fdt_getprop(out.data, fdt_path_offset(out.data, "/images/opensbi"), "entry", &len);
	assert_int_equal(len, 8); /* entry = load = 0 by default */
	assert_memory_equal(v, "\0\0\0\0\0\0\0\0", 8);
	c = (uint32_t)crc32(0, fw, sizeof(fw));
	crc[0] = (uint8_t)(c >> 24), crc[1] = (uint8_t)(c >> 16), crc[2] = (uint8_t)(c >> 8),
	crc[3] = (uint8_t)c;
	v = fdt_getprop(out.data, fdt_path_offset(out.data, "/images/opensbi/hash-1"), "value",
			&len);
	assert_int_equal(len, 4);
	assert_memory_equal(v, crc, 4);
	v = fdt_getprop(out.data, 0, "timestamp", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_ld((const fdt32_t *)v), 1234);
	/* mkimage's unpacked tail: 1 KiB minus what it added (timestamp 16 +
	 * value 16 + "timestamp\0value\0" 16) */
	assert_int_equal(fdt_totalsize(out.data) - fdt_off_dt_strings(out.data) -
				 fdt_size_dt_strings(out.data),
			 1024 - 48);
	assert_int_equal(out.len, fdt_totalsize(out.data));
	assert_verifies(out.data, out.len);
	k1_buf_free(&out);
}

static void test_uboot_shape(void **state)
{
	uint8_t dtb[1024];
	size_t dlen = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_fit_opts o = default_opts;
	struct k1_buf out = K1_BUF_INIT;
	int len;

	(void)state;
	build_uboot(dtb, dlen, &o, &out);
	assert_string_equal(str(out.data, "/", "description"), "U-boot FIT image for k1x");
	assert_string_equal(str(out.data, "/images/uboot", "type"), "standalone");
	assert_string_equal(str(out.data, "/images/fdt_2", "description"), "k1-x_b");
	assert_string_equal(str(out.data, "/configurations", "default"), "conf_2");
	assert_string_equal(str(out.data, "/configurations/conf_1", "description"), "k1-x_a");
	assert_string_equal(str(out.data, "/configurations/conf_2", "fdt"), "fdt_2");
	assert_string_equal(str(out.data, "/configurations/conf_2", "loadables"), "uboot");
	assert_null(
		fdt_getprop(out.data, fdt_path_offset(out.data, "/images/uboot"), "entry", &len));
	assert_verifies(out.data, out.len);
	k1_buf_free(&out);
	o.has_entry = true;
	o.entry = 0x1234;
	build_uboot(dtb, dlen, &o, &out);
	assert_non_null(
		fdt_getprop(out.data, fdt_path_offset(out.data, "/images/uboot"), "entry", &len));
	assert_int_equal(len, 8);
	k1_buf_free(&out);
}

static void test_reproducible(void **state)
{
	uint8_t dtb[1024];
	size_t dlen = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0), diff = 0;
	struct k1_fit_opts o = default_opts;
	struct k1_buf a = K1_BUF_INIT, b = K1_BUF_INIT;

	(void)state;
	build_uboot(dtb, dlen, &o, &a);
	build_uboot(dtb, dlen, &o, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	k1_buf_free(&b);
	o.timestamp++;
	build_uboot(dtb, dlen, &o, &b);
	assert_int_equal(a.len, b.len);
	for (size_t i = 0; i < a.len; i++)
		diff += a.data[i] != b.data[i];
	assert_int_equal(diff, 1); /* the timestamp's last byte, nothing else */
	k1_buf_free(&a);
	k1_buf_free(&b);
}

static void test_every_algorithm(void **state)
{
	static const char *const algos[] = {"crc32", "md5", "sha1", "sha256", "sha384", "sha512"};
	uint8_t fw[77], want[64];
	struct k1_error err = {0};

	(void)state;
	memset(fw, 0xc3, sizeof(fw));
	for (size_t i = 0; i < 6; i++) {
		struct k1_fit_opts o = {algos[i], 0, false, 0, 1};
		struct k1_buf out = K1_BUF_INIT;
		const void *v;
		size_t n = 0;
		int len;
		assert_int_equal(k1_fit_build_opensbi(fw, sizeof(fw), &o, &out, &err), 0);
		v = fdt_getprop(out.data, fdt_path_offset(out.data, "/images/opensbi/hash-1"),
				"value", &len);
		assert_non_null(v);
		assert_string_equal(str(out.data, "/images/opensbi/hash-1", "algo"), algos[i]);
		if (i) { /* OpenSSL as the peer; crc32 is checked in test_opensbi_shape */
			assert_int_equal(k1_digest(algos[i], fw, sizeof(fw), want, &n, &err), 0);
			assert_int_equal((size_t)len, n);
			assert_memory_equal(v, want, n);
		}
		assert_int_equal((size_t)len, k1_fit_hash_len(algos[i]));
		assert_verifies(out.data, out.len);
		k1_buf_free(&out);
	}
}

static void test_build_refusals(void **state)
{
	uint8_t dtb[1024], fw[8] = {1};
	size_t dlen = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_fit_opts o = default_opts, bad = default_opts;
	struct k1_fit_dtb two[2] = {{"same", dtb, dlen}, {"same", dtb, dlen}};
	struct k1_fit_dtb junk = {"k1-x_junk", fw, sizeof(fw)}, noname = {"", dtb, dlen};
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};

	(void)state;
	bad.hash = "sha3";
	assert_int_equal(k1_fit_build_opensbi(fw, 0, &o, &out, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "empty payload"));
	assert_int_equal(k1_fit_build_opensbi(fw, sizeof(fw), &bad, &out, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "sha3"));
	assert_int_equal(k1_fit_build_uboot(fw, sizeof(fw), two, 2, 0, &o, &out, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "given twice"));
	assert_int_equal(k1_fit_build_uboot(fw, sizeof(fw), &junk, 1, 0, &o, &out, &err),
			 K1_EINVAL);
	assert_non_null(strstr(err.msg, "k1-x_junk"));
	assert_int_equal(k1_fit_build_uboot(fw, sizeof(fw), &noname, 1, 0, &o, &out, &err),
			 K1_EINVAL);
	assert_int_equal(k1_fit_build_uboot(fw, sizeof(fw), two, 0, 0, &o, &out, &err), K1_EINVAL);
	assert_int_equal(k1_fit_build_uboot(fw, sizeof(fw), two, 1, 1, &o, &out, &err), K1_EINVAL);
	assert_int_equal(out.len, 0);
	k1_buf_free(&out);
}

/* The memory node's reg, as 32-bit cells. */
static int read_reg(const uint8_t *dtb, uint32_t *cells)
{
	int node = fdt_path_offset(dtb, "/memory@0"), len;
	const fdt32_t *p = node < 0 ? NULL : fdt_getprop(dtb, node, "reg", &len);

	if (!p)
		return -1;
	for (int i = 0; i < len / 4; i++)
		cells[i] = fdt32_to_cpu(p[i]);
	return len / 4;
}

static void test_dtb_memory_layouts(void **state)
{
	uint8_t dtb[2048];
	uint32_t c[8];
	struct k1_error err = {0};
	struct k1_buf out = K1_BUF_INIT;
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);

	(void)state;
	assert_int_equal(k1_dtb_set_memory(dtb, n, 2 * GIB, &out, &err), 0);
	assert_int_equal(read_reg(out.data, c), 4);
	assert_true(c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0x80000000u);
	out.len = 0;
	assert_int_equal(k1_dtb_set_memory(dtb, n, 16 * GIB, &out, &err), 0);
	assert_int_equal(read_reg(out.data, c), 8); /* 2 GiB at 0, 14 GiB at 4 GiB */
	assert_true(c[3] == 0x80000000u && c[4] == 1 && c[5] == 0 && c[6] == 3 &&
		    c[7] == 0x80000000u);
	out.len = 0;
	assert_int_equal(k1_dtb_set_memory(dtb, n, 512ull << 20, &out, &err), 0);
	assert_int_equal(read_reg(out.data, c), 4);
	assert_int_equal(c[3], 0x20000000u);
	/* one address and one size cell: fine up to 2 GiB, no room for 4 GiB+ */
	n = make_dtb(dtb, sizeof(dtb), 1, 1, 1, 0);
	out.len = 0;
	assert_int_equal(k1_dtb_set_memory(dtb, n, 2 * GIB, &out, &err), 0);
	assert_int_equal(read_reg(out.data, c), 2);
	assert_int_equal(c[1], 0x80000000u);
	assert_int_equal(k1_dtb_set_memory(dtb, n, 4 * GIB, &out, &err), K1_ERANGE);
	assert_non_null(strstr(err.msg, "#address-cells"));
	/* two address cells, one size cell: 5 GiB fits (3 GiB high), 8 GiB not */
	n = make_dtb(dtb, sizeof(dtb), 2, 1, 1, 0);
	out.len = 0;
	assert_int_equal(k1_dtb_set_memory(dtb, n, 5 * GIB, &out, &err), 0);
	assert_int_equal(read_reg(out.data, c), 6);
	assert_int_equal(c[5], 0xC0000000u);
	assert_int_equal(k1_dtb_set_memory(dtb, n, 8 * GIB, &out, &err), K1_ERANGE);
	k1_buf_free(&out);
}

static void test_dtb_memory_nodes(void **state)
{
	uint8_t dtb[2048];
	uint32_t c[8];
	struct k1_error err = {0};
	struct k1_buf out = K1_BUF_INIT;
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 3, 0);
	int node, count = 0;

	(void)state;
	/* three nodes become one, memory@0 */
	assert_int_equal(k1_dtb_set_memory(dtb, n, 4 * GIB, &out, &err), 0);
	fdt_for_each_subnode(node, out.data, 0) count +=
		!strncmp(fdt_get_name(out.data, node, NULL), "memory", 6);
	assert_int_equal(count, 1);
	assert_int_equal(read_reg(out.data, c), 8);
	/* none: created, with device_type */
	n = make_dtb(dtb, sizeof(dtb), 2, 2, 0, 0);
	out.len = 0;
	assert_int_equal(k1_dtb_set_memory(dtb, n, 8 * GIB, &out, &err), 0);
	assert_string_equal(str(out.data, "/memory@0", "device_type"), "memory");
	assert_int_equal(read_reg(out.data, c), 8);
	assert_int_equal(c[6], 1);
	assert_int_equal(c[7], 0x80000000u);
	/* free space at the end survives: 100 bytes of padding in, 100 out */
	n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 100);
	out.len = 0;
	assert_int_equal(k1_dtb_set_memory(dtb, n, 8 * GIB, &out, &err), 0);
	assert_int_equal(fdt_totalsize(out.data) - fdt_off_dt_strings(out.data) -
				 fdt_size_dt_strings(out.data),
			 100);
	assert_int_equal(out.len, n + 16); /* reg grew by one region */
	k1_buf_free(&out);
}

static void test_bad_sizes_and_inputs(void **state)
{
	static const uint64_t bad[] = {0, 1, (1ull << 20) + 512, 17 * GIB, ~0ull};
	uint8_t dtb[1024];
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_error err = {0};
	struct k1_buf out = K1_BUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(k1_ram_size_check(bad[i], &err), K1_EINVAL);
		assert_int_equal(k1_dtb_set_memory(dtb, n, bad[i], &out, &err), K1_EINVAL);
		assert_int_equal(k1_fit_set_memory(dtb, n, bad[i], &out, NULL, &err), K1_EINVAL);
	}
	assert_int_equal(k1_ram_size_check(16 * GIB, &err), 0);
	assert_int_equal(k1_ram_size_check(1ull << 20, &err), 0);
	/* a plain device tree is not a FIT, and vice versa for memory */
	assert_int_equal(k1_fit_set_memory(dtb, n, 4 * GIB, &out, NULL, &err), K1_EINVAL);
	assert_int_equal(k1_dtb_set_memory((const uint8_t *)"not a dtb at all, not even close", 32,
					   4 * GIB, &out, &err),
			 K1_EINVAL);
	assert_int_equal(out.len, 0);
	k1_buf_free(&out);
}

/* Found by fuzz_fit_setmem: libfdt 1.6.1's fdt_check_full() accepts a
 * property whose length wraps its offset arithmetic (0xffffffff): refused
 * here before anything uses that length. */
static void test_wrapping_property_length(void **state)
{
	uint8_t dtb[1024];
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_buf fit = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};
	int off = fdt_path_offset(dtb, "/chosen"), len;
	struct fdt_property *p;

	(void)state;
	assert_int_equal(fdt_open_into(dtb, dtb, (int)n + 64), 0);
	assert_int_equal(fdt_setprop_empty(dtb, off, "x"), 0);
	assert_int_equal(fdt_pack(dtb), 0);
	n = fdt_totalsize(dtb);
	p = fdt_get_property_w(dtb, fdt_path_offset(dtb, "/chosen"), "x", &len);
	assert_non_null(p);
	p->len = cpu_to_fdt32(0xffffffffu);
	if (fdt_check_full(dtb, n) != 0)
		fprintf(stderr, "note: this libfdt refuses the wrapped length itself\n");
	assert_int_equal(k1_dtb_check(dtb, n, &err), K1_EINVAL);
	assert_int_equal(k1_dtb_set_memory(dtb, n, 4 * GIB, &out, &err), K1_EINVAL);
	{
		struct k1_fit_dtb d = {"k1-x_bad", dtb, n};
		assert_int_equal(k1_fit_build_uboot(dtb, n, &d, 1, 0, &default_opts, &fit, &err),
				 K1_EINVAL);
	}
	/* the same in the FIT's own tree */
	n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	build_uboot(dtb, n, &default_opts, &fit);
	assert_int_equal(k1_buf_reserve(&fit, 64), 0);
	assert_int_equal(fdt_open_into(fit.data, fit.data, (int)fit.len + 64), 0);
	assert_int_equal(
		fdt_setprop_empty(fit.data, fdt_path_offset(fit.data, "/configurations"), "x"), 0);
	assert_int_equal(fdt_pack(fit.data), 0);
	p = fdt_get_property_w(fit.data, fdt_path_offset(fit.data, "/configurations"), "x", &len);
	assert_non_null(p);
	p->len = cpu_to_fdt32(0xffffffffu);
	assert_int_equal(
		k1_fit_set_memory(fit.data, fdt_totalsize(fit.data), 4 * GIB, &out, NULL, &err),
		K1_EINVAL);
	assert_int_equal(out.len, 0);
	k1_buf_free(&fit);
	k1_buf_free(&out);
}

/* Found by fuzz_fit_setmem: libfdt 1.6.1's fdt_check_full() crashes on
 * some old-version trees, and a version 16 tree may name strings past its
 * string block. k1fw, like its FIT reader, takes version 17 only. */
static void test_old_versions(void **state)
{
	uint8_t dtb[1024];
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};

	(void)state;
	for (uint32_t v = 2; v <= 16; v += 14) {
		fdt_set_version(dtb, v);
		assert_int_equal(k1_dtb_check(dtb, n, &err), K1_EINVAL);
		assert_int_equal(k1_dtb_set_memory(dtb, n, 4 * GIB, &out, &err), K1_EINVAL);
		assert_non_null(strstr(err.msg, "version"));
	}
	assert_int_equal(out.len, 0);
	k1_buf_free(&out);
}

/* A FIT whose device trees set-memory rewrote equals the FIT built from
 * rewritten device trees: data, hashes, layout. */
static void test_fit_set_memory_equals_rebuild(void **state)
{
	uint8_t dtb[1024];
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_buf fit4 = K1_BUF_INIT, fit16 = K1_BUF_INIT, dtb16 = K1_BUF_INIT,
		      out = K1_BUF_INIT, again = K1_BUF_INIT;
	struct k1_error err = {0};
	unsigned changed = 99;

	(void)state;
	build_uboot(dtb, n, &default_opts, &fit4);
	assert_int_equal(k1_dtb_set_memory(dtb, n, 16 * GIB, &dtb16, &err), 0);
	build_uboot(dtb16.data, dtb16.len, &default_opts, &fit16);
	assert_int_equal(k1_fit_set_memory(fit4.data, fit4.len, 16 * GIB, &out, &changed, &err), 0);
	assert_int_equal(changed, 2);
	assert_int_equal(out.len, fit16.len);
	assert_memory_equal(out.data, fit16.data, out.len);
	assert_verifies(out.data, out.len);
	/* again: nothing to change, same bytes */
	assert_int_equal(k1_fit_set_memory(out.data, out.len, 16 * GIB, &again, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(again.len, out.len);
	assert_memory_equal(again.data, out.data, out.len);
	k1_buf_free(&fit4);
	k1_buf_free(&fit16);
	k1_buf_free(&dtb16);
	k1_buf_free(&out);
	k1_buf_free(&again);
}

/* Edit a built FIT with libfdt (fn), then expect set-memory to refuse it. */
static void refuse_after(void (*fn)(void *fdt), int code, const char *words)
{
	uint8_t dtb[1024];
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_buf fit = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};

	build_uboot(dtb, n, &default_opts, &fit);
	assert_int_equal(k1_buf_reserve(&fit, 4096), 0);
	assert_int_equal(fdt_open_into(fit.data, fit.data, (int)fit.len + 4096), 0);
	fn(fit.data);
	assert_int_equal(
		k1_fit_set_memory(fit.data, fdt_totalsize(fit.data), 4 * GIB, &out, NULL, &err),
		code);
	assert_non_null(strstr(err.msg, words));
	assert_int_equal(out.len, 0);
	k1_buf_free(&fit);
}

static void add_signature(void *fdt)
{
	int conf = fdt_path_offset(fdt, "/configurations/conf_1");
	assert_true(fdt_add_subnode(fdt, conf, "signature-1") >= 0);
}

static void compress_fdt(void *fdt)
{
	assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, "/images/fdt_1"),
					    "compression", "gzip"),
			 0);
}

static void unknown_algo(void *fdt)
{
	assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, "/images/fdt_2/hash-1"),
					    "algo", "crc16-ccitt"),
			 0);
}

static void no_fdt_images(void *fdt)
{
	assert_int_equal(
		fdt_setprop_string(fdt, fdt_path_offset(fdt, "/images/fdt_1"), "type", "firmware"),
		0);
	assert_int_equal(
		fdt_setprop_string(fdt, fdt_path_offset(fdt, "/images/fdt_2"), "type", "firmware"),
		0);
}

static void test_fit_refusals(void **state)
{
	(void)state;
	refuse_after(add_signature, K1_ENOTSUP, "signature");
	refuse_after(compress_fdt, K1_ENOTSUP, "gzip");
	refuse_after(unknown_algo, K1_ENOTSUP, "crc16-ccitt");
	refuse_after(no_fdt_images, K1_EINVAL, "no flat_dt image");
}

/* Every truncation fails cleanly; every flipped byte either fails cleanly
 * or gives a FIT that reads back sound. */
static void test_truncations_and_flips(void **state)
{
	uint8_t dtb[1024];
	size_t n = make_dtb(dtb, sizeof(dtb), 2, 2, 1, 0);
	struct k1_buf fit = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};

	(void)state;
	build_uboot(dtb, n, &default_opts, &fit);
	for (size_t len = 0; len < fdt_totalsize(fit.data); len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, fit.data, len);
		assert_int_not_equal(k1_fit_set_memory(copy, len, 4 * GIB, &out, NULL, &err), 0);
		assert_true(err.msg[0] != '\0');
		free(copy);
	}
	for (size_t len = 0; len < n; len++)
		assert_int_not_equal(k1_dtb_set_memory(dtb, len, 4 * GIB, &out, &err), 0);
	for (size_t i = 0; i < fit.len; i++) {
		uint8_t *copy = malloc(fit.len);
		memcpy(copy, fit.data, fit.len);
		copy[i] ^= 0x41;
		out.len = 0;
		if (!k1_fit_set_memory(copy, fit.len, 4 * GIB, &out, NULL, &err))
			assert_int_equal(k1_fit_check(out.data, out.len, &err), 0);
		free(copy);
	}
	k1_buf_free(&fit);
	k1_buf_free(&out);
}

/* The vendor u-boot.itb: its device trees all say 2 GiB, so setting 2 GiB
 * gives the same bytes, and 8 GiB gives a FIT that verifies. */
static void test_golden(void **state)
{
	const char *dir = test_vendor_dir();
	char path[4200];
	struct k1_buf g = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};
	unsigned changed = 0;

	(void)state;
	SKIP_WITHOUT_VENDOR(dir);
	snprintf(path, sizeof(path), "%s/golden/u-boot.itb", dir);
	assert_int_equal(k1_read_file(path, &g, &err), 0);
	assert_int_equal(k1_fit_set_memory(g.data, g.len, 2 * GIB, &out, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(out.len, g.len);
	assert_memory_equal(out.data, g.data, g.len);
	out.len = 0;
	assert_int_equal(k1_fit_set_memory(g.data, g.len, 8 * GIB, &out, &changed, &err), 0);
	assert_int_equal(changed, 18);
	assert_int_equal(out.len, g.len + 18 * 16);
	assert_verifies(out.data, out.len);
	k1_buf_free(&g);
	k1_buf_free(&out);
}

/* One timestamp rule for `fit` and `bundle`: SOURCE_DATE_EPOCH, else the
 * newest input mtime (missing and NULL inputs skipped), never the clock. */
static void test_timestamp(void **state)
{
	char *dir = test_tmpdir(), a[4200], b[4200], missing[4200];
	const char *in[4];
	struct timespec t[2] = {{1600000000, 0}, {1600000000, 0}};
	struct k1_error err = {0};
	uint32_t ts = 7;
	(void)state;

	test_write_str(dir, "a", "a");
	test_write_str(dir, "b", "b");
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	assert_int_equal(utimensat(AT_FDCWD, a, t, 0), 0);
	t[0].tv_sec = t[1].tv_sec = 1650000000;
	assert_int_equal(utimensat(AT_FDCWD, b, t, 0), 0);
	in[0] = a, in[1] = NULL, in[2] = b, in[3] = missing;

	assert_int_equal(k1_fit_timestamp(NULL, in, 4, &ts, &err), 0);
	assert_int_equal(ts, 1650000000);
	assert_int_equal(k1_fit_timestamp("", in, 1, &ts, &err), 0); /* empty: unset */
	assert_int_equal(ts, 1600000000);
	assert_int_equal(k1_fit_timestamp(NULL, in + 3, 1, &ts, &err), 0);
	assert_int_equal(ts, 0);
	assert_int_equal(k1_fit_timestamp("1700000000", in, 4, &ts, &err), 0);
	assert_int_equal(ts, 1700000000);
	assert_int_equal(k1_fit_timestamp("4294967295", in, 4, &ts, &err), 0);
	assert_int_equal(ts, 4294967295u);
	ts = 7;
	assert_int_equal(k1_fit_timestamp("4294967296", in, 4, &ts, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "does not fit the FIT's 32-bit timestamp"));
	assert_int_equal(k1_fit_timestamp("99999999999999999999999", in, 4, &ts, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "does not fit"));
	assert_int_equal(k1_fit_timestamp("yesterday", in, 4, &ts, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "SOURCE_DATE_EPOCH: expected seconds since 1970"));
	assert_int_equal(k1_fit_timestamp("-1", in, 4, &ts, &err), K1_EINVAL);
	assert_int_equal(ts, 7);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opensbi_shape),
		cmocka_unit_test(test_uboot_shape),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_every_algorithm),
		cmocka_unit_test(test_build_refusals),
		cmocka_unit_test(test_dtb_memory_layouts),
		cmocka_unit_test(test_dtb_memory_nodes),
		cmocka_unit_test(test_bad_sizes_and_inputs),
		cmocka_unit_test(test_wrapping_property_length),
		cmocka_unit_test(test_old_versions),
		cmocka_unit_test(test_fit_set_memory_equals_rebuild),
		cmocka_unit_test(test_fit_refusals),
		cmocka_unit_test(test_truncations_and_flips),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_timestamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The device-tree module: opening untrusted trees (every fault named, any
 * alignment of the buffer and of the structure block), properties, cells,
 * memory nodes (reading and rewriting), editing a copy. */
#include "testutil.h"

#include "format/dtb.h"

#include <libfdt.h>

/* A tree: root cells (0: absent), model, a memory@40000000 node of 1 GiB
 * with device_type, a "ram" node marked only by device_type (when ram),
 * and /chosen. pad bytes of free space at the end. */
static size_t make_tree(uint8_t *buf, size_t size, uint32_t ac, uint32_t sc, bool ram, size_t pad)
{
	fdt32_t reg[4] = {0, cpu_to_fdt32(0x40000000u), 0, cpu_to_fdt32(0x40000000u)};
	fdt32_t reg2[4] = {cpu_to_fdt32(1), 0, 0, cpu_to_fdt32(0x10000000u)};

	memset(buf, 0, size);
	assert_int_equal(fdt_create(buf, (int)size), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	if (ac)
		assert_int_equal(fdt_property_u32(buf, "#address-cells", ac), 0);
	if (sc)
		assert_int_equal(fdt_property_u32(buf, "#size-cells", sc), 0);
	assert_int_equal(fdt_property_string(buf, "model", "unit board"), 0);
	assert_int_equal(fdt_begin_node(buf, "memory@40000000"), 0);
	assert_int_equal(fdt_property_string(buf, "device_type", "memory"), 0);
	assert_int_equal(fdt_property(buf, "reg", reg, sizeof(reg)), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	if (ram) {
		assert_int_equal(fdt_begin_node(buf, "ram"), 0);
		assert_int_equal(fdt_property_string(buf, "device_type", "memory"), 0);
		assert_int_equal(fdt_property(buf, "reg", reg2, sizeof(reg2)), 0);
		assert_int_equal(fdt_end_node(buf), 0);
	}
	assert_int_equal(fdt_begin_node(buf, "chosen"), 0);
	assert_int_equal(fdt_property(buf, "odd", "abcde", 5), 0); /* 3 bytes of padding */
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	assert_int_equal(fdt_open_into(buf, buf, (int)(fdt_totalsize(buf) + pad)), 0);
	return fdt_totalsize(buf);
}

/* The same tree with its structure block moved by shift bytes (0x3a for a
 * shift of 2 from dtc's 0x38): legal for libfdt, misaligned for a struct. */
static size_t shift_struct(uint8_t *buf, size_t n, size_t cap, uint32_t shift)
{
	uint32_t off = fdt_off_dt_struct(buf);

	assert_true(n + shift <= cap);
	memmove(buf + off + shift, buf + off, n - off);
	memset(buf + off, 0, shift);
	fdt_set_off_dt_struct(buf, off + shift);
	fdt_set_off_dt_strings(buf, fdt_off_dt_strings(buf) + shift);
	fdt_set_totalsize(buf, (uint32_t)(n + shift));
	return n + shift;
}

static void assert_open_fails(const uint8_t *p, size_t n, int rc, int fdt_err, const char *msg)
{
	struct k1_dtb t;
	struct k1_error err = {0};

	assert_int_equal(k1_dtb_open(&t, p, n, "device tree", &err), rc);
	assert_int_equal(t.fdt_err, fdt_err);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' does not say '%s'", err.msg, msg);
	k1_dtb_close(&t);
	assert_int_equal(k1_dtb_check(p, n, &err), rc == K1_ENOMEM ? K1_ENOMEM : K1_EINVAL);
}

static void test_open_any_alignment(void **state)
{
	static uint8_t raw[2048 + 8];
	uint8_t tree[2048];
	size_t n = make_tree(tree, sizeof(tree), 2, 2, false, 0);
	(void)state;

	for (size_t shift = 0; shift < 8; shift++) {
		struct k1_dtb t;
		struct k1_error err = {0};
		uint8_t *p = raw + 8 - ((uintptr_t)raw & 7) + shift; /* p % 8 == shift */
		assert_true(p + n <= raw + sizeof(raw));
		memcpy(p, tree, n);
		assert_int_equal(k1_dtb_open(&t, p, n, "device tree", &err), 0);
		assert_int_equal((uintptr_t)t.fdt & 7, 0);
		assert_true(shift ? t.copy != NULL : t.fdt == p);
		assert_int_equal(t.len, n);
		assert_string_equal(k1_dtb_str(t.fdt, 0, "model"), "unit board");
		k1_dtb_close(&t);
		assert_null(t.copy);
	}
}

static void test_open_faults(void **state)
{
	uint8_t tree[2048];
	size_t n = make_tree(tree, sizeof(tree), 2, 2, false, 0);
	int off, len;
	struct fdt_property *p;
	(void)state;

	assert_open_fails(tree, 20, K1_EINVAL, -FDT_ERR_BADMAGIC,
			  "not a device tree: 20 bytes, the FDT header needs 40");
	tree[0] ^= 0xff;
	assert_open_fails(tree, n, K1_EINVAL, -FDT_ERR_BADMAGIC,
			  "not a device tree: magic 0x2f0dfeed at 0x0, expected 0xd00dfeed");
	tree[0] ^= 0xff;
	fdt_set_version(tree, 16);
	assert_open_fails(tree, n, K1_ENOTSUP, -FDT_ERR_BADVERSION,
			  "FDT version 16 at 0x14: k1fw reads version 17 and later");
	fdt_set_version(tree, 17);
	fdt_set_off_dt_strings(tree, (uint32_t)n + 4);
	assert_open_fails(tree, n, K1_EINVAL, -FDT_ERR_TRUNCATED, "bad FDT header: ");
	fdt_set_off_dt_strings(tree, (uint32_t)n - fdt_size_dt_strings(tree));
	assert_int_equal(k1_dtb_check(tree, n, NULL), 0);
	assert_open_fails(tree, n - 1, K1_EINVAL, -FDT_ERR_TRUNCATED,
			  "truncated device tree: FDT header totalsize");
	/* a property length libfdt 1.6.1 lets wrap (fuzz_fit_setmem) */
	off = fdt_path_offset(tree, "/chosen");
	p = fdt_get_property_w(tree, off, "odd", &len);
	assert_non_null(p);
	p->len = cpu_to_fdt32(0xffffffffu);
	assert_open_fails(tree, n, K1_EINVAL, -FDT_ERR_BADSTRUCTURE,
			  "FDT structure unsound: FDT_ERR_BADSTRUCTURE");
	p->len = cpu_to_fdt32(5);
	/* the FIT reader's noun */
	{
		struct k1_dtb t;
		struct k1_error err = {0};
		assert_int_equal(k1_dtb_open(&t, tree, n - 8, "FIT", &err), K1_EINVAL);
		assert_non_null(strstr(err.msg, "truncated FIT: FDT header totalsize"));
		k1_dtb_close(&t);
	}
	assert_string_equal(k1_dtb_strerror(-FDT_ERR_TRUNCATED), fdt_strerror(-FDT_ERR_TRUNCATED));
}

/* Found by fuzz_fit_setmem (UBSan): a structure block at 0x3a made the
 * property walk load a misaligned struct fdt_property. Such a tree opens,
 * reads, has its padding zeroed and is rewritten without a misaligned load
 * (the sanitizer build would stop on one). */
static void test_misaligned_structure_block(void **state)
{
	uint8_t tree[2048];
	size_t n = make_tree(tree, sizeof(tree), 2, 2, false, 0);
	struct k1_dtb t;
	struct k1_dtb_edit w = {0};
	struct k1_error err = {0};
	const uint8_t *v;
	int len;
	(void)state;

	n = shift_struct(tree, n, sizeof(tree), 2);
	assert_int_equal(fdt_off_dt_struct(tree) % 4, 2);
	assert_int_equal(k1_dtb_open(&t, tree, n, "device tree", &err), 0);
	assert_string_equal(k1_dtb_str(t.fdt, 0, "model"), "unit board");
	assert_int_equal(k1_dtb_edit_open(&w, t.fdt, n, 256, &err), 0);
	assert_int_equal(fdt_off_dt_struct(w.fdt) % 4, 2); /* libfdt kept it there */
	v = fdt_getprop(w.fdt, fdt_path_offset(w.fdt, "/chosen"), "odd", &len);
	assert_non_null(v);
	assert_int_equal(len, 5);
	memset((uint8_t *)v + 5, 0xaa, 3); /* dirty padding, as libfdt 1.6 may leave */
	assert_int_equal(k1_dtb_edit_close(&w, &err), 0);
	v = fdt_getprop(w.fdt, fdt_path_offset(w.fdt, "/chosen"), "odd", &len);
	assert_memory_equal(v, "abcde\0\0\0", 8);
	k1_dtb_edit_free(&w);
	k1_dtb_close(&t);
}

static void test_cells(void **state)
{
	uint8_t p[8], tree[2048];
	uint32_t v;
	(void)state;

	assert_int_equal(k1_dtb_put_cells(p, 2, 0x123456789aull), 8);
	assert_memory_equal(p, "\x00\x00\x00\x12\x34\x56\x78\x9a", 8);
	assert_int_equal(k1_dtb_get_cells(p, 2), 0x123456789aull);
	assert_int_equal(k1_dtb_put_cells(p, 1, 0x80000000u), 4);
	assert_int_equal(k1_dtb_get_cells(p, 1), 0x80000000u);

	make_tree(tree, sizeof(tree), 0, 0, false, 0); /* absent: 2 and 1 */
	assert_int_equal(k1_dtb_root_cells(tree, "#address-cells", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(k1_dtb_root_cells(tree, "#size-cells", &v), 0);
	assert_int_equal(v, 1);
	make_tree(tree, sizeof(tree), 3, 1, false, 64);
	assert_int_equal(k1_dtb_root_cells(tree, "#address-cells", &v), -1);
	assert_int_equal(v, 3);
	assert_int_equal(fdt_setprop_u64(tree, 0, "#size-cells", 1), 0); /* 8 bytes */
	assert_int_equal(k1_dtb_root_cells(tree, "#size-cells", &v), -1);
	assert_int_equal(v, 1);
	assert_int_equal(k1_dtb_u32(tree, 0, "#size-cells", &v), -1);
	assert_int_equal(k1_dtb_u32(tree, 0, "nothing", &v), 0);
	assert_null(k1_dtb_str(tree, 0, "#address-cells")); /* not a string */
}

struct seen {
	uint64_t base[4], size[4];
	int n;
};

static void collect(void *ctx, uint64_t base, uint64_t size)
{
	struct seen *s = ctx;
	if (s->n < 4) {
		s->base[s->n] = base;
		s->size[s->n] = size;
	}
	s->n++;
}

static void test_memory_nodes(void **state)
{
	uint8_t tree[2048];
	struct seen s = {0};
	int node;
	(void)state;

	make_tree(tree, sizeof(tree), 2, 2, true, 256);
	assert_int_equal(k1_dtb_memory_regions(tree, collect, &s), 0);
	assert_int_equal(s.n, 2); /* memory@40000000, and ram by its device_type */
	assert_int_equal(s.base[0], 0x40000000u);
	assert_int_equal(s.size[0], 0x40000000u);
	assert_int_equal(s.base[1], 0x100000000ull);
	assert_int_equal(s.size[1], 0x10000000u);
	assert_false(k1_dtb_is_memory(tree, fdt_path_offset(tree, "/chosen")));
	assert_true(k1_dtb_is_memory(tree, fdt_path_offset(tree, "/ram")));

	/* a reg that is not whole regions: the regions before it, then -1 */
	node = fdt_path_offset(tree, "/ram");
	assert_int_equal(fdt_setprop_u32(tree, node, "reg", 1), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(k1_dtb_memory_regions(tree, collect, &s), -1);
	assert_int_equal(s.n, 1);
	/* cells k1fw cannot read: nothing */
	assert_int_equal(fdt_setprop_u32(tree, 0, "#size-cells", 3), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(k1_dtb_memory_regions(tree, collect, &s), -1);
	assert_int_equal(s.n, 0);
}

static void test_set_memory_reg(void **state)
{
	uint8_t tree[2048], reg[16];
	struct seen s = {0};
	size_t len;
	int node;
	(void)state;

	/* two memory nodes: the first stays, renamed for its new address */
	make_tree(tree, sizeof(tree), 2, 1, true, 512);
	len = k1_dtb_put_cells(reg, 2, 0);
	len += k1_dtb_put_cells(reg + len, 1, 0x80000000u);
	assert_int_equal(k1_dtb_set_memory_reg(tree, reg, len), 0);
	assert_true(fdt_path_offset(tree, "/memory@0") >= 0);
	assert_true(fdt_path_offset(tree, "/memory@40000000") < 0);
	assert_true(fdt_path_offset(tree, "/ram") < 0);
	assert_int_equal(k1_dtb_memory_regions(tree, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.size[0], 0x80000000u);

	/* none: one is made, with its device_type */
	make_tree(tree, sizeof(tree), 2, 1, false, 512);
	assert_int_equal(fdt_del_node(tree, fdt_path_offset(tree, "/memory@40000000")), 0);
	len = k1_dtb_put_cells(reg, 2, 0x100000000ull);
	len += k1_dtb_put_cells(reg + len, 1, 0x1000u);
	assert_int_equal(k1_dtb_set_memory_reg(tree, reg, len), 0);
	node = fdt_path_offset(tree, "/memory@100000000");
	assert_true(node >= 0);
	assert_string_equal(k1_dtb_str(tree, node, "device_type"), "memory");

	/* a reg shorter than one address */
	assert_true(k1_dtb_set_memory_reg(tree, reg, 4) < 0);
}

/* An edit keeps the free space the tree came with and zeroes padding. */
static void test_edit_keeps_free_space(void **state)
{
	uint8_t tree[2048];
	size_t n = make_tree(tree, sizeof(tree), 2, 2, false, 200);
	size_t used = n - 200;
	struct k1_dtb_edit w = {0};
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(k1_dtb_edit_open(&w, tree, n, 1024, &err), 0);
	assert_int_equal(w.free, 200);
	assert_int_equal(fdt_setprop_string(w.fdt, 0, "model", "a longer model name"), 0);
	assert_int_equal(k1_dtb_edit_close(&w, &err), 0);
	assert_int_equal(fdt_totalsize(w.fdt), used + 8 + 200); /* 12 -> 20 bytes */
	assert_int_equal(k1_dtb_check(w.fdt, fdt_totalsize(w.fdt), &err), 0);
	k1_dtb_edit_free(&w);
	assert_null(w.fdt);

	/* an input that is not a tree */
	memset(tree, 0, 64);
	assert_int_equal(k1_dtb_edit_open(&w, tree, 64, 64, &err), K1_EINVAL);
	assert_null(w.fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_any_alignment),
		cmocka_unit_test(test_open_faults),
		cmocka_unit_test(test_misaligned_structure_block),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_memory_nodes),
		cmocka_unit_test(test_set_memory_reg),
		cmocka_unit_test(test_edit_keeps_free_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

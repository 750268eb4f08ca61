/* Partition-table JSON: size strings, the three placement models (k1fw
 * bytes, vendor KiB rule, U-Boot gpt write), the vendor files, and every
 * verify check on tables made to fail it. */
#include "testutil.h"

#include "base/fileio.h"
#include "format/bootinfo.h"
#include "format/format.h"
#include "format/ptable.h"

#include <sys/stat.h>

/* The Bianbu 2.x release layout (research §4.6 a), bootinfo hidden. */
static const char release[] =
	"{ \"version\": \"1.0\", \"format\": \"gpt\", \"partitions\": [\n"
	" { \"name\": \"bootinfo\", \"offset\": \"0K\", \"size\": \"512\", \"hidden\": true,"
	" \"image\": \"factory/bootinfo_sd.bin\", \"holes\": \"{\\\"(80;512)\\\"}\" },\n"
	" { \"name\": \"fsbl\", \"offset\": \"128K\", \"size\": \"256K\", \"image\": "
	"\"factory/FSBL.bin\" },\n"
	" { \"name\": \"env\", \"offset\": \"384K\", \"size\": \"64K\", \"image\": \"env.bin\" },\n"
	" { \"name\": \"opensbi\", \"offset\": \"1M\", \"size\": \"1M\", \"image\": "
	"\"fw_dynamic.itb\" },\n"
	" { \"name\": \"uboot\", \"offset\": \"2M\", \"size\": \"2M\", \"image\": \"u-boot.itb\" "
	"},\n"
	" { \"name\": \"bootfs\", \"offset\": \"4M\", \"size\": \"256M\", \"image\": "
	"\"bootfs.ext4\" },\n"
	" { \"name\": \"rootfs\", \"offset\": \"260M\", \"size\": \"-\", \"image\": "
	"\"rootfs.ext4\" } ] }\n";

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t bytes;
		bool rest;
	} cases[] = {
		{"0", 0, 0, false},
		{"512", 0, 512, false},
		{"80B", 0, 80, false},
		{"0K", 0, 0, false},
		{"128K", 0, 131072, false},
		{"0x10K", 0, 16384, false},
		{"1M", 0, 1048576, false},
		{"2G", 0, 2147483648ULL, false},
		{"1KiB", 0, 1024, false},
		{"1KB", 0, 1024, false},
		{"4k", 0, 4096, false},
		{"010K", 0, 8192, false}, /* octal, as U-Boot */
		{"-", 0, 0, true},
		{"", K1_EINVAL, 0, false},
		{"12q", K1_EINVAL, 0, false},
		{"K", K1_EINVAL, 0, false},
		{"1.5M", K1_EINVAL, 0, false},
		{" 1K", K1_EINVAL, 0, false},
		{"08K", K1_EINVAL, 0, false},
		{"1KK", K1_EINVAL, 0, false},
		{"-1", K1_EINVAL, 0, false},
		{"99999999999999999999", K1_ERANGE, 0, false},
		{"17179869184G", K1_ERANGE, 0, false},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t b = 7;
		bool rest = false;
		int rc = k1_ptable_parse_size(cases[i].s, &b, &rest);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, wanted %d", cases[i].s, rc, cases[i].rc);
		if (!rc && (b != cases[i].bytes || rest != cases[i].rest))
			fail_msg("'%s': %llu%s", cases[i].s, (unsigned long long)b,
				 rest ? " rest" : "");
	}
}

static void test_vendor_kib(void **state)
{
	(void)state;
	assert_int_equal(k1_ptable_vendor_kib("128K"), 128);
	assert_int_equal(k1_ptable_vendor_kib("1M"), 1024);
	assert_int_equal(k1_ptable_vendor_kib("2G"), 2097152);
	assert_int_equal(k1_ptable_vendor_kib("0x10K"), 16);
	/* no K/M/G: 0, whatever the number */
	assert_int_equal(k1_ptable_vendor_kib("512"), 0);
	assert_int_equal(k1_ptable_vendor_kib("80B"), 0);
	assert_int_equal(k1_ptable_vendor_kib("4k"), 0);
	assert_int_equal(k1_ptable_vendor_kib("-"), 0);
	assert_int_equal(k1_ptable_vendor_kib(""), 0);
	assert_int_equal(k1_ptable_vendor_kib(NULL), 0);
}

static void parse_ok(const char *text, struct k1_ptable *pt)
{
	struct k1_error err = {0};
	if (k1_ptable_parse(text, strlen(text), "t.json", pt, &err))
		fail_msg("parse failed: %s", err.msg);
}

static void test_release_layout(void **state)
{
	static const uint64_t off[] = {0,       128 << 10, 384 << 10,   1 << 20,
				       2 << 20, 4 << 20,   260ULL << 20};
	struct k1_ptable pt;
	(void)state;

	parse_ok(release, &pt);
	assert_int_equal(pt.kind, K1_PTABLE_GPT);
	assert_string_equal(pt.version, "1.0");
	assert_false(pt.device_map);
	assert_int_equal(pt.count, 7);
	assert_int_equal(pt.problems, 0);
	for (size_t i = 0; i < 7; i++) {
		assert_true(pt.parts[i].offset_known);
		assert_int_equal(pt.parts[i].offset, off[i]);
		assert_int_equal(pt.parts[i].vendor_offset, off[i]);
		assert_int_equal(pt.parts[i].in_table, i > 0);
		if (i > 0)
			assert_int_equal(pt.parts[i].gpt_offset, off[i]);
	}
	assert_true(pt.parts[0].hidden);
	assert_true(pt.parts[0].bootinfo);
	assert_int_equal(pt.parts[0].nholes, 1);
	assert_int_equal(pt.parts[0].holes[0].start, 80);
	assert_int_equal(pt.parts[0].holes[0].end, 512);
	assert_true(pt.parts[6].rest);
	assert_int_equal(pt.parts[1].size, 256 << 10);
	assert_string_equal(k1_ptable_find(&pt, "uboot")->image, "u-boot.itb");
	assert_null(k1_ptable_find(&pt, "nope"));
	k1_ptable_free(&pt);
}

/* The boot guide's SSD example: opensbi and uboot follow env. */
static void test_missing_offsets_continue(void **state)
{
	struct k1_ptable pt;
	(void)state;

	parse_ok("{\"format\":\"gpt\",\"partitions\":["
		 "{\"name\":\"bootinfo\",\"offset\":\"0K\",\"size\":\"512\"},"
		 "{\"name\":\"fsbl\",\"offset\":\"128K\",\"size\":\"256K\"},"
		 "{\"name\":\"env\",\"offset\":\"384K\",\"size\":\"64K\"},"
		 "{\"name\":\"opensbi\",\"size\":\"384K\"},"
		 "{\"name\":\"uboot\",\"size\":\"2M\"},"
		 "{\"name\":\"rootfs\",\"offset\":\"4M\",\"size\":\"-\"}]}",
		 &pt);
	assert_int_equal(pt.parts[3].offset, 448 << 10);
	assert_int_equal(pt.parts[4].offset, 832 << 10);
	assert_int_equal(pt.parts[3].vendor_offset, 448 << 10);
	assert_int_equal(pt.parts[4].gpt_offset, 832 << 10);
	assert_false(pt.parts[0].in_table); /* bootinfo is forced hidden */
	k1_ptable_free(&pt);
}

static void test_mtd_table(void **state)
{
	struct k1_ptable pt;
	(void)state;

	parse_ok("{\"format\":\"mtd\",\"partitions\":["
		 "{\"name\":\"bootinfo\",\"offset\":\"0\",\"size\":\"128K\"},"
		 "{\"name\":\"fsbl\",\"offset\":\"128K\",\"size\":\"256K\"},"
		 "{\"name\":\"uboot\",\"offset\":\"640K\",\"size\":\"-\"}]}",
		 &pt);
	assert_int_equal(pt.kind, K1_PTABLE_MTD);
	assert_true(pt.parts[0].in_table);
	assert_false(pt.parts[0].gpt_known);
	k1_ptable_free(&pt);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"partitions\": 3}",
		"{\"version\": \"1.0\"}",
		"{\"partitions\": [1]}",
		"{\"partitions\": [}",
		"not json",
	};
	struct k1_ptable pt;
	struct k1_error err = {0};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		assert_int_equal(k1_ptable_parse(bad[i], strlen(bad[i]), "t.json", &pt, &err),
				 K1_EINVAL);
		assert_non_null(strstr(err.msg, "t.json"));
		/* a "partitions" array is a partition table, if a broken one */
		assert_int_equal(k1_format_ptable.probe((const uint8_t *)bad[i], strlen(bad[i])),
				 i == 4);
	}
}

static void test_field_problems(void **state)
{
	struct k1_ptable pt;
	(void)state;

	parse_ok("{\"format\":\"gpt\",\"partitions\":["
		 "{\"offset\":\"64K\",\"size\":\"1M\"},"
		 "{\"name\":\"a\",\"offset\":\"2M\"},"
		 "{\"name\":\"b\",\"offset\":4194304,\"size\":\"1M\"},"
		 "{\"name\":\"c\",\"offset\":\"8M\",\"size\":\"1M\",\"hidden\":\"yes\"},"
		 "{\"name\":\"d\",\"offset\":\"9M\",\"size\":\"1M\",\"hidden\":\"true\"},"
		 "{\"name\":\"e\",\"offset\":\"10M\",\"size\":\"1M\",\"holes\":\"{(1;2)}\"},"
		 "{\"name\":\"f\",\"size\":\"1M\",\"holes\":\"{\\\"(0;2M)\\\"}\"}]}",
		 &pt);
	assert_int_equal(pt.problems, 6);
	assert_non_null(strstr(pt.parts[0].problem, "no name"));
	assert_non_null(strstr(pt.parts[1].problem, "no size"));
	assert_non_null(strstr(pt.parts[2].problem, "offset is a number"));
	assert_int_equal(pt.parts[2].offset, 4 << 20); /* still resolved */
	assert_non_null(strstr(pt.parts[3].problem, "hidden"));
	assert_string_equal(pt.parts[4].problem, "");
	assert_true(pt.parts[4].hidden);
	assert_non_null(strstr(pt.parts[5].problem, "holes"));
	assert_non_null(strstr(pt.parts[6].problem, "ends after the partition"));
	k1_ptable_free(&pt);
}

static void test_golden_ky_x1(void **state)
{
	const char *vendor = test_vendor_dir();
	char path[4200], text[4096];
	struct k1_ptable pt;
	FILE *f;
	size_t n;
	(void)state;

	SKIP_WITHOUT_VENDOR(vendor);
	snprintf(path, sizeof(path), "%s/golden/partition_universal.ky-x1.json", vendor);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_true(k1_format_ptable.probe((const uint8_t *)text, n));
	parse_ok(text, &pt);
	assert_true(pt.device_map);
	assert_int_equal(pt.count, 3);
	assert_int_equal(pt.problems, 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(pt.parts[i].offset, 0);
		assert_true(pt.parts[i].rest);
		assert_int_equal(pt.parts[i].vendor_offset, 0);
	}
	assert_null(pt.parts[0].image); /* "" */
	assert_string_equal(pt.parts[1].image, "factory/FSBL.bin");
	assert_int_equal(pt.parts[0].holes[0].end, 512);
	k1_ptable_free(&pt);
}

/* ---- verify ---- */

/* Write text as dir/t.json and verify it; failed check names into names. */
static size_t verify_text(const char *dir, const char *text, char *names, size_t n)
{
	char path[4200];
	int failed;

	test_write_str(dir, "t.json", text);
	snprintf(path, sizeof(path), "%s/t.json", dir);
	failed = test_verify(&k1_format_ptable, path, (const uint8_t *)text, strlen(text), false,
			     names, n);
	if (failed < 0)
		fail_msg("verify failed: %s", names);
	return (size_t)failed;
}

static void write_bootinfo(const char *dir, enum k1_media m)
{
	struct k1_bootinfo bi;
	uint8_t raw[K1_BOOTINFO_SIZE];
	char sub[4200];

	snprintf(sub, sizeof(sub), "%s/factory", dir);
	mkdir(sub, 0755);
	k1_bootinfo_defaults(m, &bi);
	k1_bootinfo_encode(&bi, raw);
	test_write(dir, "factory/bootinfo_sd.bin", raw, sizeof(raw));
}

/* A release table with one substitution (from -> to). */
static char *edited(const char *from, const char *to)
{
	const char *at = strstr(release, from);
	size_t n = strlen(release) + strlen(to) + 1;
	char *s = malloc(n);

	assert_non_null(at);
	snprintf(s, n, "%.*s%s%s", (int)(at - release), release, to, at + strlen(from));
	return s;
}

static void expect_fail(const char *dir, const char *from, const char *to, const char *want)
{
	char names[1024], *t = edited(from, to);

	verify_text(dir, t, names, sizeof(names));
	if (strcmp(names, want))
		fail_msg("'%s' -> '%s': failed [%s], wanted [%s]", from, to, names, want);
	free(t);
}

static void test_verify_release_ok(void **state)
{
	char *dir = test_tmpdir(), names[1024];
	(void)state;

	write_bootinfo(dir, K1_MEDIA_SD);
	assert_int_equal(verify_text(dir, release, names, sizeof(names)), 0);
	test_rmtree(dir);
}

static void test_verify_failures(void **state)
{
	char *dir = test_tmpdir();
	static uint8_t big[300 * 1024];
	(void)state;

	write_bootinfo(dir, K1_MEDIA_SD);
	expect_fail(dir, "\"format\": \"gpt\"", "\"format\": \"ext4\"", "ptable.format ");
	expect_fail(dir, "\"name\": \"uboot\"", "\"name\": \"u-boot\"", "ptable.required ");
	expect_fail(dir, "\"name\": \"opensbi\"", "\"name\": \"opensbi\", \"hidden\": true",
		    "ptable.required ");
	expect_fail(dir, "\"name\": \"env\"", "\"name\": \"fsbl\"", "ptable.duplicate ");
	expect_fail(dir, ", \"hidden\": true", "", "ptable.bootinfo_hidden ");
	/* the bootinfo sends the BootROM to 0x20000: the classic SD failure */
	expect_fail(dir, "\"128K\"", "\"256K\"",
		    "ptable.overlap ptable.vendor_order ptable.bootinfo_fsbl ");
	/* a size without K/M/G is bytes here but 0 to the vendor U-Boot */
	expect_fail(dir, "\"offset\": \"384K\", \"size\": \"64K\"",
		    "\"offset\": \"384K\", \"size\": \"65536\"},{\"name\":\"x\", \"size\": \"1K\"",
		    "ptable.vendor_offset ");
	expect_fail(dir, "\"offset\": \"1M\"", "\"offset\": \"0\"",
		    "ptable.overlap ptable.overlap ptable.overlap ptable.vendor_offset "
		    "ptable.gpt_area ptable.gpt_start ");
	expect_fail(dir, "\"size\": \"1M\"", "\"size\": \"1000K\"", "");
	expect_fail(dir, "\"size\": \"1M\"", "\"size\": \"1001\"", "ptable.align ");
	expect_fail(dir, "\"size\": \"256M\"", "\"size\": \"-\"",
		    "ptable.rest_last ptable.overlap ");
	expect_fail(dir, "\"offset\": \"4M\"", "\"offset\": \"4Q\"", "ptable.entry ");
	expect_fail(dir, "\"offset\": \"0K\"", "\"offset\": \"1K\"", "ptable.bootinfo_offset ");

	/* an image larger than its partition */
	test_write(dir, "fw_dynamic.itb", big, 1024);
	expect_fail(dir, "\"size\": \"1M\"", "\"size\": \"1M\"", "");
	test_write(dir, "u-boot.itb", big, sizeof(big));
	expect_fail(dir, "\"offset\": \"2M\", \"size\": \"2M\"",
		    "\"offset\": \"2M\", \"size\": \"256K\"", "ptable.image_size ");

	/* an eMMC bootinfo shipped with an SD layout */
	write_bootinfo(dir, K1_MEDIA_EMMC);
	expect_fail(dir, "\"1.0\"", "\"1.0\"", "ptable.bootinfo_fsbl ");
	test_write(dir, "factory/bootinfo_sd.bin", "junk", 4);
	expect_fail(dir, "\"1.0\"", "\"1.0\"", "ptable.bootinfo_fsbl ");
	test_rmtree(dir);
}

static void test_verify_counts(void **state)
{
	char *dir = test_tmpdir(), names[1024];
	char text[20000];
	size_t n;
	(void)state;

	n = (size_t)snprintf(text, sizeof(text), "{\"format\":\"mtd\",\"partitions\":[");
	for (int i = 0; i < 21; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{\"name\":\"p%d\",\"offset\":\"%dK\",\"size\":\"64K\"}",
				      i ? "," : "", i, 64 * i);
	snprintf(text + n, sizeof(text) - n, "]}");
	assert_int_equal(verify_text(dir, text, names, sizeof(names)), 1);
	assert_string_equal(names, "ptable.count ");

	/* mtd tables get no GPT checks */
	assert_int_equal(verify_text(dir,
				     "{\"format\":\"mtd\",\"partitions\":["
				     "{\"name\":\"bootinfo\",\"offset\":\"0\",\"size\":\"128K\"},"
				     "{\"name\":\"uboot\",\"offset\":\"640K\",\"size\":\"-\"}]}",
				     names, sizeof(names)),
			 0);
	test_rmtree(dir);
}

static void test_verify_golden_device_map(void **state)
{
	const char *vendor = test_vendor_dir();
	char path[4200];
	struct k1_checks c = {0};
	struct k1_error err = {0};
	struct k1_buf b = K1_BUF_INIT;
	bool layout = false;
	(void)state;

	SKIP_WITHOUT_VENDOR(vendor);
	snprintf(path, sizeof(path), "%s/golden/partition_universal.ky-x1.json", vendor);
	assert_int_equal(k1_read_file(path, &b, &err), 0);
	struct k1_input in = {path, b.data, b.len};
	assert_int_equal(k1_format_ptable.verify(&in, NULL, &c, &err), 0);
	assert_int_equal(k1_checks_failed(&c), 0);
	for (size_t i = 0; i < c.count; i++)
		layout |= !strcmp(c.items[i].name, "ptable.layout");
	assert_true(layout);
	k1_checks_free(&c);
	k1_buf_free(&b);
}

/* Every truncation and every bit flip: parse or a one-line error, never a
 * crash; inspect and verify run on whatever probes. */
static void test_damage(void **state)
{
	size_t len = strlen(release);
	char *t = malloc(len + 1);
	struct k1_error err;
	(void)state;

	memcpy(t, release, len + 1);
	for (size_t cut = 0; cut <= len; cut++) {
		struct k1_ptable pt;
		err.msg[0] = '\0';
		if (k1_ptable_parse(t, cut, "cut.json", &pt, &err) == 0)
			k1_ptable_free(&pt);
		else
			assert_null(strchr(err.msg, '\n'));
		if (cut < len - 1)
			assert_false(k1_format_ptable.probe((const uint8_t *)t, cut));
	}
	for (size_t pos = 0; pos < len; pos++)
		for (int bit = 0; bit < 8; bit++) {
			struct k1_input in = {"/nonexistent/flip.json", (const uint8_t *)t, len};
			struct k1_checks c = {0};
			json_t *j = NULL;
			t[pos] ^= (char)(1 << bit);
			if (k1_format_ptable.probe(in.data, len)) {
				assert_int_equal(k1_format_ptable.inspect(&in, &j, &err), 0);
				json_decref(j);
				assert_int_equal(k1_format_ptable.verify(&in, NULL, &c, &err), 0);
				k1_checks_free(&c);
			}
			t[pos] ^= (char)(1 << bit);
		}
	free(t);
}

static void test_inspect_json(void **state)
{
	struct k1_input in = {"t.json", (const uint8_t *)release, strlen(release)};
	struct k1_error err = {0};
	json_t *j = NULL, *p;
	(void)state;

	assert_int_equal(k1_format_ptable.inspect(&in, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "table_format")), "gpt");
	assert_string_equal(json_string_value(json_object_get(j, "layout")), "gpt");
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 7);
	p = json_array_get(json_object_get(j, "partitions"), 1);
	assert_string_equal(json_string_value(json_object_get(p, "name")), "fsbl");
	assert_int_equal(json_integer_value(json_object_get(p, "offset")), 0x20000);
	assert_int_equal(json_integer_value(json_object_get(p, "end")), 0x60000);
	assert_string_equal(json_string_value(json_object_get(p, "size_h")), "256K");
	p = json_array_get(json_object_get(j, "partitions"), 6);
	assert_true(json_is_null(json_object_get(p, "size")));
	assert_string_equal(json_string_value(json_object_get(p, "size_h")), "-");
	p = json_array_get(json_object_get(j, "partitions"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "holes")), "80-512");
	assert_int_equal(json_array_size(json_object_get(j, "notes")), 0);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_vendor_kib),
		cmocka_unit_test(test_release_layout),
		cmocka_unit_test(test_missing_offsets_continue),
		cmocka_unit_test(test_mtd_table),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_field_problems),
		cmocka_unit_test(test_golden_ky_x1),
		cmocka_unit_test(test_verify_release_ok),
		cmocka_unit_test(test_verify_failures),
		cmocka_unit_test(test_verify_counts),
		cmocka_unit_test(test_verify_golden_device_map),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_inspect_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

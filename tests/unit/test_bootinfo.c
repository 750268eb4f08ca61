/* bootinfo: encoding against hand-laid bytes, decoding, the vendor files,
 * and the verifier's checks. */
#include "testutil.h"

#include "format/bootinfo.h"
#include "format/format.h"

/* The SD column of spec §2, laid out by hand. */
static void expected_sd(uint8_t e[80])
{
	memset(e, 0, 80);
	put32(e + 0x00, 0xB00714F0);
	put32(e + 0x04, 0x00010001);
	memcpy(e + 0x08, "SDC", 3);
	put32(e + 0x10, 512);
	put32(e + 0x14, 0x10000);
	put32(e + 0x18, 0x10000000);
	put32(e + 0x20, 0x20000);
	put32(e + 0x24, 0x80000);
	put32(e + 0x28, 0x36000);
	put32(e + 0x40, ref_crc32(e, 0x40));
}

static void test_encode_sd_matches_spec(void **state)
{
	struct k1_bootinfo bi;
	uint8_t raw[80], want[80];
	(void)state;

	k1_bootinfo_defaults(K1_MEDIA_SD, &bi);
	k1_bootinfo_encode(&bi, raw);
	expected_sd(want);
	assert_memory_equal(raw, want, 80);
}

static void test_decode_roundtrip(void **state)
{
	struct k1_bootinfo bi, back;
	struct k1_error err = {0};
	uint8_t raw[80];
	(void)state;

	k1_bootinfo_defaults(K1_MEDIA_SPINAND, &bi);
	bi.mid = 0xC2;
	bi.did = 0x1234;
	bi.multi_plane = 1;
	bi.partitiontable1_offset = 0xdeadbeef;
	k1_bootinfo_encode(&bi, raw);
	assert_int_equal(k1_bootinfo_decode(raw, sizeof(raw), &back, &err), 0);
	assert_int_equal(back.mid, 0xC2);
	assert_int_equal(back.did, 0x1234);
	assert_int_equal(back.multi_plane, 1);
	assert_int_equal(back.partitiontable1_offset, 0xdeadbeef);
	assert_int_equal(back.crc32, ref_crc32(raw, 0x40));
	assert_int_equal(k1_bootinfo_media(&back), K1_MEDIA_SPINAND);
}

static void test_decode_truncated(void **state)
{
	struct k1_bootinfo bi;
	struct k1_error err = {0};
	uint8_t raw[80] = {0};
	(void)state;

	for (size_t n = 0; n < 80; n++) {
		assert_int_equal(k1_bootinfo_decode(raw, n, &bi, &err), K1_EINVAL);
		assert_non_null(strstr(err.msg, "truncated"));
	}
}

static void test_media_names(void **state)
{
	enum k1_media m;
	(void)state;
	assert_int_equal(k1_media_parse("spinor", &m), 0);
	assert_int_equal(m, K1_MEDIA_SPINOR);
	assert_string_equal(k1_media_name(K1_MEDIA_EMMC), "emmc");
	assert_int_equal(k1_media_parse("nvme", &m), K1_EINVAL);
}

static void test_vendor_files(void **state)
{
	static const char *names[] = {"emmc", "sd", "spinor", "spinand"};
	const char *v = test_vendor_dir();
	(void)state;

	SKIP_WITHOUT_VENDOR(v);
	for (int i = 0; i < 4; i++) {
		struct k1_bootinfo bi;
		uint8_t raw[80], gold[81];
		char path[4200];
		FILE *f;

		snprintf(path, sizeof(path), "%s/golden/bootinfo_%s.bin", v, names[i]);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fread(gold, 1, sizeof(gold), f), 80);
		fclose(f);
		k1_bootinfo_defaults((enum k1_media)i, &bi);
		k1_bootinfo_encode(&bi, raw);
		assert_memory_equal(raw, gold, 80);
	}
}

/* Runs the verifier and returns how many checks failed; the names of the
 * failed checks are concatenated into failed_names. */
static size_t verify_raw(const uint8_t *raw, size_t len, char *failed_names, size_t sz)
{
	int n = test_verify((&k1_format_bootinfo), "test.bin", raw, len, false, failed_names, sz);
	if (n < 0)
		fail_msg("%s", failed_names);
	return (size_t)n;
}

static void test_verify_every_byte_flip(void **state)
{
	struct k1_bootinfo bi;
	uint8_t raw[80];
	char names[1024];
	(void)state;

	for (int m = 0; m < 4; m++) {
		k1_bootinfo_defaults((enum k1_media)m, &bi);
		k1_bootinfo_encode(&bi, raw);
		assert_int_equal(verify_raw(raw, 80, names, sizeof(names)), 0);
		for (int i = 0; i < 80; i++) {
			raw[i] ^= 0x01;
			assert_true(verify_raw(raw, 80, names, sizeof(names)) > 0);
			raw[i] ^= 0x01;
		}
	}
}

static void test_verify_names_the_problem(void **state)
{
	struct k1_bootinfo bi;
	uint8_t raw[80];
	char names[1024];
	(void)state;

	/* bootinfo_emmc's spl0 (0x200) on an SD card sits on the GPT */
	k1_bootinfo_defaults(K1_MEDIA_SD, &bi);
	bi.spl0_offset = 0x200;
	k1_bootinfo_encode(&bi, raw);
	assert_int_equal(verify_raw(raw, 80, names, sizeof(names)), 1);
	assert_string_equal(names, "bootinfo.spl0_offset ");

	/* overlapping copies */
	k1_bootinfo_defaults(K1_MEDIA_SPINOR, &bi);
	bi.spl1_offset = 0x30000;
	k1_bootinfo_encode(&bi, raw);
	assert_int_equal(verify_raw(raw, 80, names, sizeof(names)), 1);
	assert_string_equal(names, "bootinfo.spl1_offset ");

	/* stale CRC after an edit */
	k1_bootinfo_defaults(K1_MEDIA_EMMC, &bi);
	k1_bootinfo_encode(&bi, raw);
	raw[0x28] = 0x10;
	assert_int_equal(verify_raw(raw, 80, names, sizeof(names)), 1);
	assert_string_equal(names, "bootinfo.crc32 ");

	/* a NOR flash too small for the backup copy */
	k1_bootinfo_defaults(K1_MEDIA_SPINOR, &bi);
	bi.total_size = 0x80000;
	k1_bootinfo_encode(&bi, raw);
	assert_int_equal(verify_raw(raw, 80, names, sizeof(names)), 1);
	assert_string_equal(names, "bootinfo.total_size ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_sd_matches_spec),
		cmocka_unit_test(test_decode_roundtrip),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_media_names),
		cmocka_unit_test(test_vendor_files),
		cmocka_unit_test(test_verify_every_byte_flip),
		cmocka_unit_test(test_verify_names_the_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

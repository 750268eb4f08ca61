/* The board EEPROM (ONIE TlvInfo): the builder against a real BPI-F3 dump
 * (tests/data/eeprom: its printed CRC), parser, value checks, what the SPL
 * reads, the verifier, and the oem config wire forms per stage. */
#include "testutil.h"

#include "base/bytes.h"
#include "flash/oem_config.h"
#include "format/eeprom.h"
#include "format/format.h"

/* The fields of the BPI-F3 `tlv` listing in tests/data/eeprom/README.md. */
static const char *const forum[] = {
	"product_name=k1-x_deb1",
	"ethaddr=FE:FE:FE:12:34:45",
	"ethsize=2",
	"manufacture_date=04/24/2024 10:23:55",
	"manufacturer=spacemit",
	"device_version=5",
	"sdk_version=2",
	"ddr_cs_num=1",
	"0x60=8e2a5dcad801",
	"0x61=3cd97baf5e6c",
	"0x42=31",
};

static void build_list(const char *const *list, size_t n, size_t pad, struct k1_buf *out)
{
	struct k1_eeprom_field f[16];
	struct k1_error err = {0};

	for (size_t i = 0; i < n; i++)
		assert_int_equal(k1_eeprom_field_parse(list[i], &f[i], &err), 0);
	assert_int_equal(k1_eeprom_build(f, n, pad, out, &err), 0);
}

static void test_forum_image(void **state)
{
	struct k1_buf img = K1_BUF_INIT;
	struct k1_eeprom e;
	struct k1_error err = {0};

	(void)state;
	build_list(forum, 11, 0, &img);
	/* U-Boot printed: Total Length: 88, CRC-32 0x70FF4796 */
	assert_int_equal(img.len, 11 + 88);
	assert_memory_equal(img.data, "TlvInfo\0\x01\x00\x58", 11);
	assert_int_equal(k1_be32(img.data + img.len - 4), 0x70FF4796u);
	assert_int_equal(ref_crc32(img.data, img.len - 4), 0x70FF4796u);
	assert_int_equal(k1_eeprom_parse(img.data, img.len, &e, &err), 0);
	assert_int_equal(e.count, 12);
	assert_true(e.header_ok && e.crc_last && e.crc_stored == e.crc_computed && !e.bad_off);
	assert_int_equal(e.tlv[11].type, 0xFE);
	assert_int_equal(k1_eeprom_find(&e, 0x41)->val[0], 1);
	k1_buf_free(&img);
}

static void test_parse_damage(void **state)
{
	struct k1_buf img = K1_BUF_INIT;
	struct k1_eeprom e;
	struct k1_error err = {0};

	(void)state;
	build_list(forum, 11, 256, &img);
	assert_int_equal(img.len, 256);
	assert_int_equal(img.data[255], 0xFF);
	img.data[20] ^= 1; /* in the product name */
	assert_int_equal(k1_eeprom_parse(img.data, img.len, &e, &err), 0);
	assert_true(e.crc_last && e.crc_stored != e.crc_computed);
	img.data[20] ^= 1;
	img.data[0x16] = 0xFF; /* ethaddr's type: reserved, the walk stops */
	assert_int_equal(k1_eeprom_parse(img.data, img.len, &e, &err), 0);
	assert_int_equal(e.bad_off, 0x16);
	assert_int_equal(e.count, 1);
	img.data[0x16] = 0x24;
	img.data[10] = 0xF0; /* a total length past the end */
	assert_int_equal(k1_eeprom_parse(img.data, 99, &e, &err), 0);
	assert_false(e.crc_last);
	assert_int_equal(e.end, 99);
	assert_int_equal(k1_eeprom_parse((const uint8_t *)"TlvInfX\0\1\0\0", 11, &e, &err),
			 K1_EINVAL);
	assert_int_equal(k1_eeprom_parse(img.data, 10, &e, &err), K1_EINVAL);
	k1_buf_free(&img);
}

static void expect_bad(const char *assign, const char *why)
{
	struct k1_eeprom_field f;
	struct k1_error err = {0};

	assert_int_equal(k1_eeprom_field_parse(assign, &f, &err), K1_EINVAL);
	if (!strstr(err.msg, why))
		fail_msg("%s: '%s' does not say '%s'", assign, err.msg, why);
}

static void test_values(void **state)
{
	struct k1_eeprom_field f;
	struct k1_error err = {0};

	(void)state;
	assert_int_equal(k1_eeprom_field_parse("ddr_datarate=2400", &f, &err), 0);
	assert_int_equal(f.len, 2);
	assert_int_equal(f.val[0] << 8 | f.val[1], 2400);
	assert_int_equal(k1_eeprom_field_parse("ethaddr=fe:fe:fe:00:00:01", &f, &err), 0);
	assert_memory_equal(f.val, "\xfe\xfe\xfe\x00\x00\x01", 6);
	assert_int_equal(k1_eeprom_field_parse("device_version=0x10", &f, &err), 0);
	assert_int_equal(f.val[0], 16);
	expect_bad("ddr_cs_num=3", "expected 1..2");
	expect_bad("ddr_cs_num=0", "expected 1..2");
	expect_bad("0x41=03", "ddr_cs_num");
	expect_bad("ddr_datarate=2000", "not a rate of the SPL's table");
	expect_bad("ethaddr=01:02:03:04:05:06", "multicast");
	expect_bad("ethaddr=00:00:00:00:00:00", "not a usable MAC");
	expect_bad("ethaddr=fe:fe:fe:00:00", "not a MAC address");
	expect_bad("manufacture_date=13/01/2024 10:00:00", "not a date");
	expect_bad("manufacture_date=01/01/2024 24:00:00", "not a date");
	expect_bad("manufacture_date=2024-01-01 10:00:00", "not a date");
	expect_bad("product_name=", "empty");
	expect_bad("product_name=123456789012345678901234567890123", "at most 32");
	expect_bad("product_name=a\tb", "printable");
	expect_bad("nosuchkey=1", "not a key");
	expect_bad("0xfe=00000000", "computed");
	expect_bad("0xff=00", "reserved");
	expect_bad("0x60=abc", "hex digits");
	expect_bad("ethsize=65536", "expected a number");
	expect_bad("ddr_cs_num", "KEY=VALUE");
}

static void test_build_limits(void **state)
{
	struct k1_eeprom_field f[8] = {0};
	struct k1_buf img = K1_BUF_INIT;
	struct k1_error err = {0};

	(void)state;
	for (int i = 0; i < 2; i++) {
		f[i].code = (uint8_t)(0x60 + i);
		f[i].len = 120;
	}
	/* 11 + 2 * 122 + 6 = 261 > 256 */
	assert_int_equal(k1_eeprom_build(f, 2, 0, &img, &err), K1_ERANGE);
	assert_non_null(strstr(err.msg, "256"));
	f[1].len = 115; /* 256 exactly */
	assert_int_equal(k1_eeprom_build(f, 2, 0, &img, &err), 0);
	assert_int_equal(img.len, 256);
	img.len = 0;
	f[1].code = 0x60;
	assert_int_equal(k1_eeprom_build(f, 2, 0, &img, &err), K1_EINVAL);
	f[1].code = 0xFE;
	assert_int_equal(k1_eeprom_build(f, 2, 0, &img, &err), K1_EINVAL);
	assert_int_equal(img.len, 0);
	k1_buf_free(&img);
}

static void test_fields_set(void **state)
{
	struct k1_eeprom_field list[4], nf;
	struct k1_error err = {0};
	size_t n;

	(void)state;
	assert_int_equal(k1_eeprom_field_parse("product_name=a", &list[0], &err), 0);
	assert_int_equal(k1_eeprom_field_parse("ddr_cs_num=2", &list[1], &err), 0);
	assert_int_equal(k1_eeprom_field_parse("manufacturer=b", &list[2], &err), 0);
	assert_int_equal(k1_eeprom_field_parse("ddr_cs_num=1", &nf, &err), 0);
	/* as the vendor's set: delete, then append */
	n = k1_eeprom_fields_set(list, 3, &nf, nf.code, &err);
	assert_int_equal(n, 3);
	assert_int_equal(list[1].code, 0x2B);
	assert_int_equal(list[2].code, 0x41);
	assert_int_equal(list[2].val[0], 1);
	n = k1_eeprom_fields_set(list, n, NULL, 0x21, &err);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].code, 0x2B);
}

static void test_spl_view(void **state)
{
	static const char *const big[] = {"product_name=k1-x_MUSE-Pi", "ddr_cs_num=1",
					  "ddr_datarate=1600", "0x42=4c504444523458"};
	struct k1_buf img = K1_BUF_INIT;
	struct k1_eeprom_spl s;
	char name[80];

	(void)state;
	build_list(big, 4, 0, &img);
	k1_eeprom_spl_view(img.data, img.len, &s);
	assert_true(s.readable);
	assert_int_equal(s.cs_num, 1);
	assert_int_equal(s.datarate, 1600);
	assert_string_equal(s.ddr_type, "LPDDR4X");
	assert_string_equal(s.product_name, "k1-x_MUSE-Pi");
	/* no CRC check: a damaged CRC still gives ddr_cs_num */
	img.data[img.len - 1] ^= 0xFF;
	k1_eeprom_spl_view(img.data, img.len, &s);
	assert_int_equal(s.cs_num, 1);
	/* a header length past the chip: nothing */
	img.data[9] = 0x01;
	k1_eeprom_spl_view(img.data, img.len, &s);
	assert_false(s.readable);
	assert_int_equal(s.cs_num, 0);
	k1_eeprom_spl_view(NULL, 0, &s);
	assert_false(s.readable);
	k1_eeprom_fit_name("k1_deb2", name, sizeof(name));
	assert_string_equal(name, "k1-x_deb2");
	k1_eeprom_fit_name("", name, sizeof(name));
	assert_string_equal(name, "k1-x_deb1");
	k1_buf_free(&img);
}

static void test_spl_scan_stops_at_zero_length(void **state)
{
	/* product_name, then a zero-length 0x60, then ddr_cs_num */
	uint8_t img[] = {'T', 'l',  'v', 'I',  'n', 'f', 'o',  0, 1, 0, 13, 0x21, 1,
			 'x', 0x60, 0,   0x41, 1,   1,   0xFE, 4, 0, 0, 0,  0};
	struct k1_eeprom_spl s;

	(void)state;
	k1_eeprom_spl_view(img, sizeof(img), &s);
	assert_true(s.readable);
	assert_string_equal(s.product_name, "x");
	assert_int_equal(s.cs_num, 0); /* invisible to the SPL */
}

static void test_value_text(void **state)
{
	char t[64];

	(void)state;
	k1_eeprom_value_text(0x24, (const uint8_t *)"\xfe\x01\x02\x03\x04\x05", 6, t, sizeof(t));
	assert_string_equal(t, "FE:01:02:03:04:05");
	k1_eeprom_value_text(0x43, (const uint8_t *)"\x09\x60", 2, t, sizeof(t));
	assert_string_equal(t, "2400");
	k1_eeprom_value_text(0x41, (const uint8_t *)"\x01\x02", 2, t, sizeof(t));
	assert_string_equal(t, "0102"); /* a wrong length: the bytes */
	k1_eeprom_value_text(0x21, (const uint8_t *)"a\x01\\", 3, t, sizeof(t));
	assert_string_equal(t, "a\\x01\\x5c");
	k1_eeprom_value_text(0x77, (const uint8_t *)"\xab\xcd", 2, t, sizeof(t));
	assert_string_equal(t, "abcd");
}

/* The names of the failed checks, space-separated. */
static void failed_checks(const uint8_t *d, size_t n, char *out, size_t outsz)
{
	struct k1_input in = {"t", d, n};
	struct k1_checks c = {0};
	struct k1_error err = {0};

	out[0] = '\0';
	assert_int_equal(k1_format_eeprom.verify(&in, NULL, &c, &err), 0);
	for (size_t i = 0; i < c.count; i++)
		if (!c.items[i].ok)
			snprintf(out + strlen(out), outsz - strlen(out), "%s ", c.items[i].name);
	k1_checks_free(&c);
}

static void test_verify_image(void **state)
{
	struct k1_buf img = K1_BUF_INIT;
	char failed[400];
	json_t *j;
	struct k1_input in;
	struct k1_error err = {0};

	(void)state;
	build_list(forum, 11, 0, &img);
	assert_true(k1_format_eeprom.probe(img.data, img.len));
	assert_ptr_equal(k1_format_detect(img.data, img.len), &k1_format_eeprom);
	failed_checks(img.data, img.len, failed, sizeof(failed));
	assert_string_equal(failed, "");
	img.data[0x49] = 3; /* ddr_cs_num 3, the CRC left stale */
	failed_checks(img.data, img.len, failed, sizeof(failed));
	assert_string_equal(failed, "eeprom.crc32 eeprom.ddr_cs_num ");
	img.data[0x49] = 1;
	img.data[8] = 2;
	failed_checks(img.data, img.len, failed, sizeof(failed));
	assert_string_equal(failed, "eeprom.header eeprom.crc32 ");
	img.data[8] = 1;
	failed_checks(img.data, img.len - 1, failed, sizeof(failed));
	assert_string_equal(failed, "eeprom.total_length eeprom.tlv eeprom.crc_last ");
	in = (struct k1_input){"t", img.data, img.len};
	assert_int_equal(k1_format_eeprom.inspect(&in, &j, &err), 0);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "values"), "ddr_cs_num")),
		"1");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "values"), "0x60")),
		"8e2a5dcad801");
	assert_true(json_is_true(json_object_get(j, "crc_ok")));
	json_decref(j);
	k1_buf_free(&img);
}

static void test_default_identity(void **state)
{
	struct k1_buf img = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_eeprom_spl s;
	char failed[200];

	(void)state;
	assert_int_equal(k1_eeprom_default(&img, &err), 0);
	assert_int_equal(img.len, K1_EEPROM_SIZE);
	failed_checks(img.data, img.len, failed, sizeof(failed));
	assert_string_equal(failed, "");
	k1_eeprom_spl_view(img.data, img.len, &s);
	assert_int_equal(s.cs_num, 2);
	assert_string_equal(s.product_name, "k1-x_deb1");
	k1_buf_free(&img);
}

static void wire_ok(const char *assign, enum k1_stage st, const char *want)
{
	struct k1_oem_value v;
	struct k1_error err = {0};

	assert_int_equal(k1_oem_value_parse(assign, &v, &err), 0);
	if (k1_oem_value_wire(&v, st, &err))
		fail_msg("%s: %s", assign, err.msg);
	assert_string_equal(v.wire, want);
}

static void wire_bad(const char *assign, enum k1_stage st, const char *why)
{
	struct k1_oem_value v;
	struct k1_error err = {0};
	int rc = k1_oem_value_parse(assign, &v, &err);

	if (!rc)
		rc = k1_oem_value_wire(&v, st, &err);
	assert_int_equal(rc, K1_EINVAL);
	if (!strstr(err.msg, why))
		fail_msg("%s: '%s' does not say '%s'", assign, err.msg, why);
}

static void test_oem_wire(void **state)
{
	(void)state;
	wire_ok("ddr_cs_num=1", K1_STAGE_SPL, "1");
	wire_ok("ddr_cs_num=0x1", K1_STAGE_UBOOT, "1");
	/* set_bytes in the SPL: the two bytes of a big-endian 2400 */
	wire_ok("ddr_datarate=2400", K1_STAGE_SPL, "9 96");
	wire_ok("ddr_datarate=2400", K1_STAGE_UBOOT, "2400");
	wire_bad("ddr_datarate=3200", K1_STAGE_SPL, "at most 5");
	wire_ok("ddr_datarate=3200", K1_STAGE_UBOOT, "3200");
	wire_ok("ddr_type=LPDDR4X", K1_STAGE_SPL, "76 80 68 68 82 52 88");
	wire_bad("ddr_type=LPDDR4X", K1_STAGE_UBOOT, "decimal bytes");
	wire_ok("ddr_type=1", K1_STAGE_UBOOT, "49");
	wire_ok("manufacture_date=01/02/2024 03:04:05", K1_STAGE_SPL, "01/02/2024 03:04:05");
	wire_bad("manufacture_date=01/02/2024 03:04:05", K1_STAGE_UBOOT, "splits the value");
	wire_ok("ethaddr=FE:FE:FE:01:02:03", K1_STAGE_UBOOT, "FE:FE:FE:01:02:03");
	wire_ok("product_name=k1-x_milkv-jupiter", K1_STAGE_UBOOT, "k1-x_milkv-jupiter");
	/* 37 bytes of command before the value: 27 left */
	wire_ok("product_name=123456789012345678901234567", K1_STAGE_SPL,
		"123456789012345678901234567");
	wire_bad("product_name=1234567890123456789012345678", K1_STAGE_SPL, "64 bytes");
	wire_bad("product_name=a;reset", K1_STAGE_UBOOT, "';'");
	wire_bad("label_revision=A", K1_STAGE_SPL, "15 named keys");
	wire_bad("0x41=01", K1_STAGE_SPL, "15 named keys");
	wire_bad("ddr_cs_num=1", K1_STAGE_BROM, "no oem config");
}

static void test_oem_confirm(void **state)
{
	struct k1_oem_value v;
	struct k1_error err = {0};
	char why[300], text[100];

	(void)state;
	assert_int_equal(k1_oem_value_parse("ddr_cs_num=1", &v, &err), 0);
	assert_int_equal(k1_oem_value_wire(&v, K1_STAGE_SPL, &err), 0);
	assert_int_equal(k1_oem_confirm(&v, K1_STAGE_SPL, "\x01", why, sizeof(why)),
			 K1_OEM_CONFIRMED);
	assert_int_equal(k1_oem_confirm(&v, K1_STAGE_SPL, "\x02", why, sizeof(why)),
			 K1_OEM_MISMATCH);
	assert_non_null(strstr(why, "02"));
	assert_int_equal(k1_oem_value_parse("ethsize=2", &v, &err), 0);
	assert_int_equal(k1_oem_value_wire(&v, K1_STAGE_SPL, &err), 0);
	/* 00 02: the SPL's reply ends at the zero byte */
	assert_int_equal(k1_oem_confirm(&v, K1_STAGE_SPL, "", why, sizeof(why)), K1_OEM_UP_TO_ZERO);
	assert_int_equal(k1_oem_confirm(&v, K1_STAGE_UBOOT, "2", why, sizeof(why)),
			 K1_OEM_ENV_ONLY);
	assert_int_equal(k1_oem_confirm(&v, K1_STAGE_UBOOT, "3", why, sizeof(why)),
			 K1_OEM_MISMATCH);
	k1_oem_reply_text(k1_eeprom_key_by_name("ddr_datarate"), K1_STAGE_SPL, "\x09\x60", text,
			  sizeof(text));
	assert_string_equal(text, "2400");
	k1_oem_reply_text(k1_eeprom_key_by_name("ddr_cs_num"), K1_STAGE_SPL, "\x02", text,
			  sizeof(text));
	assert_string_equal(text, "2");
	k1_oem_reply_text(k1_eeprom_key_by_name("ddr_cs_num"), K1_STAGE_UBOOT, "2", text,
			  sizeof(text));
	assert_string_equal(text, "2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forum_image),
		cmocka_unit_test(test_parse_damage),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_fields_set),
		cmocka_unit_test(test_spl_view),
		cmocka_unit_test(test_spl_scan_stops_at_zero_length),
		cmocka_unit_test(test_value_text),
		cmocka_unit_test(test_verify_image),
		cmocka_unit_test(test_default_identity),
		cmocka_unit_test(test_oem_wire),
		cmocka_unit_test(test_oem_confirm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

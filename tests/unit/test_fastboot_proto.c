/* The emulator's fastboot command parser and reply builder. */
#include "testutil.h"

#include "emu/fastboot_proto.h"

static int parse(const char *s, struct k1_fb_cmd *c, struct k1_error *e)
{
	return k1_fb_parse((const uint8_t *)s, strlen(s), c, e);
}

static void test_verbs(void **state)
{
	struct k1_fb_cmd c;
	struct k1_error e = {0};
	(void)state;

	assert_int_equal(parse("getvar:partition-type:rootfs", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_GETVAR);
	assert_string_equal(c.name, "getvar");
	assert_string_equal(c.arg, "partition-type:rootfs");
	assert_int_equal(parse("flash:gpt", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_FLASH);
	assert_string_equal(c.arg, "gpt");
	assert_int_equal(parse("continue", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_CONTINUE);
	assert_string_equal(c.arg, "");
	assert_int_equal(parse("reboot-bootloader", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_REBOOT_BOOTLOADER);
	assert_int_equal(parse("erase:env", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_ERASE);
	assert_int_equal(parse("frobnicate:x", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_UNKNOWN);
	assert_string_equal(c.name, "frobnicate");
	/* U-Boot compares the whole verb: a prefix is not a command */
	assert_int_equal(parse("getvarx:version", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_UNKNOWN);
}

static void test_download(void **state)
{
	struct k1_fb_cmd c;
	struct k1_error e = {0};
	(void)state;

	assert_int_equal(parse("download:0002cae0", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_DOWNLOAD);
	assert_int_equal(c.size, 0x2cae0);
	assert_int_equal(parse("download:FFFFFFFF", &c, &e), 0);
	assert_int_equal(c.size, 0xffffffffu);
	assert_int_equal(parse("download:1", &c, &e), 0);
	assert_int_equal(c.size, 1);
	assert_int_equal(parse("download:", &c, &e), K1_EINVAL);
	assert_int_equal(parse("download:123456789", &c, &e), K1_EINVAL);
	assert_int_equal(parse("download:12g4", &c, &e), K1_EINVAL);
	assert_int_equal(parse("download", &c, &e), K1_EINVAL);
	assert_non_null(strstr(e.msg, "hex"));
}

static void test_oem(void **state)
{
	struct k1_fb_cmd c;
	struct k1_error e = {0};
	(void)state;

	assert_int_equal(parse("oem erase:emmc", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_OEM);
	assert_string_equal(c.name, "oem erase");
	assert_string_equal(c.arg, "emmc");
	assert_int_equal(parse("oem erase nor 0x10000", &c, &e), 0);
	assert_string_equal(c.name, "oem erase");
	assert_string_equal(c.arg, "nor 0x10000");
	assert_int_equal(parse("oem config:read product_name", &c, &e), 0);
	assert_string_equal(c.name, "oem config");
	assert_string_equal(c.arg, "read product_name");
	assert_int_equal(parse("oem ", &c, &e), 0);
	assert_int_equal(c.kind, K1_FB_UNKNOWN);
}

static void test_malformed(void **state)
{
	struct k1_fb_cmd c;
	struct k1_error e = {0};
	char big[200];
	(void)state;

	assert_int_equal(k1_fb_parse((const uint8_t *)"", 0, &c, &e), K1_EINVAL);
	memset(big, 'a', sizeof(big));
	assert_int_equal(k1_fb_parse((const uint8_t *)big, 65, &c, &e), K1_EINVAL);
	assert_non_null(strstr(e.msg, "longer than 64"));
	assert_int_equal(k1_fb_parse((const uint8_t *)big, 64, &c, &e), 0);
	assert_int_equal(k1_fb_parse((const uint8_t *)"getvar\0x", 8, &c, &e), K1_EINVAL);
	assert_int_equal(parse("getvar:\xff", &c, &e), K1_EINVAL);
	assert_int_equal(parse("flash:a\nb", &c, &e), K1_EINVAL);
	assert_non_null(strstr(e.msg, "not printable"));
}

static void test_reply(void **state)
{
	char r[K1_FB_REPLY_MAX + 1], big[300];
	(void)state;

	assert_int_equal(k1_fb_reply(r, "OKAY", "%s", "1.0"), 7);
	assert_string_equal(r, "OKAY1.0");
	assert_int_equal(k1_fb_reply(r, "DATA", "%08x", 0x2cae0u), 12);
	assert_string_equal(r, "DATA0002cae0");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(k1_fb_reply(r, "FAIL", "%s", big), K1_FB_REPLY_MAX);
	k1_fb_reply(r, "FAIL", "bad\nline\x01");
	assert_string_equal(r, "FAILbad?line?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbs), cmocka_unit_test(test_download),
		cmocka_unit_test(test_oem),   cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

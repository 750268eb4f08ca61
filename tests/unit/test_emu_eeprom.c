/* The emulated board's oem config, stage by stage, as the vendor's code
 * answers it: raw bytes from the SPL, U-Boot's environment, the SPL's and
 * U-Boot's encoders, the quirks (a refused value deletes the key, a blank
 * splits U-Boot's command line, a malformed write stops the board), and
 * U-Boot writing a MAC into an EEPROM without one. */
#include "testutil.h"

#include "emu/emu_board.h"
#include "format/eeprom.h"

static char *dir;
static struct k1_emu_board board;

static void open_board(const char *const *fields, size_t n)
{
	uint64_t sizes[K1_DEV_COUNT] = {1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 0};
	struct k1_error err = {0};

	dir = test_tmpdir();
	if (fields) {
		struct k1_eeprom_field f[16];
		struct k1_buf img = K1_BUF_INIT;
		for (size_t i = 0; i < n; i++)
			assert_int_equal(k1_eeprom_field_parse(fields[i], &f[i], &err), 0);
		assert_int_equal(k1_eeprom_build(f, n, 256, &img, &err), 0);
		test_write(dir, "eeprom.bin", img.data, img.len);
		k1_buf_free(&img);
	}
	struct k1_emu_config cfg = {.sel = K1_BOOTSEL_EMMC};
	assert_int_equal(k1_emu_board_open(&board, dir, &cfg, sizes, NULL, NULL, &err), 0);
}

static void close_board(void)
{
	k1_emu_board_close(&board);
	test_rmtree(dir);
}

static void enter(enum k1_emu_stage s)
{
	board.stage = s;
	k1_emu_eeprom_stage(&board);
}

static const char *cmd(const char *text)
{
	static struct k1_emu_reply rep;

	k1_emu_command(&board, (const uint8_t *)text, strlen(text), &rep);
	return rep.final;
}

static void chip(struct k1_eeprom *e, uint8_t raw[256])
{
	struct k1_error err = {0};

	assert_int_equal(k1_emu_eeprom_load(&board.ee, raw, &err), 0);
	assert_int_equal(k1_eeprom_parse(raw, 256, e, &err), 0);
}

static void test_default_written(void **state)
{
	struct k1_eeprom e;
	uint8_t raw[256];

	(void)state;
	open_board(NULL, 0);
	chip(&e, raw);
	assert_true(e.crc_last && e.crc_stored == e.crc_computed);
	assert_int_equal(k1_eeprom_find(&e, 0x41)->val[0], 2);
	close_board();
}

static void test_spl_read_raw(void **state)
{
	(void)state;
	open_board(NULL, 0);
	enter(K1_EMU_STAGE_SPL);
	assert_string_equal(cmd("oem config:read ddr_cs_num"), "OKAY\x02");
	assert_string_equal(cmd("oem config:read product_name"), "OKAYk1-x_deb1");
	/* ethsize 00 02: the reply ends at the zero byte */
	assert_string_equal(cmd("oem config:read ethsize"), "OKAY");
	assert_string_equal(cmd("oem config:read ddr_type"), "FAILkey NOT exist");
	assert_string_equal(cmd("oem config:read nosuch"), "FAILkey NOT exist");
	/* Debian's `fastboot oem config read x` sends a blank, not a ':' */
	assert_string_equal(cmd("oem config read ddr_cs_num"), "FAILunrecognized command");
	assert_string_equal(cmd("oem config:erase x"), "FAILNOT support");
	close_board();
}

static void test_spl_write_flush(void **state)
{
	static const char *const want[] = {"product_name=k1-x_deb1",
					   "ethaddr=FE:FE:FE:4B:31:46",
					   "ethsize=2",
					   "manufacture_date=01/16/2023 11:02:20",
					   "manufacturer=spacemit",
					   "device_version=1",
					   "sdk_version=1",
					   "ddr_cs_num=1",
					   "ddr_datarate=2400"};
	struct k1_eeprom_field f[9];
	struct k1_buf img = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_eeprom e;
	uint8_t raw[256];

	(void)state;
	open_board(NULL, 0);
	enter(K1_EMU_STAGE_SPL);
	assert_string_equal(cmd("oem config:write ddr_cs_num@eeprom:1"), "OKAY");
	assert_string_equal(cmd("oem config:write ddr_datarate@eeprom:9 96"), "OKAY");
	/* before the flush the SPL still reads the chip */
	assert_string_equal(cmd("oem config:read ddr_cs_num"), "OKAY\x02");
	assert_string_equal(cmd("oem config:flush"), "OKAY");
	assert_string_equal(cmd("oem config:read ddr_cs_num"), "OKAY\x01");
	assert_string_equal(cmd("oem config:read ddr_datarate"), "OKAY\x09\x60");
	/* byte for byte what k1fw builds: the changed keys deleted and appended */
	for (int i = 0; i < 9; i++)
		assert_int_equal(k1_eeprom_field_parse(want[i], &f[i], &err), 0);
	assert_int_equal(k1_eeprom_build(f, 9, 256, &img, &err), 0);
	chip(&e, raw);
	assert_memory_equal(raw, img.data, 256);
	k1_buf_free(&img);
	close_board();
}

static void test_spl_refused_value_deletes(void **state)
{
	struct k1_eeprom e;
	uint8_t raw[256];

	(void)state;
	open_board(NULL, 0);
	enter(K1_EMU_STAGE_SPL);
	/* set_bytes refuses a non-number: the key goes, the reply is OKAY */
	assert_string_equal(cmd("oem config:write ddr_cs_num@eeprom:x"), "OKAY");
	assert_string_equal(cmd("oem config:flush"), "OKAY");
	chip(&e, raw);
	assert_null(k1_eeprom_find(&e, 0x41));
	assert_true(e.crc_stored == e.crc_computed);
	assert_string_equal(cmd("oem config:write ddr_cs_num@eeprom:1234"), "FAILNOT exist");
	assert_string_equal(cmd("oem config:write nosuch@eeprom:1"), "FAILNOT exist");
	assert_string_equal(cmd("oem config:write ddr_cs_num@flash:1"),
			    "FAILNOT support destination");
	close_board();
}

static void test_malformed_write_stops_the_board(void **state)
{
	(void)state;
	open_board(NULL, 0);
	enter(K1_EMU_STAGE_SPL);
	assert_string_equal(cmd("oem config:write ddr_cs_num:1"), "");
	assert_true(board.leave);
	assert_int_equal(board.next, K1_EMU_STAGE_HANG);
	close_board();
}

static void test_uboot_env_and_shell(void **state)
{
	struct k1_eeprom e;
	uint8_t raw[256];

	(void)state;
	open_board(NULL, 0);
	enter(K1_EMU_STAGE_UBOOT);
	/* the environment: from the EEPROM, defaults, and only what U-Boot copies */
	assert_string_equal(cmd("oem config:read product_name"), "OKAYk1-x_deb1");
	assert_string_equal(cmd("oem config:read ethaddr"), "OKAYFE:FE:FE:4B:31:46");
	assert_string_equal(cmd("oem config:read eeprom_i2c_index"), "OKAY2");
	assert_string_equal(cmd("oem config:read ddr_cs_num"), "FAILkey NOT exist");
	/* a blank splits the command line: OKAY, the environment changes, the
	 * EEPROM does not */
	assert_string_equal(cmd("oem config:write manufacture_date@eeprom:01/01/2025 00:00:00"),
			    "OKAY");
	assert_string_equal(cmd("oem config:read manufacture_date"), "OKAY01/01/2025 00:00:00");
	assert_string_equal(cmd("oem config:write ddr_datarate@eeprom:1600"), "OKAY");
	assert_string_equal(cmd("oem config:flush"), "OKAY");
	chip(&e, raw);
	assert_memory_equal(k1_eeprom_find(&e, 0x25)->val, "01/16/2023 11:02:20", 19);
	assert_memory_equal(k1_eeprom_find(&e, 0x43)->val, "\x06\x40", 2);
	close_board();
}

static void test_uboot_writes_a_mac(void **state)
{
	static const char *const no_mac[] = {"product_name=k1-x_deb1", "ddr_cs_num=1"};
	struct k1_eeprom e;
	const struct k1_tlv *mac;
	uint8_t raw[256];

	(void)state;
	open_board(no_mac, 2);
	enter(K1_EMU_STAGE_UBOOT);
	chip(&e, raw);
	mac = k1_eeprom_find(&e, 0x24);
	assert_non_null(mac);
	assert_memory_equal(mac->val, "\xfe\xfe\xfe", 3);
	assert_memory_equal(k1_eeprom_find(&e, 0x2A)->val, "\x00\x02", 2);
	assert_int_equal(k1_eeprom_find(&e, 0x41)->val[0], 1);
	assert_true(e.crc_stored == e.crc_computed);
	close_board();
}

static void test_uboot_rewrites_a_bad_crc(void **state)
{
	struct k1_eeprom e;
	uint8_t raw[256];

	(void)state;
	open_board(NULL, 0);
	chip(&e, raw);
	raw[12] ^= 1; /* the CRC no longer matches */
	test_write(dir, "eeprom.bin", raw, 256);
	enter(K1_EMU_STAGE_UBOOT);
	chip(&e, raw);
	/* only the MAC pair survives: ddr_cs_num is gone */
	assert_true(e.crc_stored == e.crc_computed);
	assert_int_equal(e.count, 3);
	assert_null(k1_eeprom_find(&e, 0x41));
	close_board();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_written),
		cmocka_unit_test(test_spl_read_raw),
		cmocka_unit_test(test_spl_write_flush),
		cmocka_unit_test(test_spl_refused_value_deletes),
		cmocka_unit_test(test_malformed_write_stops_the_board),
		cmocka_unit_test(test_uboot_env_and_shell),
		cmocka_unit_test(test_uboot_writes_a_mac),
		cmocka_unit_test(test_uboot_rewrites_a_bad_crc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

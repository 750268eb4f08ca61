/* The emulator's model of vendor U-Boot v1.0.15 (and its generations),
 * driven packet by packet: replies as the vendor board gives them, the
 * bootinfo built over the download buffer, where the env ends up per
 * generation. The whole model is compared with the vendor's own U-Boot
 * in tests/cli/test_vendor_board.sh; these are the pieces. */
#include "testutil.h"

#include "base/bytes.h"
#include "emu/emu_board.h"

#include <sys/stat.h>
#include <zlib.h>

static char dir[64];
static struct k1_emu_board b;
static struct k1_emu_reply rep;

static const char *table = "{\"version\":\"1.0\",\"format\":\"gpt\",\"partitions\":["
			   "{\"name\":\"bootinfo\",\"offset\":\"0K\",\"size\":\"512\"},"
			   "{\"name\":\"env\",\"offset\":\"384K\",\"size\":\"64K\"},"
			   "{\"name\":\"rootfs\",\"offset\":\"1M\",\"size\":\"-\"}]}";

static void open_board(const char *version)
{
	struct k1_emu_config cfg = {.sel = K1_BOOTSEL_EMMC, .uboot_only = true};
	uint64_t sizes[K1_DEV_COUNT];
	struct k1_error err = {0};
	char cmd[128];

	cfg.uboot = k1_emu_uboot_find(version);
	assert_non_null(cfg.uboot);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	k1_emu_storage_defaults(sizes);
	sizes[K1_DEV_USER] = 64u << 20;
	assert_int_equal(k1_emu_board_open(&b, dir, &cfg, sizes, NULL, NULL, &err), 0);
	k1_emu_power_on(&b);
	assert_int_equal(b.stage, K1_EMU_STAGE_UBOOT);
}

static const char *cmd(const char *c)
{
	k1_emu_command(&b, (const uint8_t *)c, strlen(c), &rep);
	return rep.final;
}

static void send(const void *data, size_t n)
{
	char c[32];
	snprintf(c, sizeof(c), "download:%08zx", n);
	cmd(c);
	assert_int_equal(rep.data_len, n);
	memcpy(k1_emu_download_buf(&b, n), data, n);
	k1_emu_download_done(&b, n, true, &rep);
	assert_string_equal(rep.final, "OKAY");
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/k1fw-emuv-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char c[128];
	k1_emu_board_close(&b);
	snprintf(c, sizeof(c), "rm -rf %s", dir);
	assert_int_equal(system(c), 0);
	return 0;
}

static void test_replies(void **state)
{
	(void)state;
	open_board("1.0.15");
	assert_string_equal(cmd("getvar:all"), "FAILVariable not implemented");
	assert_string_equal(cmd("getvar"), "FAILmissing var");
	assert_string_equal(cmd("getvar:blk-size"), "OKAYuniversal");
	assert_string_equal(cmd("getvar:mtd-size"), "OKAYNULL");
	assert_string_equal(cmd("getvar:has-slot:rootfs"), "FAILinvalid partition or device");
	assert_string_equal(cmd("download:10000001"), "FAIL10000001");
	assert_string_equal(cmd("frobnicate"), "FAILunrecognized command");
	assert_string_equal(cmd("oem env get x"), "FAILunrecognized command");
	assert_string_equal(cmd("oem env:set fastboot.version:9"), "OKAY");
	assert_string_equal(cmd("getvar:version"), "OKAY9");
	send("{\"partitions\":", 14);
	cmd("flash:gpt");
	assert_true(rep.empty); /* a bad table: no status at all */
	send(table, strlen(table));
	assert_string_equal(cmd("flash:gpt"), "OKAYparse gpt/mtd table okay");
	assert_string_equal(cmd("getvar:partition-size:env"), "OKAY0x0000000000010000");
	assert_string_equal(cmd("getvar:has-slot:rootfs"), "OKAYno");
	static uint8_t big[0x10001];
	send(big, sizeof(big));
	assert_string_equal(cmd("flash:env"), "FAILdownload_bytes is greater than part size");
	const uint8_t trap[] = {1, 2,  8,    0,  5,  6,  7,  8,
				9, 10, 0xFF, 12, 13, 14, 15, 16}; /* BTYPE 3 */
	send(trap, sizeof(trap));
	assert_string_equal(cmd("flash:env"), "FAILunzip gzip data fail");
	assert_string_equal(cmd("flash:fsbl"), "OKAY"); /* always */
}

/* fastboot_oem_flash_bootinfo(): over the buffer, CRC over 0x00-0x3F */
static void test_bootinfo(void **state)
{
	(void)state;
	uint8_t blk[512], file[80] = {0};
	struct k1_error err = {0};

	open_board("1.0.15");
	memset(file, 0x77, sizeof(file));
	send(file, sizeof(file));
	assert_string_equal(cmd("flash:bootinfo"), "OKAY");
	assert_int_equal(k1_emu_read(&b.st, K1_DEV_BOOT0, 0, blk, sizeof(blk), &err), 0);
	assert_int_equal(k1_le32(blk), 0xB00714F0u);
	assert_memory_equal(blk + 8, "eMMC\0", 5);
	assert_int_equal(k1_le32(blk + 0x28), 0x32100);
	assert_int_equal(blk[0x0D], 0x77); /* not cleared: from the file */
	assert_int_equal(k1_le32(blk + 0x40), (uint32_t)crc32(0L, blk, 0x40));
	assert_int_equal(blk[0x4F], 0x77);
	assert_int_equal(blk[0x50], 0); /* past the download: never written RAM */
	k1_emu_board_close(&b);
	open_board("1.0beta");
	send(file, sizeof(file));
	cmd("flash:bootinfo");
	assert_int_equal(k1_emu_read(&b.st, K1_DEV_BOOT0, 0, blk, sizeof(blk), &err), 0);
	assert_int_equal(k1_le32(blk + 0x28), 0x36000);
}

/* where env.bin ends up: raw, zeroed, or the exported merged env */
static void test_env_generations(void **state)
{
	(void)state;
	static uint8_t env[0x4000], got[0x4000], zero[0x4000];
	const char vars[] = "bootdelay=0\0k1fw=1\0";
	struct k1_error err = {0};

	memset(env, 0xFF, sizeof(env));
	memcpy(env + 4, vars, sizeof(vars));
	k1_put_le32(env, (uint32_t)crc32(0L, env + 4, sizeof(env) - 4));
	const char *versions[] = {"1.0.15", "import-zero", "1.0alpha2"};
	for (int i = 0; i < 3; i++) {
		open_board(versions[i]);
		send(table, strlen(table));
		cmd("flash:gpt");
		send(env, sizeof(env));
		assert_string_equal(cmd("flash:env"), i ? "OKAYflash env partition okay" : "OKAY");
		assert_int_equal(k1_emu_read(&b.st, K1_DEV_USER, 0x60000, got, sizeof(got), &err),
				 0);
		assert_string_equal(cmd("oem env:get k1fw"), i ? "OKAY1" : "FAILNOT exist");
		if (i == 0)
			assert_memory_equal(got, env, sizeof(env));
		else if (i == 1)
			assert_memory_equal(got, zero, sizeof(zero));
		else /* sorted, with what the running U-Boot had */
			assert_int_equal(k1_le32(got),
					 (uint32_t)crc32(0L, got + 4, sizeof(got) - 4));
		if (i == 2)
			assert_non_null(memmem(got, sizeof(got), "k1fw=1\0", 7));
		k1_emu_board_close(&b);
	}
	open_board("1.0.15");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bootinfo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_generations, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

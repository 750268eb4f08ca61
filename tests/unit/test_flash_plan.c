/* The flashing plan: the vendor list for eMMC, the SPI table chosen by
 * flash size, the bootinfo for the media (and the wrong one refused),
 * --only, missing files named. Bundles are made in a temporary folder. */
#include "testutil.h"

#include "flash/flash.h"
#include "format/bootinfo.h"

#include <stdbool.h>
#include <sys/stat.h>

static char dir[64];

static void put(const char *rel, const void *data, size_t len)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void put_text(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static void put_bootinfo(const char *rel, enum k1_media m)
{
	struct k1_bootinfo bi;
	uint8_t raw[K1_BOOTINFO_SIZE];
	k1_bootinfo_defaults(m, &bi);
	k1_bootinfo_encode(&bi, raw);
	put(rel, raw, sizeof(raw));
}

static const char *mtd_table = "{\"version\": \"1.0\", \"format\": \"mtd\", \"partitions\": ["
			       "{\"name\": \"bootinfo\", \"offset\": \"0\", \"size\": \"128K\", "
			       "\"image\": \"factory/bootinfo_spinor.bin\"},"
			       "{\"name\": \"fsbl\", \"offset\": \"128K\", \"size\": \"256K\", "
			       "\"image\": \"factory/FSBL.bin\"},"
			       "{\"name\": \"uboot\", \"offset\": \"640K\", \"size\": \"-\", "
			       "\"image\": \"u-boot.itb\"}]}";

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/k1fw-plan-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char f[128];
	snprintf(f, sizeof(f), "%s/factory", dir);
	mkdir(f, 0755);
	put_text("factory/FSBL.bin", "fsbl");
	put_text("u-boot.itb", "uboot");
	put_text("rootfs.ext4", "rootfs");
	put_bootinfo("factory/bootinfo_emmc.bin", K1_MEDIA_EMMC);
	put_bootinfo("factory/bootinfo_sd.bin", K1_MEDIA_SD);
	put_bootinfo("factory/bootinfo_spinor.bin", K1_MEDIA_SPINOR);
	put_text(
		"partition_universal.json",
		"{\"version\": \"1.0\", \"format\": \"gpt\", \"partitions\": ["
		"{\"name\": \"bootinfo\", \"offset\": \"0K\", \"size\": \"512\", \"hidden\": true, "
		"\"image\": \"factory/bootinfo_sd.bin\"},"
		"{\"name\": \"fsbl\", \"offset\": \"128K\", \"size\": \"256K\", \"image\": "
		"\"factory/FSBL.bin\"},"
		"{\"name\": \"uboot\", \"offset\": \"2M\", \"size\": \"2M\", \"image\": "
		"\"u-boot.itb\"},"
		"{\"name\": \"bootfs\", \"offset\": \"4M\", \"size\": \"256M\"},"
		"{\"name\": \"rootfs\", \"offset\": \"260M\", \"size\": \"-\", \"image\": "
		"\"rootfs.ext4\"}]}");
	put_text("partition_2M.json", mtd_table);
	put_text("partition_4M.json", mtd_table);
	put_text("partition_16M.json", mtd_table);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_emmc_list(void **state)
{
	(void)state;
	struct k1_flash_opts o = {.bundle = dir, .media = K1_MEDIA_EMMC, .reboot = true};
	struct k1_flash_plan p;
	struct k1_error err = {0};
	static const char *want[] = {"fsbl",     "fsbl", "uboot", "uboot",  "gpt",
				     "bootinfo", "fsbl", "uboot", "rootfs", "reboot"};
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), 0);
	assert_int_equal(p.count, 10);
	for (size_t i = 0; i < p.count; i++)
		assert_string_equal(p.steps[i].part, want[i]);
	assert_int_equal(p.steps[0].kind, K1_STEP_STAGE);
	assert_int_equal(p.steps[0].when, K1_STAGE_BROM);
	assert_int_equal(p.steps[2].when, K1_STAGE_SPL);
	assert_string_equal(p.steps[5].rel,
			    "factory/bootinfo_emmc.bin"); /* not the table's sd one */
	assert_int_equal(p.steps[8].size, 6);
	k1_flash_plan_free(&p);
}

static void test_mtd_table_by_size(void **state)
{
	(void)state;
	struct k1_flash_opts o = {.bundle = dir, .media = K1_MEDIA_SPINOR};
	struct k1_flash_plan p;
	struct k1_error err = {0};
	const struct {
		uint64_t size;
		const char *table;
	} cases[] = {{0, "partition_2M.json"},
		     {1u << 20, "partition_2M.json"},
		     {8u << 20, "partition_4M.json"},
		     {16u << 20, "partition_16M.json"},
		     {64u << 20, "partition_16M.json"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o.mtd_size = cases[i].size;
		assert_int_equal(k1_flash_plan_build(&o, &p, &err), 0);
		assert_string_equal(p.table, cases[i].table);
		assert_string_equal(p.steps[4].part, "mtd");
		assert_string_equal(p.steps[5].rel, "factory/bootinfo_spinor.bin");
		k1_flash_plan_free(&p);
	}
	/* with the block device: the GPT and the partitions not on SPI */
	o.blk = true;
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), 0);
	assert_string_equal(p.steps[8].part, "gpt");
	assert_string_equal(p.steps[9].part, "rootfs");
	assert_int_equal(p.count, 10);
	k1_flash_plan_free(&p);
}

static void test_wrong_media_refused(void **state)
{
	(void)state;
	struct k1_flash_opts o = {.bundle = dir, .media = K1_MEDIA_EMMC};
	struct k1_flash_plan p;
	struct k1_error err = {0};
	char path[128];
	snprintf(path, sizeof(path), "%s/factory/bootinfo_emmc.bin", dir);
	unlink(path); /* the table's bootinfo_sd.bin is all there is */
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "is a bootinfo for sd, not for emmc: refusing"));
	assert_null(p.steps);
	o.media = K1_MEDIA_SD;
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), K1_ENOTSUP);
}

static void test_only(void **state)
{
	(void)state;
	struct k1_flash_opts o = {.bundle = dir, .media = K1_MEDIA_EMMC, .only = "rootfs,gpt"};
	struct k1_flash_plan p;
	struct k1_error err = {0};
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), 0);
	assert_int_equal(p.count, 6); /* 4 boot steps (run only when needed), gpt, rootfs */
	assert_string_equal(p.steps[4].part, "gpt");
	assert_string_equal(p.steps[5].part, "rootfs");
	k1_flash_plan_free(&p);
	o.only = "bootfs"; /* in the table, but without an image */
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "--only bootfs: not a partition with an image"));
}

static void test_missing_image_named(void **state)
{
	(void)state;
	struct k1_flash_opts o = {.bundle = dir, .media = K1_MEDIA_EMMC};
	struct k1_flash_plan p;
	struct k1_error err = {0};
	char path[128];
	snprintf(path, sizeof(path), "%s/rootfs.ext4", dir);
	unlink(path);
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "rootfs names rootfs.ext4, which is not in the bundle"));
}

/* an FSBL over the eMMC bootinfo limit U-Boot writes: refused, both limits named */
static void test_emmc_spl_limit(void **state)
{
	(void)state;
	struct k1_flash_opts o = {.bundle = dir, .media = K1_MEDIA_EMMC};
	struct k1_flash_plan p;
	struct k1_error err = {0};
	static uint8_t fsbl[0x32101];
	put("factory/FSBL.bin", fsbl, sizeof(fsbl));
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "0x32101 bytes, over spl_size_limit 0x32100"));
	assert_non_null(strstr(err.msg, "0x36000"));
	o.emmc_spl_limit = 0x36000;
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), 0);
	k1_flash_plan_free(&p);
	o.emmc_spl_limit = 0;
	o.media = K1_MEDIA_SPINOR; /* boot0's bootinfo is an eMMC matter */
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), 0);
	k1_flash_plan_free(&p);
}

/* check_gzip_format(): byte 2 == 8, no flag bit of 0xE0; not for the names
 * U-Boot reads raw, not for a sparse image */
static void test_gzip_lookalike(void **state)
{
	(void)state;
	const uint8_t env[] = {0x12, 0x34, 0x08, 0x1f}, gz[] = {0x1f, 0x8b, 0x08, 0x00},
		      no[] = {0x12, 0x34, 0x08, 0x20}, other[] = {0x12, 0x34, 0x09, 0x00};
	assert_true(k1_flash_gzip_lookalike(env, 4));
	assert_true(k1_flash_gzip_lookalike(gz, 4));
	assert_false(k1_flash_gzip_lookalike(no, 4));
	assert_false(k1_flash_gzip_lookalike(other, 4));
	assert_false(k1_flash_gzip_lookalike(env, 3));
	assert_true(k1_flash_wraps("env", env, 4));
	assert_false(k1_flash_wraps("fsbl", env, 4));
	assert_false(k1_flash_wraps("gpt", env, 4));
	assert_false(k1_flash_wraps("bootinfo", env, 4));
}

/* what an OKAY proves */
static void test_judge(void **state)
{
	(void)state;
	struct k1_flash_opts o = {.bundle = dir, .media = K1_MEDIA_EMMC};
	struct k1_flash_plan p;
	struct k1_error err = {0};
	struct k1_flash_step env = {.kind = K1_STEP_FLASH, .part = "env", .rel = "env.bin"};
	char msg[600];
	assert_int_equal(k1_flash_plan_build(&o, &p, &err), 0);
	/* the table has no env image: nothing flashes env after gpt */
	assert_int_equal(k1_flash_judge(&p, &p.steps[4], "parse gpt/mtd table okay", false, false,
					msg, sizeof(msg)),
			 K1_FV_NOT_ON_DISK);
	assert_non_null(strstr(msg, "zeroes the env area"));
	assert_int_equal(k1_flash_judge(&p, &p.steps[6], "", false, false, msg, sizeof(msg)),
			 K1_FV_UNVERIFIED);
	assert_non_null(strstr(msg, "fsbl: unverified"));
	assert_int_equal(k1_flash_judge(&p, &env, "", false, false, msg, sizeof(msg)),
			 K1_FV_VERIFIED);
	assert_int_equal(
		k1_flash_judge(&p, &env, K1_FLASH_ENV_IMPORTED, false, false, msg, sizeof(msg)),
		K1_FV_NOT_ON_DISK);
	assert_non_null(strstr(msg, "saveenv"));
	assert_int_equal(k1_flash_judge(&p, &env, "", true, false, msg, sizeof(msg)),
			 K1_FV_UNVERIFIED);
	assert_non_null(strstr(msg, "Android sparse image"));
	assert_int_equal(k1_flash_judge(&p, &p.steps[8], "", false, false, msg, sizeof(msg)),
			 K1_FV_NONE); /* rootfs raw: read back, nothing to say */
	assert_string_equal(msg, "");
	k1_flash_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_emmc_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtd_table_by_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_media_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_image_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emmc_spl_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gzip_lookalike, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* libFuzzer: the emulated vendor U-Boot (v1.0.15) on arbitrary downloads:
 * the first byte picks what is flashed (the JSON partition table, env,
 * a partition: its gzip guess and inflate, the sparse writer, a raw write
 * read back; bootinfo; fsbl), the rest is the download. One board for the
 * whole run, on a 16 MiB eMMC in a temporary folder, with a table flashed
 * first so that the partitions exist. */
#include "emu/emu_board.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct k1_emu_board board;
static struct k1_emu_reply rep;
static char dir[64];
static bool opened;

static const char table[] = "{\"version\":\"1.0\",\"format\":\"gpt\",\"partitions\":["
			    "{\"name\":\"bootinfo\",\"offset\":\"0K\",\"size\":\"512\"},"
			    "{\"name\":\"fsbl\",\"offset\":\"128K\",\"size\":\"256K\"},"
			    "{\"name\":\"env\",\"offset\":\"384K\",\"size\":\"64K\"},"
			    "{\"name\":\"rootfs\",\"offset\":\"1M\",\"size\":\"-\"}]}";

static void command(const char *c)
{
	k1_emu_command(&board, (const uint8_t *)c, strlen(c), &rep);
}

static void flash(const char *part, const uint8_t *data, size_t n)
{
	char c[64];
	snprintf(c, sizeof(c), "download:%08zx", n);
	command(c);
	if (rep.data_len != n)
		return;
	memcpy(k1_emu_download_buf(&board, n), data, n);
	k1_emu_download_done(&board, n, true, &rep);
	snprintf(c, sizeof(c), "flash:%s", part);
	command(c);
}

static void cleanup(void)
{
	char c[96];
	k1_emu_board_close(&board);
	snprintf(c, sizeof(c), "rm -rf %s", dir);
	if (system(c))
		return;
}

static void open_board(void)
{
	struct k1_emu_config cfg = {.sel = K1_BOOTSEL_EMMC, .uboot_only = true};
	uint64_t sizes[K1_DEV_COUNT];
	struct k1_error err = {0};

	snprintf(dir, sizeof(dir), "/tmp/k1fw-fuzz-emu-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	cfg.uboot = k1_emu_uboot_find(K1_EMU_UBOOT_DEFAULT);
	k1_emu_storage_defaults(sizes);
	sizes[K1_DEV_USER] = 16u << 20;
	if (k1_emu_board_open(&board, dir, &cfg, sizes, NULL, NULL, &err))
		abort();
	k1_emu_power_on(&board);
	atexit(cleanup);
	flash("gpt", (const uint8_t *)table, sizeof(table) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const parts[] = {"gpt", "env", "rootfs", "bootinfo", "fsbl"};

	if (!opened) {
		opened = true;
		open_board();
	}
	if (size < 2 || size > (1u << 20))
		return 0;
	const char *part = parts[data[0] % (sizeof(parts) / sizeof(parts[0]))];
	flash(part, data + 1, size - 1);
	if (!strcmp(part, "gpt")) /* keep the partitions the others need */
		flash("gpt", (const uint8_t *)table, sizeof(table) - 1);
	return 0;
}

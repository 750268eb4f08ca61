/* What the vendor U-Boot does to downloads and what its replies prove
 * (spec §6.1, tested against ../shared/vendor/uboot-sandbox): a download
 * whose bytes 2-3 look like a gzip header is inflated (and fails) unless
 * it is an Android sparse image, which U-Boot checks only when it is not
 * "gzip"; flash env imports or writes by generation; flash fsbl says OKAY
 * regardless; flash gpt zeroes the env; the eMMC bootinfo is U-Boot's own. */
#include "base/bytes.h"
#include "base/fileio.h"
#include "fastboot/fastboot.h"
#include "flash/flash.h"
#include "format/sparse.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPARSE_BLOCK 4096u
#define SECTOR 512u

bool k1_flash_gzip_lookalike(const uint8_t *h, size_t n)
{
	/* check_gzip_format(): byte 2 is Z_DEFLATED, no reserved flag bits */
	return n >= 4 && h[2] == 8 && !(h[3] & 0xE0);
}

bool k1_flash_wraps(const char *part, const uint8_t *h, size_t n)
{
	/* names U-Boot takes before its gzip check and reads raw */
	static const char *const raw_names[] = {"gpt", "mtd", "bootinfo", "fsbl", "fsbl_1"};

	for (size_t i = 0; i < sizeof(raw_names) / sizeof(raw_names[0]); i++)
		if (!strcmp(part, raw_names[i]))
			return false;
	return k1_flash_gzip_lookalike(h, n) && !(n >= 4 && k1_le32(h) == K1_SPARSE_MAGIC);
}

static bool head4(const char *path, uint8_t h[4])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && pread(fd, h, 4, 0) == 4;

	if (fd >= 0)
		close(fd);
	return ok;
}

bool k1_flash_file_wraps(const char *part, const char *path)
{
	uint8_t h[4];
	return head4(path, h) && k1_flash_wraps(part, h, 4);
}

bool k1_flash_file_sparse(const char *path)
{
	uint8_t h[4];
	return head4(path, h) && k1_le32(h) == K1_SPARSE_MAGIC;
}

int k1_flash_send_wrapped(struct k1_fb *fb, const char *part, const uint8_t *data, size_t len,
			  struct k1_error *err)
{
	uint32_t blk = len % SPARSE_BLOCK ? SECTOR : SPARSE_BLOCK;
	size_t padded = (len + blk - 1) / blk * blk, total = 28 + 12 + padded;
	uint8_t *s = calloc(1, total);
	char cmd[K1_FB_COMMAND_MAX + 1];
	int rc;

	if (!s)
		return k1_err(err, K1_ENOMEM, "out of memory");
	/* one RAW chunk: the file's bytes, zero-padded to whole blocks */
	k1_put_le32(s, K1_SPARSE_MAGIC);
	k1_put_le16(s + 4, K1_SPARSE_MAJOR);
	k1_put_le16(s + 8, K1_SPARSE_FILE_HDR);
	k1_put_le16(s + 10, K1_SPARSE_CHUNK_HDR);
	k1_put_le32(s + 12, blk);
	k1_put_le32(s + 16, (uint32_t)(padded / blk));
	k1_put_le32(s + 20, 1);
	k1_put_le16(s + 28, K1_SPARSE_RAW);
	k1_put_le32(s + 32, (uint32_t)(padded / blk));
	k1_put_le32(s + 36, (uint32_t)(12 + padded));
	memcpy(s + 40, data, len);
	rc = k1_fb_download(fb, s, total, err);
	free(s);
	snprintf(cmd, sizeof(cmd), "flash:%s", part);
	return rc ? rc : k1_fb_command(fb, cmd, NULL, 0, err);
}

int k1_flash_send_raw(struct k1_fb *fb, const char *part, const char *path, struct k1_error *err)
{
	struct k1_buf b = K1_BUF_INIT;
	char cmd[K1_FB_COMMAND_MAX + 1];
	int rc = k1_read_file(path, &b, err);

	if (!rc)
		rc = k1_fb_download(fb, b.data, b.len, err);
	k1_buf_free(&b);
	snprintf(cmd, sizeof(cmd), "flash:%s", part);
	return rc ? rc : k1_fb_command(fb, cmd, NULL, 0, err);
}

static bool later_step(const struct k1_flash_plan *plan, const struct k1_flash_step *s,
		       const char *part)
{
	for (const struct k1_flash_step *t = s + 1; t < plan->steps + plan->count; t++)
		if (t->kind == K1_STEP_FLASH && !strcmp(t->part, part))
			return true;
	return false;
}

enum k1_flash_verdict k1_flash_judge(const struct k1_flash_plan *plan,
				     const struct k1_flash_step *s, const char *okay, bool wrapped,
				     bool pieces, char *msg, size_t n)
{
	bool emmc = plan->media == K1_MEDIA_EMMC;

	msg[0] = '\0';
	if (s->kind == K1_STEP_TABLE && emmc && !strcmp(s->part, "gpt") &&
	    !later_step(plan, s, "env")) {
		snprintf(msg, n,
			 "gpt: vendor U-Boot zeroes the env area (16 KiB at 0x60000) with the "
			 "table and env is not flashed after it in this run: flash env next "
			 "(--only env), or the board boots with U-Boot's built-in environment");
		return K1_FV_NOT_ON_DISK;
	}
	if (s->kind != K1_STEP_FLASH)
		return K1_FV_NONE;
	if (!strcmp(s->part, "env") && !strcmp(okay, K1_FLASH_ENV_IMPORTED)) {
		snprintf(msg, n,
			 "env: this U-Boot did not write %s: it imported it into its RAM ('%s'), "
			 "and the env area on disk (0x60000) now holds zeros or U-Boot's own "
			 "merged environment, so the board boots without it. To keep it, type "
			 "saveenv at this U-Boot's console before it resets, or write %s at "
			 "byte 0x60000 of the eMMC user area from Linux (dd bs=1024 seek=384)",
			 s->rel, okay, s->rel);
		return K1_FV_NOT_ON_DISK;
	}
	if (emmc && !strcmp(s->part, "bootinfo")) {
		snprintf(msg, n,
			 "bootinfo: U-Boot wrote its own eMMC bootinfo to boot0, not %s "
			 "(vendor v1.0.15: spl_size_limit 0x32100)",
			 s->rel);
		return K1_FV_NONE;
	}
	if (emmc && (!strcmp(s->part, "fsbl") || !strcmp(s->part, "fsbl_1"))) {
		snprintf(msg, n,
			 "%s: unverified: vendor U-Boot answers OKAY whether or not boot0 was "
			 "written, and boot0 cannot be read back over fastboot",
			 s->part);
		return K1_FV_UNVERIFIED;
	}
	if (wrapped || pieces) {
		snprintf(msg, n,
			 "%s: unverified: sent as %s, which U-Boot writes without reading it "
			 "back%s",
			 s->part, wrapped ? "an Android sparse image" : "Android sparse",
			 wrapped ? " (bytes 2-3 of the file look like a gzip header to vendor "
				   "U-Boot, which would try to inflate it raw)"
				 : "");
		return K1_FV_UNVERIFIED;
	}
	if (!strcmp(s->part, "env")) {
		snprintf(msg, n, "env: %s written raw and read back by U-Boot: on the disk",
			 s->rel);
		return K1_FV_VERIFIED;
	}
	return K1_FV_NONE;
}

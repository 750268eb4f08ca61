/* BootROM part of the power-on simulation: media order, bootinfo, FSBL. */
#include "emu/bootsim.h"
#include "base/bytes.h"
#include "format/bootinfo.h"
#include "format/format.h"
#include "format/fsbl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ROM_DEFAULT_LIMIT 0x36000u /* a staged FSBL has no bootinfo: the vendor limit */

static const char *const bootsel_names[] = {"tf-emmc", "tf-nand", "tf-nor", "tf"};

int k1_bootsel_parse(const char *s, enum k1_bootsel *out)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, bootsel_names[i])) {
			*out = (enum k1_bootsel)i;
			return 0;
		}
	return K1_EINVAL;
}

void k1_bootsim_say(k1_console_fn con, void *ctx, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	if (!con)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	con(ctx, line);
}

void k1_bootsim_fail(struct k1_bootsim_result *r, const char *medium, const char *step,
		     const char *fix, const char *fmt, ...)
{
	va_list ap;

	snprintf(r->medium, sizeof(r->medium), "%s", medium);
	snprintf(r->step, sizeof(r->step), "%s", step);
	snprintf(r->fix, sizeof(r->fix), "%s", fix);
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* ---- one BootROM medium ---- */

struct rom_medium {
	const char *name; /* "sd", "emmc", "nor", "nand" (as the ROM's messages) */
	int bm;           /* boot-strap number: 0 eMMC, 1 NOR, 2 NAND, 3 SD */
	enum k1_media media;
	struct k1_region info, spl0, spl1; /* bootinfo device; devices holding spl0/spl1 */
	const char *bootinfo_file;
};

static bool zeros(const uint8_t *p, size_t n, uint8_t b)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != b)
			return false;
	return true;
}

/* The first failed check of the FSBL verifier that the ROM would act on. */
static bool rom_relevant(const char *check, bool secure)
{
	if (!strncmp(check, "fsbl.header", 11))
		return true;
	return secure && (!strcmp(check, "fsbl.rotpk_efuse") || !strcmp(check, "fsbl.rotpk_hash") ||
			  !strncmp(check, "fsbl.signature", 14));
}

int k1_bootsim_check_fsbl(const uint8_t *data, size_t len, uint32_t limit,
			  const uint8_t *rotpk_hash, struct k1_bootsim_result *r)
{
	struct k1_verify_opts vo = {.rotpk_hash = rotpk_hash};
	struct k1_checks c = {0};
	struct k1_error e = {0};
	struct k1_input in;
	size_t flen;
	int rc = 0;

	if (!limit)
		limit = ROM_DEFAULT_LIMIT;
	if (len < K1_FSBL_OFF_SPL || (memcmp(data + K1_FSBL_OFF_HEADER0, "AIHD", 4) &&
				      memcmp(data + K1_FSBL_OFF_HEADER1, "AIHD", 4))) {
		k1_bootsim_fail(r, "", "fsbl.header",
				"write factory/FSBL.bin there (fastboot flash fsbl FSBL.bin)",
				"no FSBL header (\"AIHD\" at +0x100): %s",
				len < K1_FSBL_OFF_SPL                     ? "too short"
				: zeros(data, len < 4096 ? len : 4096, 0) ? "found zeros"
				: zeros(data, len < 4096 ? len : 4096, 0xFF)
					? "found erased flash (0xff)"
					: "found other data");
		return K1_EINVAL;
	}
	flen = k1_fsbl_len(data, len);
	if (flen > limit) {
		k1_bootsim_fail(r, "", "fsbl.size",
				"build a smaller SPL (the whole FSBL.bin, header and signature "
				"included, must fit spl_size_limit; largest SPL 0x34F00 bytes)",
				"FSBL is 0x%zx bytes, over the bootinfo spl_size_limit 0x%x", flen,
				limit);
		return K1_EINVAL;
	}
	in = (struct k1_input){.path = "fsbl", .data = data, .len = flen};
	if (k1_format_fsbl.verify(&in, &vo, &c, &e)) {
		k1_bootsim_fail(r, "", "fsbl.header", "rebuild FSBL.bin (k1fw fsbl)", "%s", e.msg);
		return K1_EINVAL;
	}
	for (size_t i = 0; i < c.count && !rc; i++) {
		const struct k1_check *k = &c.items[i];
		if (k->ok || !rom_relevant(k->name, rotpk_hash != NULL))
			continue;
		rc = K1_EINVAL;
		if (!strcmp(k->name, "fsbl.rotpk_efuse"))
			k1_bootsim_fail(
				r, "", "fsbl.rotpk",
				"sign the FSBL with the ROTPK whose hash is burnt into this "
				"board's efuses (k1fw fsbl --keys DIR)",
				"secure board: the FSBL's ROTPK does not match the efuse hash "
				"(%s)",
				k->message);
		else if (!strncmp(k->name, "fsbl.signature", 14) ||
			 !strcmp(k->name, "fsbl.rotpk_hash"))
			k1_bootsim_fail(r, "", "fsbl.signature",
					"re-sign FSBL.bin with its keys (k1fw fsbl)",
					"secure board: %s @ %s: %s", k->name, k->where, k->message);
		else
			k1_bootsim_fail(r, "", "fsbl.header", "rebuild FSBL.bin (k1fw fsbl)",
					"%s @ %s: %s", k->name, k->where, k->message);
	}
	if (!rc && c.oom) {
		k1_bootsim_fail(r, "", "fsbl.header", "retry with more memory",
				"out of memory checking the FSBL");
		rc = K1_ENOMEM;
	}
	k1_checks_free(&c);
	return rc;
}

/* Where an FSBL really is, for the fix of a misplaced one. */
static long find_fsbl(const struct k1_region *d)
{
	for (size_t off = 0; d->data && off + 0x104 <= d->len && off < (8u << 20); off += 0x200)
		if (!memcmp(d->data + off + K1_FSBL_OFF_HEADER0, "AIHD", 4))
			return (long)off;
	return -1;
}

/* Fields of a bootinfo the ROM acts on; 0 or a failure in r. */
static int rom_bootinfo(const struct rom_medium *m, struct k1_bootinfo *bi, k1_console_fn con,
			void *ctx, struct k1_bootsim_result *r)
{
	uint8_t raw[K1_BOOTINFO_SIZE] = {0};
	char fix[300];
	int media;

	if (m->info.data)
		memcpy(raw, m->info.data, m->info.len < sizeof(raw) ? m->info.len : sizeof(raw));
	k1_bootinfo_decode(raw, sizeof(raw), bi, NULL);
	if (m->media == K1_MEDIA_SD) /* fastboot cannot write SD cards */
		snprintf(fix, sizeof(fix),
			 "write %s into bytes 0-79 of the card (dd if=%s of=/dev/sdX bs=80 count=1 "
			 "conv=notrunc), or build the card with k1fw image --media sd",
			 m->bootinfo_file, m->bootinfo_file);
	else
		snprintf(fix, sizeof(fix),
			 "write %s at offset 0 of the %s (fastboot flash bootinfo %s)",
			 m->bootinfo_file, m->bm == 0 ? "eMMC boot0 partition" : m->name,
			 m->bootinfo_file);
	if (bi->magic != K1_BOOTINFO_MAGIC) {
		k1_bootsim_say(con, ctx, "ERROR:   %s: invalid bootinfo magic code:0x%x", m->name,
			       bi->magic);
		long at = find_fsbl(&m->spl0);
		k1_bootsim_fail(r, m->name, "bootinfo.magic", fix,
				"no bootinfo at offset 0: magic 0x%08x, expected 0x%08X%s",
				bi->magic, K1_BOOTINFO_MAGIC,
				at >= 0 && m->media == K1_MEDIA_SD
					? " (an FSBL is on the card: written without "
					  "bootinfo_sd.bin, as by the mainline docs' sgdisk + dd "
					  "recipe, a card only boots if it had one already)"
					: "");
		return K1_EINVAL;
	}
	if (bi->crc32 != k1_bootinfo_crc(raw)) {
		k1_bootsim_say(con, ctx, "ERROR:   %s: invalid bootinfo crc:0x%x", m->name,
			       bi->crc32);
		k1_bootsim_fail(
			r, m->name, "bootinfo.crc", fix,
			"bootinfo CRC-32 at 0x40 is 0x%08x, the bytes 0x00-0x3f give 0x%08x",
			bi->crc32, k1_bootinfo_crc(raw));
		return K1_EINVAL;
	}
	media = k1_bootinfo_media(bi);
	/* the ROM reads an SD card with eMMC's bootinfo (Armbian does it) and
	 * vice versa; SPI flash needs its own geometry */
	if (!(media == (int)m->media || ((m->media == K1_MEDIA_SD || m->media == K1_MEDIA_EMMC) &&
					 (media == K1_MEDIA_SD || media == K1_MEDIA_EMMC)))) {
		k1_bootsim_say(con, ctx, "ERROR:   %s: invalid flash type %.4s", m->name,
			       bi->flash_type);
		k1_bootsim_fail(r, m->name, "bootinfo.media", fix,
				"bootinfo is for %s (flash_type \"%.4s\"), the medium is %s",
				media >= 0 ? k1_media_name((enum k1_media)media)
					   : "no known medium",
				bi->flash_type, k1_media_name(m->media));
		return K1_EINVAL;
	}
	return 0;
}

static int rom_slot(const struct rom_medium *m, const struct k1_region *dev, uint32_t off,
		    uint32_t limit, const struct k1_bootsim_opts *o, const char *slot,
		    k1_console_fn con, void *ctx, struct k1_bootsim_result *r,
		    struct k1_region *fsbl)
{
	struct k1_bootsim_result s = {0};
	size_t avail = dev->data && off < dev->len ? dev->len - off : 0;
	long at;

	if (avail && !k1_bootsim_check_fsbl(dev->data + off, avail, limit, o->rotpk_hash, &s)) {
		*fsbl = (struct k1_region){dev->data + off, k1_fsbl_len(dev->data + off, avail)};
		return 0;
	}
	if (!avail)
		k1_bootsim_fail(&s, "", "fsbl.header", "write FSBL.bin at the bootinfo's offset",
				"offset 0x%x is past the end of the medium", off);
	k1_bootsim_say(con, ctx, "ERROR:   %s: %s fsbl at 0x%x: %s", m->name, slot, off, s.why);
	if (m->media == K1_MEDIA_SD && !strcmp(s.step, "fsbl.header") &&
	    strstr(s.fix, "fastboot")) /* fastboot cannot write SD cards */
		snprintf(s.fix, sizeof(s.fix),
			 "write factory/FSBL.bin at offset 0x%x of the card (dd "
			 "if=factory/FSBL.bin of=/dev/sdX bs=512 seek=%u conv=notrunc), or build "
			 "the card with k1fw image --media sd",
			 off, off / 512);
	at = !strcmp(s.step, "fsbl.header") ? find_fsbl(dev) : -1;
	if (at >= 0 && (uint32_t)at != off) {
		snprintf(s.fix, sizeof(s.fix),
			 "bootinfo puts the FSBL at 0x%x but an FSBL lies at 0x%lx: write "
			 "FSBL.bin at 0x%x, or use a bootinfo whose spl0_offset is 0x%lx",
			 off, at, off, at);
		snprintf(s.why + strlen(s.why), sizeof(s.why) - strlen(s.why),
			 " (an FSBL lies at 0x%lx instead)", at);
	}
	k1_bootsim_fail(r, m->name, s.step, s.fix, "%s fsbl at 0x%x: %s", slot, off, s.why);
	return K1_EINVAL;
}

static int rom_try(const struct rom_medium *m, const struct k1_bootsim_opts *o, k1_console_fn con,
		   void *ctx, struct k1_bootsim_result *r, struct k1_region *fsbl)
{
	struct k1_bootinfo bi;
	struct k1_bootsim_result first;

	if (rom_bootinfo(m, &bi, con, ctx, r)) {
		k1_bootsim_say(con, ctx, "ERROR:   invalid bootinfo image.");
		return K1_EINVAL;
	}
	if (!rom_slot(m, &m->spl0, bi.spl0_offset, bi.spl_size_limit, o, "spl0", con, ctx, r, fsbl))
		return 0;
	first = *r;
	if ((m->bm == 0 || bi.spl1_offset) &&
	    !rom_slot(m, &m->spl1, bi.spl1_offset, bi.spl_size_limit, o, "spl1", con, ctx, r, fsbl))
		return 0;
	*r = first; /* the verdict names spl0: the backup slot is optional */
	k1_bootsim_say(con, ctx, "ERROR:   invalid fsbl image.");
	return K1_EINVAL;
}

static int depth(const char *step)
{
	return !*step ? 0 : !strncmp(step, "bootinfo", 8) ? 1 : 2;
}

void k1_bootsim_run(const struct k1_board_media *b, const struct k1_bootsim_opts *o,
		    k1_console_fn con, void *ctx, struct k1_bootsim_result *r)
{
	const struct rom_medium sd = {
		"sd", 3, K1_MEDIA_SD, b->sd, b->sd, b->sd, "factory/bootinfo_sd.bin"};
	const struct rom_medium pinned[] = {
		{"emmc", 0, K1_MEDIA_EMMC, b->boot0, b->boot0, b->boot1,
		 "factory/bootinfo_emmc.bin"},
		{"nand", 2, K1_MEDIA_SPINAND, b->nand, b->nand, b->nand,
		 "factory/bootinfo_spinand.bin"},
		{"nor", 1, K1_MEDIA_SPINOR, b->nor, b->nor, b->nor, "factory/bootinfo_spinor.bin"},
	};
	struct k1_bootsim_result best = {0}, cur = {0};
	struct k1_region fsbl = {0};
	bool card = b->sd.data && b->sd.len;

	memset(r, 0, sizeof(*r));
	k1_bootsim_say(con, ctx, "sys: 0x0");
	k1_bootsim_say(con, ctx, "try sd...");
	k1_bootsim_say(con, ctx, "bm:3");
	if (!card) {
		k1_bootsim_say(con, ctx, "ERROR:   CMD8");
		k1_bootsim_say(con, ctx, "ERROR:   sd f! l:76");
		k1_bootsim_fail(&best, "sd", "", "insert a card", "no SD card");
	} else if (!rom_try(&sd, o, con, ctx, &cur, &fsbl)) {
		k1_bootsim_say(con, ctx, "j...");
		k1_bootsim_spl(b, o, "sd", &fsbl, con, ctx, r);
		return;
	} else {
		best = cur;
	}
	if (o->sel != K1_BOOTSEL_TF) {
		const struct rom_medium *m = &pinned[o->sel];
		k1_bootsim_say(con, ctx, "bm:%d", m->bm);
		memset(&cur, 0, sizeof(cur));
		if (!rom_try(m, o, con, ctx, &cur, &fsbl)) {
			k1_bootsim_say(con, ctx, "j...");
			k1_bootsim_spl(b, o, m->name, &fsbl, con, ctx, r);
			return;
		}
		if (depth(cur.step) > depth(best.step) ||
		    (!card && depth(cur.step) >= depth(best.step)))
			best = cur;
	}
	*r = best;
	r->outcome = K1_BOOT_DOWNLOAD;
	k1_bootsim_say(con, ctx, "ERROR:   entering download mode.");
	k1_bootsim_say(con, ctx, "ROM: usb download handler");
	k1_bootsim_say(con, ctx, "usb2d_initialize : enter");
	k1_bootsim_say(con, ctx, "Controller Run");
}

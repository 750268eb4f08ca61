/* The emulated board's stages and the fastboot commands every stage
 * shares: getvar, download, continue, reboot. */
#include "emu/emu_board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UBOOT_VERSION "U-Boot 2022.10 (k1fw emulate)"
#define SPL_VERSION "U-Boot SPL 2022.10 (k1fw emulate)"

static const char *const stage_names[] = {"bootrom", "spl", "u-boot", "os", "hang"};

const char *k1_emu_stage_name(enum k1_emu_stage s)
{
	return (unsigned)s < 5 ? stage_names[s] : "?";
}

static void say(struct k1_emu_board *b, const char *line)
{
	if (b->con)
		b->con(b->con_ctx, line);
}

int k1_emu_board_open(struct k1_emu_board *b, const char *dir, const struct k1_emu_config *cfg,
		      const uint64_t sizes[K1_DEV_COUNT], k1_console_fn con, void *ctx,
		      struct k1_error *err)
{
	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	if (!b->cfg.max_download)
		b->cfg.max_download = K1_EMU_UBOOT_MAX_DOWNLOAD;
	b->con = con;
	b->con_ctx = ctx;
	return k1_emu_storage_open(&b->st, dir, sizes, err);
}

void k1_emu_board_close(struct k1_emu_board *b)
{
	free(b->dl);
	if (b->have_table)
		k1_ptable_free(&b->table);
	memset(b, 0, sizeof(*b));
}

void k1_emu_power_on(struct k1_emu_board *b)
{
	struct k1_mapped m[K1_DEV_COUNT];
	struct k1_board_media med = {0};
	struct k1_region *slot[K1_DEV_COUNT] = {&med.boot0, &med.boot1, &med.user,
						&med.nor,   &med.nand,  &med.sd};
	struct k1_bootsim_opts o = {.sel = b->cfg.sel,
				    .rotpk_hash = b->cfg.secure ? b->cfg.rotpk_hash : NULL};

	b->dl_len = 0;
	if (b->have_table)
		k1_ptable_free(&b->table);
	b->have_table = b->mtd_mode = b->env_imported = false;
	if (b->cfg.download_key) {
		say(b, "sys: 0x0");
		say(b, "(download key held at reset)");
		say(b, "ERROR:   entering download mode.");
		say(b, "ROM: usb download handler");
		say(b, "usb2d_initialize : enter");
		say(b, "Controller Run");
		b->stage = K1_EMU_STAGE_BROM;
		memset(&b->boot, 0, sizeof(b->boot));
		b->boot.outcome = K1_BOOT_DOWNLOAD;
		return;
	}
	for (int d = 0; d < K1_DEV_COUNT; d++) {
		struct k1_error e;
		if (k1_emu_map(&b->st, (enum k1_emu_dev)d, &m[d], &e))
			memset(&m[d], 0, sizeof(m[d]));
		*slot[d] = (struct k1_region){m[d].data, m[d].len};
	}
	k1_bootsim_run(&med, &o, b->con, b->con_ctx, &b->boot);
	for (int d = 0; d < K1_DEV_COUNT; d++)
		k1_unmap_file(&m[d]);
	switch (b->boot.outcome) {
	case K1_BOOT_DOWNLOAD:
		b->stage = K1_EMU_STAGE_BROM;
		break;
	case K1_BOOT_HANG:
		b->stage = K1_EMU_STAGE_HANG;
		break;
	case K1_BOOT_OK:
		say(b, "Hit any key to stop autoboot: 0");
		say(b, "=> fastboot 0");
		b->stage = K1_EMU_STAGE_UBOOT;
		break;
	}
}

/* ---- getvar ---- */

static bool stage_var(struct k1_emu_board *b, const char *var, char *val, size_t n)
{
	uint32_t max =
		b->stage == K1_EMU_STAGE_BROM ? K1_EMU_BROM_MAX_DOWNLOAD : b->cfg.max_download;

	if (!strcmp(var, "max-download-size") ||
	    (b->stage != K1_EMU_STAGE_BROM && !strcmp(var, "downloadsize")))
		snprintf(val, n, "0x%08x", max);
	else if (b->stage == K1_EMU_STAGE_BROM)
		return !strcmp(var, "version-brom") && snprintf(val, n, "1.0");
	else if (!strcmp(var, "version"))
		snprintf(val, n, "0.4");
	else if (!strcmp(var, "version-bootloader"))
		snprintf(val, n, "%s", b->stage == K1_EMU_STAGE_SPL ? SPL_VERSION : UBOOT_VERSION);
	else if (!strcmp(var, "version-IC"))
		snprintf(val, n, "spacemit,k1-x");
	else if (!strcmp(var, "version-baseband"))
		snprintf(val, n, "N/A");
	else if (!strcmp(var, "serialno"))
		snprintf(val, n, "k1fw-emulate");
	else if (!strcmp(var, "product") || !strcmp(var, "platform"))
		snprintf(val, n, "k1-x");
	else if (!strcmp(var, "current-slot"))
		snprintf(val, n, "a");
	else if (!strcmp(var, "is-userspace") || !strncmp(var, "has-slot:", 9))
		snprintf(val, n, "no");
	else if (!strcmp(var, "mtd-size")) {
		enum k1_emu_dev d = b->cfg.sel == K1_BOOTSEL_NOR ? K1_DEV_NOR : K1_DEV_NAND;
		if (b->cfg.sel != K1_BOOTSEL_NOR && b->cfg.sel != K1_BOOTSEL_NAND)
			snprintf(val, n, "NULL");
		else
			snprintf(val, n, "%lluM", (unsigned long long)(b->st.size[d] >> 20));
	} else if (!strcmp(var, "blk-size"))
		snprintf(val, n, "%s", b->st.size[K1_DEV_USER] ? "universal" : "NULL");
	else
		return false;
	return true;
}

/* partition-type:NAME, partition-size:NAME; false: no such partition */
static bool part_var(struct k1_emu_board *b, const char *var, char *val, size_t n, char *why,
		     size_t wn)
{
	bool size = !strncmp(var, "partition-size:", 15);
	enum k1_emu_dev dev;
	uint64_t off, len;
	uint8_t sb[2];

	if (k1_emu_locate(b, var + (size ? 15 : 15), &dev, &off, &len, why, wn))
		return false;
	if (size) {
		snprintf(val, n, "0x%016llx", (unsigned long long)len);
		return true;
	}
	/* ext4 superblock magic 0xEF53 at 0x438 */
	bool ext4 = len > 0x43a && !k1_emu_read(&b->st, dev, off + 0x438, sb, 2, NULL) &&
		    sb[0] == 0x53 && sb[1] == 0xEF;
	snprintf(val, n, "%s", ext4 ? "ext4" : "raw");
	return true;
}

static void getvar(struct k1_emu_board *b, const char *var, struct k1_emu_reply *rep)
{
	static const char *const all[] = {
		"version", "version-bootloader", "version-IC",   "max-download-size", "serialno",
		"product", "platform",           "current-slot", "is-userspace",      "mtd-size",
		"blk-size"};
	char val[K1_FB_REPLY_MAX + 1], why[200];

	if (!strcmp(var, "all") && b->stage != K1_EMU_STAGE_BROM) {
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (stage_var(b, all[i], val, sizeof(val)))
				k1_fb_reply(rep->info[rep->ninfo++], "INFO", "%s: %s", all[i], val);
		k1_fb_reply(rep->final, "OKAY", "%s", "");
		return;
	}
	if (stage_var(b, var, val, sizeof(val))) {
		k1_fb_reply(rep->final, "OKAY", "%s", val);
		return;
	}
	if (b->stage == K1_EMU_STAGE_UBOOT &&
	    (!strncmp(var, "partition-type:", 15) || !strncmp(var, "partition-size:", 15))) {
		if (part_var(b, var, val, sizeof(val), why, sizeof(why)))
			k1_fb_reply(rep->final, "OKAY", "%s", val);
		else
			k1_fb_reply(rep->final, "FAIL", "%s", why);
		return;
	}
	k1_fb_reply(rep->final, "FAIL", "Variable not implemented");
}

/* ---- download, continue, reboot ---- */

static void download(struct k1_emu_board *b, uint32_t size, struct k1_emu_reply *rep)
{
	uint32_t max =
		b->stage == K1_EMU_STAGE_BROM ? K1_EMU_BROM_MAX_DOWNLOAD : b->cfg.max_download;

	if (!size) {
		k1_fb_reply(rep->final, "FAIL", "Expected nonzero image size");
		return;
	}
	if (size > max) {
		k1_fb_reply(rep->final, "FAIL",
			    "download of 0x%08x bytes over max-download-size "
			    "0x%08x",
			    size, max);
		return;
	}
	b->dl_len = 0; /* a new download replaces the old one, even if it fails */
	rep->data_len = size;
	k1_fb_reply(rep->final, "DATA", "%08x", size);
}

uint8_t *k1_emu_download_buf(struct k1_emu_board *b, size_t n)
{
	if (n > b->dl_cap) {
		uint8_t *p = realloc(b->dl, n);
		if (!p)
			return NULL;
		b->dl = p;
		b->dl_cap = n;
	}
	return b->dl;
}

void k1_emu_download_done(struct k1_emu_board *b, size_t n, bool ok, struct k1_emu_reply *rep)
{
	char line[96];

	memset(rep, 0, sizeof(*rep));
	b->dl_len = ok ? n : 0;
	if (!ok)
		return;
	snprintf(line, sizeof(line),
		 b->stage == K1_EMU_STAGE_BROM ? "Starting download of %zu bytes"
					       : "downloading of %zu bytes finished",
		 n);
	say(b, line);
	k1_fb_reply(rep->final, "OKAY", "%s", "");
}

static void leave(struct k1_emu_board *b, enum k1_emu_stage next, bool power_cycle)
{
	b->leave = true;
	b->next = next;
	b->power_cycle = power_cycle;
}

static void do_continue(struct k1_emu_board *b, struct k1_emu_reply *rep)
{
	struct k1_bootsim_result r = {0};
	char why[400], line[1200];

	if (b->stage == K1_EMU_STAGE_UBOOT) { /* U-Boot leaves fastboot and runs bootcmd */
		k1_fb_reply(rep->final, "OKAY", "%s", "");
		leave(b, K1_EMU_STAGE_OS, true);
		return;
	}
	if (!b->dl_len) {
		k1_fb_reply(rep->final, "FAIL", "nothing staged: download an image first");
		return;
	}
	if (b->stage == K1_EMU_STAGE_BROM &&
	    k1_bootsim_check_fsbl(b->dl, b->dl_len, 0, b->cfg.secure ? b->cfg.rotpk_hash : NULL,
				  &r)) {
		snprintf(line, sizeof(line), "ERROR:   usb: %s: %s", r.step, r.why);
		say(b, line);
		k1_fb_reply(rep->final, "FAIL", "%s: %s", r.step, r.why);
		return;
	}
	if (b->stage == K1_EMU_STAGE_SPL &&
	    k1_bootsim_check_fit(b->dl, b->dl_len, why, sizeof(why))) {
		snprintf(line, sizeof(line), "spl: staged image: %s", why);
		say(b, line);
		k1_fb_reply(rep->final, "FAIL", "staged image is not a valid FIT: %s", why);
		return;
	}
	k1_fb_reply(rep->final, "OKAY", "%s", "");
	leave(b, b->stage == K1_EMU_STAGE_BROM ? K1_EMU_STAGE_SPL : K1_EMU_STAGE_UBOOT, false);
}

void k1_emu_transition(struct k1_emu_board *b)
{
	enum k1_emu_stage from = b->stage;

	b->leave = false;
	if (b->power_cycle) {
		say(b, "resetting ...");
		k1_emu_power_on(b);
		if (b->next == K1_EMU_STAGE_OS && b->stage == K1_EMU_STAGE_UBOOT)
			b->stage = K1_EMU_STAGE_OS; /* reboot: nobody stops autoboot */
		return;
	}
	b->dl_len = 0;
	b->stage = b->next;
	if (from == K1_EMU_STAGE_BROM) {
		say(b, "j...");
		say(b, SPL_VERSION);
		say(b, "spl: boot mode USB: fastboot gadget 361c:1001, waiting for u-boot.itb");
	} else {
		say(b, "spl: booting the staged FIT");
		say(b, UBOOT_VERSION);
		say(b, "fastboot: flashing mode (USB 361c:1001)");
	}
}

/* ---- dispatch ---- */

void k1_emu_command(struct k1_emu_board *b, const uint8_t *pkt, size_t len,
		    struct k1_emu_reply *rep)
{
	struct k1_fb_cmd c;
	struct k1_error e = {0};
	bool uboot = b->stage == K1_EMU_STAGE_UBOOT;

	memset(rep, 0, sizeof(*rep));
	if (k1_fb_parse(pkt, len, &c, &e)) {
		k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
		return;
	}
	if (b->stage == K1_EMU_STAGE_BROM) {
		char line[200];
		snprintf(line, sizeof(line), "fastboot_handle_command: %s%s%s", c.name,
			 c.arg[0] ? ":" : "", c.arg);
		say(b, line);
	}
	switch (c.kind) {
	case K1_FB_GETVAR:
		getvar(b, c.arg, rep);
		return;
	case K1_FB_DOWNLOAD:
		download(b, c.size, rep);
		return;
	case K1_FB_CONTINUE:
		do_continue(b, rep);
		return;
	case K1_FB_FLASH:
		if (uboot)
			return k1_emu_flash(b, c.arg, rep);
		break;
	case K1_FB_ERASE:
		if (uboot)
			return k1_emu_erase(b, c.arg, rep);
		break;
	case K1_FB_OEM:
		if (uboot && !strcmp(c.name, "oem erase"))
			return k1_emu_oem_erase(b, c.arg, rep);
		if (uboot) {
			k1_fb_reply(rep->final, "FAIL", "%s: not emulated", c.name);
			return;
		}
		break;
	case K1_FB_REBOOT:
	case K1_FB_REBOOT_BOOTLOADER:
		if (uboot) {
			k1_fb_reply(rep->final, "OKAY", "%s", "");
			leave(b, c.kind == K1_FB_REBOOT ? K1_EMU_STAGE_OS : K1_EMU_STAGE_UBOOT,
			      true);
			return;
		}
		break;
	case K1_FB_BOOT:
	case K1_FB_SET_ACTIVE:
		if (uboot) {
			k1_fb_reply(rep->final, "OKAY", "%s", "");
			return;
		}
		break;
	default:
		break;
	}
	k1_fb_reply(rep->final, "FAIL", "unknown command %s in %s", c.name,
		    k1_emu_stage_name(b->stage));
}

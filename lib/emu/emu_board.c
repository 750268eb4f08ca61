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
	if (!b->cfg.uboot)
		b->cfg.uboot = k1_emu_uboot_find(K1_EMU_UBOOT_DEFAULT);
	if (!b->cfg.max_download)
		b->cfg.max_download = K1_EMU_UBOOT_MAX_DOWNLOAD;
	b->con = con;
	b->con_ctx = ctx;
	if (!b->cfg.ram_gib)
		b->cfg.ram_gib = 4;
	int rc = k1_emu_storage_open(&b->st, dir, sizes, err);
	return rc ? rc : k1_emu_eeprom_open(&b->ee, dir, err);
}

/* The bootsim options of this board, its EEPROM read into chip. */
static struct k1_bootsim_opts sim_opts(struct k1_emu_board *b, uint8_t chip[K1_EEPROM_SIZE])
{
	struct k1_error e;
	bool have = !k1_emu_eeprom_load(&b->ee, chip, &e);

	return (struct k1_bootsim_opts){.sel = b->cfg.sel,
					.rotpk_hash = b->cfg.secure ? b->cfg.rotpk_hash : NULL,
					.eeprom = have ? chip : NULL,
					.eeprom_len = K1_EEPROM_SIZE,
					.ram_gib = b->cfg.ram_gib};
}

void k1_emu_board_close(struct k1_emu_board *b)
{
	free(b->dl);
	k1_emu_env_free(b);
	if (b->have_table)
		k1_ptable_free(&b->table);
	memset(b, 0, sizeof(*b));
}

/* What a booting OS shows first, so a console log of the emulator reads as
 * a boot to the end (k1fw doctor --log). */
static void os_console(struct k1_emu_board *b)
{
	say(b, "Starting kernel ...");
	say(b, "[    0.000000] Linux version 6.6.63 (k1fw emulate: the OS on bootfs starts here)");
	say(b, "k1fw-emulate login:");
}

/* What the vendor U-Boot keeps in RAM: gone at each power-on, then the
 * environment is read from where the boot pins point. */
static void uboot_ram_reset(struct k1_emu_board *b)
{
	static const enum k1_emu_dev env_dev[] = {[K1_BOOTSEL_EMMC] = K1_DEV_USER,
						  [K1_BOOTSEL_TF] = K1_DEV_USER,
						  [K1_BOOTSEL_NOR] = K1_DEV_NOR,
						  [K1_BOOTSEL_NAND] = K1_DEV_NAND};

	memset(b->vparts, 0, sizeof(b->vparts));
	b->gpt_format = false;
	b->gpt_n = 0;
	b->mtd_table = false;
	b->gz_part[0] = '\0';
	b->gz_offset = 0;
	b->progress_t0 = 0;
	k1_emu_env_load(b, env_dev[b->cfg.sel]);
}

void k1_emu_power_on(struct k1_emu_board *b)
{
	struct k1_emu_media mm;
	uint8_t chip[K1_EEPROM_SIZE];
	struct k1_bootsim_opts o = sim_opts(b, chip);

	b->dl_len = 0;
	b->stalled = false;
	b->expected = 0;
	if (b->dl_cap) /* RAM after reset: the sandbox's is zero */
		memset(b->dl, 0, b->dl_cap);
	if (b->have_table)
		k1_ptable_free(&b->table);
	b->have_table = b->mtd_mode = false;
	uboot_ram_reset(b);
	if (b->cfg.uboot_only) {
		say(b, UBOOT_VERSION);
		say(b, "=> fastboot udp");
		memset(&b->boot, 0, sizeof(b->boot));
		b->boot.outcome = K1_BOOT_OK;
		snprintf(b->boot.medium, sizeof(b->boot.medium), "u-boot");
		b->stage = K1_EMU_STAGE_UBOOT;
		return;
	}
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
	/* a device that cannot be read powers on as blank: it is the board's state */
	k1_emu_media_open(&mm, b->st.dir, NULL, NULL);
	k1_bootsim_run(&mm.media, &o, b->con, b->con_ctx, &b->boot);
	k1_emu_media_close(&mm);
	switch (b->boot.outcome) {
	case K1_BOOT_DOWNLOAD:
		b->stage = K1_EMU_STAGE_BROM;
		break;
	case K1_BOOT_HANG:
		b->stage = K1_EMU_STAGE_HANG;
		break;
	case K1_BOOT_OK:
		b->stage = K1_EMU_STAGE_UBOOT;
		break;
	}
	k1_emu_eeprom_stage(b); /* U-Boot's board_late_init, before its prompt */
	if (b->stage == K1_EMU_STAGE_UBOOT) {
		say(b, "Hit any key to stop autoboot: 0");
		if (b->autoboot) { /* nobody at the prompt: bootcmd starts the OS */
			os_console(b);
			b->stage = K1_EMU_STAGE_OS;
			return;
		}
		say(b, "=> fastboot 0");
	}
}

/* ---- getvar ---- */

/* The BootROM's and the SPL's answers. */
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
		snprintf(val, n, "%s", SPL_VERSION);
	else if (!strcmp(var, "product") || !strcmp(var, "platform"))
		snprintf(val, n, "k1-x");
	else
		return false;
	return true;
}

/* fs_set_blk_dev_with_part() + fs_get_type_name() on a partition. */
static const char *fs_type(struct k1_emu_board *b, enum k1_emu_dev dev, uint64_t off, uint64_t len)
{
	uint8_t sb[0x60], magic[2];

	if (len > 0x43a && !k1_emu_read(&b->st, dev, off + 0x438, magic, 2, NULL) &&
	    magic[0] == 0x53 && magic[1] == 0xEF)
		return "ext4";
	if (len >= 512 && !k1_emu_read(&b->st, dev, off, sb, sizeof(sb), NULL) &&
	    (!memcmp(sb + 0x36, "FAT", 3) || !memcmp(sb + 0x52, "FAT32", 5)))
		return "fat";
	return NULL;
}

/* fb_getvar.c of vendor U-Boot v1.0.15: the reply to getvar:var. */
static void uboot_getvar(struct k1_emu_board *b, const char *var, struct k1_emu_reply *rep)
{
	char key[K1_FB_REPLY_MAX + 16], name[K1_FB_CMD_MAX + 1], slot[K1_FB_CMD_MAX + 4];
	const char *param = strchr(var, ':'), *v;
	enum k1_emu_dev dev;
	uint64_t off, len;
	struct k1_error e = {0};

	snprintf(key, sizeof(key), "fastboot.%s", var);
	if ((v = k1_emu_env_get(b, key))) {
		k1_fb_reply(rep->final, "OKAY", "%s", v);
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(param ? param - var : (long)strlen(var)), var);
	param = param ? param + 1 : NULL;
	if (!strcmp(name, "version"))
		k1_fb_reply(rep->final, "OKAY", "0.4");
	else if (!strcmp(name, "version-bootloader"))
		k1_fb_reply(rep->final, "OKAY", "%s", UBOOT_VERSION);
	else if (!strcmp(name, "version-IC"))
		k1_fb_reply(rep->final, "OKAY", "spacemit,k1-x");
	else if (!strcmp(name, "downloadsize") || !strcmp(name, "max-download-size"))
		k1_fb_reply(rep->final, "OKAY", "0x%08x", b->cfg.max_download);
	else if (!strcmp(name, "serialno"))
		(v = k1_emu_env_get(b, "serial#"))
			? k1_fb_reply(rep->final, "OKAY", "%s", v)
			: k1_fb_reply(rep->final, "FAIL", "Value not set");
	else if (!strcmp(name, "version-baseband"))
		k1_fb_reply(rep->final, "OKAY", "N/A");
	else if (!strcmp(name, "product"))
		(v = k1_emu_env_get(b, "board")) ? k1_fb_reply(rep->final, "OKAY", "%s", v)
						 : k1_fb_reply(rep->final, "FAIL", "Board not set");
	else if (!strcmp(name, "platform"))
		(v = k1_emu_env_get(b, "platform"))
			? k1_fb_reply(rep->final, "OKAY", "%s", v)
			: k1_fb_reply(rep->final, "FAIL", "platform not set");
	else if (!strcmp(name, "mtd-size")) {
		enum k1_emu_dev d = b->cfg.sel == K1_BOOTSEL_NOR ? K1_DEV_NOR : K1_DEV_NAND;
		uint64_t sz = b->st.size[d];
		if (b->cfg.sel != K1_BOOTSEL_NOR && b->cfg.sel != K1_BOOTSEL_NAND)
			k1_fb_reply(rep->final, "OKAY", "NULL");
		else if (sz >> 30)
			k1_fb_reply(rep->final, "OKAY", "%lluG", (unsigned long long)(sz >> 30));
		else
			k1_fb_reply(rep->final, "OKAY", "%lluM", (unsigned long long)(sz >> 20));
	} else if (!strcmp(name, "blk-size"))
		k1_fb_reply(rep->final, "OKAY", "%s",
			    b->st.size[K1_DEV_USER] ? "universal" : "NULL");
	else if (!strcmp(name, "current-slot"))
		k1_fb_reply(rep->final, "OKAY", "a");
	else if (!strcmp(name, "has-slot")) {
		snprintf(slot, sizeof(slot), "%s_a", param ? param : "");
		if (!param || !param[0])
			k1_fb_reply(rep->final, "FAIL", "invalid partition name");
		else if (!k1_emu_locate(b, slot, &dev, &off, &len, &e))
			k1_fb_reply(rep->final, "OKAY", "yes");
		else if (!k1_emu_locate(b, param, &dev, &off, &len, &e))
			k1_fb_reply(rep->final, "OKAY", "no");
		else
			k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
	} else if (!strcmp(name, "partition-type") || !strcmp(name, "partition-size")) {
		const char *fs;
		if (k1_emu_locate(b, param ? param : "", &dev, &off, &len, &e))
			k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
		else if (name[10] == 's')
			k1_fb_reply(rep->final, "OKAY", "0x%016llx", (unsigned long long)len);
		else if ((fs = fs_type(b, dev, off, len)))
			k1_fb_reply(rep->final, "OKAY", "%s", fs);
		else
			k1_fb_reply(rep->final, "FAIL", "failed to set partition");
	} else if (!strcmp(name, "is-userspace"))
		k1_fb_reply(rep->final, "OKAY", "no");
	else
		k1_fb_reply(rep->final, "FAIL", "Variable not implemented");
}

static void getvar(struct k1_emu_board *b, const char *var, struct k1_emu_reply *rep)
{
	char val[K1_FB_REPLY_MAX + 1];

	if (b->stage == K1_EMU_STAGE_UBOOT)
		return uboot_getvar(b, var, rep);
	if (stage_var(b, var, val, sizeof(val)))
		k1_fb_reply(rep->final, "OKAY", "%s", val);
	else
		k1_fb_reply(rep->final, "FAIL", "Variable not implemented");
}

/* ---- download, continue, reboot ---- */

static void download(struct k1_emu_board *b, const struct k1_fb_cmd *c, struct k1_emu_reply *rep)
{
	uint32_t max =
		b->stage == K1_EMU_STAGE_BROM ? K1_EMU_BROM_MAX_DOWNLOAD : b->cfg.max_download;
	uint32_t size = c->size;

	b->expected = size;
	if (!size) {
		k1_fb_reply(rep->final, "FAIL", "Expected nonzero image size");
		return;
	}
	if (size > max &&
	    b->stage == K1_EMU_STAGE_UBOOT) { /* fb_command.c: FAIL<the hex as sent> */
		k1_fb_reply(rep->final, "FAIL", "%s", c->arg);
		return;
	}
	if (size > max) {
		k1_fb_reply(rep->final, "FAIL",
			    "download of 0x%08x bytes over max-download-size "
			    "0x%08x",
			    size, max);
		return;
	}
	if (b->stage != K1_EMU_STAGE_UBOOT)
		b->dl_len = 0; /* a new download replaces the old one, even if it fails */
	rep->data_len = size;
	k1_fb_reply(rep->final, "DATA", "%08x", size);
	if (b->stage == K1_EMU_STAGE_SPL && b->ee.ddr_dead) {
		/* the buffer is in DDR, which never trained: no byte is taken */
		say(b, "(the download buffer is in DDR, which did not come up: the transfer "
		       "never completes)");
		b->stalled = true;
	}
}

uint8_t *k1_emu_download_buf(struct k1_emu_board *b, size_t n)
{
	if (n > b->dl_cap) { /* RAM never written reads as zero */
		uint8_t *p = realloc(b->dl, n);
		if (!p)
			return NULL;
		memset(p + b->dl_cap, 0, n - b->dl_cap);
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
	b->expected = 0;
	if (b->stage == K1_EMU_STAGE_UBOOT) /* fastboot_data_complete() */
		k1_emu_env_setf(b, "filesize", "%zx", n);
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
	struct k1_error e = {0};
	char line[1200];

	if (b->stage == K1_EMU_STAGE_UBOOT) { /* U-Boot leaves fastboot and runs bootcmd */
		k1_fb_reply(rep->final, "OKAY", "%s", "");
		leave(b, K1_EMU_STAGE_OS, !b->cfg.uboot_only);
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
	if (b->stage == K1_EMU_STAGE_SPL && k1_bootsim_check_fit(b->dl, b->dl_len, &e)) {
		snprintf(line, sizeof(line), "spl: staged image: %s", e.msg);
		say(b, line);
		k1_fb_reply(rep->final, "FAIL", "staged image is not a valid FIT: %s", e.msg);
		return;
	}
	k1_fb_reply(rep->final, "OKAY", "%s", "");
	leave(b, b->stage == K1_EMU_STAGE_BROM ? K1_EMU_STAGE_SPL : K1_EMU_STAGE_UBOOT, false);
}

/* The USB-booted SPL trains DDR from the EEPROM's settings first; when
 * that fails its fastboot gadget still answers (its state is in SRAM) but
 * a download into DDR never completes. */
static void spl_ddr(struct k1_emu_board *b)
{
	uint8_t chip[K1_EEPROM_SIZE];
	struct k1_bootsim_opts o = sim_opts(b, chip);
	struct k1_bootsim_result r = {0};

	if (k1_bootsim_ddr(&o, "usb", b->con, b->con_ctx, &r))
		b->ee.ddr_dead = true;
}

/* The staged u-boot.itb's configuration for the EEPROM's product_name;
 * false when there is none (the SPL stops). */
static bool spl_fit_config(struct k1_emu_board *b)
{
	uint8_t chip[K1_EEPROM_SIZE];
	struct k1_bootsim_opts o = sim_opts(b, chip);
	struct k1_bootsim_result r = {0};

	if (!k1_bootsim_fit_config(b->dl, b->dl_len, &o, "usb", NULL, 0, b->con, b->con_ctx, &r))
		return true;
	say(b, "### ERROR ### Please RESET the board ###");
	return false;
}

void k1_emu_transition(struct k1_emu_board *b)
{
	enum k1_emu_stage from = b->stage;

	b->leave = false;
	if (b->power_cycle) {
		say(b, "resetting ...");
		b->autoboot = b->next == K1_EMU_STAGE_OS; /* reboot: nobody stops autoboot */
		k1_emu_power_on(b);
		b->autoboot = false;
		return;
	}
	if (from == K1_EMU_STAGE_SPL && b->next == K1_EMU_STAGE_UBOOT && !spl_fit_config(b))
		b->next = K1_EMU_STAGE_HANG;
	b->dl_len = 0; /* the next stage's download buffer: what it was staged from is gone */
	if (b->dl_cap)
		memset(b->dl, 0, b->dl_cap);
	b->stage = b->next;
	if (b->stage == K1_EMU_STAGE_OS) { /* `fastboot udp` returned: the U-Boot prompt */
		say(b, "=>");
		return;
	}
	if (from == K1_EMU_STAGE_BROM) {
		k1_emu_eeprom_stage(b);
		say(b, "j...");
		say(b, SPL_VERSION);
		spl_ddr(b);
		say(b, "spl: boot mode USB: fastboot gadget 361c:1001, waiting for u-boot.itb");
	} else if (b->stage == K1_EMU_STAGE_UBOOT) {
		uint8_t chip[K1_EEPROM_SIZE];
		struct k1_bootsim_opts o = sim_opts(b, chip);
		struct k1_bootsim_result r = {0};
		say(b, "spl: booting the staged FIT");
		say(b, UBOOT_VERSION);
		k1_bootsim_uboot_eeprom(&o, b->con, b->con_ctx, &r);
		k1_emu_eeprom_stage(b);
		say(b, "fastboot: flashing mode (USB 361c:1001)");
	} else {
		k1_emu_eeprom_stage(b);
	}
}

/* ---- oem (U-Boot) ---- */

/* oem env:get KEY, oem env:set KEY:VALUE (fastboot_env_access()). */
static void oem_env(struct k1_emu_board *b, const char *arg, struct k1_emu_reply *rep)
{
	const char *sp = strchr(arg, ' '), *v;
	char key[K1_FB_CMD_MAX + 1];

	if (sp && !strncmp(arg, "get ", 4)) {
		(v = k1_emu_env_get(b, sp + 1)) ? k1_fb_reply(rep->final, "OKAY", "%s", v)
						: k1_fb_reply(rep->final, "FAIL", "NOT exist");
	} else if (sp && !strncmp(arg, "set ", 4) && (v = strchr(sp + 1, ':'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(v - sp - 1), sp + 1);
		k1_emu_env_set(b, key, v + 1);
		k1_fb_reply(rep->final, "OKAY", "%s", "");
	} else {
		k1_fb_reply(rep->final, "FAIL", "NOT support");
	}
}

/* The vendor matches the whole text up to the first ':' against its
 * table ("oem env:get x" is "oem env"; "oem env get x" is unknown). */
static void uboot_oem(struct k1_emu_board *b, const char *text, struct k1_emu_reply *rep)
{
	static const struct {
		const char *name;
		void (*run)(struct k1_emu_board *b, const char *arg, struct k1_emu_reply *rep);
	} oem[] = {
		{"oem erase", k1_emu_oem_erase},
		{"oem env", oem_env},
	};
	const char *colon = strchr(text, ':');
	size_t n = colon ? (size_t)(colon - text) : strlen(text);

	for (size_t i = 0; i < sizeof(oem) / sizeof(oem[0]); i++)
		if (strlen(oem[i].name) == n && !strncmp(oem[i].name, text, n))
			return oem[i].run(b, colon ? colon + 1 : "", rep);
	k1_fb_reply(rep->final, "FAIL", "unrecognized command");
}

/* ---- dispatch ---- */

/* U-Boot fastboot (fb_command.c): every verb the vendor registers. */
static void uboot_command(struct k1_emu_board *b, const struct k1_fb_cmd *c, const char *text,
			  struct k1_emu_reply *rep)
{
	switch (c->kind) {
	case K1_FB_FLASH:
		return k1_emu_flash(b, c->arg, rep);
	case K1_FB_ERASE:
		return k1_emu_erase(b, c->arg, rep);
	case K1_FB_OEM:
		return uboot_oem(b, text, rep);
	case K1_FB_REBOOT:
	case K1_FB_REBOOT_BOOTLOADER:
		k1_fb_reply(rep->final, "OKAY", "%s", "");
		leave(b, c->kind == K1_FB_REBOOT ? K1_EMU_STAGE_OS : K1_EMU_STAGE_UBOOT, true);
		return;
	case K1_FB_BOOT:
	case K1_FB_SET_ACTIVE:
		k1_fb_reply(rep->final, "OKAY", "%s", "");
		return;
	case K1_FB_UPLOAD: /* what a download command left announced; no data phase */
		if (!b->expected)
			k1_fb_reply(rep->final, "FAIL", "Expected nonzero image size");
		else if (b->expected > b->cfg.max_download)
			k1_fb_reply(rep->final, "FAIL", "%s",
				    strchr(text, ':') ? c->arg : "<NULL>");
		else
			k1_fb_reply(rep->final, "PUSH", "%08x", b->expected);
		return;
	default:
		k1_fb_reply(rep->final, "FAIL", "unrecognized command");
	}
}

void k1_emu_command(struct k1_emu_board *b, const uint8_t *pkt, size_t len,
		    struct k1_emu_reply *rep)
{
	struct k1_fb_cmd c;
	struct k1_error e = {0};
	char text[K1_FB_CMD_MAX + 1];

	memset(rep, 0, sizeof(*rep));
	b->rep = rep;
	if (k1_fb_parse(pkt, len, &c, &e)) {
		if (b->stage == K1_EMU_STAGE_UBOOT && !len)
			k1_fb_reply(rep->final, "FAIL", "unrecognized command");
		else
			k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
		return;
	}
	snprintf(text, sizeof(text), "%.*s", (int)len, (const char *)pkt);
	if ((b->stage == K1_EMU_STAGE_UBOOT || b->stage == K1_EMU_STAGE_SPL) &&
	    c.kind == K1_FB_OEM && !strcmp(c.name, "oem config"))
		return k1_emu_oem_config(b, (const char *)pkt, len, rep);
	if (b->stage == K1_EMU_STAGE_BROM) {
		char line[200];
		snprintf(line, sizeof(line), "fastboot_handle_command: %s%s%s", c.name,
			 c.arg[0] ? ":" : "", c.arg);
		say(b, line);
	}
	switch (c.kind) {
	case K1_FB_GETVAR:
		if (b->stage == K1_EMU_STAGE_UBOOT && !strchr(text, ':'))
			k1_fb_reply(rep->final, "FAIL", "missing var");
		else
			getvar(b, c.arg, rep);
		return;
	case K1_FB_DOWNLOAD:
		download(b, &c, rep);
		return;
	case K1_FB_CONTINUE:
		do_continue(b, rep);
		return;
	default:
		break;
	}
	if (b->stage == K1_EMU_STAGE_UBOOT)
		return uboot_command(b, &c, text, rep);
	k1_fb_reply(rep->final, "FAIL", "unknown command %s in %s", c.name,
		    k1_emu_stage_name(b->stage));
}

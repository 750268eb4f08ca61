/* SPL and U-Boot part of the power-on simulation (research §7.3): load
 * `uboot` then `opensbi` as FITs (GPT name, else partition 2 and 1; on SPI
 * flash the default mtdparts), then U-Boot's environment and bootfs. */
#include "base/bytes.h"
#include "emu/bootfs_check.h"
#include "emu/bootsim.h"
#include "format/disk.h"
#include "format/eeprom.h"
#include "format/fit.h"
#include "format/format.h"
#include "format/fsbl.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define SPL_BANNER "U-Boot SPL 2022.10 (k1fw emulate)"
#define SPL_BANNER_MAINLINE "U-Boot SPL %s (k1fw emulate, mainline)"
#define UBOOT_BANNER "U-Boot 2022.10 (k1fw emulate)"

int k1_bootsim_check_fit(const uint8_t *data, size_t len, struct k1_error *err)
{
	struct k1_input in = {.path = "FIT", .data = data, .len = len};
	struct k1_checks c = {0};
	int rc = 0;

	if (!k1_format_fit.probe(data, len))
		return k1_err(err, K1_EINVAL, "not a FIT (no FDT magic d00dfeed at its start)");
	if (k1_format_fit.verify(&in, NULL, &c, err)) {
		k1_checks_free(&c);
		return K1_EINVAL;
	}
	for (size_t i = 0; i < c.count && !rc; i++)
		if (!c.items[i].ok)
			rc = k1_err(err, K1_EINVAL, "%s @ %s: %s", c.items[i].name,
				    c.items[i].where, c.items[i].message);
	if (!rc && c.oom)
		rc = k1_err(err, K1_ENOMEM, "out of memory checking the FIT");
	k1_checks_free(&c);
	return rc;
}

/* A partition of the SPL's view: [off, off+len) of the device. */
struct spl_part {
	const char *name;
	int index;
	uint64_t off, len;
};

/* SPI flash: CONFIG_MTDPARTS_DEFAULT (NOR) and the boot guide's 64M NAND
 * table; the vendor SPL takes mtdparts from the env, which holds these. */
static bool mtd_part(bool nand, const char *name, struct spl_part *p, uint64_t devlen)
{
	static const struct spl_part nor[] = {{"opensbi", 4, 448 << 10, 192 << 10},
					      {"uboot", 5, 640 << 10, 0}};
	static const struct spl_part nandp[] = {{"opensbi", 4, 640 << 10, 384 << 10},
						{"uboot", 5, 1 << 20, 2 << 20}};
	const struct spl_part *t = nand ? nandp : nor;

	for (int i = 0; i < 2; i++)
		if (!strcmp(t[i].name, name) && t[i].off < devlen) {
			*p = t[i];
			if (!p->len || p->len > devlen - p->off)
				p->len = devlen - p->off;
			return true;
		}
	return false;
}

static bool gpt_part(const struct k1_disk *d, const char *name, int index, struct spl_part *p,
		     bool *by_index)
{
	const struct k1_gpt_entry *e = k1_gpt_find(&d->gpt, name);

	*by_index = false;
	for (size_t i = 0; !e && i < d->gpt.count; i++)
		if (d->gpt.entries[i].index == (uint32_t)index) {
			e = &d->gpt.entries[i];
			*by_index = true;
		}
	if (!e || e->last_lba < e->first_lba || e->first_lba >= d->sectors)
		return false;
	p->name = name;
	p->index = (int)e->index;
	p->off = e->first_lba * 512;
	p->len = (e->last_lba - e->first_lba + 1) * 512;
	if (p->len > d->in->len - p->off)
		p->len = d->in->len - p->off;
	return true;
}

static const char *img_for(const char *name)
{
	return !strcmp(name, "uboot") ? "u-boot.itb" : "fw_dynamic.itb";
}

/* The u-boot.itb the SPL loaded and the configuration it picked. */
struct spl_fit {
	const uint8_t *data;
	size_t len;
	char conf[64];
};

/* Load one FIT the way the SPL does; 0 or a failure in r. uboot (for
 * "uboot") gets the FIT and its configuration. */
static int spl_load(const struct k1_region *dev, const struct k1_disk *d, bool nand,
		    const char *medium, const char *name, int index,
		    const struct k1_bootsim_opts *o, k1_console_fn con, void *ctx,
		    struct k1_bootsim_result *r, struct spl_fit *uboot)
{
	struct spl_part p;
	bool by_index = false, found;
	char step[32], fix[400];
	struct k1_error why = {0};

	snprintf(step, sizeof(step), "spl.%s", name);
	found = d ? gpt_part(d, name, index, &p, &by_index) : mtd_part(nand, name, &p, dev->len);
	if (!found) {
		snprintf(fix, sizeof(fix),
			 "add a partition named exactly \"%s\" to the partition table and flash %s "
			 "into it (fastboot flash %s %s)",
			 name, img_for(name), name, img_for(name));
		k1_bootsim_say(con, ctx, "spl: no partition \"%s\" (nor partition %d) on %s", name,
			       index, medium);
		k1_bootsim_fail(r, medium, step, fix,
				"the SPL finds no partition named \"%s\" and no partition %d", name,
				index);
		return K1_EINVAL;
	}
	k1_bootsim_say(con, ctx, "spl: loading %s from partition %d%s at 0x%llx", name, p.index,
		       by_index ? " (by index: no partition of that name)" : "",
		       (unsigned long long)p.off);
	if (k1_bootsim_check_fit(dev->data + p.off, (size_t)p.len, &why)) {
		snprintf(fix, sizeof(fix),
			 "flash a valid %s into partition %s (k1fw verify %s first)", img_for(name),
			 by_index ? "with that name" : name, img_for(name));
		k1_bootsim_say(con, ctx, "spl: %s: bad FIT: %s", name, why.msg);
		k1_bootsim_fail(r, medium, step, fix, "partition %d (%s%s) at 0x%llx: %s", p.index,
				name, by_index ? ", taken by index" : "", (unsigned long long)p.off,
				why.msg);
		return K1_EINVAL;
	}
	if (!uboot)
		return 0;
	uboot->data = dev->data + p.off;
	uboot->len = (size_t)p.len;
	return k1_bootsim_fit_config(uboot->data, uboot->len, o, medium, uboot->conf,
				     sizeof(uboot->conf), con, ctx, r);
}

/* OpenSBI: from the configuration's firmware when it has one (mainline's
 * one FIT; any spl_fit starts it), else the vendor way, the opensbi
 * partition, which a mainline SPL never reads. 0 or a failure in r. */
static int spl_opensbi(const struct k1_region *dev, const struct k1_disk *d, bool nand,
		       const char *medium, const struct spl_fit *fit, enum k1_spl_kind kind,
		       const struct k1_bootsim_opts *o, k1_console_fn con, void *ctx,
		       struct k1_bootsim_result *r)
{
	struct k1_fit_conf c;
	struct k1_error e = {0};

	if (k1_fit_carries_opensbi(fit->data, fit->len)) {
		if (k1_fit_mainline_conf(fit->data, fit->len, fit->conf, &c, &e)) {
			k1_bootsim_say(con, ctx, "spl: u-boot.itb: %s", e.msg);
			k1_bootsim_fail(
				r, medium, "spl.opensbi",
				"give every configuration firmware = \"opensbi\" and "
				"loadables = \"uboot\" (k1fw fit uboot --opensbi builds it)",
				"u-boot.itb carries OpenSBI, but %s", e.msg);
			return K1_EINVAL;
		}
		k1_bootsim_say(con, ctx,
			       "spl: %s: firmware %s (OpenSBI) and loadables %s from u-boot.itb; "
			       "the opensbi partition is not read",
			       c.name, c.firmware, c.uboot);
		return 0;
	}
	if (kind == K1_SPL_MAINLINE) {
		k1_bootsim_say(con, ctx, "spl: %s: no firmware (OpenSBI) in u-boot.itb", fit->conf);
		k1_bootsim_fail(
			r, medium, "spl.opensbi",
			"flash a mainline u-boot.itb carrying OpenSBI (k1fw fit uboot --in "
			"u-boot-nodtb.bin --opensbi fw_dynamic.bin --dtb BOARD.dtb), or a vendor "
			"FSBL",
			"the mainline SPL starts OpenSBI from u-boot.itb's configuration and never "
			"reads the opensbi partition, but u-boot.itb (configuration %s) carries no "
			"OpenSBI: a vendor-layout u-boot.itb",
			fit->conf);
		return K1_EINVAL;
	}
	return spl_load(dev, d, nand, medium, "opensbi", 1, o, con, ctx, r, NULL);
}

static bool blank(const uint8_t *p, size_t n)
{
	bool z = true, f = true;
	for (size_t i = 0; i < n && (z || f); i++)
		z &= p[i] == 0, f &= p[i] == 0xFF;
	return z || f;
}

static void uboot_env(const struct k1_region *dev, const char *medium, k1_console_fn con, void *ctx,
		      struct k1_bootsim_result *r)
{
	const uint8_t *p;
	uint32_t crc;

	if (!dev->data || dev->len < K1_DISK_ENV_OFFSET + K1_DISK_ENV_SIZE) {
		k1_bootsim_say(con, ctx, "*** Warning - bad CRC, using default environment");
		r->warnings++;
		return;
	}
	p = dev->data + K1_DISK_ENV_OFFSET;
	crc = (uint32_t)crc32(0L, p + 4, K1_DISK_ENV_SIZE - 4);
	if (crc == k1_le32(p)) {
		k1_bootsim_say(con, ctx, "Loading Environment from %s... OK", medium);
		return;
	}
	k1_bootsim_say(con, ctx,
		       "Loading Environment from %s... *** Warning - bad CRC, using "
		       "default environment%s",
		       medium,
		       blank(p, K1_DISK_ENV_SIZE) ? "" : " (the env area at 0x60000 holds data)");
	r->warnings++;
}

/* k1-x.env dtb_env: the kernel device tree U-Boot loads for product_name
 * (U-Boot's copy: the EEPROM's when its CRC is good, else k1-x_deb1). */
static void uboot_dtb(const struct k1_bootsim_opts *o, k1_console_fn con, void *ctx)
{
	static const char *const aliases[] = {"evb",   "deb1",  "deb2",   "hs450",
					      "kx312", "mingo", "MINI-PC"};
	char name[80] = K1_SPL_DEFAULT_PRODUCT, dtb[100];
	struct k1_eeprom e;
	const struct k1_tlv *t;

	if (o->eeprom && !k1_eeprom_parse(o->eeprom, o->eeprom_len, &e, NULL) && e.header_ok &&
	    e.crc_last && e.crc_stored == e.crc_computed && (t = k1_eeprom_find(&e, 0x21)))
		snprintf(name, sizeof(name), "%.*s", t->len, (const char *)t->val);
	snprintf(dtb, sizeof(dtb), "%s.dtb", name);
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strncmp(name, "k1_", 3) && !strcmp(name + 3, aliases[i]))
			snprintf(dtb, sizeof(dtb), "k1-x_%s.dtb", aliases[i]);
	k1_bootsim_say(con, ctx, "product_name: %s; U-Boot selects %s", name, dtb);
}

/* U-Boot reads the bootfs (emu/bootfs_check.c); 0 when Linux would start,
 * with r->why naming kernel, dtb and initrd. */
static int uboot_bootfs(const struct k1_region *blk, const struct k1_disk *bd,
			const struct k1_region *envdev, const char *where, k1_console_fn con,
			void *ctx, struct k1_bootsim_result *r)
{
	const struct k1_gpt_entry *e = k1_gpt_find(&bd->gpt, "bootfs");
	uint64_t off = e->first_lba * 512, len = (e->last_lba - e->first_lba + 1) * 512;
	const uint8_t *env = NULL;
	struct k1_bootfs_result b;

	if (envdev && envdev->data && envdev->len >= K1_DISK_ENV_OFFSET + K1_DISK_ENV_SIZE)
		env = envdev->data + K1_DISK_ENV_OFFSET;
	if (e->last_lba < e->first_lba || off >= blk->len)
		len = 0;
	else if (len > blk->len - off)
		len = blk->len - off;
	k1_bootsim_say(con, ctx, "bootfs: partition %u of %s; starting the OS", e->index, where);
	k1_bootfs_check(len ? blk->data + off : NULL, (size_t)len, env, K1_DISK_ENV_SIZE, false,
			con, ctx, &b);
	r->warnings += b.warnings;
	if (b.boots) {
		k1_bootsim_say(con, ctx, "Starting kernel %s", b.kernel);
		snprintf(r->why, sizeof(r->why), "%s", b.why);
		return 0;
	}
	k1_bootsim_say(con, ctx, "bootfs: %s", b.why);
	k1_bootsim_say(con, ctx, "=>");
	k1_bootsim_fail(r, where, b.step, b.fix, "U-Boot starts but does not boot Linux: %s",
			b.why);
	return K1_EINVAL;
}

void k1_bootsim_spl(const struct k1_board_media *b, const struct k1_bootsim_opts *o,
		    const char *medium, const struct k1_region *fsbl, k1_console_fn con, void *ctx,
		    struct k1_bootsim_result *r)
{
	bool mmc = !strcmp(medium, "sd") || !strcmp(medium, "emmc");
	const struct k1_region *dev = !strcmp(medium, "sd")     ? &b->sd
				      : !strcmp(medium, "emmc") ? &b->user
				      : !strcmp(medium, "nor")  ? &b->nor
								: &b->nand;
	const struct k1_region *blk = mmc ? dev : &b->user;
	struct k1_input in = {.path = medium, .data = dev->data, .len = dev->len};
	struct k1_input bin = {.path = "emmc", .data = blk->data, .len = blk->len};
	struct k1_disk d = {0}, bd = {0};
	struct k1_error e = {0};
	bool have_d = false, have_bd = false;
	struct spl_fit fit = {0};
	char version[64];
	enum k1_spl_kind kind = K1_SPL_UNKNOWN;

	memset(r, 0, sizeof(*r));
	snprintf(r->medium, sizeof(r->medium), "%s", medium);
	r->outcome = K1_BOOT_HANG;
	if (fsbl && fsbl->len > K1_FSBL_OFF_SPL)
		kind = k1_spl_kind(fsbl->data + K1_FSBL_OFF_SPL, fsbl->len - K1_FSBL_OFF_SPL,
				   version, sizeof(version));
	snprintf(r->spl, sizeof(r->spl), "%s",
		 kind == K1_SPL_MAINLINE ? "mainline"
		 : kind == K1_SPL_VENDOR ? "vendor"
					 : "");
	if (kind == K1_SPL_MAINLINE)
		k1_bootsim_say(con, ctx, SPL_BANNER_MAINLINE, version);
	else
		k1_bootsim_say(con, ctx, "%s", SPL_BANNER);
	if (k1_bootsim_ddr(o, medium, con, ctx, r))
		return; /* silent from here on: no RESET message either */
	if (mmc && (!dev->data || dev->len < 34 * 512 || k1_disk_open(&in, &d, &e) ||
		    (d.table != K1_DISK_GPT && d.table != K1_DISK_GPT_BACKUP))) {
		k1_bootsim_say(con, ctx, "spl: no GPT on %s", medium);
		k1_bootsim_fail(r, medium, "spl.partition_table",
				"write the partition table (fastboot flash gpt "
				"partition_universal.json, or a GPT in the SD image)",
				"no valid GPT on the %s user area", medium);
		goto hang;
	}
	have_d = mmc;
	if (spl_load(dev, have_d ? &d : NULL, !strcmp(medium, "nand"), medium, "uboot", 2, o, con,
		     ctx, r, &fit) ||
	    spl_opensbi(dev, have_d ? &d : NULL, !strcmp(medium, "nand"), medium, &fit, kind, o,
			con, ctx, r))
		goto hang;
	k1_bootsim_say(con, ctx, "OpenSBI (fw_dynamic) -> U-Boot");
	k1_bootsim_say(con, ctx, "%s", UBOOT_BANNER);
	k1_bootsim_uboot_eeprom(o, con, ctx, r);
	uboot_env(dev, medium, con, ctx, r);
	if (blk->data && blk->len >= 34 * 512 && !k1_disk_open(&bin, &bd, &e))
		have_bd = true;
	if (!have_bd || !k1_gpt_find(&bd.gpt, "bootfs")) {
		k1_bootsim_say(con, ctx, "** No partition bootfs on %s **", mmc ? medium : "emmc");
		k1_bootsim_say(con, ctx, "=>");
		k1_bootsim_fail(r, mmc ? medium : "emmc", "uboot.bootfs",
				"add a \"bootfs\" partition to the table and flash bootfs.img "
				"(fastboot flash bootfs bootfs.ext4)",
				"U-Boot starts but finds no partition named \"bootfs\" to load "
				"Linux from; it stops at its prompt");
		goto hang;
	}
	uboot_dtb(o, con, ctx);
	if (uboot_bootfs(blk, &bd, mmc ? dev : NULL, mmc ? medium : "emmc", con, ctx, r))
		goto hang;
	r->outcome = K1_BOOT_OK;
	snprintf(r->step, sizeof(r->step), "boot");
hang:
	if (r->outcome == K1_BOOT_HANG && strncmp(r->step, "uboot", 5) &&
	    strncmp(r->step, "bootfs", 6))
		k1_bootsim_say(con, ctx, "### ERROR ### Please RESET the board ###");
	if (have_d)
		k1_disk_close(&d);
	if (have_bd)
		k1_disk_close(&bd);
}

/* U-Boot fastboot's flash, erase and oem erase on the emulated storage,
 * routed by the boot pins as the vendor fb_command.c does: eMMC/SD pins go
 * to the vendor's fb_mmc.c model (emu_vendor.c), SPI pins to fb_mtd.c /
 * fb_blk.c as modelled here (spec §6, research §8.4), where every image is
 * checked whole before the first byte is written. */
#include "base/bytes.h"
#include "emu/emu_board.h"
#include "format/disk.h"
#include "format/gpt_write.h"
#include "format/sparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool spi_pins(const struct k1_emu_board *b)
{
	return b->cfg.sel == K1_BOOTSEL_NOR || b->cfg.sel == K1_BOOTSEL_NAND;
}

static enum k1_emu_dev spi_dev(const struct k1_emu_board *b)
{
	return b->cfg.sel == K1_BOOTSEL_NAND ? K1_DEV_NAND : K1_DEV_NOR;
}

int k1_emu_locate(struct k1_emu_board *b, const char *name, enum k1_emu_dev *dev, uint64_t *off,
		  uint64_t *len, struct k1_error *err)
{
	const struct k1_ptable_part *p = b->have_table ? k1_ptable_find(&b->table, name) : NULL;

	if (b->mtd_mode) {
		if (!p || !p->offset_known || !p->size_known)
			return k1_err(err, K1_EINVAL, "partition %s not found in the mtd table",
				      name);
		*dev = spi_dev(b);
		*off = p->offset;
		*len = p->rest ? (b->st.size[*dev] > *off ? b->st.size[*dev] - *off : 0) : p->size;
		return 0;
	}
	*dev = K1_DEV_USER;
	int rc = k1_emu_vendor_part(b, name, off, len, false, err);
	if (!rc || !spi_pins(b)) /* eMMC: partition-size:fsbl is the GPT entry, not boot0 */
		return rc;
	if (p && !p->in_table && p->offset_known && p->size_known && !p->rest) {
		*off = p->offset, *len = p->size; /* hidden: raw at the JSON offset */
		return 0;
	}
	return K1_EINVAL;
}

/* ---- partition tables ---- */

static int write_gpt(struct k1_emu_board *b, const struct k1_ptable *t, struct k1_error *err)
{
	uint64_t sectors = b->st.size[K1_DEV_USER] / 512;
	struct k1_gpt_new_part parts[K1_GPT_NEW_ENTRIES];
	static uint8_t primary[K1_GPT_PRIMARY_BYTES], backup[K1_GPT_BACKUP_BYTES];
	uint8_t dguid[16];
	size_t n = 0;

	for (size_t i = 0; i < t->count; i++) {
		const struct k1_ptable_part *p = &t->parts[i];
		if (!p->in_table)
			continue;
		if (n == K1_GPT_NEW_ENTRIES || !p->gpt_known || !p->size_known)
			return k1_err(err, K1_EINVAL, "partition %s: no usable offset or size",
				      p->name);
		parts[n] = (struct k1_gpt_new_part){.name = p->name};
		parts[n].first_lba = p->gpt_offset / 512;
		parts[n].last_lba = p->rest ? sectors - 34 : parts[n].first_lba + p->size / 512 - 1;
		if (!p->rest && p->size < 512)
			return k1_err(err, K1_EINVAL, "partition %s: size under one sector",
				      p->name);
		k1_emu_guid(p->name, parts[n].first_lba, parts[n].guid);
		n++;
	}
	k1_emu_guid("disk", sectors, dguid);
	if (k1_gpt_check(parts, n, sectors, err) ||
	    k1_gpt_build(parts, n, sectors, dguid, primary, backup, err) ||
	    k1_emu_write(&b->st, K1_DEV_USER, 440, primary + 440, sizeof(primary) - 440, err) ||
	    k1_emu_write(&b->st, K1_DEV_USER, (sectors - 33) * 512, backup, sizeof(backup), err) ||
	    k1_emu_fill(&b->st, K1_DEV_USER, K1_DISK_ENV_OFFSET, K1_DISK_ENV_SIZE, 0, err))
		return K1_EINVAL;
	return 0;
}

static void flash_table(struct k1_emu_board *b, enum k1_ptable_kind kind, struct k1_emu_reply *rep)
{
	struct k1_ptable t;
	struct k1_error e = {0};
	int rc = 0;

	if (kind == K1_PTABLE_MTD && !spi_pins(b)) {
		k1_fb_reply(rep->final, "FAIL", "flash mtd: the boot pins select no SPI flash");
		return;
	}
	if (!b->dl_len || k1_ptable_parse((const char *)b->dl, b->dl_len, "table", &t, &e)) {
		k1_fb_reply(rep->final, "FAIL", "%s", b->dl_len ? e.msg : "no table downloaded");
		return;
	}
	if (t.kind != kind)
		rc = k1_err(&e, K1_EINVAL, "table format is not %s",
			    kind == K1_PTABLE_GPT ? "gpt" : "mtd");
	for (size_t i = 0; !rc && i < t.count; i++) {
		if (t.parts[i].problem[0])
			rc = k1_err(&e, K1_EINVAL, "%s", t.parts[i].problem);
		else if (t.parts[i].vendor_backwards) /* the vendor's words */
			rc = k1_err(&e, K1_EINVAL,
				    "offset must larger then previous size and offset");
	}
	if (!rc && kind == K1_PTABLE_GPT)
		rc = write_gpt(b, &t, &e);
	if (rc) {
		k1_ptable_free(&t);
		k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
		return;
	}
	if (b->have_table)
		k1_ptable_free(&b->table);
	b->table = t;
	b->have_table = true;
	b->mtd_mode = kind == K1_PTABLE_MTD;
	if (b->con)
		b->con(b->con_ctx, kind == K1_PTABLE_GPT
					   ? "GPT successfully written to block device!"
					   : "mtdparts set from the table");
	k1_fb_reply(rep->final, "OKAY", "%s", "");
}

/* ---- images ---- */

struct sink_ctx {
	struct k1_emu_board *b;
	enum k1_emu_dev dev;
	uint64_t off, len;
	bool write;
};

static int sink(void *vctx, uint64_t offset, const uint8_t *data, size_t len, struct k1_error *err)
{
	struct sink_ctx *s = vctx;

	if (offset > s->len || len > s->len - offset)
		return k1_err(err, K1_ERANGE, "sparse image runs past the partition (0x%llx bytes)",
			      (unsigned long long)s->len);
	if (!s->write || !data)
		return 0;
	return k1_emu_write(&s->b->st, s->dev, s->off + offset, data, len, err);
}

/* The Debian client's libsparse (29) leaves the trailing DONT_CARE chunk
 * of a piece out of the bytes it sends while the header still counts it.
 * A DONT_CARE writes nothing, so when the data ends cleanly on a chunk
 * boundary the header is cut down to the chunks that arrived. */
static void trim_sparse(uint8_t *d, size_t len)
{
	struct k1_sparse_walk w;
	struct k1_sparse_chunk c;
	uint32_t n = 0;

	if (k1_sparse_open(&w, d, len, false, NULL))
		return;
	while (w.pos < len && k1_sparse_next(&w, &c, NULL) == 1)
		n++;
	if (w.pos == len && n < w.h.total_chunks) {
		k1_put_le32(d + 16, (uint32_t)w.blocks);
		k1_put_le32(d + 20, n);
	}
}

static int write_image(struct k1_emu_board *b, enum k1_emu_dev dev, uint64_t off, uint64_t len,
		       struct k1_error *err)
{
	struct sink_ctx s = {b, dev, off, len, false};
	bool sparse = b->dl_len >= 4 && k1_le32(b->dl) == K1_SPARSE_MAGIC;
	int rc;

	if (sparse)
		trim_sparse(b->dl, b->dl_len);
	if (sparse && k1_sparse_expand(b->dl, b->dl_len, sink, &s, err))
		return K1_EINVAL; /* checked whole: nothing written */
	if (!sparse && b->dl_len > len)
		return k1_err(err, K1_EINVAL,
			      "image of 0x%zx bytes is larger than the partition (0x%llx)",
			      b->dl_len, (unsigned long long)len);
	if (dev == K1_DEV_NOR || dev == K1_DEV_NAND) /* SPI flash: erase, then program */
		if (k1_emu_fill(&b->st, dev, off, sparse ? len : b->dl_len, 0xFF, err))
			return K1_EIO;
	s.write = true;
	rc = sparse ? k1_sparse_expand(b->dl, b->dl_len, sink, &s, err)
		    : k1_emu_write(&b->st, dev, off, b->dl, b->dl_len, err);
	return rc;
}

/* The eMMC (and SD) pins: the vendor's fastboot_mmc_flash_write(). */
static void flash_mmc(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep)
{
	if (!strcmp(name, "bootinfo"))
		k1_emu_vendor_flash_bootinfo(b, rep);
	else if (!strcmp(name, "fsbl"))
		k1_emu_vendor_flash_fsbl(b, rep);
	else if (!strcmp(name, "fsbl_1"))
		k1_emu_vendor_flash_fsbl1(b, rep);
	else if (!strcmp(name, "gpt"))
		k1_emu_vendor_flash_table(b, rep);
	else if (!strcmp(name, "env") && b->cfg.uboot->env_flash != K1_EMU_ENV_RAW)
		k1_emu_vendor_flash_env(b, rep);
	else
		k1_emu_vendor_flash_part(b, name, rep);
}

void k1_emu_flash(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep)
{
	enum k1_emu_dev dev;
	uint64_t off, len;
	struct k1_error e = {0};

	if (!spi_pins(b))
		return flash_mmc(b, name, rep);
	if (!strcmp(name, "gpt") || !strcmp(name, "mtd"))
		return flash_table(b, name[0] == 'g' ? K1_PTABLE_GPT : K1_PTABLE_MTD, rep);
	if (!b->dl_len) {
		k1_fb_reply(rep->final, "FAIL", "no image downloaded");
		return;
	}
	if (!b->mtd_mode && !strcmp(name, "bootinfo")) { /* fb_blk: a no-op */
		k1_fb_reply(rep->final, "OKAY", "%s", "");
		return;
	}
	if (k1_emu_locate(b, name, &dev, &off, &len, &e) || write_image(b, dev, off, len, &e)) {
		k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
		return;
	}
	k1_fb_reply(rep->final, "OKAY", "%s", "");
}

void k1_emu_erase(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep)
{
	enum k1_emu_dev dev;
	uint64_t off, len;
	struct k1_error e = {0};

	if (!spi_pins(b))
		return k1_emu_vendor_erase(b, name, rep);
	if (k1_emu_locate(b, name, &dev, &off, &len, &e)) {
		k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
		return;
	}
	if (k1_emu_fill(&b->st, dev, off, len, dev == K1_DEV_NOR || dev == K1_DEV_NAND ? 0xFF : 0,
			&e)) {
		k1_fb_reply(rep->final, "FAIL", "%s", e.msg);
		return;
	}
	k1_fb_reply(rep->final, "OKAY", "%s", "");
}

/* clear_storage_data(): "emmc|nor|nand|eeprom [HEXSIZE]". eMMC: the user
 * area from 0 (default 256 MiB) and the first 128 KiB of boot0 and boot1;
 * SPI flash: from 0 (default 1 MiB); the EEPROM is not emulated here. */
void k1_emu_oem_erase(struct k1_emu_board *b, const char *arg, struct k1_emu_reply *rep)
{
	const char *sp = strchr(arg, ' ');
	unsigned long long size = sp ? strtoull(sp + 1, NULL, 16) : 0;
	struct k1_error e = {0};
	int rc = 0;

	if (!strncmp(arg, "eeprom", 6)) {
		k1_fb_reply(rep->final, "OKAY", "%s", "");
	} else if (!strncmp(arg, "emmc", 4)) {
		uint64_t n = (size ? size : 0x10000000ull) / 512 * 512;
		rc = n > b->st.size[K1_DEV_USER] || k1_emu_fill(&b->st, K1_DEV_USER, 0, n, 0, &e) ||
		     k1_emu_fill(&b->st, K1_DEV_BOOT0, 0, 0x20000, 0, &e) ||
		     k1_emu_fill(&b->st, K1_DEV_BOOT1, 0, 0x20000, 0, &e);
		k1_fb_reply(rep->final, rc ? "FAIL" : "OKAY", "%s", rc ? "erase emmc fail" : "");
	} else if (!strncmp(arg, "nor", 3) || !strncmp(arg, "nand", 4)) {
		enum k1_emu_dev d = arg[1] == 'o' ? K1_DEV_NOR : K1_DEV_NAND;
		uint64_t n = size ? size : 0x100000ull;
		rc = n > b->st.size[d] || k1_emu_fill(&b->st, d, 0, n, 0xFF, &e);
		k1_fb_reply(rep->final, rc ? "FAIL" : "OKAY", "%s",
			    rc ? (d == K1_DEV_NOR ? "erase nor fail" : "erase nand fail") : "");
	} else {
		k1_fb_reply(rep->final, "FAIL", "not support erase operation:%.*s",
			    (int)(sp ? sp - arg : (long)strlen(arg)), arg);
	}
}

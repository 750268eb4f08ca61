/* U-Boot fastboot's flash, erase and oem erase on the emulated storage,
 * routed as the vendor fb_spacemit.c / fb_mmc.c / fb_mtd.c do (spec §6,
 * research §8.4). Every image is checked whole before the first byte is
 * written. */
#include "base/bytes.h"
#include "base/crypto.h"
#include "emu/emu_board.h"
#include "format/bootinfo.h"
#include "format/disk.h"
#include "format/env.h"
#include "format/gpt_write.h"
#include "format/sparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static bool spi_pins(const struct k1_emu_board *b)
{
	return b->cfg.sel == K1_BOOTSEL_NOR || b->cfg.sel == K1_BOOTSEL_NAND;
}

static enum k1_emu_dev spi_dev(const struct k1_emu_board *b)
{
	return b->cfg.sel == K1_BOOTSEL_NAND ? K1_DEV_NAND : K1_DEV_NOR;
}

static int gpt_lookup(struct k1_emu_board *b, const char *name, uint64_t *off, uint64_t *len,
		      struct k1_error *err)
{
	struct k1_mapped m;
	struct k1_error e = {0};
	struct k1_disk d;
	const struct k1_gpt_entry *p = NULL;
	int rc = K1_EINVAL;

	if (k1_emu_map(&b->st, K1_DEV_USER, &m, &e) || !m.len)
		return k1_err(err, K1_EINVAL, "no eMMC on this board");
	struct k1_input in = {.path = "emmc", .data = m.data, .len = m.len};
	if (!k1_disk_open(&in, &d, &e)) {
		p = (d.table == K1_DISK_GPT || d.table == K1_DISK_GPT_BACKUP)
			    ? k1_gpt_find(&d.gpt, name)
			    : NULL;
		if (p && p->last_lba >= p->first_lba && p->last_lba < d.sectors) {
			*off = p->first_lba * 512;
			*len = (p->last_lba - p->first_lba + 1) * 512;
			rc = 0;
		}
		k1_disk_close(&d);
	}
	k1_unmap_file(&m);
	return rc ? k1_err(err, rc, "partition %s not found", name) : 0;
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
	if (!spi_pins(b) && !strcmp(name, "bootinfo")) {
		*dev = K1_DEV_BOOT0, *off = 0, *len = 512;
		return 0;
	}
	if (!spi_pins(b) && (!strcmp(name, "fsbl") || !strcmp(name, "fsbl_1"))) {
		*dev = name[4] ? K1_DEV_BOOT1 : K1_DEV_BOOT0;
		*off = name[4] ? 0 : 0x200;
		*len = b->st.size[*dev] - *off;
		return 0;
	}
	*dev = K1_DEV_USER;
	if (!gpt_lookup(b, name, off, len, err))
		return 0;
	if (p && !p->in_table && p->offset_known && p->size_known && !p->rest) {
		*off = p->offset, *len = p->size; /* hidden: raw at the JSON offset */
		return 0;
	}
	return K1_EINVAL;
}

/* ---- partition tables ---- */

static void guid_for(const char *a, const char *b2, uint8_t g[16])
{
	uint8_t h[64];
	size_t hl;
	char buf[512];

	snprintf(buf, sizeof(buf), "k1fw-emulate:%s:%s", a, b2);
	if (k1_digest("sha256", buf, strlen(buf), h, &hl, NULL))
		memset(h, 0x5a, 32);
	k1_gpt_guid_v4(g, h);
}

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
		guid_for(p->name, p->offset_str ? p->offset_str : "", parts[n].guid);
		n++;
	}
	guid_for("disk", n ? parts[0].name : "", dguid);
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

/* fastboot_oem_flash_env: a CRC-checked binary env or text, imported
 * into the running U-Boot; the MMC env area is then zeroed. */
static int flash_env(struct k1_emu_board *b, struct k1_error *err)
{
	bool bin = b->dl_len > 4 &&
		   (uint32_t)crc32(0L, b->dl + 4, (uInt)(b->dl_len - 4)) == k1_le32(b->dl);
	bool text = true;

	for (size_t i = 0; !bin && i < b->dl_len && text; i++)
		text = b->dl[i] == '\n' || b->dl[i] == '\t' ||
		       (b->dl[i] >= 0x20 && b->dl[i] < 0x7f);
	if (!bin && !text)
		return k1_err(err, K1_EINVAL,
			      "env: neither an environment image with a good CRC nor text");
	b->env_imported = true;
	if (b->mtd_mode)
		return 1; /* SPI flash: written to the env partition like any image */
	if (k1_emu_fill(&b->st, K1_DEV_USER, K1_DISK_ENV_OFFSET, K1_DISK_ENV_SIZE, 0, err))
		return K1_EIO;
	return 0;
}

void k1_emu_flash(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep)
{
	enum k1_emu_dev dev;
	uint64_t off, len;
	struct k1_error e = {0};
	int rc;

	if (!strcmp(name, "gpt") || !strcmp(name, "mtd"))
		return flash_table(b, name[0] == 'g' ? K1_PTABLE_GPT : K1_PTABLE_MTD, rep);
	if (!b->dl_len) {
		k1_fb_reply(rep->final, "FAIL", "no image downloaded");
		return;
	}
	if (!b->mtd_mode && !strcmp(name, "bootinfo")) {
		uint8_t blk[512] = {0};
		struct k1_bootinfo bi;
		struct k1_error e = {0};
		if (spi_pins(b)) { /* fb_blk: bootinfo is a no-op */
			k1_fb_reply(rep->final, "OKAY", "%s", "");
			return;
		}
		/* the vendor U-Boot ignores the file: its built-in eMMC bootinfo */
		k1_bootinfo_defaults(K1_MEDIA_EMMC, &bi);
		k1_bootinfo_encode(&bi, blk);
		rc = k1_emu_write(&b->st, K1_DEV_BOOT0, 0, blk, sizeof(blk), &e);
		k1_fb_reply(rep->final, rc ? "FAIL" : "OKAY", "%s", rc ? e.msg : "");
		return;
	}
	if (!strcmp(name, "env") && (rc = flash_env(b, &e)) <= 0) {
		k1_fb_reply(rep->final, rc ? "FAIL" : "OKAY", "%s", rc ? e.msg : "");
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

void k1_emu_oem_erase(struct k1_emu_board *b, const char *arg, struct k1_emu_reply *rep)
{
	static const enum k1_emu_dev emmc[] = {K1_DEV_BOOT0, K1_DEV_BOOT1, K1_DEV_USER};
	unsigned long long size = 0;
	char what[16] = "";
	struct k1_error e = {0};
	int rc = 0;

	if (sscanf(arg, "%15s %llx", what, &size) < 1) {
		k1_fb_reply(rep->final, "FAIL", "oem erase: expected emmc|nor|nand|eeprom [SIZE]");
		return;
	}
	if (!strcmp(what, "emmc")) {
		for (int i = 0; i < 3 && !rc; i++) {
			uint64_t n = b->st.size[emmc[i]];
			rc = k1_emu_fill(&b->st, emmc[i], 0, size && size < n ? size : n, 0, &e);
		}
	} else if (!strcmp(what, "nor") || !strcmp(what, "nand")) {
		enum k1_emu_dev d = what[1] == 'o' ? K1_DEV_NOR : K1_DEV_NAND;
		uint64_t n = b->st.size[d];
		rc = k1_emu_fill(&b->st, d, 0, size && size < n ? size : n, 0xFF, &e);
	} else if (strcmp(what, "eeprom")) {
		k1_fb_reply(rep->final, "FAIL", "oem erase: unknown device %s", what);
		return;
	}
	k1_fb_reply(rep->final, rc ? "FAIL" : "OKAY", "%s", rc ? e.msg : "");
}

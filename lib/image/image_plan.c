/* k1fw image, step one: the plan. The table is resolved as spec §5 says
 * (ptable.c), every partition gets its file, and every rule the BootROM,
 * the SPL and the GPT need is checked before a byte is written. */
#include "base/bytes.h"
#include "base/crypto.h"
#include "base/fileio.h"
#include "format/format.h"
#include "format/gpt.h"
#include "image/image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#define SECTOR 512u
#define MIB (1ull << 20)
#define GPT_END (K1_GPT_FIRST_LBA * SECTOR) /* 0x4400: the primary GPT ends here */
#define MAX_BYTES (1ull << 62)              /* offsets and sizes beyond are refused */
#define MBR_CODE 440u                       /* bytes of sector 0 before the MBR fields */

struct ctx {
	const struct k1_image_opts *o;
	struct k1_image_plan *p;
	k1_image_log log;
	void *log_ctx;
	struct k1_error *err;
	struct k1_buf table_text;
};

static void note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->p->warnings++;
	if (c->log)
		c->log(c->log_ctx, msg);
}

/* An unbootable layout: an error, or with force a warning. */
static int refuse(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->o->force)
		return k1_err(c->err, K1_EINVAL, "%s", msg);
	note(c, "%s (--force: writing anyway)", msg);
	return 0;
}

static const char *name_of(const struct k1_image_part *ip)
{
	return ip->tp->name ? ip->tp->name : "(unnamed)";
}

/* ---- files ---- */

static char *bundle_path(struct ctx *c, const char *rel)
{
	char path[4096];

	if (k1_path_join(path, sizeof(path), c->o->bundle, rel, c->err))
		return NULL;
	return strdup(path);
}

static bool exists(const char *path, uint64_t *size)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	if (size)
		*size = (uint64_t)st.st_size;
	return true;
}

static const struct k1_image_override *override_for(const struct k1_image_opts *o, const char *name)
{
	for (size_t i = o->noverrides; name && i-- > 0;)
		if (!strcmp(o->overrides[i].name, name))
			return &o->overrides[i];
	return NULL;
}

/* Every --part names a partition of the table (or the bootinfo): a typo
 * must not silently leave the table's file in place. */
static int check_overrides(struct ctx *c)
{
	const struct k1_ptable *pt = &c->p->pt;
	char names[512] = "";
	size_t n = 0;

	for (size_t i = 0; i < c->o->noverrides; i++) {
		const char *want = c->o->overrides[i].name;
		bool found = !strcmp(want, "bootinfo");
		for (size_t k = 0; k < pt->count && !found; k++)
			found = pt->parts[k].name && !strcmp(pt->parts[k].name, want);
		if (found)
			continue;
		for (size_t k = 0; k < pt->count && n < sizeof(names); k++)
			if (pt->parts[k].name)
				n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
						      n ? ", " : "", pt->parts[k].name);
		return k1_err(c->err, K1_EINVAL, "--part %s: %s has no partition of that name (%s)",
			      want, c->p->table_path, names);
	}
	return 0;
}

/* What the bundle holds for a partition the table gives no image. */
static const char *default_image(const char *name)
{
	static const char *const map[][2] = {
		{"fsbl", "factory/FSBL.bin"},  {"env", "env.bin"},
		{"opensbi", "fw_dynamic.itb"}, {"uboot", "u-boot.itb"},
		{"bootfs", "bootfs.ext4"},     {"rootfs", "rootfs.ext4"},
	};
	for (size_t i = 0; name && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], name))
			return map[i][1];
	return NULL;
}

/* The file for a partition: --part, else the table's image, else the
 * bundle's usual file when it exists. *named: the user or table asked for
 * it (a missing file is then a refusal). */
static int part_source(struct ctx *c, const struct k1_ptable_part *tp, char **path, bool *named)
{
	const struct k1_image_override *ov = override_for(c->o, tp->name);
	const char *def;

	*path = NULL;
	*named = false;
	if (ov) {
		*named = ov->path[0] != '\0';
		*path = *named ? strdup(ov->path) : NULL;
		return *named && !*path ? k1_err(c->err, K1_ENOMEM, "out of memory") : 0;
	}
	if (tp->image) {
		*named = true;
		return (*path = bundle_path(c, tp->image)) ? 0 : K1_ENOMEM;
	}
	if ((def = default_image(tp->name))) {
		char *p = bundle_path(c, def);
		if (!p)
			return K1_ENOMEM;
		if (exists(p, NULL))
			*path = p;
		else
			free(p);
	}
	return 0;
}

/* ---- GUIDs ---- */

static int derive_guid(struct ctx *c, const char *what, size_t index, uint8_t g[16])
{
	struct k1_buf m = K1_BUF_INIT;
	uint8_t h[64];
	size_t hl;
	char tag[300];
	int rc;

	if (c->o->random_guids) {
		if (getrandom(h, 16, 0) != 16)
			return k1_err(c->err, K1_EIO, "getrandom: %s", strerror(errno));
		k1_gpt_guid_v4(g, h);
		return 0;
	}
	snprintf(tag, sizeof(tag), "k1fw image %s %s %zu %llu", k1_media_name(c->p->media), what,
		 index, (unsigned long long)c->p->disk_size);
	if (k1_buf_append(&m, tag, strlen(tag) + 1) ||
	    k1_buf_append(&m, c->table_text.data, c->table_text.len)) {
		k1_buf_free(&m);
		return k1_err(c->err, K1_ENOMEM, "out of memory");
	}
	rc = k1_digest("sha256", m.data, m.len, h, &hl, c->err);
	k1_buf_free(&m);
	if (!rc)
		k1_gpt_guid_v4(g, h);
	return rc;
}

static int type_guid(struct ctx *c, const struct k1_ptable_part *tp, uint8_t g[16])
{
	static const struct {
		const char *name, *guid;
	} known[] = {
		{"basic-data", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"},
		{"linux", "0FC63DAF-8483-4772-8E79-3D69D8477DE4"},
		{"esp", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"},
		{"xbootldr", "BC13C2FF-59E6-4262-A352-B275FD6F7172"},
	};
	const char *t = tp->type ? tp->type : "basic-data"; /* what U-Boot `gpt write` sets */

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(t, known[i].name))
			t = known[i].guid;
	if (k1_gpt_guid_parse(t, g))
		return k1_err(c->err, K1_EINVAL,
			      "%s: partition %s: type '%s': expected a GUID or basic-data, linux, "
			      "esp, xbootldr",
			      c->p->table_path, tp->name, tp->type);
	return 0;
}

/* ---- the table ---- */

static int load_table(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	size_t in_gpt = 0;
	int rc;

	p->table_path =
		c->o->table ? strdup(c->o->table) : bundle_path(c, "partition_universal.json");
	if (!p->table_path)
		return k1_err(c->err, K1_ENOMEM, "out of memory");
	if ((rc = k1_read_file(p->table_path, &c->table_text, c->err)))
		return rc;
	if ((rc = k1_ptable_parse((const char *)c->table_text.data, c->table_text.len,
				  p->table_path, &p->pt, c->err)))
		return rc;
	if (p->pt.kind != K1_PTABLE_GPT)
		return k1_err(
			c->err, K1_EINVAL,
			"%s: format '%s': expected \"gpt\" (an SD card or eMMC carries a GPT; "
			"mtd tables are for SPI flash)",
			p->table_path, p->pt.format ? p->pt.format : "");
	if (p->pt.device_map)
		return k1_err(c->err, K1_EINVAL,
			      "%s: every entry is at 0 with size '-': a map of whole devices, not "
			      "a layout to build an image from",
			      p->table_path);
	if (!p->pt.count)
		return k1_err(c->err, K1_EINVAL, "%s: no partitions", p->table_path);
	for (size_t i = 0; i < p->pt.count; i++) {
		const struct k1_ptable_part *tp = &p->pt.parts[i];
		if (!tp->name || !tp->offset_known || !tp->size_known)
			return k1_err(c->err, K1_EINVAL, "%s: partitions[%zu]%s%s: %s",
				      p->table_path, i, tp->name ? " " : "",
				      tp->name ? tp->name : "", tp->problem);
		if ((!tp->rest && tp->size > MAX_BYTES) || tp->offset > MAX_BYTES ||
		    (!tp->rest && tp->offset + tp->size > MAX_BYTES))
			return k1_err(
				c->err, K1_EINVAL,
				"%s: partition %s: offset 0x%llx, size 0x%llx: larger than any "
				"disk (2^62 bytes)",
				p->table_path, tp->name, (unsigned long long)tp->offset,
				(unsigned long long)tp->size);
		if (tp->in_table && ++in_gpt > K1_GPT_NEW_ENTRIES)
			return k1_err(c->err, K1_EINVAL,
				      "%s: partition %s: more than %d partitions for the GPT",
				      p->table_path, tp->name, K1_GPT_NEW_ENTRIES);
		if (tp->in_table && strlen(tp->name) > K1_GPT_NAME_UNITS &&
		    (rc = refuse(c,
				 "%s: partition %s: a GPT name holds %d characters; it will "
				 "be cut",
				 p->table_path, tp->name, K1_GPT_NAME_UNITS)))
			return rc;
		if (tp->rest && i + 1 < p->pt.count)
			return k1_err(c->err, K1_EINVAL,
				      "%s: partition %s: size '-' (rest of the device) is only "
				      "possible on the last partition",
				      p->table_path, tp->name);
		if (tp->problem[0] &&
		    (rc = refuse(c, "%s: partition %s: %s", p->table_path, tp->name, tp->problem)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->pt.parts[j].name, tp->name) &&
			    (rc = refuse(c,
					 "%s: partition %s: the name appears twice (entries %zu "
					 "and %zu)",
					 p->table_path, tp->name, j, i)))
				return rc;
	}
	return 0;
}

/* ---- bootinfo and FSBL ---- */

static int read_small(struct ctx *c, const char *path, const char *what, struct k1_buf *b)
{
	uint64_t size;

	if (!exists(path, &size))
		return k1_err(c->err, K1_EIO, "%s: %s not found", path, what);
	if (size > (1u << 20))
		return k1_err(c->err, K1_EINVAL, "%s: %llu bytes, too large for a %s", path,
			      (unsigned long long)size, what);
	return k1_read_file(path, b, c->err);
}

static const struct k1_ptable_part *bootinfo_part(const struct k1_ptable *pt)
{
	for (size_t i = 0; i < pt->count; i++)
		if (pt->parts[i].bootinfo)
			return &pt->parts[i];
	return NULL;
}

/* Sector 0's first 440 bytes from the bootinfo partition's file, its
 * holes left out (the protective MBR owns bytes 440-511). */
static int lba0_from(struct ctx *c, const struct k1_ptable_part *bp, const struct k1_buf *b)
{
	struct k1_image_plan *p = c->p;
	int rc;

	if (bp && bp->offset != 0 &&
	    (rc = refuse(c,
			 "%s: partition %s at 0x%llx: expected offset 0 (the BootROM reads "
			 "bootinfo at byte 0 of an SD card)",
			 p->table_path, bp->name, (unsigned long long)bp->offset)))
		return rc;
	for (size_t i = 0; i < b->len; i++) {
		bool hole = false;
		for (size_t h = 0; bp && h < bp->nholes; h++)
			hole |= i >= bp->holes[h].start && i < bp->holes[h].end;
		if (hole)
			continue;
		if (i >= MBR_CODE) {
			rc = refuse(c,
				    "%s: byte %zu of %zu: the bootinfo partition's data overlaps "
				    "the protective MBR at 440-511 (declare holes, e.g. "
				    "{\"(80;512)\"})",
				    p->bootinfo_path, i, b->len);
			return rc;
		}
		p->lba0[i] = b->data[i];
	}
	return 0;
}

/* The bootinfo of the medium: SD, the table's bootinfo partition (or the
 * bundle's bootinfo_sd.bin); eMMC, --part bootinfo=F or the vendor values
 * that U-Boot writes to boot0 whatever file is flashed (spec §2). */
static int load_bootinfo(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	const struct k1_ptable_part *bp = bootinfo_part(&p->pt);
	const struct k1_image_override *ov = override_for(c->o, bp ? bp->name : "bootinfo");
	struct k1_buf b = K1_BUF_INIT;
	int rc;

	if (ov && ov->path[0])
		p->bootinfo_path = strdup(ov->path);
	else if (p->media == K1_MEDIA_EMMC)
		p->bootinfo_path = NULL;
	else
		p->bootinfo_path =
			bundle_path(c, bp && bp->image ? bp->image : "factory/bootinfo_sd.bin");
	if (!p->bootinfo_path) {
		k1_bootinfo_defaults(K1_MEDIA_EMMC, &p->bi);
		k1_bootinfo_encode(&p->bi, p->bootinfo);
		/* name the bundle's copy of these bytes (for the genimage config) */
		p->bootinfo_path = bundle_path(c, "factory/bootinfo_emmc.bin");
		if (p->bootinfo_path &&
		    (k1_read_file(p->bootinfo_path, &b, NULL) || b.len != K1_BOOTINFO_SIZE ||
		     memcmp(b.data, p->bootinfo, K1_BOOTINFO_SIZE))) {
			free(p->bootinfo_path);
			p->bootinfo_path = NULL;
		}
		k1_buf_free(&b);
		return 0;
	}
	if ((rc = read_small(c, p->bootinfo_path, "bootinfo", &b)))
		return rc;
	if (b.len < K1_BOOTINFO_SIZE || k1_le32(b.data) != K1_BOOTINFO_MAGIC) {
		rc = k1_err(c->err, K1_EINVAL, "%s: not a bootinfo (expected magic 0x%08X at 0)",
			    p->bootinfo_path, K1_BOOTINFO_MAGIC);
	} else {
		k1_bootinfo_decode(b.data, b.len, &p->bi, NULL);
		memcpy(p->bootinfo, b.data, K1_BOOTINFO_SIZE);
		if (k1_bootinfo_crc(b.data) != p->bi.crc32)
			rc = refuse(c, "%s: bootinfo CRC-32 @ 0x40: expected 0x%08x, found 0x%08x",
				    p->bootinfo_path, k1_bootinfo_crc(b.data), p->bi.crc32);
	}
	if (!rc && p->media == K1_MEDIA_SD)
		rc = lba0_from(c, bp, &b);
	k1_buf_free(&b);
	return rc;
}

/* FSBL.bin: the fsbl partition's file, else the bundle's. */
static int load_fsbl(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	const struct k1_ptable_part *fp = k1_ptable_find(&p->pt, "fsbl");
	struct k1_ptable_part dummy = {.name = (char *)"fsbl"};
	struct k1_buf b = K1_BUF_INIT;
	bool named;
	int rc;

	if ((rc = part_source(c, fp ? fp : &dummy, &p->fsbl_path, &named)))
		return rc;
	if (!p->fsbl_path)
		return k1_err(c->err, K1_EINVAL,
			      "%s: no FSBL: the table's fsbl partition names no image and the "
			      "bundle has no factory/FSBL.bin (give --part fsbl=FSBL.bin)",
			      c->o->bundle);
	if ((rc = read_small(c, p->fsbl_path, "FSBL", &b)))
		return rc;
	p->fsbl_size = b.len;
	if (!k1_format_fsbl.probe(b.data, b.len))
		rc = refuse(c, "%s: not an FSBL (expected \"AIHD\" at 0x100)", p->fsbl_path);
	else if (p->bi.spl_size_limit && b.len > p->bi.spl_size_limit)
		rc = refuse(c,
			    "%s: FSBL of %zu bytes exceeds the bootinfo spl_size_limit 0x%x @ "
			    "0x28 by %zu bytes",
			    p->fsbl_path, b.len, p->bi.spl_size_limit,
			    b.len - p->bi.spl_size_limit);
	k1_buf_free(&b);
	return rc;
}

/* Each partition's file; the bootinfo and (eMMC) FSBL are placed apart. */
static int load_parts(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	int rc;

	p->parts = calloc(p->pt.count, sizeof(*p->parts));
	if (!p->parts)
		return k1_err(c->err, K1_ENOMEM, "out of memory");
	p->nparts = p->pt.count;
	for (size_t i = 0; i < p->nparts; i++) {
		struct k1_image_part *ip = &p->parts[i];
		const struct k1_ptable_part *tp = &p->pt.parts[i];
		bool named;

		ip->tp = tp;
		ip->offset = tp->offset;
		ip->size = tp->size;
		ip->in_gpt = tp->in_table;
		if (tp->bootinfo)
			continue; /* sector 0 (SD) or boot0 (eMMC) */
		if (p->media == K1_MEDIA_EMMC && !strcmp(tp->name, "fsbl"))
			continue; /* `flash fsbl` on eMMC writes boot0: this one stays empty */
		if ((rc = part_source(c, tp, &ip->path, &named)))
			return rc;
		if (ip->path && !exists(ip->path, &ip->file_size)) {
			if ((rc = refuse(c, "partition %s: image %s not found", tp->name,
					 ip->path)))
				return rc;
			free(ip->path);
			ip->path = NULL;
		}
		if (ip->path && !ip->file_size) {
			free(ip->path); /* an empty file writes nothing */
			ip->path = NULL;
		}
	}
	return 0;
}

/* The disk size: --size, else the smallest whole MiB holding every
 * partition (a '-' one: its file) and the backup GPT. */
static int size_disk(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	uint64_t need = GPT_END + K1_GPT_BACKUP_SECTORS * SECTOR;
	struct k1_image_part *last = &p->parts[p->nparts - 1], *far = last;

	for (size_t i = 0; i < p->nparts; i++) {
		struct k1_image_part *ip = &p->parts[i];
		uint64_t end = ip->offset + (ip->tp->rest ? ip->file_size : ip->size);
		if (end + K1_GPT_BACKUP_SECTORS * SECTOR > need) {
			need = end + K1_GPT_BACKUP_SECTORS * SECTOR;
			far = ip;
		}
	}
	if (last->tp->rest)
		need += SECTOR; /* a '-' partition holds at least a sector */
	if (c->o->size) {
		if (c->o->size % K1_IMAGE_BLOCK)
			return k1_err(c->err, K1_EINVAL,
				      "--size %llu: expected a multiple of 4 KiB",
				      (unsigned long long)c->o->size);
		if (need > c->o->size)
			return k1_err(
				c->err, K1_EINVAL,
				"--size %llu: the layout needs %llu bytes (partition %s ends at "
				"0x%llx, and the backup GPT takes the last 33 sectors)",
				(unsigned long long)c->o->size, (unsigned long long)need,
				name_of(far),
				(unsigned long long)(need - K1_GPT_BACKUP_SECTORS * SECTOR));
		p->disk_size = c->o->size;
	} else {
		if (last->tp->rest && !last->file_size)
			return k1_err(c->err, K1_EINVAL,
				      "partition %s has size '-' and no image: give --size to say "
				      "how large the disk is",
				      name_of(last));
		p->disk_size = (need + MIB - 1) / MIB * MIB;
	}
	if (last->tp->rest) {
		uint64_t last_usable = p->disk_size / SECTOR - K1_GPT_BACKUP_SECTORS - 1;
		last->size = (last_usable + 1) * SECTOR - last->offset;
	}
	return 0;
}

/* ---- checks ---- */

static uint64_t end_of(const struct k1_image_part *ip)
{
	return ip->offset + ip->size;
}

static int check_part(struct ctx *c, struct k1_image_part *ip)
{
	const char *n = name_of(ip);
	uint64_t usable_end = (c->p->disk_size / SECTOR - K1_GPT_BACKUP_SECTORS) * SECTOR;
	int rc = 0;

	if (ip->offset % SECTOR || (ip->in_gpt && ip->size % SECTOR))
		rc = refuse(c,
			    "partition %s: offset 0x%llx, size 0x%llx: expected whole 512-byte "
			    "sectors",
			    n, (unsigned long long)ip->offset, (unsigned long long)ip->size);
	if (!rc && !ip->tp->bootinfo && ip->size && ip->offset < GPT_END)
		rc = refuse(c,
			    "partition %s at 0x%llx: the primary GPT (sectors 0-33, up to "
			    "0x4400) cannot fit before it",
			    n, (unsigned long long)ip->offset);
	if (!rc && !ip->tp->bootinfo && end_of(ip) > usable_end)
		rc = refuse(c,
			    "partition %s ends at 0x%llx, past the last usable byte 0x%llx (the "
			    "backup GPT takes the last 33 sectors)",
			    n, (unsigned long long)end_of(ip), (unsigned long long)usable_end);
	if (!rc && ip->in_gpt && !ip->size)
		rc = refuse(c, "partition %s: size 0: a GPT entry needs at least one sector", n);
	if (!rc && ip->path && ip->file_size > ip->size) {
		rc = refuse(c,
			    "partition %s: image %s is %llu bytes, larger than the partition "
			    "(%llu bytes at 0x%llx)",
			    n, ip->path, (unsigned long long)ip->file_size,
			    (unsigned long long)ip->size, (unsigned long long)ip->offset);
		ip->file_size = ip->size; /* forced: clipped, never spilled into the next */
	}
	return rc;
}

static int check_overlaps(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	int rc;

	for (size_t i = 0; i < p->nparts; i++)
		for (size_t j = i + 1; j < p->nparts; j++) {
			const struct k1_image_part *a = &p->parts[i], *b = &p->parts[j];
			if (!a->size || !b->size || a->offset >= end_of(b) ||
			    b->offset >= end_of(a))
				continue;
			rc = refuse(c,
				    "partition %s (0x%llx-0x%llx) overlaps partition %s "
				    "(0x%llx-0x%llx)",
				    name_of(b), (unsigned long long)b->offset,
				    (unsigned long long)end_of(b), name_of(a),
				    (unsigned long long)a->offset, (unsigned long long)end_of(a));
			if (rc)
				return rc;
		}
	return 0;
}

/* The BootROM loads the FSBL from spl0_offset; the table's fsbl partition
 * must be there (the classic unbootable SD card when it is not). */
static int check_fsbl_place(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	const struct k1_ptable_part *fp = k1_ptable_find(&p->pt, "fsbl");
	bool emmc_bi = !memcmp(p->bi.flash_type, "eMMC", 4);
	int rc = 0;

	if (p->media == K1_MEDIA_EMMC)
		return 0; /* boot0: FSBL at spl0_offset by construction */
	if (!fp)
		return refuse(c,
			      "%s: no partition named fsbl: expected one at the bootinfo "
			      "spl0_offset 0x%x",
			      p->table_path, p->bi.spl0_offset);
	if (fp->offset != p->bi.spl0_offset)
		rc = refuse(c,
			    "partition fsbl at 0x%llx: expected the bootinfo spl0_offset 0x%x "
			    "(from %s)%s",
			    (unsigned long long)fp->offset, p->bi.spl0_offset, p->bootinfo_path,
			    emmc_bi ? ": an eMMC bootinfo on an SD card puts the FSBL on the GPT"
				    : ": the BootROM would not find the FSBL");
	return rc;
}

/* The SPL loads OpenSBI and U-Boot by GPT name (spec §1). */
static int check_required(struct ctx *c)
{
	static const char *const names[] = {"opensbi", "uboot"};
	int rc;

	for (size_t i = 0; i < 2; i++) {
		const struct k1_ptable_part *tp = k1_ptable_find(&c->p->pt, names[i]);
		if ((!tp || !tp->in_table) &&
		    (rc = refuse(c, "%s: no GPT partition named %s%s: the SPL loads it by name",
				 c->p->table_path, names[i], tp ? " (it is hidden)" : "")))
			return rc;
	}
	return 0;
}

/* The backup FSBL goes to spl1_offset only where nothing else lives. */
static void plan_spl1(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	uint64_t off = p->bi.spl1_offset, end = off + p->fsbl_size;

	if (!off)
		return;
	if (off < GPT_END || end > p->disk_size - K1_GPT_BACKUP_SECTORS * SECTOR) {
		note(c,
		     "bootinfo spl1_offset 0x%llx: no room for a backup FSBL there (GPT or end "
		     "of disk); none written",
		     (unsigned long long)off);
		return;
	}
	for (size_t i = 0; i < p->nparts; i++) {
		const struct k1_image_part *ip = &p->parts[i];
		if (ip->size && off < end_of(ip) && ip->offset < end) {
			note(c,
			     "bootinfo spl1_offset 0x%llx lies in partition %s (0x%llx-0x%llx): "
			     "no backup FSBL written there, the table gives that range to %s",
			     (unsigned long long)off, name_of(ip), (unsigned long long)ip->offset,
			     (unsigned long long)end_of(ip), name_of(ip));
			return;
		}
	}
	p->extra[p->nextra++] = (struct k1_image_blob){"backup FSBL (spl1_offset)", p->fsbl_path,
						       off, p->fsbl_size};
}

/* U-Boot keeps its environment at CONFIG_ENV_OFFSET 0x60000 (16 KiB),
 * whatever the table says (spec §7). */
static void check_env(struct ctx *c)
{
	const struct k1_ptable_part *ep = k1_ptable_find(&c->p->pt, "env");
	const uint64_t off = 0x60000, end = off + 0x4000;

	if (ep && ep->offset != off)
		note(c,
		     "partition env at 0x%llx: U-Boot reads its environment at 0x60000 "
		     "(CONFIG_ENV_OFFSET), so env.bin there is not used",
		     (unsigned long long)ep->offset);
	for (size_t i = 0; i < c->p->nparts; i++) {
		const struct k1_image_part *ip = &c->p->parts[i];
		if (ip->tp != ep && ip->size && ip->offset < end && off < end_of(ip))
			note(c,
			     "partition %s (0x%llx-0x%llx) holds U-Boot's environment area "
			     "0x60000-0x64000: `saveenv` would overwrite it",
			     name_of(ip), (unsigned long long)ip->offset,
			     (unsigned long long)end_of(ip));
	}
}

static int assign_guids(struct ctx *c)
{
	struct k1_image_plan *p = c->p;
	int rc;

	if ((rc = derive_guid(c, "disk", 0, p->disk_guid)))
		return rc;
	for (size_t i = 0; i < p->nparts; i++) {
		struct k1_image_part *ip = &p->parts[i];
		if (!ip->in_gpt)
			continue;
		if ((rc = derive_guid(c, ip->tp->name, i, ip->guid)) ||
		    (rc = type_guid(c, ip->tp, ip->type_guid)))
			return rc;
	}
	return 0;
}

int k1_image_plan(const struct k1_image_opts *o, struct k1_image_plan *plan, k1_image_log log,
		  void *log_ctx, struct k1_error *err)
{
	struct ctx c = {o, plan, log, log_ctx, err, K1_BUF_INIT};
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->media = o->media;
	plan->fs_skip = !o->no_fs_skip;
	if (o->media != K1_MEDIA_SD && o->media != K1_MEDIA_EMMC)
		return k1_err(err, K1_EINVAL, "--media %s: expected sd or emmc",
			      k1_media_name(o->media));
	if (!o->bundle)
		return k1_err(err, K1_EINVAL, "missing the release folder (--bundle DIR)");
	if (!(rc = load_table(&c)) && !(rc = check_overrides(&c)) && !(rc = load_bootinfo(&c)) &&
	    !(rc = load_fsbl(&c)) && !(rc = load_parts(&c)) && !(rc = size_disk(&c))) {
		for (size_t i = 0; i < plan->nparts && !rc; i++)
			rc = check_part(&c, &plan->parts[i]);
		if (!rc && !(rc = check_overlaps(&c)) && !(rc = check_fsbl_place(&c)) &&
		    !(rc = check_required(&c)) && !(rc = assign_guids(&c))) {
			check_env(&c);
			if (o->media == K1_MEDIA_SD) {
				plan_spl1(&c);
			} else {
				plan->extra[plan->nextra++] = (struct k1_image_blob){
					"FSBL (boot0 spl0_offset)", plan->fsbl_path,
					plan->bi.spl0_offset, plan->fsbl_size};
				plan->boot0_size = plan->bi.spl0_offset + plan->fsbl_size;
			}
		}
	}
	k1_buf_free(&c.table_text);
	if (rc)
		k1_image_plan_free(plan);
	return rc;
}

void k1_image_plan_free(struct k1_image_plan *p)
{
	for (size_t i = 0; p->parts && i < p->nparts; i++)
		free(p->parts[i].path);
	free(p->parts);
	k1_ptable_free(&p->pt);
	free(p->table_path);
	free(p->bootinfo_path);
	free(p->fsbl_path);
	memset(p, 0, sizeof(*p));
}

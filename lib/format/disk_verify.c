/* Verify a raw disk image: the GPT itself (CRCs, backup, partition
 * bounds) and the K1 boot rules (spec §1, §5, research §9.4): bootinfo at
 * byte 0, an FSBL at spl0_offset clear of the GPT, FITs in the partitions
 * named opensbi and uboot, the environment at 0x60000. Regions are handed
 * to their own format's verifier with checks->base moved to the region, so
 * every offset reported is an offset in the disk. */
#include "base/bytes.h"
#include "format/disk.h"
#include "format/fsbl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define W(off) k1_check_off(c, (off), w, sizeof(w))

/* lba * 512 for messages, saturated: hostile LBAs must not wrap. */
static uint64_t lba_off(uint64_t lba)
{
	return lba < (UINT64_MAX / K1_GPT_SECTOR) ? lba * K1_GPT_SECTOR : UINT64_MAX;
}

static uint64_t entry_sectors(const struct k1_gpt_header *h)
{
	uint64_t bytes = (uint64_t)h->num_entries * h->entry_size;
	return (bytes + K1_GPT_SECTOR - 1) / K1_GPT_SECTOR;
}

/* Run format f's verifier on [off, off+len), offsets relative to the
 * disk. An unreadable region is a failed check `<what>.readable`, not an
 * error. */
static int nested(const struct k1_disk *d, const char *what, const struct k1_format *f,
		  uint64_t off, size_t len, const struct k1_verify_opts *o, struct k1_checks *c)
{
	uint64_t base = c->base;
	struct k1_error e = {0};
	struct k1_input sub;
	char path[512], w[32], check[48];
	int rc;

	snprintf(path, sizeof(path), "%s@0x%llx", d->in->path, (unsigned long long)off);
	sub = (struct k1_input){.path = path, .data = d->in->data + off, .len = len};
	c->base = base + off;
	rc = f->verify(&sub, o, c, &e);
	c->base = base;
	if (rc == K1_ENOMEM)
		return rc;
	snprintf(check, sizeof(check), "%s.readable", what);
	if (rc)
		k1_check_add(c, false, check, W(off), "expected a readable %s image, found: %s",
			     f->name, e.msg);
	return 0;
}

/* ---- sector 0: bootinfo and MBR ---- */

/* No bootinfo and no FSBL in the GPT's fsbl partition: an eMMC user area
 * (the BootROM reads bootinfo and FSBL from boot0; after fastboot flashing
 * the user area's fsbl partition stays empty). An SD card without its
 * bootinfo still has an FSBL, and fails. */
static bool emmc_user_area(const struct k1_disk *d)
{
	const struct k1_gpt_entry *fp = k1_gpt_find(&d->gpt, "fsbl");
	uint64_t off;

	if (d->has_bootinfo || (d->table != K1_DISK_GPT && d->table != K1_DISK_GPT_BACKUP))
		return false;
	if (!fp)
		return true;
	off = lba_off(fp->first_lba);
	if (off >= d->in->len || d->in->len - off < K1_FSBL_OFF_SPL)
		return true;
	for (size_t i = 0; i < K1_FSBL_OFF_SPL; i++)
		if (d->in->data[off + i])
			return false;
	return true;
}

static int check_sector0(const struct k1_disk *d, const struct k1_verify_opts *o,
			 struct k1_checks *c)
{
	const uint8_t *s = d->in->data;
	char w[32];

	if (emmc_user_area(d))
		k1_check_add(
			c, true, "disk.bootinfo", W(0),
			"no bootinfo in sector 0 and an empty fsbl partition: an eMMC user "
			"area (the BootROM reads bootinfo and FSBL from boot0), not an SD card");
	else
		k1_check_add(
			c, d->has_bootinfo, "disk.bootinfo", W(0),
			"expected the bootinfo magic 0x%08X in bytes 0-79 of sector 0 (where the "
			"BootROM reads it on an SD card), found 0x%08x",
			K1_BOOTINFO_MAGIC, k1_le32(s));
	k1_check_add(c, d->mbr_sig, "disk.mbr.signature", W(510),
		     "expected the MBR signature 55 aa, found %02x %02x", s[510], s[511]);
	if (d->primary_ok || d->backup_ok) {
		bool prot = false;
		for (int i = 0; i < 4; i++)
			prot |= d->mbr[i].type == 0xEE && d->mbr[i].first_lba == 1;
		k1_check_add(c, prot, "gpt.protective_mbr", W(446),
			     "expected a protective MBR entry (type 0xee from LBA 1), %s",
			     prot ? "found one" : "found none");
	}
	if (!d->has_bootinfo)
		return 0;
	return nested(d, "disk.bootinfo", &k1_format_bootinfo, 0, K1_BOOTINFO_SIZE, o, c);
}

/* ---- the GPT ---- */

static void check_usable(const struct k1_disk *d, const struct k1_gpt_header *h,
			 struct k1_checks *c)
{
	uint64_t ents_end = h->entries_lba + entry_sectors(h);
	uint64_t backup_ents = h->alt_lba > entry_sectors(h) ? h->alt_lba - entry_sectors(h) : 0;
	char w[32];

	k1_check_add(c, h->alt_lba == d->sectors - 1, "gpt.header.alt_lba",
		     W(K1_GPT_SECTOR + K1_GPT_OFF_ALT_LBA),
		     "expected the backup header at the last LBA %llu, found LBA %llu",
		     (unsigned long long)(d->sectors - 1), (unsigned long long)h->alt_lba);
	k1_check_add(c,
		     h->entries_lba >= 2 && h->first_usable >= ents_end &&
			     h->first_usable <= h->last_usable && h->last_usable < backup_ents,
		     "gpt.header.usable", W(K1_GPT_SECTOR + K1_GPT_OFF_FIRST_USABLE),
		     "expected usable LBAs between the primary entries (LBA %llu-%llu) and the "
		     "backup entries (from LBA %llu), found %llu-%llu",
		     (unsigned long long)h->entries_lba, (unsigned long long)ents_end - 1,
		     (unsigned long long)backup_ents, (unsigned long long)h->first_usable,
		     (unsigned long long)h->last_usable);
}

static void check_primary(const struct k1_disk *d, struct k1_checks *c)
{
	const struct k1_gpt_header *h = &d->primary;
	char w[32];

	k1_check_add(c, d->primary_ok, "gpt.header", W(K1_GPT_SECTOR),
		     "expected a usable GPT header at LBA 1, %s%s",
		     d->primary_ok ? "found one" : "found: ", d->primary_err);
	if (!d->primary_ok)
		return;
	k1_check_add(c, h->revision == K1_GPT_REVISION, "gpt.header.revision",
		     W(K1_GPT_SECTOR + K1_GPT_OFF_REVISION), "expected 0x%08x, found 0x%08x",
		     K1_GPT_REVISION, h->revision);
	k1_check_add(c, h->my_lba == 1, "gpt.header.my_lba", W(K1_GPT_SECTOR + K1_GPT_OFF_MY_LBA),
		     "expected 1, found %llu", (unsigned long long)h->my_lba);
	k1_check_add(c, h->header_crc == h->header_crc_computed, "gpt.header.crc32",
		     W(K1_GPT_SECTOR + K1_GPT_OFF_HEADER_CRC),
		     "expected 0x%08x (CRC-32 of the %u-byte header), found 0x%08x",
		     h->header_crc_computed, h->header_size, h->header_crc);
	if (h->entries_in_file)
		k1_check_add(c, h->entries_crc == h->entries_crc_computed, "gpt.entries.crc32",
			     W(K1_GPT_SECTOR + K1_GPT_OFF_ENTRIES_CRC),
			     "expected 0x%08x (CRC-32 of %u entries x %u bytes at LBA %llu), "
			     "found 0x%08x",
			     h->entries_crc_computed, h->num_entries, h->entry_size,
			     (unsigned long long)h->entries_lba, h->entries_crc);
	else
		k1_check_add(c, false, "gpt.entries.crc32",
			     W(K1_GPT_SECTOR + K1_GPT_OFF_ENTRIES_LBA),
			     "expected the entry array (LBA %llu, %u x %u bytes) inside the "
			     "image, found it past the end (0x%zx)",
			     (unsigned long long)h->entries_lba, h->num_entries, h->entry_size,
			     d->in->len);
	check_usable(d, h, c);
}

/* The first field where the backup header disagrees with the primary. */
static const char *backup_mismatch(const struct k1_gpt_header *p, const struct k1_gpt_header *b,
				   bool have_primary)
{
	if (b->my_lba != b->lba)
		return "its my_lba is not its own LBA";
	if (!have_primary)
		return NULL;
	if (b->alt_lba != 1)
		return "its alternate LBA is not 1";
	if (memcmp(b->disk_guid, p->disk_guid, 16))
		return "the disk GUID differs";
	if (b->first_usable != p->first_usable || b->last_usable != p->last_usable)
		return "the usable LBA range differs";
	if (b->num_entries != p->num_entries || b->entry_size != p->entry_size)
		return "the entry count or size differs";
	if (b->entries_crc != p->entries_crc)
		return "the entries differ (entry-array CRC)";
	if (b->entries_lba <= b->last_usable)
		return "its entry array lies inside the usable LBAs";
	return NULL;
}

static void check_backup(const struct k1_disk *d, struct k1_checks *c)
{
	const struct k1_gpt_header *b = &d->backup;
	uint64_t lba = d->primary_ok ? d->primary.alt_lba : d->sectors - 1;
	const char *why;
	char w[32];

	if (!d->backup_ok) {
		k1_check_add(c, false, "gpt.backup", W(lba_off(lba)),
			     "expected the backup GPT header at LBA %llu, found: %s",
			     (unsigned long long)lba, d->backup_err);
		return;
	}
	k1_check_add(c, b->header_crc == b->header_crc_computed, "gpt.backup.crc32",
		     W(lba_off(lba) + K1_GPT_OFF_HEADER_CRC),
		     "expected header CRC 0x%08x, found 0x%08x", b->header_crc_computed,
		     b->header_crc);
	k1_check_add(c, b->entries_in_file && b->entries_crc == b->entries_crc_computed,
		     "gpt.backup.entries.crc32", W(lba_off(lba) + K1_GPT_OFF_ENTRIES_CRC),
		     "expected entry-array CRC 0x%08x, found 0x%08x%s", b->entries_crc_computed,
		     b->entries_crc, b->entries_in_file ? "" : " (array past the end)");
	why = backup_mismatch(&d->primary, b, d->primary_ok);
	k1_check_add(c, !why, "gpt.backup", W(lba_off(lba)),
		     "expected a backup header mirroring the primary, found %s", why ? why : "one");
}

static int cmp_first_lba(const void *a, const void *b)
{
	const struct k1_gpt_entry *x = *(const struct k1_gpt_entry *const *)a;
	const struct k1_gpt_entry *y = *(const struct k1_gpt_entry *const *)b;
	return x->first_lba < y->first_lba ? -1 : x->first_lba > y->first_lba;
}

static int check_overlaps(const struct k1_disk *d, struct k1_checks *c)
{
	const struct k1_gpt_entry **s, *reach = NULL;
	size_t bad = 0;
	char w[32];

	if (!d->gpt.count)
		return 0;
	s = malloc(d->gpt.count * sizeof(*s));
	if (!s)
		return K1_ENOMEM;
	for (size_t i = 0; i < d->gpt.count; i++)
		s[i] = &d->gpt.entries[i];
	qsort(s, d->gpt.count, sizeof(*s), cmp_first_lba);
	/* reach: the partition extending furthest among those seen so far */
	for (size_t i = 0; i < d->gpt.count; i++) {
		if (reach && s[i]->first_lba <= reach->last_lba) {
			bad++;
			k1_check_add(c, false, "gpt.overlap", W(lba_off(s[i]->first_lba)),
				     "expected partition %u \"%s\" (LBA %llu-%llu) to start after "
				     "partition %u \"%s\" (LBA %llu-%llu)",
				     s[i]->index, s[i]->name, (unsigned long long)s[i]->first_lba,
				     (unsigned long long)s[i]->last_lba, reach->index, reach->name,
				     (unsigned long long)reach->first_lba,
				     (unsigned long long)reach->last_lba);
		}
		if (!reach || s[i]->last_lba > reach->last_lba)
			reach = s[i];
	}
	if (!bad)
		k1_check_add(c, true, "gpt.overlap", "partitions",
			     "expected no two partitions to overlap, found none among %zu",
			     d->gpt.count);
	free(s);
	return 0;
}

static int check_partitions(const struct k1_disk *d, struct k1_checks *c)
{
	const struct k1_gpt_header *h = d->table == K1_DISK_GPT_BACKUP ? &d->backup : &d->primary;
	char w[32];

	for (size_t i = 0; i < d->gpt.count; i++) {
		const struct k1_gpt_entry *e = &d->gpt.entries[i];
		k1_check_add(c,
			     e->first_lba <= e->last_lba && e->first_lba >= h->first_usable &&
				     e->last_lba <= h->last_usable,
			     "gpt.partition", W(lba_off(e->first_lba)),
			     "expected partition %u \"%s\" (LBA %llu-%llu) inside the usable LBAs "
			     "%llu-%llu",
			     e->index, e->name, (unsigned long long)e->first_lba,
			     (unsigned long long)e->last_lba, (unsigned long long)h->first_usable,
			     (unsigned long long)h->last_usable);
	}
	return check_overlaps(d, c);
}

/* ---- K1 boot rules ---- */

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* The FSBL [off, off+len) must not land on another partition or the
 * environment area; a partition named fsbl must start at spl0_offset. */
static void check_spl0_place(const struct k1_disk *d, uint64_t off, uint64_t len,
			     struct k1_checks *c)
{
	const struct k1_gpt_entry *fp = k1_gpt_find(&d->gpt, "fsbl");
	size_t bad = 0;
	char w[32];

	if (fp)
		k1_check_add(c, lba_off(fp->first_lba) == off, "disk.spl0.partition",
			     W(lba_off(fp->first_lba)),
			     "expected GPT partition \"fsbl\" to start at the bootinfo spl0_offset "
			     "0x%llx, found it at 0x%llx",
			     (unsigned long long)off, (unsigned long long)lba_off(fp->first_lba));
	for (size_t i = 0; i < d->gpt.count; i++) {
		const struct k1_gpt_entry *e = &d->gpt.entries[i];
		uint64_t eo = lba_off(e->first_lba), el;
		if (e == fp || e->last_lba < e->first_lba)
			continue;
		el = lba_off(e->last_lba - e->first_lba + 1);
		if (overlaps(off, len, eo, el)) {
			bad++;
			k1_check_add(c, false, "disk.spl0.overlap", W(off),
				     "expected the FSBL (0x%llx-0x%llx) clear of partition %u "
				     "\"%s\" (0x%llx-0x%llx)",
				     (unsigned long long)off, (unsigned long long)(off + len - 1),
				     e->index, e->name, (unsigned long long)eo,
				     (unsigned long long)(eo + el - 1));
		}
	}
	if (overlaps(off, len, K1_DISK_ENV_OFFSET, K1_DISK_ENV_SIZE)) {
		bad++;
		k1_check_add(c, false, "disk.spl0.overlap", W(off),
			     "expected the FSBL (0x%llx-0x%llx) clear of the environment at 0x%x",
			     (unsigned long long)off, (unsigned long long)(off + len - 1),
			     K1_DISK_ENV_OFFSET);
	}
	if (!bad)
		k1_check_add(c, true, "disk.spl0.overlap", W(off),
			     "expected the FSBL (0x%llx bytes) clear of other partitions and the "
			     "environment, found it so",
			     (unsigned long long)len);
}

/* spl0 must not sit on the primary GPT: bootinfo_emmc (spl0 0x200) on a
 * GPT card puts the FSBL on the GPT header. */
static void check_spl0_gpt(const struct k1_disk *d, uint64_t off, uint64_t len, struct k1_checks *c)
{
	uint64_t end = lba_off(d->primary.entries_lba + entry_sectors(&d->primary));
	char w[32];

	if (!d->primary_ok)
		return;
	if (end < 2 * K1_GPT_SECTOR)
		end = 2 * K1_GPT_SECTOR;
	k1_check_add(c, !overlaps(off, len, K1_GPT_SECTOR, end - K1_GPT_SECTOR), "disk.spl0.gpt",
		     W(off),
		     "expected the FSBL slot 0x%llx-0x%llx clear of the primary GPT "
		     "(0x200-0x%llx)%s",
		     (unsigned long long)off, (unsigned long long)(off + len - 1),
		     (unsigned long long)end - 1,
		     off < end ? ": spl0 0x200 is the eMMC boot0 layout, which on a GPT disk "
				 "lands on the GPT header"
			       : "");
}

static int check_spl0(const struct k1_disk *d, const struct k1_verify_opts *o, struct k1_checks *c)
{
	uint64_t off = d->bi.spl0_offset;
	uint32_t limit = d->bi.spl_size_limit;
	size_t avail = off < d->in->len ? d->in->len - (size_t)off : 0, flen = 0;
	bool found = false;
	char w[32], what[160];
	int rc = 0;

	if (avail) {
		flen = k1_fsbl_len(d->in->data + off, avail);
		found = k1_format_fsbl.probe(d->in->data + off, flen);
	}
	k1_check_add(c, found, "disk.spl0.fsbl", W(off),
		     "expected an FSBL (\"AIHD\" at +0x100) at the bootinfo spl0_offset 0x%llx, "
		     "found %s",
		     (unsigned long long)off,
		     found ? "one" : k1_disk_describe(d, off, what, sizeof(what)));
	if (found) {
		k1_check_add(c, flen <= limit, "disk.spl0.size", W(off),
			     "expected the FSBL to fit the bootinfo spl_size_limit 0x%x, found "
			     "0x%zx bytes",
			     limit, flen);
		rc = nested(d, "disk.spl0", &k1_format_fsbl, off, flen, o, c);
	}
	check_spl0_gpt(d, off, found ? flen : (limit ? limit : 1), c);
	if (found)
		check_spl0_place(d, off, flen, c);
	return rc;
}

/* The backup slot is optional (Bianbu never writes it): verify an FSBL
 * there if there is one. */
static int check_spl1(const struct k1_disk *d, const struct k1_verify_opts *o, struct k1_checks *c)
{
	uint64_t off = d->bi.spl1_offset;
	size_t flen;
	char w[32], what[160];

	if (!off || off >= d->in->len)
		return 0;
	flen = k1_fsbl_len(d->in->data + off, d->in->len - (size_t)off);
	if (!k1_format_fsbl.probe(d->in->data + off, flen)) {
		k1_check_add(c, true, "disk.spl1", W(off),
			     "no FSBL at the backup slot spl1_offset (optional), found %s",
			     k1_disk_describe(d, off, what, sizeof(what)));
		return 0;
	}
	k1_check_add(c, true, "disk.spl1", W(off), "a backup FSBL at spl1_offset");
	return nested(d, "disk.spl1", &k1_format_fsbl, off, flen, o, c);
}

/* The names of the partitions, for "found ..." (cut to fit). */
static const char *names_list(const struct k1_disk *d, char *buf, size_t bufsz)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < d->gpt.count && pos + 4 < bufsz; i++) {
		int n = snprintf(buf + pos, bufsz - pos, "%s\"%s\"", i ? ", " : "",
				 d->gpt.entries[i].name);
		pos = n < 0 || (size_t)n >= bufsz - pos ? bufsz - 1 : pos + (size_t)n;
	}
	return d->gpt.count ? buf : "no partitions";
}

static int check_fit(const struct k1_disk *d, const char *name, const struct k1_verify_opts *o,
		     struct k1_checks *c)
{
	bool gpt = d->table == K1_DISK_GPT || d->table == K1_DISK_GPT_BACKUP, raw, is_fit;
	uint64_t off, len;
	char check[40], w[32], what[320];

	snprintf(check, sizeof(check), "disk.%s.partition", name);
	if (!k1_disk_fit_region(d, name, &off, &len, &raw)) {
		const struct k1_gpt_entry *e = k1_gpt_find(&d->gpt, name);
		if (gpt && e)
			k1_check_add(c, false, check, W(lba_off(e->first_lba)),
				     "expected partition %u \"%s\" inside the 0x%zx-byte image, "
				     "found LBA %llu-%llu",
				     e->index, name, d->in->len, (unsigned long long)e->first_lba,
				     (unsigned long long)e->last_lba);
		else if (gpt)
			k1_check_add(c, false, check, W(lba_off(d->primary.entries_lba)),
				     "expected a GPT partition named exactly \"%s\" (the SPL loads "
				     "it by name), found %s",
				     name, names_list(d, what, sizeof(what)));
		else
			k1_check_add(c, false, check, W(K1_GPT_SECTOR),
				     "expected a GPT with a partition named \"%s\", found no GPT "
				     "and nothing at the BPI SPL's raw fallback sector",
				     name);
		return 0;
	}
	if (gpt)
		k1_check_add(c, true, check, W(off),
			     "expected a GPT partition named \"%s\", found it", name);
	snprintf(check, sizeof(check), "disk.%s.fit", name);
	is_fit = k1_format_fit.probe(d->in->data + off, (size_t)len);
	k1_check_add(c, is_fit, check, W(off),
		     "expected a FIT image at the start of %s%s, found %s",
		     raw ? "the raw fallback sector for " : "partition ", name,
		     is_fit ? (raw ? "one (no GPT: only an SPL with the BPI raw-sector fallback "
				     "boots this)"
				   : "one")
			    : k1_disk_describe(d, off, what, sizeof(what)));
	snprintf(check, sizeof(check), "disk.%s", name);
	return is_fit ? nested(d, check, &k1_format_fit, off, (size_t)len, o, c) : 0;
}

static bool blank(const uint8_t *p, size_t n)
{
	bool zero = true, ff = true;
	for (size_t i = 0; i < n && (zero || ff); i++) {
		zero &= p[i] == 0;
		ff &= p[i] == 0xFF;
	}
	return zero || ff;
}

static int check_env(const struct k1_disk *d, const struct k1_verify_opts *o, struct k1_checks *c)
{
	const struct k1_gpt_entry *e = k1_gpt_find(&d->gpt, "env");
	const uint8_t *p;
	uint32_t crc, stored;
	char w[32];

	if (e)
		k1_check_add(c,
			     lba_off(e->first_lba) == K1_DISK_ENV_OFFSET &&
				     e->last_lba >= e->first_lba &&
				     lba_off(e->last_lba - e->first_lba + 1) >= K1_DISK_ENV_SIZE,
			     "disk.env.partition", W(lba_off(e->first_lba)),
			     "expected GPT partition \"env\" at 0x%x (CONFIG_ENV_OFFSET) with at "
			     "least 0x%x bytes, found LBA %llu-%llu",
			     K1_DISK_ENV_OFFSET, K1_DISK_ENV_SIZE, (unsigned long long)e->first_lba,
			     (unsigned long long)e->last_lba);
	if (d->in->len < K1_DISK_ENV_OFFSET + K1_DISK_ENV_SIZE) {
		k1_check_add(c, false, "disk.env", W(K1_DISK_ENV_OFFSET),
			     "expected the 0x%x-byte environment area at 0x%x, found the image "
			     "ends at 0x%zx",
			     K1_DISK_ENV_SIZE, K1_DISK_ENV_OFFSET, d->in->len);
		return 0;
	}
	p = d->in->data + K1_DISK_ENV_OFFSET;
	if (blank(p, K1_DISK_ENV_SIZE)) {
		k1_check_add(c, true, "disk.env", W(K1_DISK_ENV_OFFSET),
			     "environment area blank: U-Boot uses its built-in default");
		return 0;
	}
	crc = (uint32_t)crc32(0L, p + 4, K1_DISK_ENV_SIZE - 4);
	stored = k1_le32(p);
	k1_check_add(c, crc == stored, "disk.env", W(K1_DISK_ENV_OFFSET),
		     "expected the CRC-32 of bytes 0x%x-0x%x (0x%08x) in the first 4 bytes "
		     "(mkenvimage -s 0x4000), found 0x%08x",
		     K1_DISK_ENV_OFFSET + 4, K1_DISK_ENV_OFFSET + K1_DISK_ENV_SIZE - 1, crc,
		     stored);
	return nested(d, "disk.env", &k1_format_env, K1_DISK_ENV_OFFSET, K1_DISK_ENV_SIZE, o, c);
}

static int check_gpt(const struct k1_disk *d, struct k1_checks *c)
{
	bool sig = !memcmp(d->in->data + K1_GPT_SECTOR, K1_GPT_SIGNATURE, 8);

	if (!sig && !d->backup_ok)
		return 0; /* an MBR-only disk: no GPT to judge */
	check_primary(d, c);
	check_backup(d, c);
	if (d->table == K1_DISK_GPT || d->table == K1_DISK_GPT_BACKUP)
		return check_partitions(d, c);
	return 0;
}

int k1_disk_verify(const struct k1_input *in, const struct k1_verify_opts *opts,
		   struct k1_checks *c, struct k1_error *err)
{
	struct k1_disk d;
	int rc;

	if ((rc = k1_disk_open(in, &d, err)))
		return rc;
	rc = check_sector0(&d, opts, c);
	if (!rc)
		rc = check_gpt(&d, c);
	if (!rc && d.has_bootinfo)
		rc = check_spl0(&d, opts, c);
	if (!rc && d.has_bootinfo)
		rc = check_spl1(&d, opts, c);
	if (!rc)
		rc = check_fit(&d, "opensbi", opts, c);
	if (!rc)
		rc = check_fit(&d, "uboot", opts, c);
	if (!rc)
		rc = check_env(&d, opts, c);
	k1_disk_close(&d);
	return rc ? k1_err(err, rc, "%s: out of memory", in->path) : 0;
}

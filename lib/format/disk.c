/* Raw disk images: an SD card or eMMC user-area dump as the K1 boots it
 * (spec §1, §5): bootinfo in bytes 0-79 of sector 0 beside the protective
 * MBR, the GPT from LBA 1, the FSBL at the bootinfo's spl0_offset, the
 * environment at 0x60000, and FIT images in the partitions named opensbi
 * and uboot. Big images are mapped, not read: only what the boot chain
 * reads is touched. */
#include "format/disk.h"
#include "base/bytes.h"
#include "format/fsbl.h"

#include <stdio.h>
#include <string.h>

#define MIB (1u << 20)
#define MBR_OFF_ENTRIES 446
#define DESCRIBE_LEN 0x10000u

/* The disk probe runs before bootinfo's (format.c), so it must only claim
 * what cannot be a lone bootinfo: a GPT at LBA 1, or a MiB-plus file with an
 * MBR signature. */
static int probe(const uint8_t *data, size_t len)
{
	if (len >= 2 * K1_GPT_SECTOR && !memcmp(data + K1_GPT_SECTOR, K1_GPT_SIGNATURE, 8))
		return 1;
	return len >= MIB && data[510] == 0x55 && data[511] == 0xAA;
}

bool k1_disk_header_sound(const struct k1_gpt_header *h, uint64_t lba)
{
	return h->my_lba == lba && h->header_crc == h->header_crc_computed && h->entries_in_file &&
	       h->entries_crc == h->entries_crc_computed;
}

static void read_mbr(struct k1_disk *d)
{
	const uint8_t *s = d->in->data;

	d->mbr_sig = s[510] == 0x55 && s[511] == 0xAA;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = s + MBR_OFF_ENTRIES + 16 * i;
		d->mbr[i].boot = e[0];
		d->mbr[i].type = e[4];
		d->mbr[i].first_lba = k1_le32(e + 8);
		d->mbr[i].sectors = k1_le32(e + 12);
	}
}

/* Primary at LBA 1, backup where the primary says (or the last sector). */
static void read_headers(struct k1_disk *d)
{
	struct k1_error e = {0};
	uint64_t alt;

	d->primary_ok = !k1_gpt_read_header(d->in->data, d->in->len, 1, &d->primary, &e);
	if (!d->primary_ok)
		snprintf(d->primary_err, sizeof(d->primary_err), "%s", e.msg);
	alt = d->primary_ok ? d->primary.alt_lba : d->sectors - 1;
	e.msg[0] = '\0';
	d->backup_ok = !k1_gpt_read_header(d->in->data, d->in->len, alt, &d->backup, &e);
	if (!d->backup_ok)
		snprintf(d->backup_err, sizeof(d->backup_err), "%s", e.msg);
}

/* The entries U-Boot would use: a sound primary, else a sound backup.
 * When neither is sound, a readable primary's entries are still used, so
 * inspect can show what was meant and verify can judge it (the GPT checks
 * report the damage itself). */
static int choose_table(struct k1_disk *d, struct k1_error *err)
{
	struct k1_error e = {0};
	int rc;

	if (d->primary_ok && k1_disk_header_sound(&d->primary, 1)) {
		d->table = K1_DISK_GPT;
		rc = k1_gpt_read(d->in->data, d->in->len, 1, &d->gpt, &e);
	} else if (d->backup_ok && k1_disk_header_sound(&d->backup, d->backup.lba)) {
		d->table = K1_DISK_GPT_BACKUP;
		rc = k1_gpt_read(d->in->data, d->in->len, d->backup.lba, &d->gpt, &e);
	} else if (d->primary_ok && d->primary.entries_in_file) {
		d->table = K1_DISK_GPT; /* damaged, but its entries say what was meant */
		rc = k1_gpt_read(d->in->data, d->in->len, 1, &d->gpt, &e);
	} else {
		d->table = d->mbr_sig ? K1_DISK_MBR : K1_DISK_NONE;
		return 0;
	}
	if (rc == K1_ENOMEM)
		return k1_err(err, rc, "%s", e.msg);
	return 0;
}

int k1_disk_open(const struct k1_input *in, struct k1_disk *d, struct k1_error *err)
{
	memset(d, 0, sizeof(*d));
	d->in = in;
	if (in->len < 2 * K1_GPT_SECTOR)
		return k1_err(err, K1_EINVAL,
			      "%s: disk image truncated: %zu bytes, expected at least the MBR and "
			      "GPT header sectors (1024)",
			      in->path, in->len);
	d->sectors = in->len / K1_GPT_SECTOR;
	d->has_bootinfo = k1_le32(in->data) == K1_BOOTINFO_MAGIC;
	if (d->has_bootinfo)
		k1_bootinfo_decode(in->data, in->len, &d->bi, NULL);
	read_mbr(d);
	read_headers(d);
	return choose_table(d, err);
}

void k1_disk_close(struct k1_disk *d)
{
	k1_gpt_free(&d->gpt);
}

static bool all_byte(const uint8_t *p, size_t n, uint8_t b)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != b)
			return false;
	return true;
}

/* Whether off lies in the primary GPT: its header sector or entry array. */
static const char *in_primary_gpt(const struct k1_disk *d, uint64_t off)
{
	uint64_t start, end;

	if (!d->primary_ok)
		return NULL;
	if (off >= K1_GPT_SECTOR && off < 2 * K1_GPT_SECTOR)
		return "header";
	start = d->primary.entries_lba * K1_GPT_SECTOR;
	end = start + (uint64_t)d->primary.num_entries * d->primary.entry_size;
	return d->primary.entries_lba < d->sectors && off >= start && off < end ? "entries" : NULL;
}

const char *k1_disk_describe(const struct k1_disk *d, uint64_t off, char *buf, size_t bufsz)
{
	const uint8_t *p = d->in->data + off;
	size_t avail, look;
	const struct k1_format *f;

	if (off >= d->in->len) {
		snprintf(buf, bufsz, "nothing: the image ends at 0x%zx", d->in->len);
		return buf;
	}
	if (in_primary_gpt(d, off)) {
		snprintf(buf, bufsz, "the primary GPT %s", in_primary_gpt(d, off));
		return buf;
	}
	avail = d->in->len - (size_t)off;
	/* enough for any probe to name what starts here; some probes CRC
	 * everything they are given, so never the rest of a big image */
	f = k1_format_detect(p, avail < DESCRIBE_LEN ? avail : DESCRIBE_LEN);
	look = avail < 4096 ? avail : 4096;
	if (f)
		snprintf(buf, bufsz, "a %s image", f->name);
	else if (all_byte(p, look, 0))
		snprintf(buf, bufsz, "zero bytes");
	else if (all_byte(p, look, 0xFF))
		snprintf(buf, bufsz, "0xff bytes (erased)");
	else
		snprintf(buf, bufsz, "unrecognised data (%02x %02x %02x %02x ...)", p[0],
			 look > 1 ? p[1] : 0, look > 2 ? p[2] : 0, look > 3 ? p[3] : 0);
	return buf;
}

bool k1_disk_fit_region(const struct k1_disk *d, const char *name, uint64_t *off, uint64_t *len,
			bool *raw)
{
	const struct k1_gpt_entry *e;

	*raw = false;
	if (d->table == K1_DISK_GPT || d->table == K1_DISK_GPT_BACKUP) {
		e = k1_gpt_find(&d->gpt, name);
		if (!e || e->last_lba < e->first_lba || e->first_lba >= d->sectors)
			return false;
		*off = e->first_lba * K1_GPT_SECTOR;
		*len = (e->last_lba - e->first_lba + 1) * K1_GPT_SECTOR;
	} else {
		/* no GPT: the BPI SPL's raw sectors, up to the next one / 1 MiB */
		bool sbi = !strcmp(name, "opensbi");
		*raw = true;
		*off = (uint64_t)(sbi ? K1_DISK_RAW_OPENSBI_LBA : K1_DISK_RAW_UBOOT_LBA) *
		       K1_GPT_SECTOR;
		*len = sbi ? (K1_DISK_RAW_UBOOT_LBA - K1_DISK_RAW_OPENSBI_LBA) * K1_GPT_SECTOR
			   : 2 * MIB;
	}
	if (*off >= d->in->len)
		return false;
	if (*len > d->in->len - *off)
		*len = d->in->len - *off;
	return true;
}

/* ---- inspect ---- */

static json_t *mbr_json(const struct k1_disk *d)
{
	json_t *arr = json_array();

	for (int i = 0; i < 4; i++) {
		const struct k1_mbr_entry *m = &d->mbr[i];
		char type[8];
		if (!m->type)
			continue;
		snprintf(type, sizeof(type), "0x%02x", m->type);
		json_array_append_new(arr, json_pack("{s:i, s:b, s:s, s:I, s:I}", "slot", i + 1,
						     "boot", m->boot == 0x80, "type", type,
						     "first_lba", (json_int_t)m->first_lba,
						     "sectors", (json_int_t)m->sectors));
	}
	return arr;
}

static const char *header_state(bool read, const struct k1_gpt_header *h, uint64_t lba)
{
	if (!read)
		return "missing";
	return k1_disk_header_sound(h, lba) ? "ok" : "damaged";
}

static json_t *gpt_json(const struct k1_disk *d)
{
	const struct k1_gpt_header *h = d->table == K1_DISK_GPT_BACKUP ? &d->backup : &d->primary;
	char guid[37];

	k1_gpt_guid_str(h->disk_guid, guid);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b}",
			 "source", d->table == K1_DISK_GPT_BACKUP ? "backup" : "primary", "primary",
			 header_state(d->primary_ok, &d->primary, 1), "backup",
			 header_state(d->backup_ok, &d->backup, d->backup.lba), "disk_guid", guid,
			 "header_lba", (json_int_t)h->my_lba, "backup_lba", (json_int_t)h->alt_lba,
			 "first_usable_lba", (json_int_t)h->first_usable, "last_usable_lba",
			 (json_int_t)h->last_usable, "entries_lba", (json_int_t)h->entries_lba,
			 "entry_count", (json_int_t)h->num_entries, "entry_size",
			 (json_int_t)h->entry_size, "header_crc_ok",
			 h->header_crc == h->header_crc_computed, "entries_crc_ok",
			 h->entries_in_file && h->entries_crc == h->entries_crc_computed);
}

static json_t *partitions_json(const struct k1_disk *d)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < d->gpt.count; i++) {
		const struct k1_gpt_entry *e = &d->gpt.entries[i];
		char type[37], attr[24];
		const char *tn = k1_gpt_type_name(e->type_guid);
		uint64_t size = e->last_lba >= e->first_lba
					? (e->last_lba - e->first_lba + 1) * K1_GPT_SECTOR
					: 0;
		k1_gpt_guid_str(e->type_guid, type);
		snprintf(attr, sizeof(attr), "0x%llx", (unsigned long long)e->attributes);
		json_array_append_new(arr,
				      json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:s}",
						"index", (json_int_t)e->index, "name", e->name,
						"first_lba", (json_int_t)e->first_lba, "last_lba",
						(json_int_t)e->last_lba, "offset",
						(json_int_t)(e->first_lba * K1_GPT_SECTOR), "size",
						(json_int_t)size, "type_guid", type, "type",
						tn ? tn : "-", "attributes", attr));
	}
	return arr;
}

/* A region described by the format found there; `want` is the format
 * expected (its inspect runs when it matches). */
static json_t *region_json(const struct k1_disk *d, const char *label, uint64_t off, uint64_t len,
			   const struct k1_format *want)
{
	const struct k1_format *found = NULL;
	struct k1_input sub;
	char path[512], what[160];
	json_t *o, *inner = NULL;
	struct k1_error e = {0};

	o = json_pack("{s:s, s:I}", "at", label, "offset", (json_int_t)off);
	if (off >= d->in->len || !len) {
		k1_disk_describe(d, off, what, sizeof(what));
		json_object_set_new(o, "found", json_string(what));
		return o;
	}
	if (len > d->in->len - off)
		len = d->in->len - off;
	if (want == &k1_format_fsbl)
		len = k1_fsbl_len(d->in->data + off, (size_t)len);
	if (want->probe(d->in->data + off, (size_t)len))
		found = want;
	if (found)
		json_object_set_new(o, "size", json_integer((json_int_t)len));
	if (!found)
		k1_disk_describe(d, off, what, sizeof(what));
	json_object_set_new(o, "found", json_string(found ? found->name : what));
	if (!found)
		return o;
	snprintf(path, sizeof(path), "%s@0x%llx", d->in->path, (unsigned long long)off);
	sub = (struct k1_input){.path = path, .data = d->in->data + off, .len = (size_t)len};
	if (found->inspect(&sub, &inner, &e))
		json_object_set_new(o, "error", json_string(e.msg));
	else
		json_object_set_new(o, found->name, inner);
	return o;
}

static json_t *spl_json(const struct k1_disk *d, const char *label, uint32_t off)
{
	uint64_t avail = off < d->in->len ? d->in->len - off : 0;
	return region_json(d, label, off, avail, &k1_format_fsbl);
}

static json_t *fit_json(const struct k1_disk *d, const char *name)
{
	uint64_t off, len;
	bool raw;
	char label[64];

	if (!k1_disk_fit_region(d, name, &off, &len, &raw))
		return json_pack("{s:s}", "found",
				 d->table == K1_DISK_MBR || d->table == K1_DISK_NONE
					 ? "nothing: no GPT, raw fallback sector past the end"
					 : "no GPT partition of that exact name inside the image");
	if (raw)
		snprintf(label, sizeof(label), "raw sector 0x%llx (no GPT)",
			 (unsigned long long)(off / K1_GPT_SECTOR));
	else
		snprintf(label, sizeof(label), "partition %s", name);
	return region_json(d, label, off, len, &k1_format_fit);
}

static const char *table_name(enum k1_disk_table t)
{
	static const char *const names[] = {"none", "mbr", "gpt", "gpt (backup)"};
	return names[t];
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct k1_disk d;
	json_t *o;
	int rc;

	if ((rc = k1_disk_open(in, &d, err)))
		return rc;
	o = json_pack("{s:i, s:I, s:s}", "sector_size", K1_GPT_SECTOR, "sectors",
		      (json_int_t)d.sectors, "partition_table", table_name(d.table));
	if (d.has_bootinfo) {
		struct k1_input sub = {.path = in->path, .data = in->data, .len = K1_BOOTINFO_SIZE};
		json_t *bi = NULL;
		if (!k1_format_bootinfo.inspect(&sub, &bi, err))
			json_object_set_new(o, "bootinfo", bi);
	} else {
		json_object_set_new(o, "bootinfo", json_null());
	}
	json_object_set_new(o, "mbr", mbr_json(&d));
	if (d.table == K1_DISK_GPT || d.table == K1_DISK_GPT_BACKUP) {
		json_object_set_new(o, "gpt", gpt_json(&d));
		json_object_set_new(o, "partitions", partitions_json(&d));
	} else if (d.primary_err[0]) {
		json_object_set_new(o, "gpt", json_pack("{s:s}", "error", d.primary_err));
	}
	if (d.has_bootinfo) {
		json_object_set_new(o, "spl0",
				    spl_json(&d, "bootinfo spl0_offset", d.bi.spl0_offset));
		if (d.bi.spl1_offset)
			json_object_set_new(o, "spl1",
					    spl_json(&d, "bootinfo spl1_offset", d.bi.spl1_offset));
	}
	json_object_set_new(o, "opensbi", fit_json(&d, "opensbi"));
	json_object_set_new(o, "uboot", fit_json(&d, "uboot"));
	json_object_set_new(o, "env",
			    region_json(&d, "CONFIG_ENV_OFFSET", K1_DISK_ENV_OFFSET,
					K1_DISK_ENV_SIZE, &k1_format_env));
	k1_disk_close(&d);
	*out = o;
	return o ? 0 : k1_err(err, K1_ENOMEM, "out of memory");
}

const struct k1_format k1_format_disk = {
	.name = "disk",
	.summary = "SD card / eMMC image: bootinfo, GPT, FSBL, env, opensbi and uboot FITs",
	.probe = probe,
	.inspect = inspect,
	.verify = k1_disk_verify,
};

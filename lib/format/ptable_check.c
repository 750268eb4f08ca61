/* The partition-table format handler: probe, inspect and verify a vendor
 * partition_*.json. Files it names (bootinfo, images) are looked up
 * relative to the table's folder, as the vendor flashers do. */
#include "base/fileio.h"
#include "format/bootinfo.h"
#include "format/format.h"
#include "format/ptable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROBE_MAX (1u << 20) /* vendor tables are < 4 KiB */

/* ---- probe ---- */

static int probe(const uint8_t *data, size_t len)
{
	size_t i = 0;
	json_t *root;
	int ok;

	if (len < 2 || len > PROBE_MAX)
		return 0;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3; /* UTF-8 byte order mark */
	while (i < len && strchr(" \t\r\n", data[i]) && data[i])
		i++;
	if (i >= len || data[i] != '{' || !memmem(data, len, "\"partitions\"", 12))
		return 0;
	root = json_loadb((const char *)data + i, len - i, 0, NULL);
	ok = json_is_object(root) && json_is_array(json_object_get(root, "partitions"));
	json_decref(root);
	return ok;
}

/* ---- shared helpers ---- */

static const char *kind_name(const struct k1_ptable *pt)
{
	if (pt->device_map)
		return "device-map";
	return pt->kind == K1_PTABLE_GPT ? "gpt" : pt->kind == K1_PTABLE_MTD ? "mtd" : "unknown";
}

/* 128K, 2M, 1G, or plain bytes ("80B"). */
static void human(uint64_t v, char *buf, size_t n)
{
	static const char units[] = "GMK";
	for (int i = 0; i < 3; i++) {
		uint64_t u = 1ULL << (10 * (3 - i));
		if (v && v % u == 0) {
			snprintf(buf, n, "%llu%c", (unsigned long long)(v / u), units[i]);
			return;
		}
	}
	snprintf(buf, n, v ? "%lluB" : "%llu", (unsigned long long)v);
}

static void part_label(const struct k1_ptable *pt, const struct k1_ptable_part *p, char *buf,
		       size_t n)
{
	if (p->name)
		snprintf(buf, n, "partition %s", p->name);
	else
		snprintf(buf, n, "partitions[%zu]", (size_t)(p - pt->parts));
}

static bool has_end(const struct k1_ptable_part *p)
{
	return p->offset_known && p->size_known && !p->rest && p->size <= UINT64_MAX - p->offset;
}

/* ---- inspect ---- */

static json_t *holes_json(const struct k1_ptable_part *p)
{
	char buf[512] = "";
	size_t n = 0;

	if (!p->nholes)
		return p->holes_str ? json_string(p->holes_str) : json_null();
	for (size_t i = 0; i < p->nholes && n < sizeof(buf) - 48; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%llu-%llu", i ? "," : "",
				      (unsigned long long)p->holes[i].start,
				      (unsigned long long)p->holes[i].end);
	return json_string(buf);
}

static json_t *part_json(const struct k1_ptable_part *p)
{
	char oh[32] = "?", sh[32] = "?";
	json_t *o = json_object();

	if (p->offset_known)
		human(p->offset, oh, sizeof(oh));
	if (p->rest)
		snprintf(sh, sizeof(sh), "-");
	else if (p->size_known)
		human(p->size, sh, sizeof(sh));
	json_object_set_new(o, "name", p->name ? json_string(p->name) : json_null());
	json_object_set_new(o, "offset",
			    p->offset_known ? json_integer((json_int_t)p->offset) : json_null());
	json_object_set_new(o, "size",
			    p->size_known && !p->rest ? json_integer((json_int_t)p->size)
						      : json_null());
	json_object_set_new(o, "end",
			    has_end(p) ? json_integer((json_int_t)(p->offset + p->size))
				       : json_null());
	json_object_set_new(o, "offset_h", json_string(oh));
	json_object_set_new(o, "size_h", json_string(sh));
	json_object_set_new(o, "hidden", json_boolean(p->hidden));
	json_object_set_new(o, "in_table", json_boolean(p->in_table));
	json_object_set_new(o, "image", p->image ? json_string(p->image) : json_null());
	json_object_set_new(o, "holes", holes_json(p));
	return o;
}

/* Where the vendor U-Boot would put an entry elsewhere than k1fw does. */
static void add_model_notes(const struct k1_ptable *pt, json_t *notes)
{
	char label[300], a[32], b[32];

	for (size_t i = 0; i < pt->count; i++) {
		const struct k1_ptable_part *p = &pt->parts[i];
		part_label(pt, p, label, sizeof(label));
		if (p->problem[0])
			json_array_append_new(notes, json_sprintf("%s: %s", label, p->problem));
		if (p->vendor_backwards)
			json_array_append_new(notes, json_sprintf("%s: vendor U-Boot refuses the "
								  "table here (offset before the "
								  "previous end)",
								  label));
		if (p->offset_known && p->vendor_offset != p->offset && !pt->device_map) {
			human(p->offset, a, sizeof(a));
			human(p->vendor_offset, b, sizeof(b));
			json_array_append_new(notes, json_sprintf("%s: at %s here, at %s by the "
								  "vendor U-Boot's KiB rule",
								  label, a, b));
		}
		if (p->gpt_known && p->offset_known && p->gpt_offset != p->offset &&
		    !pt->device_map) {
			human(p->offset, a, sizeof(a));
			human(p->gpt_offset, b, sizeof(b));
			json_array_append_new(notes, json_sprintf("%s: at %s here, at %s by U-Boot "
								  "`gpt write`",
								  label, a, b));
		}
	}
	if (pt->device_map)
		json_array_append_new(
			notes,
			json_string(
				"every entry is at 0 with size '-': a map of whole devices (eMMC "
				"boot0, user area), not a layout inside one device"));
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct k1_ptable pt;
	json_t *o, *parts, *notes;

	int rc = k1_ptable_parse((const char *)in->data, in->len, in->path, &pt, err);

	if (rc)
		return rc;
	parts = json_array();
	notes = json_array();
	for (size_t i = 0; i < pt.count; i++)
		json_array_append_new(parts, part_json(&pt.parts[i]));
	add_model_notes(&pt, notes);
	o = json_object();
	json_object_set_new(o, "version", pt.version ? json_string(pt.version) : json_null());
	json_object_set_new(o, "table_format", pt.format ? json_string(pt.format) : json_null());
	json_object_set_new(o, "layout", json_string(kind_name(&pt)));
	json_object_set_new(o, "count", json_integer((json_int_t)pt.count));
	json_object_set_new(o, "partitions", parts);
	json_object_set_new(o, "notes", notes);
	k1_ptable_free(&pt);
	*out = o;
	return o ? 0 : k1_err(err, K1_ENOMEM, "out of memory");
}

/* ---- verify: table-level checks ---- */

static void check_table(const struct k1_ptable *pt, struct k1_checks *c)
{
	k1_check_add(c, pt->kind != K1_PTABLE_UNKNOWN, "ptable.format", "format",
		     "expected \"gpt\" or \"mtd\" (else U-Boot builds no table), found %s%s%s",
		     pt->format ? "\"" : "", pt->format ? pt->format : "none",
		     pt->format ? "\"" : "");
	k1_check_add(c, pt->count > 0 && pt->count <= K1_PTABLE_VENDOR_MAX, "ptable.count",
		     "partitions", "expected 1..%d partitions (vendor U-Boot's limit), found %zu",
		     K1_PTABLE_VENDOR_MAX, pt->count);
}

static void check_entries(const struct k1_ptable *pt, struct k1_checks *c)
{
	char label[300];

	for (size_t i = 0; i < pt->count; i++) {
		const struct k1_ptable_part *p = &pt->parts[i];
		if (!p->problem[0])
			continue;
		part_label(pt, p, label, sizeof(label));
		k1_check_add(c, false, "ptable.entry", label, "%s", p->problem);
	}
	if (!pt->problems)
		k1_check_add(
			c, true, "ptable.entry", "partitions",
			"expected readable name, offset, size and holes, found them in all %zu",
			pt->count);
}

static void check_names(const struct k1_ptable *pt, struct k1_checks *c)
{
	size_t dups = 0;
	char label[300];

	for (size_t i = 0; i < pt->count; i++)
		for (size_t j = 0; j < i; j++) {
			const char *a = pt->parts[i].name, *b = pt->parts[j].name;
			if (!a || !b || strcmp(a, b))
				continue;
			part_label(pt, &pt->parts[i], label, sizeof(label));
			k1_check_add(c, false, "ptable.duplicate", label,
				     "expected unique names, found '%s' at entries %zu and %zu", a,
				     j, i);
			dups++;
			break;
		}
	if (!dups)
		k1_check_add(c, true, "ptable.duplicate", "partitions",
			     "expected unique names, found no duplicates");
}

/* ---- verify: layout checks (skipped for a device map) ---- */

static void check_rest_last(const struct k1_ptable *pt, struct k1_checks *c)
{
	char label[300];
	bool bad = false;

	for (size_t i = 0; i + 1 < pt->count; i++) {
		if (!pt->parts[i].rest)
			continue;
		part_label(pt, &pt->parts[i], label, sizeof(label));
		k1_check_add(c, false, "ptable.rest_last", label,
			     "expected size '-' (rest of the device) only on the last partition, "
			     "found it on entry %zu of %zu",
			     i, pt->count);
		bad = true;
	}
	if (!bad)
		k1_check_add(c, true, "ptable.rest_last", "partitions",
			     "expected size '-' only on the last partition");
}

static void check_overlaps(const struct k1_ptable *pt, struct k1_checks *c)
{
	char la[300], lb[300];
	size_t bad = 0;

	for (size_t i = 0; i < pt->count; i++)
		for (size_t j = i + 1; j < pt->count; j++) {
			const struct k1_ptable_part *a = &pt->parts[i], *b = &pt->parts[j];
			uint64_t ae, be;
			if (!a->offset_known || !b->offset_known || !a->size_known ||
			    !b->size_known)
				continue;
			ae = a->rest ? UINT64_MAX : has_end(a) ? a->offset + a->size : UINT64_MAX;
			be = b->rest ? UINT64_MAX : has_end(b) ? b->offset + b->size : UINT64_MAX;
			if (ae == a->offset || be == b->offset || a->offset >= be ||
			    b->offset >= ae)
				continue; /* empty or disjoint */
			part_label(pt, a, la, sizeof(la));
			part_label(pt, b, lb, sizeof(lb));
			k1_check_add(
				c, false, "ptable.overlap", lb,
				"expected no overlap, found it sharing bytes 0x%llx.. with %s",
				(unsigned long long)(a->offset > b->offset ? a->offset : b->offset),
				la);
			bad++;
		}
	if (!bad)
		k1_check_add(c, true, "ptable.overlap", "partitions",
			     "expected no two partitions to overlap, found none");
}

/* The vendor U-Boot reads the same strings with its KiB rule (research
 * §4.3); where it lands elsewhere, what is flashed is not what was meant. */
static void check_vendor_model(const struct k1_ptable *pt, struct k1_checks *c)
{
	char label[300], a[32], b[32];
	size_t bad = 0;

	for (size_t i = 0; i < pt->count; i++) {
		const struct k1_ptable_part *p = &pt->parts[i];
		part_label(pt, p, label, sizeof(label));
		if (p->vendor_backwards) {
			k1_check_add(c, false, "ptable.vendor_order", label,
				     "expected offsets that never go back (vendor U-Boot replies "
				     "'FAIL offset must larger then previous size and offset'), "
				     "found '%s' before the previous end",
				     p->offset_str ? p->offset_str : "");
			bad++;
		}
		if (!p->offset_known || p->vendor_offset == p->offset)
			continue;
		human(p->offset, a, sizeof(a));
		human(p->vendor_offset, b, sizeof(b));
		k1_check_add(c, false, "ptable.vendor_offset", label,
			     "expected the vendor U-Boot (KiB rule: sizes without K/M/G count 0, "
			     "offset 0 continues) to agree on offset %s, found %s",
			     a, b);
		bad++;
	}
	if (!bad)
		k1_check_add(c, true, "ptable.vendor_offset", "partitions",
			     "expected the vendor U-Boot's KiB rule to give the same offsets, "
			     "found it does");
}

/* One entry against the GPT rules; returns the number of failures. */
static size_t check_gpt_entry(const struct k1_ptable *pt, const struct k1_ptable_part *p,
			      struct k1_checks *c)
{
	char label[300], a[32], b[32];
	size_t bad = 0;
	bool size_odd = p->in_table && p->size_known && !p->rest && p->size % K1_SECTOR;

	part_label(pt, p, label, sizeof(label));
	/* bootinfo shares LBA 0 with the protective MBR by design (holes) */
	if (!p->bootinfo && p->offset < K1_GPT_FIRST_LBA * K1_SECTOR) {
		k1_check_add(c, false, "ptable.gpt_area", label,
			     "expected a start at or after LBA 34 (0x4400: the primary GPT ends "
			     "there), found 0x%llx",
			     (unsigned long long)p->offset);
		bad++;
	}
	if (p->offset % K1_SECTOR || size_odd) {
		k1_check_add(c, false, "ptable.align", label,
			     "expected offset%s in whole 512-byte sectors, found offset %llu, "
			     "size %llu",
			     p->in_table ? " and size" : "", (unsigned long long)p->offset,
			     (unsigned long long)p->size);
		bad++;
	}
	if (p->gpt_known && p->gpt_offset != p->offset) {
		human(p->offset, a, sizeof(a));
		human(p->gpt_offset, b, sizeof(b));
		k1_check_add(c, false, "ptable.gpt_start", label,
			     "expected U-Boot `gpt write` to start it at %s too, found %s "
			     "(a start of 0 or none means right after the previous GPT entry)",
			     a, b);
		bad++;
	}
	return bad;
}

static void check_gpt_layout(const struct k1_ptable *pt, struct k1_checks *c)
{
	size_t bad = 0;

	for (size_t i = 0; i < pt->count; i++)
		if (pt->parts[i].offset_known)
			bad += check_gpt_entry(pt, &pt->parts[i], c);
	if (!bad)
		k1_check_add(c, true, "ptable.gpt_layout", "partitions",
			     "expected sector-aligned partitions after the GPT, placed by `gpt "
			     "write` where this table says");
}

/* The SPL loads OpenSBI and U-Boot by GPT name (spec §1). */
static void check_required(const struct k1_ptable *pt, struct k1_checks *c)
{
	static const char *const names[] = {"opensbi", "uboot"};

	for (size_t i = 0; i < 2; i++) {
		const struct k1_ptable_part *p = k1_ptable_find(pt, names[i]);
		char where[64];
		snprintf(where, sizeof(where), "partition %s", names[i]);
		k1_check_add(c, p && p->in_table, "ptable.required", where,
			     "expected a GPT entry named exactly '%s' (the SPL loads it by name), "
			     "found %s",
			     names[i],
			     !p            ? "none"
			     : p->in_table ? "it"
					   : "it hidden, so not in the GPT");
	}
}

static void check_bootinfo_entry(const struct k1_ptable *pt, struct k1_checks *c)
{
	const struct k1_ptable_part *bi = k1_ptable_find(pt, "bootinfo");

	if (!bi)
		return;
	if (bi->offset_known)
		k1_check_add(c, bi->offset == 0, "ptable.bootinfo_offset", "partition bootinfo",
			     "expected offset 0 (the BootROM reads bootinfo there), found 0x%llx",
			     (unsigned long long)bi->offset);
	if (pt->kind == K1_PTABLE_GPT)
		k1_check_add(c, bi->hidden, "ptable.bootinfo_hidden", "partition bootinfo",
			     "expected \"hidden\": true%s",
			     bi->hidden ? ""
					: ", found none: U-Boot forces it hidden, but "
					  "gen_imgcfg/genimage then put it in the GPT at "
					  "LBA 34 and the SD card does not boot");
}

/* ---- verify: files next to the table ---- */

/* Path of an image relative to the table; 0 when it is a regular file. */
static int image_stat(const char *dir, const char *image, char *path, size_t n, struct stat *st)
{
	if (k1_path_join(path, n, dir, image, NULL))
		return -1;
	return stat(path, st) == 0 && S_ISREG(st->st_mode) ? 0 : -1;
}

static void check_images(const struct k1_ptable *pt, const char *dir, struct k1_checks *c)
{
	char path[4096], label[300];
	struct stat st;

	for (size_t i = 0; i < pt->count; i++) {
		const struct k1_ptable_part *p = &pt->parts[i];
		if (!p->image)
			continue;
		part_label(pt, p, label, sizeof(label));
		if (image_stat(dir, p->image, path, sizeof(path), &st)) {
			k1_check_add(c, true, "ptable.image_size", label,
				     "%s not found beside the table: size not checked", p->image);
			continue;
		}
		if (!p->size_known || p->rest)
			continue;
		k1_check_add(c, (uint64_t)st.st_size <= p->size, "ptable.image_size", label,
			     "expected %s to fit the partition (%llu bytes), found %llu bytes",
			     p->image, (unsigned long long)p->size, (unsigned long long)st.st_size);
	}
}

/* The bootinfo the table ships must send the BootROM to the fsbl
 * partition: the classic unbootable SD card when it does not. */
static void check_bootinfo_file(const struct k1_ptable *pt, const char *dir, struct k1_checks *c)
{
	const struct k1_ptable_part *bi = k1_ptable_find(pt, "bootinfo");
	const struct k1_ptable_part *fsbl = k1_ptable_find(pt, "fsbl");
	struct k1_bootinfo info;
	struct k1_buf buf = K1_BUF_INIT;
	char path[4096];
	struct stat st;

	if (!bi || !bi->image || !fsbl || !fsbl->offset_known ||
	    image_stat(dir, bi->image, path, sizeof(path), &st) || st.st_size > 65536 ||
	    k1_read_file(path, &buf, NULL))
		return;
	if (k1_bootinfo_decode(buf.data, buf.len, &info, NULL) || info.magic != K1_BOOTINFO_MAGIC) {
		k1_check_add(c, false, "ptable.bootinfo_fsbl", "partition bootinfo",
			     "expected %s to be a bootinfo (magic 0x%08X), found %zu bytes "
			     "without it",
			     bi->image, K1_BOOTINFO_MAGIC, buf.len);
	} else {
		bool emmc = !memcmp(info.flash_type, "eMMC", 4);
		k1_check_add(c, info.spl0_offset == fsbl->offset, "ptable.bootinfo_fsbl",
			     "partition fsbl",
			     "expected the fsbl partition at %s's spl0_offset 0x%x, found it at "
			     "0x%llx%s",
			     bi->image, info.spl0_offset, (unsigned long long)fsbl->offset,
			     info.spl0_offset == fsbl->offset ? ""
			     : emmc ? ": an SD card made from this table does not boot (an eMMC "
				      "bootinfo points into boot0)"
				    : ": the BootROM will not find the FSBL");
	}
	k1_buf_free(&buf);
}

static void check_device_map(const struct k1_ptable *pt, struct k1_checks *c)
{
	k1_check_add(c, true, "ptable.layout", "partitions",
		     "all %zu entries are at 0 with size '-': a map of whole devices "
		     "(KyDevTool: bootinfo and fsbl to eMMC boot0, the rest a whole-disk "
		     "image), not one device's layout; overlap, GPT and required-partition "
		     "checks do not apply (the vendor U-Boot's `flash gpt` would pass "
		     "'size=-' before the last entry, which `gpt write` refuses)",
		     pt->count);
}

static int verify(const struct k1_input *in, const struct k1_verify_opts *opts, struct k1_checks *c,
		  struct k1_error *err)
{
	struct k1_ptable pt;
	char dir[4096];

	(void)opts;
	int rc = k1_ptable_parse((const char *)in->data, in->len, in->path, &pt, err);

	if (rc)
		return rc;
	check_table(&pt, c);
	check_entries(&pt, c);
	check_names(&pt, c);
	if (pt.device_map) {
		check_device_map(&pt, c);
	} else {
		check_rest_last(&pt, c);
		check_overlaps(&pt, c);
		check_vendor_model(&pt, c);
		check_bootinfo_entry(&pt, c);
		if (pt.kind == K1_PTABLE_GPT) {
			check_gpt_layout(&pt, c);
			check_required(&pt, c);
		}
	}
	if (in->path) {
		k1_dirname(dir, sizeof(dir), in->path);
		check_images(&pt, dir, c);
		if (!pt.device_map)
			check_bootinfo_file(&pt, dir, c);
	}
	k1_ptable_free(&pt);
	return 0;
}

const struct k1_format k1_format_ptable = {
	.name = "ptable",
	.summary = "vendor partition table (partition_*.json: gpt or mtd)",
	.probe = probe,
	.inspect = inspect,
	.verify = verify,
};

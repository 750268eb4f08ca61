/* The flashing plan: the vendor's command list built from a release folder
 * (spec §6): stage FSBL + continue, stage U-Boot + continue, flash the table,
 * then every partition of the table that has an image, in table order. */
#include "flash/flash.h"
#include "base/fileio.h"
#include "format/ptable.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *k1_stage_name(enum k1_stage s)
{
	switch (s) {
	case K1_STAGE_BROM:
		return "brom";
	case K1_STAGE_SPL:
		return "spl";
	case K1_STAGE_UBOOT:
		return "u-boot";
	default:
		return "unknown";
	}
}

static int join(char *out, size_t outsz, const char *bundle, const char *rel)
{
	int n = strcmp(bundle, ".") ? snprintf(out, outsz, "%s/%s", bundle, rel)
				    : snprintf(out, outsz, "%s", rel);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static bool exists(const char *bundle, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;
	return !join(p, sizeof(p), bundle, rel) && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int add_step(struct k1_flash_plan *plan, enum k1_step_kind kind, enum k1_stage when,
		    const char *part, const char *bundle, const char *rel, struct k1_error *err)
{
	struct k1_flash_step *s = realloc(plan->steps, (plan->count + 1) * sizeof(*s));
	struct stat st;

	if (!s)
		return k1_err(err, K1_ENOMEM, "out of memory");
	plan->steps = s;
	s = &s[plan->count];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->when = when;
	snprintf(s->part, sizeof(s->part), "%s", part);
	if (rel) {
		if (strlen(rel) >= sizeof(s->rel) || join(s->path, sizeof(s->path), bundle, rel))
			return k1_err(err, K1_ERANGE, "%s: path too long", rel);
		snprintf(s->rel, sizeof(s->rel), "%s", rel);
		if (stat(s->path, &st) || !S_ISREG(st.st_mode))
			return k1_err(err, K1_EINVAL, "%s: %s names %s, which is not in the bundle",
				      s->path, part, rel);
		if (st.st_size == 0)
			return k1_err(err, K1_EINVAL, "%s: empty file (partition %s)", s->path,
				      part);
		s->size = (uint64_t)st.st_size;
	}
	plan->count++;
	return 0;
}

static int load_table(const char *bundle, const char *rel, enum k1_ptable_kind want,
		      struct k1_ptable *pt, struct k1_error *err)
{
	char path[PATH_MAX];
	struct k1_buf text = K1_BUF_INIT;
	int rc;

	if (join(path, sizeof(path), bundle, rel))
		return k1_err(err, K1_ERANGE, "%s: path too long", rel);
	if ((rc = k1_read_file(path, &text, err)))
		return rc;
	rc = k1_ptable_parse((const char *)text.data, text.len, path, pt, err);
	k1_buf_free(&text);
	if (rc)
		return rc;
	for (size_t i = 0; i < pt->count && pt->problems; i++)
		if (pt->parts[i].problem[0]) {
			rc = k1_err(err, K1_EINVAL, "%s: partition %zu: %s", path, i,
				    pt->parts[i].problem);
			break;
		}
	if (!rc && pt->kind != want)
		rc = k1_err(err, K1_EINVAL, "%s: \"format\": expected \"%s\", found \"%s\"", path,
			    want == K1_PTABLE_GPT ? "gpt" : "mtd", pt->format ? pt->format : "");
	if (rc)
		k1_ptable_free(pt);
	return rc;
}

/* partition_<N>M.json for SPI flash: the largest N MiB not above mtd_size,
 * or the smallest when mtd_size is 0 or nothing fits (tables are
 * compatible downward, research §4.1). */
static int pick_mtd_table(const char *bundle, uint64_t mtd_size, char *out, size_t outsz,
			  struct k1_error *err)
{
	DIR *d = opendir(bundle);
	struct dirent *e;
	unsigned long best = 0, smallest = 0;

	if (!d)
		return k1_err(err, K1_EIO, "%s: cannot open the bundle folder", bundle);
	while ((e = readdir(d))) {
		unsigned long n;
		char tail[8];
		if (sscanf(e->d_name, "partition_%luM%7s", &n, tail) != 2 ||
		    strcmp(tail, ".json") || n == 0)
			continue;
		if (!smallest || n < smallest)
			smallest = n;
		if (mtd_size && (uint64_t)n << 20 <= mtd_size && n > best)
			best = n;
	}
	closedir(d);
	if (!smallest)
		return k1_err(err, K1_EINVAL, "%s: no partition_<N>M.json table for SPI flash",
			      bundle);
	snprintf(out, outsz, "partition_%luM.json", best ? best : smallest);
	return 0;
}

/* The bootinfo to flash for media: factory/bootinfo_<media>.bin, else the
 * table's; it must be a bootinfo for that media. */
static int pick_bootinfo(const char *bundle, enum k1_media media, const char *table_image,
			 char *out, size_t outsz, struct k1_error *err)
{
	char rel[256], path[PATH_MAX];
	struct k1_buf buf = K1_BUF_INIT;
	struct k1_bootinfo bi;
	int rc, m;

	snprintf(rel, sizeof(rel), "factory/bootinfo_%s.bin", k1_media_name(media));
	if (!exists(bundle, rel) && table_image)
		snprintf(rel, sizeof(rel), "%s", table_image);
	if (join(path, sizeof(path), bundle, rel))
		return k1_err(err, K1_ERANGE, "%s: path too long", rel);
	if ((rc = k1_read_file(path, &buf, err)))
		return rc;
	rc = k1_bootinfo_decode(buf.data, buf.len, &bi, err);
	k1_buf_free(&buf);
	if (rc)
		return k1_err_prefix(err, "%s", path);
	if (bi.magic != K1_BOOTINFO_MAGIC)
		return k1_err(err, K1_EINVAL, "%s: magic: expected 0x%08X, found 0x%08X", path,
			      K1_BOOTINFO_MAGIC, bi.magic);
	m = k1_bootinfo_media(&bi);
	if (m != (int)media)
		return k1_err(
			err, K1_EINVAL,
			"%s: flash_type \"%.4s\" is a bootinfo for %s, not for %s: refusing to "
			"flash it",
			path, bi.flash_type, m < 0 ? "no known media" : k1_media_name(m),
			k1_media_name(media));
	snprintf(out, outsz, "%s", rel);
	return 0;
}

static bool listed(const char *only, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = only; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return true;
		p = comma ? comma + 1 : p + len;
	}
	return false;
}

/* The table step and one flash step per partition with an image; names in
 * skip (a plan's earlier steps) are left out. */
static int add_table(struct k1_flash_plan *plan, const struct k1_flash_opts *o, const char *table,
		     enum k1_ptable_kind kind, size_t skip_from, struct k1_error *err)
{
	struct k1_ptable pt;
	const char *verb = kind == K1_PTABLE_GPT ? "gpt" : "mtd";
	int rc = load_table(o->bundle, table, kind, &pt, err);

	if (rc)
		return rc;
	if (!o->only || listed(o->only, verb))
		rc = add_step(plan, K1_STEP_TABLE, K1_STAGE_UBOOT, verb, o->bundle, table, err);
	for (size_t i = 0; i < pt.count && !rc; i++) {
		const struct k1_ptable_part *p = &pt.parts[i];
		char bi[256];
		const char *image = p->image;
		bool dup = false;

		if (!p->name || !p->image)
			continue;
		for (size_t k = skip_from; k < plan->count; k++)
			dup |= plan->steps[k].kind == K1_STEP_FLASH &&
			       !strcmp(plan->steps[k].part, p->name);
		if (dup || (o->only && !listed(o->only, p->name)))
			continue;
		if (!strncmp(p->name, "bootinfo", 8)) {
			if ((rc = pick_bootinfo(o->bundle, o->media, p->image, bi, sizeof(bi),
						err)))
				break;
			image = bi;
		}
		rc = add_step(plan, K1_STEP_FLASH, K1_STAGE_UBOOT, p->name, o->bundle, image, err);
	}
	k1_ptable_free(&pt);
	return rc;
}

/* Every --only name must be a step of the plan. */
static int check_only(const struct k1_flash_plan *plan, const char *only, struct k1_error *err)
{
	for (const char *p = only; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		bool found = false;
		for (size_t i = 0; i < plan->count; i++)
			found |= strlen(plan->steps[i].part) == len &&
				 !strncmp(plan->steps[i].part, p, len) &&
				 plan->steps[i].kind != K1_STEP_STAGE;
		if (!found)
			return k1_err(err, K1_EINVAL,
				      "--only %.*s: not a partition with an image in "
				      "%s (nor \"gpt\"/\"mtd\" for the table)",
				      (int)len, p, plan->table);
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

static int boot_steps(struct k1_flash_plan *plan, const char *bundle, struct k1_error *err)
{
	const char *uboot = exists(bundle, "u-boot.itb") ? "u-boot.itb" : "factory/u-boot.itb";
	int rc;

	if ((rc = add_step(plan, K1_STEP_STAGE, K1_STAGE_BROM, "fsbl", bundle, "factory/FSBL.bin",
			   err)) ||
	    (rc = add_step(plan, K1_STEP_CONTINUE, K1_STAGE_BROM, "fsbl", bundle, NULL, err)) ||
	    (rc = add_step(plan, K1_STEP_STAGE, K1_STAGE_SPL, "uboot", bundle, uboot, err)))
		return rc;
	return add_step(plan, K1_STEP_CONTINUE, K1_STAGE_SPL, "uboot", bundle, NULL, err);
}

int k1_flash_plan_boot(const char *bundle, struct k1_flash_plan *plan, struct k1_error *err)
{
	int rc;

	memset(plan, 0, sizeof(*plan));
	if ((rc = boot_steps(plan, bundle, err)))
		k1_flash_plan_free(plan);
	return rc;
}

/* On eMMC `flash bootinfo` writes U-Boot's own bootinfo (spec §6.1), whose
 * spl_size_limit is not the file's: an FSBL.bin above it would not boot.
 * Refused before anything is sent, naming both limits. */
static int check_emmc_limit(const struct k1_flash_plan *plan, uint32_t limit, struct k1_error *err)
{
	for (size_t i = 0; i < plan->count; i++) {
		const struct k1_flash_step *s = &plan->steps[i];
		if (s->kind != K1_STEP_FLASH || strcmp(s->part, "fsbl") || s->size <= limit)
			continue;
		return k1_err(err, K1_EINVAL,
			      "%s: 0x%llx bytes, over spl_size_limit 0x%x of the eMMC bootinfo "
			      "vendor U-Boot writes to boot0 (v1.0.15: 0x32100, whatever "
			      "bootinfo_emmc.bin says; its own limit is 0x36000): this board "
			      "would not boot from eMMC. Build the FSBL from a smaller SPL, or "
			      "pass --emmc-spl-limit 0x36000 if this board's U-Boot writes that",
			      s->path, (unsigned long long)s->size, limit);
	}
	return 0;
}

int k1_flash_plan_build(const struct k1_flash_opts *o, struct k1_flash_plan *plan,
			struct k1_error *err)
{
	int rc;

	memset(plan, 0, sizeof(*plan));
	plan->media = o->media;
	if (o->media == K1_MEDIA_SD)
		return k1_err(err, K1_ENOTSUP,
			      "--media sd: SD cards cannot be flashed over "
			      "fastboot; write an SD image (k1fw disk) with dd");
	if ((rc = boot_steps(plan, o->bundle, err)))
		goto out;
	size_t first = plan->count;
	if (o->media == K1_MEDIA_EMMC) {
		snprintf(plan->table, sizeof(plan->table), "partition_universal.json");
		rc = add_table(plan, o, plan->table, K1_PTABLE_GPT, first, err);
	} else {
		if (!(rc = pick_mtd_table(o->bundle, o->mtd_size, plan->table, sizeof(plan->table),
					  err)))
			rc = add_table(plan, o, plan->table, K1_PTABLE_MTD, first, err);
		if (!rc && o->blk && exists(o->bundle, "partition_universal.json"))
			rc = add_table(plan, o, "partition_universal.json", K1_PTABLE_GPT, first,
				       err);
	}
	if (!rc && o->media == K1_MEDIA_EMMC)
		rc = check_emmc_limit(
			plan, o->emmc_spl_limit ? o->emmc_spl_limit : K1_FLASH_EMMC_SPL_LIMIT, err);
	if (!rc && o->reboot)
		rc = add_step(plan, K1_STEP_REBOOT, K1_STAGE_UBOOT, "reboot", o->bundle, NULL, err);
	if (!rc)
		rc = check_only(plan, o->only, err);
out:
	if (rc)
		k1_flash_plan_free(plan);
	return rc;
}

void k1_flash_plan_free(struct k1_flash_plan *plan)
{
	free(plan->steps);
	plan->steps = NULL;
	plan->count = 0;
}

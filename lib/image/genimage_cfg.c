/* The genimage configuration of the layout k1fw image writes (the job of
 * the vendor's gen_imgcfg.py, done right: bootinfo out of the GPT at byte 0
 * with its holes, explicit offsets and sizes, the same GUIDs). Paths are
 * absolute, so `genimage --config F` works from any folder. */
#include "format/gpt.h"
#include "image/image.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define add(b, ...) k1_buf_printf(b, 8400, __VA_ARGS__) /* one line at most */

/* A quoted string for genimage's libconfuse: \ and " escaped. */
static int quoted(struct k1_buf *b, const char *s)
{
	int rc = k1_buf_append(b, "\"", 1);
	for (; *s && !rc; s++)
		rc = (*s == '"' || *s == '\\') ? add(b, "\\%c", *s) : k1_buf_append(b, s, 1);
	return rc ? rc : k1_buf_append(b, "\"", 1);
}

static int image_line(struct k1_buf *b, const char *path)
{
	char abs[PATH_MAX];
	const char *p = realpath(path, abs) ? abs : path;
	return add(b, "\t\timage = ") || quoted(b, p) || add(b, "\n");
}

static int part(struct k1_buf *b, const char *name, const char *path, uint64_t off, uint64_t size,
		bool in_table)
{
	return add(b, "\tpartition %s {\n", name) || (path && image_line(b, path)) ||
	       add(b, "\t\toffset = %llu\n\t\tsize = %llu\n", (unsigned long long)off,
		   (unsigned long long)size) ||
	       (!in_table && add(b, "\t\tin-partition-table = false\n"));
}

/* Sector 0: the bootinfo file minus the table's holes, and always a hole
 * over the protective MBR (bytes 440-511) that genimage writes itself. */
static int bootinfo_part(struct k1_buf *b, const struct k1_image_plan *p)
{
	const struct k1_ptable_part *bp = NULL;
	int rc;

	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].tp->bootinfo)
			bp = p->parts[i].tp;
	if ((rc = part(b, bp ? bp->name : "bootinfo", p->bootinfo_path, 0, 512, false)) ||
	    (rc = add(b, "\t\tholes = {")))
		return rc;
	for (size_t h = 0; bp && h < bp->nholes && !rc; h++)
		rc = add(b, "\"(%llu;%llu)\", ", (unsigned long long)bp->holes[h].start,
			 (unsigned long long)bp->holes[h].end);
	return rc ? rc : add(b, "\"(440;512)\"}\n\t}\n");
}

static int user_image(struct k1_buf *b, const struct k1_image_plan *p, const char *name)
{
	char g[37];
	int rc;

	k1_gpt_guid_str(p->disk_guid, g);
	if ((rc = add(b,
		      "image %s {\n\thdimage {\n\t\tpartition-table-type = \"gpt\"\n"
		      "\t\tdisk-uuid = \"%s\"\n\t}\n\tsize = %llu\n\n",
		      name, g, (unsigned long long)p->disk_size)))
		return rc;
	if (p->media == K1_MEDIA_SD && (rc = bootinfo_part(b, p)))
		return rc;
	for (size_t i = 0; i < p->nparts && !rc; i++) {
		const struct k1_image_part *ip = &p->parts[i];
		if (ip->tp->bootinfo)
			continue;
		if (!ip->in_gpt && !ip->path)
			continue; /* an empty hidden partition is nothing on the disk */
		rc = part(b, ip->tp->name, ip->path, ip->offset, ip->size, ip->in_gpt);
		if (!rc && ip->in_gpt) {
			k1_gpt_guid_str(ip->type_guid, g);
			rc = add(b, "\t\tpartition-type-uuid = \"%s\"\n", g);
			k1_gpt_guid_str(ip->guid, g);
			rc = rc ? rc : add(b, "\t\tpartition-uuid = \"%s\"\n", g);
		}
		if (!rc && ip->tp->nholes) {
			rc = add(b, "\t\tholes = {");
			for (size_t h = 0; h < ip->tp->nholes && !rc; h++)
				rc = add(b, "%s\"(%llu;%llu)\"", h ? ", " : "",
					 (unsigned long long)ip->tp->holes[h].start,
					 (unsigned long long)ip->tp->holes[h].end);
			rc = rc ? rc : add(b, "}\n");
		}
		rc = rc ? rc : add(b, "\t}\n");
	}
	for (size_t i = 0; i < p->nextra && !rc && p->media == K1_MEDIA_SD; i++)
		rc = part(b, "spl1", p->extra[i].path, p->extra[i].offset, p->extra[i].len,
			  false) ||
		     add(b, "\t}\n");
	return rc ? rc : add(b, "}\n");
}

/* eMMC boot0: bootinfo at 0, the FSBL at spl0_offset, no table. The
 * built-in bootinfo has no file: the config then names boot0-bootinfo.bin,
 * which the user writes with `k1fw bootinfo --media emmc`. */
static int boot0_image(struct k1_buf *b, const struct k1_image_plan *p)
{
	int rc = add(b,
		     "image boot0.img {\n\thdimage {\n\t\tpartition-table-type = \"none\"\n"
		     "\t}\n\tsize = %llu\n\n",
		     (unsigned long long)p->boot0_size);

	rc = rc ? rc
		: part(b, "bootinfo", p->bootinfo_path ? p->bootinfo_path : "bootinfo_emmc.bin", 0,
		       512, false) ||
			     add(b, "\t}\n");
	for (size_t i = 0; i < p->nextra && !rc; i++)
		rc = part(b, "fsbl", p->extra[i].path, p->extra[i].offset, p->extra[i].len,
			  false) ||
		     add(b, "\t}\n");
	return rc ? rc : add(b, "}\n\n");
}

/* genimage reads section titles as bare words. */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

int k1_genimage_cfg(const struct k1_image_plan *p, const char *image_name, struct k1_buf *out,
		    struct k1_error *err)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (!plain_name(p->parts[i].tp->name))
			return k1_err(
				err, K1_EINVAL,
				"genimage config: partition name '%s': genimage takes letters, "
				"digits, '-', '_' and '.' only",
				p->parts[i].tp->name);
	if (!plain_name(image_name))
		return k1_err(err, K1_EINVAL,
			      "genimage config: image name '%s': genimage takes letters, digits, "
			      "'-', '_' and '.' only",
			      image_name);
	int rc = add(out, "# genimage config written by k1fw image (%s, table %s)\n\n",
		     k1_media_name(p->media), p->table_path);

	if (!rc && p->media == K1_MEDIA_EMMC)
		rc = boot0_image(out, p);
	if (!rc)
		rc = user_image(out, p, image_name);
	return rc ? k1_err(err, rc == K1_ENOMEM ? K1_ENOMEM : K1_ERANGE,
			   "genimage config: a path or name is too long")
		  : 0;
}

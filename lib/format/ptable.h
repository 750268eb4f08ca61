/* The vendor's partition-table JSON (partition_universal.json,
 * partition_<N>M.json; spec §5, research §4): parsed, resolved to byte
 * offsets, and modelled the way the vendor U-Boot reads it. */
#ifndef K1_PTABLE_H
#define K1_PTABLE_H

#include "base/error.h"
#include "format/gpt.h"

#include "base/extents.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_PTABLE_MAX 256       /* parse refuses more (vendor U-Boot: 20) */
#define K1_PTABLE_VENDOR_MAX 20 /* MAX_PARTITION_NUM in fb_spacemit.c */
#define K1_SECTOR 512u

enum k1_ptable_kind { K1_PTABLE_GPT, K1_PTABLE_MTD, K1_PTABLE_UNKNOWN };

struct k1_ptable_part {
	char *name;       /* NULL when missing or not a string */
	char *offset_str; /* as written; NULL when absent or empty */
	char *size_str;   /* as written; NULL when absent */
	char *image;      /* NULL when absent or "" */
	char *holes_str, *compress, *type, *comment;
	bool hidden;   /* JSON true or the string "true" (U-Boot accepts both) */
	bool bootinfo; /* name starts with "bootinfo": U-Boot forces it hidden */
	bool in_table; /* becomes a GPT entry (gpt) or an mtdparts entry (mtd) */

	/* The layout k1fw resolves: byte units (B, K, M, G; bare = bytes), a
	 * missing offset = the end of the previous partition. */
	bool offset_known; /* false after a '-' partition or a syntax error */
	uint64_t offset;
	bool rest;       /* size "-": to the end of the device */
	bool size_known; /* size parsed (rest counts as known) */
	uint64_t size;   /* bytes; 0 when rest */

	/* fb_spacemit.c: offsets tracked in KiB, a size without K/M/G counts
	 * 0, an offset of 0 continues after the previous entry. */
	uint64_t vendor_offset; /* bytes */
	bool vendor_backwards;  /* U-Boot refuses the table at this entry */

	/* U-Boot `gpt write` (gpt, in_table only): start 0/absent = right
	 * after the previous GPT entry, the first at LBA 34. */
	bool gpt_known;
	uint64_t gpt_offset; /* bytes */

	struct k1_extent *holes;
	size_t nholes;
	char problem[200]; /* the first problem with this entry's fields, or "" */
};

struct k1_ptable {
	char *version; /* NULL when absent */
	char *format;  /* as written; NULL when absent */
	enum k1_ptable_kind kind;
	/* Every entry at offset 0 with size '-' (e.g. the Ky X1 factory
	 * table): a map of whole devices (eMMC boot0, user area), not a
	 * layout inside one device. */
	bool device_map;
	struct k1_ptable_part *parts;
	size_t count;
	size_t problems; /* entries whose problem[] is set */
};

/* Parse and resolve JSON text (name is used in messages). Field-level
 * problems (bad size syntax, missing name, ...) do not fail: they are left
 * in part->problem and counted in pt->problems; callers that need a usable
 * layout must reject a table with problems. K1_EINVAL when the text is not
 * a JSON object with a "partitions" array of objects. */
int k1_ptable_parse(const char *text, size_t len, const char *name, struct k1_ptable *out,
		    struct k1_error *err);
void k1_ptable_free(struct k1_ptable *pt);

/* A size or offset string in bytes, as U-Boot and genimage read it (the
 * syntax of k1_size_parse, base/size.h: a bare number is bytes); "-" sets
 * *rest. 0, K1_EINVAL or K1_ERANGE. */
int k1_ptable_parse_size(const char *s, uint64_t *bytes, bool *rest);

/* transfer_string_to_ul() of fb_spacemit.c: KiB, 0 for "-", for text
 * without K/M/G and for NULL. */
uint64_t k1_ptable_vendor_kib(const char *s);

/* The partition named name, or NULL. */
const struct k1_ptable_part *k1_ptable_find(const struct k1_ptable *pt, const char *name);

#endif

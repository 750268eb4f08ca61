/* Bootable SD-card and eMMC images from a release folder (k1fw bundle) and
 * its partition table (spec §2, §5): a plan first (every partition placed,
 * every file found, every rule the BootROM and SPL need checked), then the
 * images, written sparse (only data ranges are written; the rest stay
 * holes) to temporary files that are renamed into place together, or in
 * place to a block device (an SD card). */
#ifndef K1_IMAGE_H
#define K1_IMAGE_H

#include "base/copy.h"
#include "base/error.h"
#include "base/extents.h"
#include "base/output.h"
#include "format/bootinfo.h"
#include "format/gpt_write.h"
#include "format/ptable.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_IMAGE_BLOCK 4096u /* bmap and Android sparse block size */

/* One file for one partition, overriding the table (--part NAME=FILE). */
struct k1_image_override {
	const char *name;
	const char *path; /* "" leaves the partition empty */
};

struct k1_image_opts {
	const char *bundle;  /* release folder; images are relative to it */
	const char *table;   /* NULL: <bundle>/partition_universal.json */
	enum k1_media media; /* K1_MEDIA_SD or K1_MEDIA_EMMC */
	uint64_t size;       /* disk (user area) size; 0: just large enough */
	const struct k1_image_override *overrides;
	size_t noverrides;
	bool force;        /* refusals become warnings */
	bool random_guids; /* else derived from the inputs */
	bool no_fs_skip;   /* copy ext2/3/4 images' free blocks too */
};

struct k1_image_part {
	const struct k1_ptable_part *tp; /* the table entry (name, holes, ...) */
	uint64_t offset, size;           /* resolved; a '-' partition ends at the last usable LBA */
	bool in_gpt;
	char *path;         /* the file written into it, or NULL */
	uint64_t file_size; /* bytes of path that are copied (clipped to size) */
	uint8_t guid[16], type_guid[16];
};

/* One file written at a place that is no partition of its own (the backup
 * FSBL at spl1_offset; on eMMC boot0 the FSBL at 0x200). */
struct k1_image_blob {
	const char *what; /* "backup FSBL (spl1_offset)" */
	const char *path; /* owned by the plan (fsbl_path) */
	uint64_t offset, len;
};

struct k1_image_plan {
	enum k1_media media;
	struct k1_ptable pt;
	char *table_path;
	uint64_t disk_size; /* the user image (SD card, eMMC user area) */
	uint8_t disk_guid[16];
	struct k1_image_part *parts; /* every table entry, in table order */
	size_t nparts;
	/* The bootinfo the BootROM reads: SD, bytes 0-79 of the image; eMMC,
	 * offset 0 of boot0. */
	uint8_t bootinfo[K1_BOOTINFO_SIZE];
	struct k1_bootinfo bi;
	char *bootinfo_path; /* eMMC: NULL when no file holds the built-in values */
	/* SD: bytes 0-439 of sector 0 (the bootinfo partition minus its
	 * holes; the protective MBR follows). */
	uint8_t lba0[440];
	char *fsbl_path; /* FSBL.bin for spl0 (and spl1 when free) */
	uint64_t fsbl_size;
	struct k1_image_blob extra[2]; /* SD: backup FSBL; eMMC: boot0's FSBL */
	size_t nextra;
	uint64_t boot0_size; /* eMMC: spl0_offset + FSBL (as genimage sizes it) */
	size_t warnings;     /* refusals overridden by force, and notes */
	/* ext2/3/4 partition images: only the blocks their bitmap marks in
	 * use are copied (free ones stay holes, unmapped in sparse and bmap) */
	bool fs_skip;
};

/* Warnings and notes, one line each (may be NULL). */
typedef void (*k1_image_log)(void *ctx, const char *msg);

/* Read the table and the files it names, place every partition and check
 * the layout. A refusal (overlap, image too big, FSBL not where bootinfo
 * sends the BootROM, ...) returns K1_EINVAL with one line naming the
 * partition and offset; with force it is logged as a warning instead. */
int k1_image_plan(const struct k1_image_opts *o, struct k1_image_plan *plan, k1_image_log log,
		  void *log_ctx, struct k1_error *err);
void k1_image_plan_free(struct k1_image_plan *plan);

/* What to write: outputs checked by k1_output_init (raw and boot0 may
 * allow K1_OUTPUT_BLOCKDEV); NULL members are skipped. raw is required for
 * sparse and bmap (they describe it). */
struct k1_image_outputs {
	struct k1_output *raw;      /* the SD image, or the eMMC user area */
	struct k1_output *boot0;    /* eMMC: the boot0 hardware partition */
	struct k1_output *sparse;   /* Android sparse of raw (fastboot) */
	struct k1_output *bmap;     /* bmaptool block map of raw */
	struct k1_output *genimage; /* the equivalent genimage config */
	/* Writing a device: phase "writing" or "verifying", bytes of total
	 * (writing: an upper bound). May be NULL. */
	void (*progress)(void *ctx, const char *phase, uint64_t done, uint64_t total);
	void *progress_ctx;
};

/* Refuse an output that is one of the plan's inputs, then write every
 * output to a temporary file and rename them all into place once all are
 * complete; on error none is left behind. A block device is written in
 * place (it must hold the image), flushed and read back range by range.
 * map receives the data ranges of raw (may be NULL). */
int k1_image_write(const struct k1_image_plan *p, const struct k1_image_outputs *out,
		   struct k1_extents *map, struct k1_error *err);

/* ---- the pieces (image_write.c, image_gpt.c, bmap.c, image_sparse.c,
 * genimage_cfg.c) ---- */

/* Sector 0 (SD bootinfo, protective MBR) and the primary GPT (header at
 * LBA 1, entries LBA 2-33) into primary, the backup (entries, then the
 * header in the last sector) into backup: K1_GPT_PRIMARY_BYTES and
 * K1_GPT_BACKUP_BYTES. */
int k1_image_gpt(const struct k1_image_plan *p, uint8_t *primary, uint8_t *backup,
		 struct k1_error *err);

/* The raw image into d: a file (created, empty) is sized with ftruncate,
 * then only the data is written. boot0 likewise. */
int k1_image_write_raw(const struct k1_image_plan *p, struct k1_dest *d, struct k1_error *err);
int k1_image_write_boot0(const struct k1_image_plan *p, struct k1_dest *d, struct k1_error *err);

/* bmaptool 2.0 XML (SHA-256) for the size-byte file fd whose data lies in
 * map (block-rounded), into out. */
int k1_bmap_build(int fd, const char *name, uint64_t size, const struct k1_extents *map,
		  struct k1_buf *out, struct k1_error *err);

/* Android sparse (libsparse, 4 KiB blocks) of the size-byte file in_fd whose
 * data lies in map, written to out_fd. */
int k1_image_sparse(int in_fd, uint64_t size, const struct k1_extents *map, int out_fd,
		    const char *name, struct k1_error *err);

/* genimage's config for the same layout; image_name is the name genimage
 * writes (the raw output's base name). */
int k1_genimage_cfg(const struct k1_image_plan *p, const char *image_name, struct k1_buf *out,
		    struct k1_error *err);

#endif

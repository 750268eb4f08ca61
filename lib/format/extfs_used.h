/* Which blocks of an ext2/3/4 image hold anything: the filesystem's own
 * block bitmap (libext2fs), as bmaptool and e2image read it. Free blocks
 * may hold a deleted file's bytes; nothing needs them. */
#ifndef K1_EXTFS_USED_H
#define K1_EXTFS_USED_H

#include "base/error.h"
#include "base/extents.h"

#include <stddef.h>
#include <stdint.h>

#define K1_EXTFS_BLOCK 4096u /* the ranges are widened to this (sparse, bmap) */

struct k1_extfs_usage {
	char type[8];        /* "ext2", "ext3", "ext4" */
	uint64_t fs_bytes;   /* blocks_count * block size */
	uint64_t used_bytes; /* of the ranges below */
};

/* The ranges of data[0..len) that must be kept, into used (sorted, merged,
 * widened to 4 KiB): the blocks the bitmap marks in use (superblocks,
 * group descriptors, bitmaps, inode tables, journal and every file's and
 * directory's blocks are all marked), the boot block before the first data
 * block, and any bytes past the filesystem's end. 0 and used/u filled;
 * K1_ENODEV when data holds no ext superblock; K1_EINVAL (err says why)
 * when the filesystem cannot be trusted to tell: unreadable, bitmaps that
 * fail their checksums, a journal that still needs recovery (its replay
 * may claim blocks the bitmap calls free), larger than data. */
int k1_extfs_used(const uint8_t *data, size_t len, struct k1_extents *used,
		  struct k1_extfs_usage *u, struct k1_error *err);

#endif

/* The blocks an ext2/3/4 image uses, from its block bitmap. The
 * superblock's size is checked against the image before libext2fs sees
 * it, so a forged block count cannot make it allocate a huge bitmap. */
#include "format/extfs_used.h"
#include "base/bytes.h"
#include "format/ext_mem.h"

#include <stdio.h>

#define SB 1024u /* the primary superblock's offset */

/* blocks_count * block size as the superblock says; 0 when implausible. */
static uint64_t claimed_bytes(const uint8_t *sb)
{
	uint32_t log = k1_le32(sb + 24);
	uint64_t blocks = k1_le32(sb + 4);

	if (log > 6) /* 1 KiB << 6 = 64 KiB, the largest ext block */
		return 0;
	if (k1_le32(sb + 0x60) & EXT4_FEATURE_INCOMPAT_64BIT)
		blocks |= (uint64_t)k1_le32(sb + 0x150) << 32;
	if (blocks > (UINT64_MAX >> 17))
		return 0;
	return blocks << (10 + log);
}

static int scan(ext2_filsys fs, size_t len, struct k1_extents *used)
{
	uint64_t bs = fs->blocksize, first = fs->super->s_first_data_block;
	uint64_t count = ext2fs_blocks_count(fs->super);
	blk64_t at = first, set, clear;

	if (k1_extents_add(used, 0, first * bs))
		return K1_ENOMEM;
	while (at < count) {
		if (ext2fs_find_first_set_block_bitmap2(fs->block_map, at, count - 1, &set))
			break; /* no used block left */
		if (ext2fs_find_first_zero_block_bitmap2(fs->block_map, set, count - 1, &clear))
			clear = count;
		if (k1_extents_add(used, set * bs, clear * bs))
			return K1_ENOMEM;
		at = clear;
	}
	if (k1_extents_add(used, count * bs, len))
		return K1_ENOMEM;
	k1_extents_normalize(used, K1_EXTFS_BLOCK, len);
	return 0;
}

int k1_extfs_used(const uint8_t *data, size_t len, struct k1_extents *used,
		  struct k1_extfs_usage *u, struct k1_error *err)
{
	ext2_filsys fs = NULL;
	errcode_t e;
	uint64_t claimed;
	int rc;

	if (len < SB + 1024 || k1_le16(data + SB + 56) != EXT2_SUPER_MAGIC)
		return K1_ENODEV;
	claimed = claimed_bytes(data + SB);
	if (!claimed || claimed > len)
		return k1_err(err, K1_EINVAL,
			      "ext filesystem of %llu bytes in an image of %zu bytes",
			      (unsigned long long)claimed, len);
	if ((e = k1_ext_open_mem(data, len, 0, &fs)))
		return k1_err(err, K1_EINVAL, "ext filesystem unreadable: %s", error_message(e));
	if (ext2fs_has_feature_journal_needs_recovery(fs->super)) {
		rc = k1_err(err, K1_EINVAL,
			    "its journal needs recovery (not cleanly unmounted): the bitmap "
			    "may be stale");
	} else if ((e = ext2fs_read_block_bitmap(fs))) {
		rc = k1_err(err, K1_EINVAL, "block bitmap unreadable: %s", error_message(e));
	} else if ((rc = scan(fs, len, used))) {
		rc = k1_err(err, rc, "out of memory");
	} else {
		snprintf(u->type, sizeof(u->type), "%s",
			 ext2fs_has_feature_extents(fs->super)   ? "ext4"
			 : ext2fs_has_feature_journal(fs->super) ? "ext3"
								 : "ext2");
		u->fs_bytes = claimed;
		u->used_bytes = k1_extents_bytes(used);
	}
	ext2fs_close_free(&fs);
	return rc;
}

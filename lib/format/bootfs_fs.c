/* The bootfs reader: libext2fs on an in-memory, read-only I/O channel
 * (ext_mem.c), else our FAT reader (bootfs_fat.c). */
#include "format/bootfs_fs.h"
#include "format/bootfs_fs_impl.h"
#include "format/ext_mem.h"

#include <ext2fs/ext2fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- ext2/3/4 ---- */

static int ext_open(const uint8_t *data, size_t len, struct k1_fs *fs, struct k1_error *err)
{
	errcode_t e;

	/* the superblock's magic 0xEF53 at 1024+56: anything else is not ext */
	if (len < 2048 || data[1024 + 56] != 0x53 || data[1024 + 57] != 0xEF)
		return K1_ENODEV;
	e = k1_ext_open_mem(data, len, EXT2_FLAG_IGNORE_CSUM_ERRORS, &fs->ext);
	if (e)
		return k1_err(err, K1_EINVAL, "bootfs: ext filesystem unreadable: %s",
			      error_message(e));
	snprintf(fs->type, sizeof(fs->type), "%s",
		 ext2fs_has_feature_extents(fs->ext->super)   ? "ext4"
		 : ext2fs_has_feature_journal(fs->ext->super) ? "ext3"
							      : "ext2");
	return 0;
}

static int ext_read(struct k1_fs *fs, const char *path, uint8_t *buf, size_t max, size_t *got,
		    uint64_t *size, struct k1_error *err)
{
	struct ext2_inode inode;
	ext2_file_t f;
	ext2_ino_t ino;
	unsigned int n = 0;
	errcode_t e;

	while (*path == '/')
		path++;
	if (!*path)
		return K1_ENODEV;
	e = ext2fs_namei_follow(fs->ext, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino);
	if (e)
		return K1_ENODEV;
	if (ext2fs_read_inode(fs->ext, ino, &inode))
		return k1_err(err, K1_EINVAL, "bootfs: /%s: inode %u unreadable", path, ino);
	if (!LINUX_S_ISREG(inode.i_mode))
		return K1_ENODEV;
	*size = EXT2_I_SIZE(&inode);
	*got = 0;
	if (!max)
		return 0;
	if ((e = ext2fs_file_open(fs->ext, ino, 0, &f)))
		return k1_err(err, K1_EINVAL, "bootfs: /%s: %s", path, error_message(e));
	while (*got < max) {
		size_t want = max - *got < (1u << 20) ? max - *got : (1u << 20);
		e = ext2fs_file_read(f, buf + *got, (unsigned int)want, &n);
		if (e || !n)
			break;
		*got += n;
	}
	ext2fs_file_close(f);
	if (e)
		return k1_err(err, K1_EINVAL, "bootfs: /%s: %s", path, error_message(e));
	return 0;
}

int k1_fs_open(const uint8_t *data, size_t len, struct k1_fs **out, struct k1_error *err)
{
	struct k1_fs *fs;
	int rc;

	*out = NULL;
	if (!(fs = calloc(1, sizeof(*fs))))
		return k1_err(err, K1_ENOMEM, "out of memory");
	rc = ext_open(data, len, fs, err);
	if (!rc) {
		*out = fs;
		return 0;
	}
	free(fs);
	if (rc != K1_ENODEV)
		return rc;
	if (!k1_fat_open(data, len, out, err))
		return 0;
	return k1_err(err, K1_EINVAL,
		      "bootfs: neither an ext2/3/4 filesystem (no 0xEF53 at 0x438) nor FAT "
		      "(no boot sector with a valid BPB)");
}

void k1_fs_close(struct k1_fs *fs)
{
	if (!fs)
		return;
	if (fs->ext)
		ext2fs_close_free(&fs->ext);
	free(fs);
}

const char *k1_fs_type(const struct k1_fs *fs)
{
	return fs->type;
}

int k1_fs_read(struct k1_fs *fs, const char *path, uint8_t *buf, size_t max, size_t *got,
	       uint64_t *size, struct k1_error *err)
{
	*got = 0;
	*size = 0;
	return fs->ext ? ext_read(fs, path, buf, max, got, size, err)
		       : k1_fat_read(fs, path, buf, max, got, size, err);
}

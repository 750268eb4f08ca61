/* Read files from a bootfs partition held in memory, without mounting:
 * ext2/3/4 through e2fsprogs' libext2fs (a read-only in-memory I/O
 * manager), FAT12/16/32 with long names through our own small reader
 * (no Debian library reads FAT from memory). Paths are absolute or
 * relative to the root; FAT lookups ignore case, as U-Boot's do. */
#ifndef K1_BOOTFS_FS_H
#define K1_BOOTFS_FS_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k1_fs;

/* K1_EINVAL when the bytes hold neither an ext filesystem nor FAT. */
int k1_fs_open(const uint8_t *data, size_t len, struct k1_fs **out, struct k1_error *err);
void k1_fs_close(struct k1_fs *fs);
const char *k1_fs_type(const struct k1_fs *fs); /* "ext4", "fat16", ... */

/* Read at most max bytes of path into buf (may be NULL when max is 0);
 * *size gets the whole file's size. 0, K1_ENODEV when there is no such
 * file, or K1_EINVAL when the filesystem is
 * damaged on the way. A directory is not a file. */
int k1_fs_read(struct k1_fs *fs, const char *path, uint8_t *buf, size_t max, size_t *got,
	       uint64_t *size, struct k1_error *err);

/* FAT only (for the fuzz target and the ext4-less path). */
int k1_fat_open(const uint8_t *data, size_t len, struct k1_fs **out, struct k1_error *err);

#endif

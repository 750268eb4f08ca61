/* Internal to bootfs_fs.c and bootfs_fat.c. */
#ifndef K1_BOOTFS_FS_IMPL_H
#define K1_BOOTFS_FS_IMPL_H

#include "format/bootfs_fs.h"

struct struct_ext2_filsys;

struct k1_fat {
	const uint8_t *data;
	size_t len;
	int bits;              /* 12, 16, 32 */
	uint32_t bps, spc;     /* bytes per sector, sectors per cluster */
	uint64_t fat_off;      /* first FAT, bytes */
	uint64_t root_off;     /* FAT12/16 fixed root directory, bytes */
	uint32_t root_len;     /* its size in bytes */
	uint32_t root_cluster; /* FAT32 */
	uint64_t data_off;     /* cluster 2 */
	uint32_t clusters;     /* data clusters */
};

struct k1_fs {
	char type[8];
	struct struct_ext2_filsys *ext; /* NULL: FAT */
	struct k1_fat fat;
};

int k1_fat_read(struct k1_fs *fs, const char *path, uint8_t *buf, size_t max, size_t *got,
		uint64_t *size, struct k1_error *err);

#endif

/* libext2fs on an image in memory, read-only (ext_mem.c). */
#ifndef K1_EXT_MEM_H
#define K1_EXT_MEM_H

#include <ext2fs/ext2fs.h>
#include <stddef.h>
#include <stdint.h>

/* ext2fs_open2 of data[0..len) with EXT2_FLAG_64BITS | flags; data must
 * outlive *fs (close it with ext2fs_close_free). */
errcode_t k1_ext_open_mem(const uint8_t *data, size_t len, int flags, ext2_filsys *fs);

#endif

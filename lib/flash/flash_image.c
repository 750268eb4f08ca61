/* What one partition image costs on the wire. An ext2/3/4 image goes as an
 * Android sparse file of the blocks its bitmap marks in use: free blocks
 * (a deleted file's bytes) are DONT_CARE and keep what the partition held,
 * as bmaptool leaves them; used blocks that are all zero go as FILL. Any
 * other image goes as it is (AOSP fastboot's way). */
#include "flash/flash.h"
#include "format/extfs_used.h"
#include "format/sparse.h"

#include <android/sparse/sparse.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLK K1_EXTFS_BLOCK
#define ADD_MAX (64u << 20) /* sparse_file_add_data takes an unsigned length */

static bool zero_block(const uint8_t *p)
{
	static const uint8_t zero[BLK];
	return !memcmp(p, zero, BLK);
}

/* [a, b) of the image into s: runs of zero blocks as FILL, the rest as
 * the mapped bytes themselves (sent from the map without a copy). */
static int add_range(struct sparse_file *s, const uint8_t *map, uint64_t a, uint64_t b)
{
	while (a < b) {
		bool z = zero_block(map + a);
		uint64_t e = a + BLK;
		while (e < b && e - a < ADD_MAX && zero_block(map + e) == z)
			e += BLK;
		int rc = z ? sparse_file_add_fill(s, 0, (unsigned)(e - a), (unsigned)(a / BLK))
			   : sparse_file_add_data(s, (void *)(map + a), (unsigned)(e - a),
						  (unsigned)(a / BLK));
		if (rc < 0)
			return K1_ENOMEM;
		a = e;
	}
	return 0;
}

static int build(struct k1_flash_image *im, const uint8_t *map, struct k1_error *err)
{
	struct k1_extents used = K1_EXTENTS_INIT;
	struct k1_extfs_usage u;
	struct k1_error why = {0};
	int rc = k1_extfs_used(map, (size_t)im->size, &used, &u, &why);

	if (rc == K1_ENODEV) {
		snprintf(im->why, sizeof(im->why), "raw: no ext2/3/4 filesystem");
		rc = 0;
	} else if (rc == K1_ENOMEM) {
		rc = k1_err(err, rc, "out of memory");
	} else if (rc) { /* a filesystem we cannot read is sent whole */
		snprintf(im->why, sizeof(im->why), "raw: %.180s", why.msg);
		rc = 0;
	} else if (!(im->fs = sparse_file_new(BLK, (int64_t)im->size))) {
		rc = k1_err(err, K1_ENOMEM, "out of memory");
	} else {
		for (size_t i = 0; i < used.n && !rc; i++)
			rc = add_range(im->fs, map, used.v[i].start, used.v[i].end);
		if (rc) {
			rc = k1_err(err, rc, "out of memory");
		} else {
			im->write = u.used_bytes;
			snprintf(im->why, sizeof(im->why),
				 "%s: %" PRIu64 " of %" PRIu64
				 " KiB in use; free blocks not sent, zero blocks as fill",
				 u.type, u.used_bytes >> 10, im->size >> 10);
		}
	}
	k1_extents_free(&used);
	return rc;
}

int k1_flash_image_open(int fd, const char *path, uint64_t size, bool fs_skip,
			struct k1_flash_image *im, struct k1_error *err)
{
	uint8_t magic[4];
	void *map;
	int rc;

	memset(im, 0, sizeof(*im));
	im->size = im->send = im->write = size;
	if (pread(fd, magic, 4, 0) == 4 &&
	    (uint32_t)(magic[0] | magic[1] << 8 | magic[2] << 16 | (uint32_t)magic[3] << 24) ==
		    K1_SPARSE_MAGIC) {
		snprintf(im->why, sizeof(im->why), "Android sparse already");
		return 0;
	}
	if (!fs_skip) {
		snprintf(im->why, sizeof(im->why), "raw (--no-fs-skip)");
		return 0;
	}
	if (size % BLK || (uint64_t)(size_t)size != size) {
		snprintf(im->why, sizeof(im->why), "raw: not a whole number of 4 KiB blocks");
		return 0;
	}
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return k1_err(err, K1_EIO, "%s: mmap: %s", path, strerror(errno));
	madvise(map, (size_t)size, MADV_SEQUENTIAL);
	im->map = map;
	rc = build(im, map, err);
	if (rc) {
		k1_flash_image_close(im);
		return rc;
	}
	if (im->fs)
		im->send = (uint64_t)sparse_file_len(im->fs, true, false);
	if (im->fs && im->send >= size) { /* nothing saved: send it as it is */
		sparse_file_destroy(im->fs);
		im->fs = NULL;
		im->send = im->write = size;
		snprintf(im->why, sizeof(im->why), "raw: its filesystem is full");
	}
	if (!im->fs) {
		munmap(im->map, (size_t)size);
		im->map = NULL;
	}
	return 0;
}

void k1_flash_image_close(struct k1_flash_image *im)
{
	if (im->fs)
		sparse_file_destroy(im->fs);
	if (im->map)
		munmap(im->map, (size_t)im->size);
	im->fs = NULL;
	im->map = NULL;
	k1_flash_gzip_free(im->gz);
	im->gz = NULL;
}

int k1_flash_image_open_path(const char *path, bool fs_skip, int *fd, struct k1_flash_image *im,
			     struct k1_error *err)
{
	struct stat st;
	int rc;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return k1_err(err, K1_EIO, "%s: %s", path, strerror(errno));
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0)
		rc = k1_err(err, K1_EINVAL, "%s: not a non-empty regular file", path);
	else
		rc = k1_flash_image_open(*fd, path, (uint64_t)st.st_size, fs_skip, im, err);
	if (rc) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

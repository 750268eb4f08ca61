/* Android sparse output through AOSP libsparse (what img2simg and fastboot
 * use): the image's data ranges become RAW chunks read from the raw image,
 * the rest DONT_CARE. */
#include "image/image.h"

#include <android/sparse/sparse.h>
#include <string.h>

#define PIECE (1u << 30) /* sparse_file_add_fd takes an unsigned int length */

int k1_image_sparse(int in_fd, uint64_t size, const struct k1_extents *map, int out_fd,
		    const char *name, struct k1_error *err)
{
	struct sparse_file *s;
	int rc = 0;

	if (size % K1_IMAGE_BLOCK)
		return k1_err(err, K1_EINVAL, "%s: image size %llu is not a multiple of %u", name,
			      (unsigned long long)size, K1_IMAGE_BLOCK);
	if (size / K1_IMAGE_BLOCK > 0xFFFFFFFFull)
		return k1_err(err, K1_ERANGE, "%s: image too large for Android sparse", name);
	s = sparse_file_new(K1_IMAGE_BLOCK, (int64_t)size);
	if (!s)
		return k1_err(err, K1_ENOMEM, "out of memory");
	for (size_t i = 0; i < map->n && !rc; i++)
		for (uint64_t off = map->v[i].start; off < map->v[i].end && !rc; off += PIECE) {
			uint64_t len = map->v[i].end - off < PIECE ? map->v[i].end - off : PIECE;
			if (sparse_file_add_fd(s, in_fd, (int64_t)off, (unsigned)len,
					       (unsigned)(off / K1_IMAGE_BLOCK)) < 0)
				rc = k1_err(err, K1_ENOMEM, "%s: libsparse could not add 0x%llx",
					    name, (unsigned long long)off);
		}
	if (!rc && sparse_file_write(s, out_fd, false, true, false) < 0)
		rc = k1_err(err, K1_EIO, "%s: libsparse could not write the sparse image", name);
	sparse_file_destroy(s);
	return rc;
}

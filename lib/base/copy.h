/* Writing ranges of data into a file or device: one pwrite loop, and the
 * extent copier that keeps a source's holes and zero blocks unwritten. */
#ifndef K1_COPY_H
#define K1_COPY_H

#include "base/error.h"
#include "base/extents.h"

#include <stddef.h>
#include <stdint.h>

/* p[0..len) to fd at off, the range added to map (may be NULL); name is
 * fd's for the error. */
int k1_pwrite_all(int fd, const char *name, const uint8_t *p, size_t len, uint64_t off,
		  struct k1_extents *map, struct k1_error *err);

/* Copy src[0..len) to dst at dst_off by src's data extents (SEEK_DATA/
 * SEEK_HOLE), leaving its holes and its all-zero 4 KiB blocks unwritten and
 * skipping src's bytes [skip[i].start, skip[i].end). Written ranges are
 * added to map. */
int k1_copy_extents(int src, const char *src_name, int dst, const char *dst_name, uint64_t dst_off,
		    uint64_t len, const struct k1_extent *skip, size_t nskip,
		    struct k1_extents *map, struct k1_error *err);

#endif

/* Copy a file into an image by its data extents: holes in the source stay
 * holes in the image (SEEK_DATA/SEEK_HOLE), and so do all-zero 4 KiB blocks
 * inside the data (a filesystem image copied with cp or by k1fw bundle has
 * lost its holes). Skipping zeros needs the bytes, so data goes through a
 * 1 MiB buffer (pread/pwrite); copy_file_range would copy the zeros too. */
#include "base/copy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define ZBLOCK 4096u

int k1_pwrite_all(int fd, const char *name, const uint8_t *p, size_t len, uint64_t off,
		  struct k1_extents *map, struct k1_error *err)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = pwrite(fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return k1_err(err, K1_EIO, "%s: write error at 0x%llx: %s", name,
				      (unsigned long long)(off + done), strerror(errno));
		done += (size_t)n;
	}
	return map && k1_extents_add(map, off, off + len) ? k1_err(err, K1_ENOMEM, "out of memory")
							  : 0;
}

static bool zero_block(const uint8_t *p, size_t n)
{
	static const uint8_t zero[ZBLOCK];
	return !memcmp(p, zero, n);
}

/* Length of the block at buffer position i: blocks follow the image's
 * 4 KiB boundaries (where holes can be), not the buffer's. */
static size_t block_at(uint64_t dof, size_t i, size_t len)
{
	size_t b = ZBLOCK - (size_t)((dof + i) % ZBLOCK);
	return b < len - i ? b : len - i;
}

/* Write buf[0..len) at dof, leaving out its all-zero 4 KiB blocks. */
static int put_nonzero(int dst, const char *dn, const uint8_t *buf, size_t len, uint64_t dof,
		       struct k1_extents *map, struct k1_error *err)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		size_t run = i, end;
		while (run < len && zero_block(buf + run, block_at(dof, run, len)))
			run += block_at(dof, run, len);
		if (run >= len)
			break;
		end = run;
		while (end < len && !zero_block(buf + end, block_at(dof, end, len)))
			end += block_at(dof, end, len);
		if ((rc = k1_pwrite_all(dst, dn, buf + run, end - run, dof + run, map, err)))
			return rc;
		i = end;
	}
	return 0;
}

/* src[so, so+len) to dst at dof through a buffer. */
static int pcopy(int src, const char *sn, uint64_t so, int dst, const char *dn, uint64_t dof,
		 uint64_t len, struct k1_extents *map, struct k1_error *err)
{
	uint8_t *buf = malloc(CHUNK);
	int rc = 0;

	if (!buf)
		return k1_err(err, K1_ENOMEM, "out of memory");
	while (len && !rc) {
		size_t want = len < CHUNK ? (size_t)len : CHUNK, got = 0;
		while (got < want) {
			ssize_t n = pread(src, buf + got, want - got, (off_t)(so + got));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = n < 0 ? k1_err(err, K1_EIO, "%s: read error at 0x%llx: %s", sn,
						    (unsigned long long)(so + got), strerror(errno))
					   : k1_err(err, K1_EIO,
						    "%s: shrank while being copied (0x%llx)", sn,
						    (unsigned long long)(so + got));
				break;
			}
			got += (size_t)n;
		}
		if (!rc)
			rc = put_nonzero(dst, dn, buf, want, dof, map, err);
		so += want, dof += want, len -= want;
	}
	free(buf);
	return rc;
}

/* [a, b) minus the skipped ranges, each piece copied. */
static int copy_minus(int src, const char *sn, int dst, const char *dn, uint64_t dst_off,
		      uint64_t a, uint64_t b, const struct k1_extent *skip, size_t nskip,
		      struct k1_extents *map, struct k1_error *err)
{
	int rc;

	for (size_t i = 0; i < nskip && a < b; i++) {
		if (skip[i].end <= a || skip[i].start >= b)
			continue;
		if (skip[i].start > a &&
		    (rc = copy_minus(src, sn, dst, dn, dst_off, a, skip[i].start, skip + i + 1,
				     nskip - i - 1, map, err)))
			return rc;
		a = skip[i].end;
	}
	if (a >= b)
		return 0;
	return pcopy(src, sn, a, dst, dn, dst_off + a, b - a, map, err);
}

int k1_copy_extents(int src, const char *src_name, int dst, const char *dst_name, uint64_t dst_off,
		    uint64_t len, const struct k1_extent *skip, size_t nskip,
		    struct k1_extents *map, struct k1_error *err)
{
	uint64_t pos = 0;
	int rc;

	while (pos < len) {
		off_t d = lseek(src, (off_t)pos, SEEK_DATA), h;
		if (d < 0 && errno == ENXIO)
			break; /* only a hole is left */
		if (d < 0)     /* no SEEK_DATA here: all of it is data */
			return copy_minus(src, src_name, dst, dst_name, dst_off, pos, len, skip,
					  nskip, map, err);
		if ((uint64_t)d >= len)
			break;
		h = lseek(src, d, SEEK_HOLE);
		if (h < 0 || (uint64_t)h > len)
			h = (off_t)len;
		if ((rc = copy_minus(src, src_name, dst, dst_name, dst_off, (uint64_t)d,
				     (uint64_t)h, skip, nskip, map, err)))
			return rc;
		pos = (uint64_t)h;
	}
	return 0;
}

/* Copy a file into an image by its data extents: holes in the source stay
 * holes in the image (SEEK_DATA/SEEK_HOLE), and so do all-zero 4 KiB blocks
 * inside the data (a filesystem image copied with cp or by k1fw bundle has
 * lost its holes). Skipping zeros needs the bytes, so data goes through a
 * 1 MiB buffer (pread/pwrite); copy_file_range would copy the zeros too.
 * A device is not blank: a source's holes and zero blocks are zeroed there,
 * and every range is logged with its SHA-256 so the read-back compares all
 * of them. */
#include "base/copy.h"
#include "base/blockdev.h"
#include "base/crypto.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define ZBLOCK 4096u

static int log_range(struct k1_dest *d, const uint8_t *p, uint64_t off, uint64_t len,
		     struct k1_error *err)
{
	size_t hl;

	if (d->nlog == d->caplog) {
		size_t cap = d->caplog ? 2 * d->caplog : 256;
		struct k1_written *v = realloc(d->log, cap * sizeof(*v));
		if (!v)
			return k1_err(err, K1_ENOMEM, "out of memory");
		d->log = v;
		d->caplog = cap;
	}
	struct k1_written *w = &d->log[d->nlog];
	*w = (struct k1_written){.off = off, .len = len, .zero = !p};
	if (p && k1_digest("sha256", p, (size_t)len, w->sha256, &hl, err))
		return K1_ECRYPTO;
	d->nlog++;
	return 0;
}

static void advance(struct k1_dest *d, uint64_t len)
{
	d->done += len;
	if (d->progress)
		d->progress(d->progress_ctx, d->done);
}

int k1_dest_write(struct k1_dest *d, const uint8_t *p, size_t len, uint64_t off,
		  struct k1_error *err)
{
	int rc;

	for (size_t done = 0; done < len;) {
		ssize_t n = pwrite(d->fd, p + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return k1_err(err, K1_EIO, "%s: write error in 0x%llx-0x%llx: %s", d->name,
				      (unsigned long long)(off + done),
				      (unsigned long long)(off + len),
				      n < 0 ? strerror(errno) : "nothing written (device full?)");
		done += (size_t)n;
	}
	for (size_t i = 0; d->device && i < len; i += CHUNK) /* ranges of at most 1 MiB */
		if ((rc = log_range(d, p + i, off + i, len - i < CHUNK ? len - i : CHUNK, err)))
			return rc;
	if (d->map && k1_extents_add(d->map, off, off + len))
		return k1_err(err, K1_ENOMEM, "out of memory");
	advance(d, len);
	return 0;
}

int k1_dest_zero(struct k1_dest *d, uint64_t off, uint64_t len, struct k1_error *err)
{
	int rc;

	if (!d->device || !len)
		return 0;
	if ((rc = k1_blockdev_zero(d->fd, d->name, off, len, err)) ||
	    (rc = log_range(d, NULL, off, len, err)))
		return rc;
	advance(d, len);
	return 0;
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

/* Write buf[0..len) at dof, leaving out (on a device: zeroing) its all-zero
 * 4 KiB blocks. */
static int put_nonzero(struct k1_dest *d, const uint8_t *buf, size_t len, uint64_t dof,
		       struct k1_error *err)
{
	size_t i = 0;
	int rc;

	while (i < len) {
		size_t run = i, end;
		while (run < len && zero_block(buf + run, block_at(dof, run, len)))
			run += block_at(dof, run, len);
		if (run > i && (rc = k1_dest_zero(d, dof + i, run - i, err)))
			return rc;
		if (run >= len)
			break;
		end = run;
		while (end < len && !zero_block(buf + end, block_at(dof, end, len)))
			end += block_at(dof, end, len);
		if ((rc = k1_dest_write(d, buf + run, end - run, dof + run, err)))
			return rc;
		i = end;
	}
	return 0;
}

/* src[so, so+len) to dst at dof through a buffer. */
static int pcopy(int src, const char *sn, uint64_t so, struct k1_dest *d, uint64_t dof,
		 uint64_t len, struct k1_error *err)
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
			rc = put_nonzero(d, buf, want, dof, err);
		so += want, dof += want, len -= want;
	}
	free(buf);
	return rc;
}

/* [a, b) minus the skipped ranges, each piece copied (or zeroed). */
static int copy_minus(int src, const char *sn, struct k1_dest *d, uint64_t dst_off, uint64_t a,
		      uint64_t b, const struct k1_extent *skip, size_t nskip, bool zero,
		      struct k1_error *err)
{
	int rc;

	for (size_t i = 0; i < nskip && a < b; i++) {
		if (skip[i].end <= a || skip[i].start >= b)
			continue;
		if (skip[i].start > a && (rc = copy_minus(src, sn, d, dst_off, a, skip[i].start,
							  skip + i + 1, nskip - i - 1, zero, err)))
			return rc;
		a = skip[i].end;
	}
	if (a >= b)
		return 0;
	return zero ? k1_dest_zero(d, dst_off + a, b - a, err)
		    : pcopy(src, sn, a, d, dst_off + a, b - a, err);
}

/* A device gets the source's holes as zeros: a file system image needs
 * some of them (mkfs.ext4 -d leaves the resize inode's reserved blocks as
 * holes; stale bytes there fail e2fsck), so only a blank file skips them. */
static int hole(int src, const char *sn, struct k1_dest *d, uint64_t dst_off, uint64_t a,
		uint64_t b, const struct k1_extent *skip, size_t nskip, struct k1_error *err)
{
	return d->device && a < b ? copy_minus(src, sn, d, dst_off, a, b, skip, nskip, true, err)
				  : 0;
}

int k1_copy_extents(int src, const char *src_name, struct k1_dest *d, uint64_t dst_off,
		    uint64_t len, const struct k1_extent *skip, size_t nskip, struct k1_error *err)
{
	uint64_t pos = 0;
	int rc;

	while (pos < len) {
		off_t data = lseek(src, (off_t)pos, SEEK_DATA), h;
		if (data < 0 && errno == ENXIO)
			break; /* only a hole is left */
		if (data < 0)  /* no SEEK_DATA here: all of it is data */
			return copy_minus(src, src_name, d, dst_off, pos, len, skip, nskip, false,
					  err);
		if ((uint64_t)data >= len)
			break;
		h = lseek(src, data, SEEK_HOLE);
		if (h < 0 || (uint64_t)h > len)
			h = (off_t)len;
		if ((rc = hole(src, src_name, d, dst_off, pos, (uint64_t)data, skip, nskip, err)) ||
		    (rc = copy_minus(src, src_name, d, dst_off, (uint64_t)data, (uint64_t)h, skip,
				     nskip, false, err)))
			return rc;
		pos = (uint64_t)h;
	}
	return hole(src, src_name, d, dst_off, pos, len, skip, nskip, err);
}

int k1_dest_verify(struct k1_dest *d, void (*progress)(void *ctx, uint64_t done, uint64_t total),
		   void *ctx, struct k1_error *err)
{
	uint8_t *buf = malloc(CHUNK), h[64];
	uint64_t total = 0, done = 0;
	int rc = 0;

	if (!buf)
		return k1_err(err, K1_ENOMEM, "out of memory");
	for (size_t i = 0; i < d->nlog; i++)
		total += d->log[i].len;
	for (size_t i = 0; i < d->nlog && !rc; i++) {
		const struct k1_written *w = &d->log[i];
		bool same = true;
		for (uint64_t at = 0; at < w->len && same && !rc;) { /* zeroed ranges are long */
			size_t want = w->len - at < CHUNK ? (size_t)(w->len - at) : CHUNK, got = 0;
			while (got < want && !rc) {
				ssize_t n = pread(d->fd, buf + got, want - got,
						  (off_t)(w->off + at + got));
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0)
					rc = k1_err(err, K1_EIO,
						    "%s: cannot read back 0x%llx-0x%llx: %s",
						    d->name, (unsigned long long)w->off,
						    (unsigned long long)(w->off + w->len),
						    n < 0 ? strerror(errno) : "end of device");
				else
					got += (size_t)n;
			}
			if (rc)
				break;
			if (w->zero) {
				for (size_t k = 0; k < want && same; k += ZBLOCK)
					same = zero_block(buf + k,
							  want - k < ZBLOCK ? want - k : ZBLOCK);
			} else {
				size_t hl;
				rc = k1_digest("sha256", buf, want, h, &hl, err);
				same = !rc && !memcmp(h, w->sha256, 32);
			}
			at += want;
		}
		if (!rc && !same)
			rc = k1_err(err, K1_EIO,
				    "%s: read-back differs from what was written in 0x%llx-0x%llx "
				    "(%s): the medium does not keep its data (failing or "
				    "fake-capacity card?)",
				    d->name, (unsigned long long)w->off,
				    (unsigned long long)(w->off + w->len),
				    w->zero ? "zeroed" : "data");
		done += w->len;
		if (!rc && progress)
			progress(ctx, done, total);
	}
	free(buf);
	return rc;
}

void k1_dest_free(struct k1_dest *d)
{
	free(d->log);
	d->log = NULL;
	d->nlog = d->caplog = 0;
}

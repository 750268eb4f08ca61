/* Writing ranges of data into a file or device: one write path, the extent
 * copier that keeps a source's holes and zero blocks unwritten, and, for a
 * device, the read-back that compares every range written. */
#ifndef K1_COPY_H
#define K1_COPY_H

#include "base/error.h"
#include "base/extents.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One range written to a device, for the read-back. */
struct k1_written {
	uint64_t off, len;
	uint8_t sha256[32];
	bool zero; /* zeroed: reads back as zeros */
};

/* Where data goes. A fresh file is blank (its holes read as zeros); a
 * device is not: there a source's holes and zero blocks are zeroed rather
 * than skipped, and every range is logged for k1_dest_verify. */
struct k1_dest {
	int fd;
	const char *name;                           /* for messages */
	struct k1_extents *map;                     /* data ranges written, or NULL */
	bool device;                                /* not blank: zero, log, read back */
	struct k1_written *log;                     /* device: what was written */
	size_t nlog, caplog;                        /* (the log's size) */
	uint64_t done;                              /* bytes written or zeroed so far */
	void (*progress)(void *ctx, uint64_t done); /* after each range; may be NULL */
	void *progress_ctx;
};

/* p[0..len) to d at off. */
int k1_dest_write(struct k1_dest *d, const uint8_t *p, size_t len, uint64_t off,
		  struct k1_error *err);

/* [off, off + len) must read as zeros: zeroed on a device, nothing to do on
 * a blank file. */
int k1_dest_zero(struct k1_dest *d, uint64_t off, uint64_t len, struct k1_error *err);

/* Copy src[0..len) to d at dst_off by src's data extents (SEEK_DATA/
 * SEEK_HOLE), leaving its holes and its all-zero 4 KiB blocks unwritten
 * (zeroed on a device) and skipping src's bytes [skip[i].start,
 * skip[i].end). Data ranges written are added to d->map. */
int k1_copy_extents(int src, const char *src_name, struct k1_dest *d, uint64_t dst_off,
		    uint64_t len, const struct k1_extent *skip, size_t nskip, struct k1_error *err);

/* A device: read every logged range back (after k1_blockdev_flush) and
 * compare; K1_EIO naming the first range that differs. progress gets bytes
 * compared of total. */
int k1_dest_verify(struct k1_dest *d, void (*progress)(void *ctx, uint64_t done, uint64_t total),
		   void *ctx, struct k1_error *err);

void k1_dest_free(struct k1_dest *d);

#endif

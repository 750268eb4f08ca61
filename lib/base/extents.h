/* A set of byte ranges: where an image holds data (the rest are holes). */
#ifndef K1_EXTENTS_H
#define K1_EXTENTS_H

#include "base/buf.h"

#include <stddef.h>
#include <stdint.h>

struct k1_extent {
	uint64_t start, end; /* [start, end) */
};

struct k1_extents {
	struct k1_extent *v;
	size_t n, cap;
};

#define K1_EXTENTS_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Add [start, end); empty ranges are ignored. 0 or K1_ENOMEM. */
int k1_extents_add(struct k1_extents *x, uint64_t start, uint64_t end);
/* Widen every range to whole blocks (clipped to limit), sort and merge. */
void k1_extents_normalize(struct k1_extents *x, uint64_t block, uint64_t limit);
uint64_t k1_extents_bytes(const struct k1_extents *x);
void k1_extents_free(struct k1_extents *x);

#endif

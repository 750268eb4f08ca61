#include "base/extents.h"
#include "base/error.h"

#include <stdlib.h>

int k1_extents_add(struct k1_extents *x, uint64_t start, uint64_t end)
{
	if (end <= start)
		return 0;
	if (x->n && x->v[x->n - 1].end == start) { /* the common case: in order */
		x->v[x->n - 1].end = end;
		return 0;
	}
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		struct k1_extent *v = realloc(x->v, cap * sizeof(*v));
		if (!v)
			return K1_ENOMEM;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = (struct k1_extent){start, end};
	return 0;
}

static int cmp_start(const void *a, const void *b)
{
	const struct k1_extent *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void k1_extents_normalize(struct k1_extents *x, uint64_t block, uint64_t limit)
{
	size_t out = 0;

	if (!x->n) /* qsort must not see the NULL of an empty set */
		return;
	for (size_t i = 0; i < x->n; i++) {
		x->v[i].start -= x->v[i].start % block;
		if (x->v[i].end % block)
			x->v[i].end += block - x->v[i].end % block;
		if (x->v[i].end > limit)
			x->v[i].end = limit;
	}
	qsort(x->v, x->n, sizeof(*x->v), cmp_start);
	for (size_t i = 0; i < x->n; i++) {
		if (x->v[i].end <= x->v[i].start)
			continue;
		if (out && x->v[i].start <= x->v[out - 1].end) {
			if (x->v[i].end > x->v[out - 1].end)
				x->v[out - 1].end = x->v[i].end;
		} else {
			x->v[out++] = x->v[i];
		}
	}
	x->n = out;
}

uint64_t k1_extents_bytes(const struct k1_extents *x)
{
	uint64_t n = 0;
	for (size_t i = 0; i < x->n; i++)
		n += x->v[i].end - x->v[i].start;
	return n;
}

void k1_extents_free(struct k1_extents *x)
{
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}

/* A growable byte buffer: the one container libk1fw builds outputs in. */
#ifndef K1_BUF_H
#define K1_BUF_H

#include <stddef.h>
#include <stdint.h>

struct k1_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

#define K1_BUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Each returns 0 or K1_ENOMEM. */
int k1_buf_reserve(struct k1_buf *b, size_t extra);
int k1_buf_append(struct k1_buf *b, const void *data, size_t len);
int k1_buf_fill(struct k1_buf *b, uint8_t byte, size_t count);
/* Zero-pad to a multiple of align (align 0 or 1: nothing). */
int k1_buf_align(struct k1_buf *b, size_t align);
/* printf-style text appended (no NUL); K1_ERANGE when it would take max
 * bytes or more (a bound on one call, e.g. one line of a config). */
int k1_buf_printf(struct k1_buf *b, size_t max, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void k1_buf_free(struct k1_buf *b);

#endif

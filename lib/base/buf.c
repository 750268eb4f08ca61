/* The growable byte buffer (buf.h) every builder in libk1fw appends to. */
#include "base/buf.h"
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int k1_buf_reserve(struct k1_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len)
		return K1_ENOMEM;
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return K1_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int k1_buf_append(struct k1_buf *b, const void *data, size_t len)
{
	if (!len)
		return 0;
	if (k1_buf_reserve(b, len))
		return K1_ENOMEM;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int k1_buf_fill(struct k1_buf *b, uint8_t byte, size_t count)
{
	if (!count)
		return 0;
	if (k1_buf_reserve(b, count))
		return K1_ENOMEM;
	memset(b->data + b->len, byte, count);
	b->len += count;
	return 0;
}

int k1_buf_align(struct k1_buf *b, size_t align)
{
	size_t rem;

	if (align <= 1)
		return 0;
	rem = b->len % align;
	return rem ? k1_buf_fill(b, 0, align - rem) : 0;
}

int k1_buf_printf(struct k1_buf *b, size_t max, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= max)
		return K1_ERANGE;
	if (k1_buf_reserve(b, (size_t)n + 1))
		return K1_ENOMEM;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void k1_buf_free(struct k1_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

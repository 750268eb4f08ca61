#include "format/check.h"
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int k1_check_add(struct k1_checks *c, bool ok, const char *name, const char *where, const char *fmt,
		 ...)
{
	struct k1_check *it;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		it = realloc(c->items, cap * sizeof(*it));
		if (!it)
			return K1_ENOMEM;
		c->items = it;
		c->cap = cap;
	}
	it = &c->items[c->count];
	it->name = strdup(name);
	it->where = strdup(where ? where : "");
	it->message = strdup(msg);
	it->ok = ok;
	if (!it->name || !it->where || !it->message) {
		free(it->name);
		free(it->where);
		free(it->message);
		return K1_ENOMEM;
	}
	c->count++;
	return 0;
}

const char *k1_check_off(const struct k1_checks *c, uint64_t off, char *buf, size_t bufsz)
{
	snprintf(buf, bufsz, "0x%llx", (unsigned long long)(c->base + off));
	return buf;
}

size_t k1_checks_failed(const struct k1_checks *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->count; i++)
		n += !c->items[i].ok;
	return n;
}

void k1_checks_free(struct k1_checks *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free(c->items[i].name);
		free(c->items[i].where);
		free(c->items[i].message);
	}
	free(c->items);
	c->items = NULL;
	c->count = c->cap = 0;
}

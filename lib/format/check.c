#include "format/check.h"
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void k1_check_add(struct k1_checks *c, bool ok, const char *name, const char *where,
		  const char *fmt, ...)
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
		if (!it) {
			c->oom = true;
			return;
		}
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
		c->oom = true;
		return;
	}
	c->count++;
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
	return n + c->oom;
}

int k1_checks_first_failure(const struct k1_checks *c, const char *label, struct k1_error *err)
{
	for (size_t i = 0; i < c->count; i++) {
		const struct k1_check *k = &c->items[i];
		if (!k->ok)
			return k1_err(err, K1_EINVAL, "%s: verify failed: %s%s%s: %s", label,
				      k->name, k->where[0] ? " @ " : "", k->where, k->message);
	}
	if (c->oom)
		return k1_err(err, K1_ENOMEM, "%s: out of memory recording the checks", label);
	return 0;
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
	c->oom = false;
}

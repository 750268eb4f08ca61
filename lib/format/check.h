/* The results of `verify`: one entry per check run, passed or failed, each
 * naming the check, where it looked (offset or field) and what it saw. */
#ifndef K1_CHECK_H
#define K1_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k1_check {
	char *name;    /* stable id, e.g. "bootinfo.crc32", "fsbl.signature0" */
	char *where;   /* "0x40", "header1.imgsize", "image uboot" */
	char *message; /* "expected 0x67dcac43, found 0x00000000" */
	bool ok;
};

struct k1_checks {
	struct k1_check *items;
	size_t count, cap;
	uint64_t base;    /* added to offsets that checks report (nested files) */
	const char *file; /* the file being verified, for the CLI */
};

/* Record one result. where and message are printf-style joined as
 * "where\tmessage": pass them as where, then fmt. Returns 0 or K1_ENOMEM. */
int k1_check_add(struct k1_checks *c, bool ok, const char *name, const char *where, const char *fmt,
		 ...) __attribute__((format(printf, 5, 6)));

/* Offset string helper: "0x%llx" of base + off, into a caller buffer. */
const char *k1_check_off(const struct k1_checks *c, uint64_t off, char *buf, size_t bufsz);

size_t k1_checks_failed(const struct k1_checks *c);
void k1_checks_free(struct k1_checks *c);

#endif

/* The results of `verify`: one entry per check run, passed or failed, each
 * naming the check, where it looked (offset or field) and what it saw.
 * Verifiers add checks without looking at the result: a check that could
 * not be recorded (out of memory) marks the whole list, for good, so that
 * a list with a check missing never reads as "all passed". */
#ifndef K1_CHECK_H
#define K1_CHECK_H

#include "base/error.h"

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
	uint64_t base; /* added to offsets that checks report (nested files) */
	bool oom;      /* a check could not be recorded: sticky */
};

/* Record one result: name, where it looked (may be NULL) and a printf-style
 * message. When memory runs out the check is lost and c->oom is set. */
void k1_check_add(struct k1_checks *c, bool ok, const char *name, const char *where,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Offset string helper: "0x%llx" of base + off, into a caller buffer. */
const char *k1_check_off(const struct k1_checks *c, uint64_t off, char *buf, size_t bufsz);

/* The failed checks, plus one when a check was lost (c->oom). */
size_t k1_checks_failed(const struct k1_checks *c);

/* The first failed check as an error "label: verify failed: NAME @ WHERE:
 * MESSAGE" (K1_EINVAL), K1_ENOMEM when a check was lost, else 0. */
int k1_checks_first_failure(const struct k1_checks *c, const char *label, struct k1_error *err);
void k1_checks_free(struct k1_checks *c);

#endif

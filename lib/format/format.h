/* Every K1 artefact k1fw can read is a `struct k1_format` (genimage-style
 * handler): a content probe, an inspector that describes the file as JSON,
 * and a verifier that records checks. `inspect` and `verify` walk
 * k1_formats[] to recognise a file by its bytes, never by its name. */
#ifndef K1_FORMAT_H
#define K1_FORMAT_H

#include "base/error.h"
#include "format/check.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k1_input {
	const char *path;    /* for messages; also the base for relative paths */
	const uint8_t *data; /* the whole file (or the region being looked at) */
	size_t len;
};

struct k1_verify_opts {
	/* The efuse ROTPK hash to compare with, or NULL. */
	const uint8_t *rotpk_hash; /* 32 bytes */
};

struct k1_format {
	const char *name;    /* "bootinfo", "fsbl", "fit", "env", ... */
	const char *summary; /* one line for --help */
	/* Non-zero if the bytes are this format. Cheap; never fails. */
	int (*probe)(const uint8_t *data, size_t len);
	/* Describe the file: a new JSON object in *out ("format" key added by
	 * the caller). Returns 0 or K1_E* with err filled. */
	int (*inspect)(const struct k1_input *in, json_t **out, struct k1_error *err);
	/* Append every check to checks (failed ones included). Returns 0 when
	 * the checks could run (whatever they found), K1_E* when the input is
	 * unreadable. */
	int (*verify)(const struct k1_input *in, const struct k1_verify_opts *opts,
		      struct k1_checks *checks, struct k1_error *err);
};

/* The handlers, one per artefact (each defined in its format's file). Code
 * that needs one names it here, never by its name string. */
extern const struct k1_format k1_format_bootinfo; /* bootinfo.c */
extern const struct k1_format k1_format_fsbl;     /* fsbl_format.c */
extern const struct k1_format k1_format_fit;      /* fit.c */
extern const struct k1_format k1_format_env;      /* env.c */
extern const struct k1_format k1_format_ptable;   /* ptable_check.c */
extern const struct k1_format k1_format_sparse;   /* sparse_format.c */
extern const struct k1_format k1_format_disk;     /* disk.c, disk_verify.c */
extern const struct k1_format k1_format_eeprom;   /* eeprom_format.c */

/* All of them, NULL-terminated, most specific first. */
extern const struct k1_format *const k1_formats[];

/* The first format whose probe accepts data, or NULL. */
const struct k1_format *k1_format_detect(const uint8_t *data, size_t len);

/* What k1_format_report does with a file once its format is known. */
enum k1_report_flags {
	K1_REPORT_INSPECT = 1 << 0,  /* describe it into r->json */
	K1_REPORT_VERIFY = 1 << 1,   /* run its checks into r->checks */
	K1_REPORT_STRICT = 1 << 2,   /* with VERIFY: the first failed check is the error */
	K1_REPORT_OPTIONAL = 1 << 3, /* content no format knows is not an error */
};

struct k1_report {
	const struct k1_format *format; /* NULL: no format recognised the file */
	size_t size;                    /* of the file */
	json_t *json;                   /* INSPECT: {"file", "format", "size", ...} */
	struct k1_checks checks;        /* VERIFY: every check run, failed ones included */
};

/* The one way to look at a file, as `k1fw inspect` and `k1fw verify` do:
 * map path, recognise its content and do what flags ask. label names the
 * file in messages and as the description's "file" (path when NULL). An
 * unrecognised file is K1_EINVAL ("LABEL: not a K1 artefact k1fw
 * recognises (N bytes)") unless OPTIONAL; a check list that ran out of
 * memory is K1_ENOMEM, never a pass. Free r whatever the result. */
int k1_format_report(const char *path, const char *label, unsigned flags,
		     const struct k1_verify_opts *opts, struct k1_report *r, struct k1_error *err);
void k1_report_free(struct k1_report *r);

#endif

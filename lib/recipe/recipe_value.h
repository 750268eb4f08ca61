/* The Python text rules the vendor recipe language inherits from
 * build_binary_file.py: str.strip()/split(), int(text, 0) with arbitrary
 * size, and the regex that spots sizeof()/sum32()/crc32(). Internal to
 * recipe.c; all strings are valid UTF-8 slices (jansson guarantees it). */
#ifndef K1_RECIPE_VALUE_H
#define K1_RECIPE_VALUE_H

#include "base/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A slice of a string; not NUL-terminated. */
struct k1_str {
	const char *p;
	size_t n;
};

struct k1_str k1_str_of(const char *s);
bool k1_str_eq(struct k1_str s, const char *lit);

/* Python str.strip(): drop Unicode whitespace at both ends. */
struct k1_str k1_py_strip(struct k1_str s);

/* Python str.split(sep) for one ASCII separator, each part stripped:
 * "a, b," gives "a", "b", "". Call k1_split_next until it returns false. */
struct k1_split {
	const char *p, *end;
	bool done;
};
void k1_split_init(struct k1_split *sp, struct k1_str s);
bool k1_split_next(struct k1_split *sp, char sep, struct k1_str *part);

/* An integer as Python's int(text, 0) reads it. */
struct k1_pyint {
	bool negative;     /* never set for zero */
	struct k1_buf mag; /* magnitude, little-endian, no high zero bytes */
};

enum k1_pyint_rc {
	K1_PYINT_OK = 0,
	K1_PYINT_NAN = 1,      /* not a number: Python raises ValueError */
	K1_PYINT_TOO_LONG = 2, /* > 4300 decimal digits: Python >= 3.11 refuses */
	K1_PYINT_NOMEM = 3,
};

int k1_pyint_parse(struct k1_str s, struct k1_pyint *v);
void k1_pyint_free(struct k1_pyint *v);
/* The value if it is >= 0 and fits in 64 bits. */
bool k1_pyint_u64(const struct k1_pyint *v, uint64_t *out);
/* int(v) & 0xFF, two's complement for negatives (Python semantics). */
uint8_t k1_pyint_low_byte(const struct k1_pyint *v);
/* The vendor's _itob(): minimal little-endian bytes, 0 -> one 00 byte.
 * v must not be negative. Returns 0 or K1_ENOMEM. */
int k1_pyint_itob(const struct k1_pyint *v, struct k1_buf *out);
/* Minimal little-endian bytes of n (the _itob of a machine integer). */
int k1_itob_u64(uint64_t n, struct k1_buf *out);

/* re.search(r"^\s*(sizeof|sum32|crc32)\s*\((.+)\)\s*$", value, re.M|re.I). */
enum k1_func {
	K1_FUNC_NONE = 0,
	K1_FUNC_SIZEOF,
	K1_FUNC_SUM32,
	K1_FUNC_CRC32,
	K1_FUNC_UNICODE, /* matched only through a non-ASCII case variant
			    (U+017F, U+0130, U+0131): the vendor script crashes */
};
enum k1_func k1_match_func(struct k1_str value, struct k1_str *arg);

/* The vendor's __get_al_config(): the first '+'-token that starts with RSA
 * or ECC (case-insensitive); param is the rest, lower-case, leading '-'s
 * removed ("SHA256+RSA-2048" -> RSA, "2048"). Non-ASCII text: no match. */
enum k1_alg_kind { K1_ALG_NONE = 0, K1_ALG_RSA, K1_ALG_ECC };
enum k1_alg_kind k1_alg_config(struct k1_str alg, char *param, size_t paramsz);

/* The vendor's __get_hash_config(): "sha256", "sha384", "sha512" for the
 * first matching '+'-token, or NULL. */
const char *k1_hash_config(struct k1_str alg);

#endif

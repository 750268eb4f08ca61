/* U-Boot environment images (spec §7): a little-endian CRC-32 of the data
 * area, an optional flags byte (redundant layout), then "name=value\0"...
 * "\0", padded with 0xFF. K1 uses the plain layout and 0x4000 bytes. */
#ifndef K1_ENV_H
#define K1_ENV_H

#include "base/buf.h"
#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_ENV_SIZE 0x4000u /* CONFIG_ENV_SIZE on every K1 board */

enum k1_env_layout {
	K1_ENV_AUTO,      /* parse: pick the layout whose CRC matches */
	K1_ENV_PLAIN,     /* CRC (4) + data: mkenvimage -s */
	K1_ENV_REDUNDANT, /* CRC (4) + flags (1) + data: mkenvimage -r */
};

/* One entry of the data area. Pointers go into the parsed image, which
 * must outlive the struct; name/value are NOT NUL-terminated copies. */
struct k1_env_var {
	const char *name;
	size_t name_len;
	const char *value; /* after '='; NULL when the entry has no '=' */
	size_t value_len;
	size_t offset;   /* of the entry, from the start of the image */
	bool terminated; /* a NUL ends it (false: runs to the end of the image) */
};

struct k1_env {
	size_t size; /* the whole image */
	enum k1_env_layout layout;
	bool crc_matched; /* layout chosen by a matching CRC, not by guess */
	uint8_t flags;    /* redundant layout only */
	size_t data_off;  /* 4 or 5 */
	uint32_t crc_stored, crc_computed;
	bool crc_ok;
	bool terminated;         /* the empty entry that ends the list was found */
	size_t used;             /* data bytes up to and including that terminator */
	size_t garbage_off;      /* first byte after it that is neither 0xFF nor 0
				  * (0 when the padding is clean) */
	struct k1_env_var *vars; /* at most 65536 kept */
	size_t count, vars_cap;
};

/* Parse an environment image of len bytes (len = the env size). layout
 * K1_ENV_AUTO picks plain or redundant from the CRC, else from the look of
 * the data. Never fails on a bad CRC or malformed entries (they are
 * recorded); K1_EINVAL only when len cannot hold a header. */
int k1_env_parse(const uint8_t *data, size_t len, enum k1_env_layout layout, struct k1_env *out,
		 struct k1_error *err);
void k1_env_free(struct k1_env *env);

/* Build an image of env_size bytes from mkenvimage-style text ("name=value"
 * lines; blank lines and lines starting with '#' skipped; a trailing '\'
 * keeps a newline in the value), appended to out. Byte for byte what
 * `mkenvimage -s env_size [-r]` writes. K1_ERANGE when it does not fit. */
int k1_env_build(const char *text, size_t textlen, size_t env_size, bool redundant,
		 struct k1_buf *out, struct k1_error *err);

/* Non-zero when the bytes look like an environment image (used by probe). */
int k1_env_probe(const uint8_t *data, size_t len);

#endif

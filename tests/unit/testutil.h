/* Shared bits for the cmocka unit tests. */
#ifndef K1_TESTUTIL_H
#define K1_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "format/format.h"

/* The vendor ground-truth folder (../shared/vendor beside the repository,
 * or $K1FW_VENDOR_DIR), or NULL when absent: tests using it skip loudly. */
static inline const char *test_vendor_dir(void)
{
	static char path[4096];
	const char *env = getenv("K1FW_VENDOR_DIR");

	if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else
		snprintf(path, sizeof(path), "%s/../shared/vendor",
			 getenv("K1FW_SRCDIR") ? getenv("K1FW_SRCDIR") : ".");
	if (access(path, R_OK) != 0)
		return NULL;
	return path;
}

#define SKIP_WITHOUT_VENDOR(dir)                                                                   \
	do {                                                                                       \
		if (!(dir)) {                                                                      \
			fprintf(stderr, "SKIP: vendor files not found (set K1FW_VENDOR_DIR)\n");   \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* A fresh temporary folder for one test; removed by test_rmtree. */
static inline char *test_tmpdir(void)
{
	char tmpl[] = "/tmp/k1fw-test-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static inline void test_rmtree(char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: could not remove %s\n", dir);
	free(dir);
}

static inline void test_write(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4200];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static inline void test_write_str(const char *dir, const char *name, const char *s)
{
	test_write(dir, name, s, strlen(s));
}

/* Make an RSA key with the openssl tool (test fixture only). */
static inline void test_genrsa(const char *dir, const char *name, int bits)
{
	char cmd[4400];
	snprintf(cmd, sizeof(cmd), "openssl genrsa -traditional -out '%s/%s' %d 2>/dev/null", dir,
		 name, bits);
	assert_int_equal(system(cmd), 0);
}

/* Little-endian stores and a load, written here rather than taken from
 * base/bytes.h, so that a test does not lay out its input with the code it
 * tests. */
static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A bitwise CRC-32 (reflected 0xEDB88320), independent of zlib. */
static inline uint32_t ref_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* Append to the string in out (cut to outsz). */
__attribute__((format(printf, 3, 4))) static inline void test_append(char *out, size_t outsz,
								     const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + n, outsz - n, fmt, ap);
	va_end(ap);
}

/* Run fmt's verifier on len bytes named path. Returns how many checks
 * failed, or -1 when the verifier itself returned an error ("error: MESSAGE"
 * in out). out gets each failed check: with lines "name @ where: message\n",
 * else "name " (names only, for exact comparisons). */
static inline int test_verify(const struct k1_format *fmt, const char *path, const uint8_t *data,
			      size_t len, bool lines, char *out, size_t outsz)
{
	struct k1_input in = {path, data, len};
	struct k1_checks c = {0};
	struct k1_error err = {0};
	int rc;

	assert_non_null(fmt);
	out[0] = '\0';
	rc = fmt->verify(&in, NULL, &c, &err);
	if (rc)
		test_append(out, outsz, "error: %s", err.msg);
	for (size_t i = 0; i < c.count; i++) {
		if (c.items[i].ok)
			continue;
		if (lines)
			test_append(out, outsz, "%s @ %s: %s\n", c.items[i].name, c.items[i].where,
				    c.items[i].message);
		else
			test_append(out, outsz, "%s ", c.items[i].name);
	}
	rc = rc ? -1 : (int)k1_checks_failed(&c);
	k1_checks_free(&c);
	return rc;
}

#endif

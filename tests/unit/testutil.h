/* Shared bits for the cmocka unit tests. */
#ifndef K1_TESTUTIL_H
#define K1_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

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

#endif

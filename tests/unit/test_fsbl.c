/* FSBL: layout against spec §3 with the test's own keys, signatures checked
 * by OpenSSL directly, the vendor file, size limits, bad keys, and the
 * verifier naming the region a flipped byte falls in. */
#include "testutil.h"

#include "base/fileio.h"
#include "format/format.h"
#include "format/fsbl.h"
#include "format/keygen.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <sys/stat.h>

struct fixture {
	char *dir;
	struct k1_fsbl_keys keys;
	uint8_t spl[5000]; /* not a multiple of 32: exercises the padding */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct k1_error err = {0};
	uint8_t hash[32];

	fx->dir = test_tmpdir();
	for (size_t i = 0; i < sizeof(fx->spl); i++)
		fx->spl[i] = (uint8_t)(i * 7 + 3);
	char keydir[4200];
	snprintf(keydir, sizeof(keydir), "%s/keys", fx->dir);
	assert_int_equal(k1_keygen(keydir, hash, &err), 0);
	assert_int_equal(k1_fsbl_keys_load(keydir, &fx->keys, &err), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	k1_fsbl_keys_free(&fx->keys);
	test_rmtree(fx->dir);
	free(fx);
	return 0;
}

static EVP_PKEY *read_pub(const char *dir, const char *stem)
{
	char path[4300];
	snprintf(path, sizeof(path), "%s/keys/%s_pub.key", dir, stem);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	EVP_PKEY *k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

static int openssl_verify(EVP_PKEY *k, const uint8_t *data, size_t len, const uint8_t *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
		 EVP_DigestVerify(ctx, sig, 256, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

static void test_layout(void **state)
{
	struct fixture *fx = *state;
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	uint8_t h[32];
	const size_t padded = 5024;

	assert_int_equal(k1_fsbl_build(fx->spl, sizeof(fx->spl), &fx->keys, 0x36000, &out, &err),
			 0);
	const uint8_t *d = out.data;
	assert_int_equal(out.len, 0x1100 + padded);
	assert_memory_equal(d + 0x100, "AIHD\x01\x00\x00\x00", 8);
	assert_int_equal(get64(d + 0x108), 0x1000);
	assert_int_equal(get64(d + 0x110), 0);
	assert_memory_equal(d + 0x118, "\xa5\xa5\xa5\xa5\xa5\xa5\xa5\xa5", 8);
	assert_memory_equal(d + 0x120, "\0\0\0\0\x04\0\0\0", 8);
	assert_string_equal((const char *)d + 0x128, "spl");
	assert_string_equal((const char *)d + 0x13c, "uboot");
	assert_string_equal((const char *)d + 0x150, "kernel");
	assert_string_equal((const char *)d + 0x164, "rootfs");
	assert_int_equal(d[0x164 + 16], 3);
	SHA256(d, 256, h);
	assert_memory_equal(d + 0x2b8, h, 32);
	assert_memory_equal(d + 0xfe0, "AIHD\x01\x00\x00\x00", 8);
	assert_int_equal(get64(d + 0xfe8), padded);
	assert_memory_equal(d + 0x1000, fx->spl, sizeof(fx->spl));
	for (size_t i = 0x1000 + sizeof(fx->spl); i < 0x1000 + padded; i++)
		assert_int_equal(d[i], 0);

	EVP_PKEY *rot = read_pub(fx->dir, "rsakeypair0"), *spl = read_pub(fx->dir, "spl_pubkey");
	assert_true(openssl_verify(rot, d + 0x100, 0xa00, d + 0xb00));
	assert_true(openssl_verify(spl, d + 0xfe0, 0x20 + padded, d + 0x1000 + padded));
	assert_false(openssl_verify(spl, d + 0x100, 0xa00, d + 0xb00));
	EVP_PKEY_free(rot);
	EVP_PKEY_free(spl);
	k1_buf_free(&out);
}

static void test_deterministic(void **state)
{
	struct fixture *fx = *state;
	struct k1_buf a = K1_BUF_INIT, b = K1_BUF_INIT;
	struct k1_error err = {0};

	assert_int_equal(k1_fsbl_build(fx->spl, 64, &fx->keys, 0, &a, &err), 0);
	assert_int_equal(k1_fsbl_build(fx->spl, 64, &fx->keys, 0, &b, &err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	k1_buf_free(&a);
	k1_buf_free(&b);
}

static void test_size_limit(void **state)
{
	struct fixture *fx = *state;
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	size_t max = 0x36000 - 0x1100;
	uint8_t *big = calloc(1, max + 1);

	/* exactly at the limit fits; one byte more (padded to 32 more) does not */
	assert_int_equal(k1_fsbl_build(big, max, &fx->keys, 0x36000, &out, &err), 0);
	assert_int_equal(out.len, 0x36000);
	out.len = 0;
	assert_int_equal(k1_fsbl_build(big, max + 1, &fx->keys, 0x36000, &out, &err), K1_ERANGE);
	assert_non_null(strstr(err.msg, "spl_size_limit 0x36000"));
	assert_int_equal(out.len, 0);
	assert_int_equal(k1_fsbl_build(big, 0, &fx->keys, 0x36000, &out, &err), K1_EINVAL);
	free(big);
	k1_buf_free(&out);
}

static void test_key_errors(void **state)
{
	struct fixture *fx = *state;
	struct k1_fsbl_keys keys;
	struct k1_error err = {0};
	char dir[1024], cmd[16384];

	/* a folder with a public-only ROTPK cannot sign */
	snprintf(dir, sizeof(dir), "%s/pubonly", fx->dir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s && cp %s/keys/*_pub.key %s/keys/spl_pubkey_prv.key %s/ && "
		 "cp %s/keys/rsakeypair0_pub.key %s/rsakeypair0_prv.key",
		 dir, fx->dir, fx->dir, dir, fx->dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_not_equal(k1_fsbl_keys_load(dir, &keys, &err), 0);
	assert_non_null(strstr(err.msg, "rsakeypair0_prv.key"));

	/* RSA-1024 does not fit the 256-byte slots */
	snprintf(dir, sizeof(dir), "%s/small", fx->dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && cp %s/keys/* %s/ && rm %s/spl_pubkey_prv.key",
		 dir, fx->dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	test_genrsa(dir, "spl_pubkey_prv.key", 1024);
	assert_int_equal(k1_fsbl_keys_load(dir, &keys, &err), K1_ENOTSUP);
	assert_non_null(strstr(err.msg, "RSA-2048"));

	/* missing folder */
	assert_int_equal(k1_fsbl_keys_load("/nonexistent-k1fw", &keys, &err), K1_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent-k1fw/rsakeypair0_prv.key"));
}

static void test_keygen_refuses_overwrite(void **state)
{
	struct fixture *fx = *state;
	struct k1_error err = {0};
	uint8_t hash[32];
	char keydir[4200], path[4300];
	struct stat st;

	snprintf(keydir, sizeof(keydir), "%s/keys", fx->dir);
	snprintf(path, sizeof(path), "%s/rsakeypair0_prv.key", keydir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	time_t before = st.st_mtime;
	assert_int_equal(k1_keygen(keydir, hash, &err), K1_EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mtime, before);
}

/* Verify results for a buffer: number failed, and the names. */
static size_t verify_buf(const uint8_t *d, size_t len, char *names, size_t sz)
{
	return (size_t)test_verify((&k1_format_fsbl), "FSBL.bin", d, len, false, names, sz);
}

static void test_verify_flips_name_region(void **state)
{
	struct fixture *fx = *state;
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	char names[2048];

	assert_int_equal(k1_fsbl_build(fx->spl, sizeof(fx->spl), &fx->keys, 0, &out, &err), 0);
	assert_int_equal(verify_buf(out.data, out.len, names, sizeof(names)), 0);
	for (size_t i = 0; i < out.len; i += (i < 0x1000 ? 3 : 61)) {
		const char *want = i < 0x100                   ? "fsbl.rotpk_hash"
				   : i < 0xb00                 ? "fsbl.signature0"
				   : i < 0xc00                 ? "fsbl.signature0"
				   : i < 0xfe0                 ? "fsbl.reserved"
				   : (i >= 0xfe8 && i < 0xff0) ? "fsbl.header1.imgsize"
							       : "fsbl.signature1";
		out.data[i] ^= 0x40;
		assert_true(verify_buf(out.data, out.len, names, sizeof(names)) >= 1);
		if (!strstr(names, want))
			fail_msg("flip at 0x%zx: wanted %s among failed checks, got %s", i, want,
				 names);
		out.data[i] ^= 0x40;
	}
	k1_buf_free(&out);
}

static void test_verify_truncations(void **state)
{
	struct fixture *fx = *state;
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	char names[2048];

	assert_int_equal(k1_fsbl_build(fx->spl, sizeof(fx->spl), &fx->keys, 0, &out, &err), 0);
	for (size_t n = 0x104; n < out.len; n += 97) {
		size_t r = verify_buf(out.data, n, names, sizeof(names));
		assert_true(r >= 1); /* unreadable (-1) or failed checks, never clean */
	}
	k1_buf_free(&out);
}

static void test_vendor_golden(void **state)
{
	const char *v = test_vendor_dir();
	struct k1_fsbl_keys keys;
	struct k1_buf spl = K1_BUF_INIT, gold = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};
	char path[4200];
	(void)state;

	SKIP_WITHOUT_VENDOR(v);
	snprintf(path, sizeof(path), "%s/k1-x/configs/key", v);
	assert_int_equal(k1_fsbl_keys_load(path, &keys, &err), 0);
	snprintf(path, sizeof(path), "%s/k1-x/u-boot-spl.bin", v);
	assert_int_equal(k1_read_file(path, &spl, &err), 0);
	snprintf(path, sizeof(path), "%s/golden/FSBL.bin", v);
	assert_int_equal(k1_read_file(path, &gold, &err), 0);
	assert_int_equal(k1_fsbl_build(spl.data, spl.len, &keys, 0x36000, &out, &err), 0);
	assert_int_equal(out.len, gold.len);
	assert_memory_equal(out.data, gold.data, gold.len);
	k1_fsbl_keys_free(&keys);
	k1_buf_free(&spl);
	k1_buf_free(&gold);
	k1_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_keygen_refuses_overwrite),
		cmocka_unit_test(test_verify_flips_name_region),
		cmocka_unit_test(test_verify_truncations),
		cmocka_unit_test(test_vendor_golden),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

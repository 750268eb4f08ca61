/* The vendor recipe language (lib/recipe.c): the vendor recipes against the
 * golden files, hand-computed bytes for every rule of spec §4 / research §3
 * (literals, padding, functions, forward references, files, keys, hashes,
 * signatures checked by OpenSSL), and one test per refused input, each
 * checking the code and that the message names recipe, item and problem. */
#include "testutil.h"

#include "base/fileio.h"
#include "recipe/recipe.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <zlib.h>

/* Keys and files every test may use, made once in a temporary folder. */
static char *fx_dir;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static int group_setup(void **state)
{
	(void)state;
	fx_dir = test_tmpdir();
	test_genrsa(fx_dir, "rsa.pem", 1024);
	sh("cd '%s' && openssl rsa -in rsa.pem -pubout -out rsapub.pem 2>/dev/null", fx_dir);
	sh("cd '%s' && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 "
	   "-out rsa2048p8.pem 2>/dev/null",
	   fx_dir);
	sh("cd '%s' && openssl ecparam -genkey -name prime256v1 -noout -out ec.pem", fx_dir);
	sh("cd '%s' && openssl ec -in ec.pem -pubout -out ecpub.pem 2>/dev/null", fx_dir);
	sh("cd '%s' && openssl ecparam -genkey -name secp384r1 -noout -out ec384.pem", fx_dir);
	test_write_str(fx_dir, "notakey.pem", "hello\nworld\n");
	test_write(fx_dir, "five.bin", "\x01\x02\x03\x04\x05", 5);
	test_write_str(fx_dir, "abc.txt", "abc");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_rmtree(fx_dir);
	return 0;
}

/* Recipes are written with ' for " to keep the C strings readable. */
static char *dq(const char *s)
{
	char *r = strdup(s);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

struct result {
	int rc;
	struct k1_buf out;
	struct k1_error err;
	char warnings[4096];
};

static void on_warn(void *ctx, const char *msg)
{
	struct result *r = ctx;
	size_t n = strlen(r->warnings);
	snprintf(r->warnings + n, sizeof(r->warnings) - n, "%s\n", msg);
}

/* Build the whole recipe text (quotes as ') from fx_dir/r.json. */
static void build_recipe(const char *text, struct result *r)
{
	struct k1_recipe_opts o = {.warn = on_warn};
	char path[4200], *t = dq(text);

	memset(r, 0, sizeof(*r));
	o.warn_ctx = r;
	test_write_str(fx_dir, "r.json", t);
	free(t);
	snprintf(path, sizeof(path), "%s/r.json", fx_dir);
	r->rc = k1_recipe_build_file(path, &o, &r->out, &r->err);
}

/* Build data items (the inside of one module's "data" list). */
static void build_items(const char *items, struct result *r)
{
	char text[16384];
	snprintf(text, sizeof(text), "{'image': [{'module': 'm', 'data': [%s]}]}", items);
	build_recipe(text, r);
}

static void expect_ok(const struct result *r)
{
	if (r->rc)
		fail_msg("unexpected error %d: %s", r->rc, r->err.msg);
}

static void expect_bytes(const char *items, const void *want, size_t len)
{
	struct result r;

	build_items(items, &r);
	expect_ok(&r);
	if (r.out.len != len || (len && memcmp(r.out.data, want, len))) {
		char hex[2048] = "";
		for (size_t i = 0; i < r.out.len && i < 600; i++)
			snprintf(hex + 2 * i, 3, "%02x", r.out.data[i]);
		fail_msg("%s: got %zu bytes %s, want %zu", items, r.out.len, hex, len);
	}
	k1_buf_free(&r.out);
}

#define EXPECT(items, lit) expect_bytes(items, lit, sizeof(lit) - 1)

/* One structure line alone. */
static void expect_line(const char *line, const void *want, size_t len)
{
	char items[2048];
	snprintf(items, sizeof(items), "{'structure': ['%s']}", line);
	expect_bytes(items, want, len);
}

#define LINE(line, lit) expect_line(line, lit, sizeof(lit) - 1)

/* The build fails with code and a message containing every part (NULL-ended). */
static void expect_error_in(const char *text, bool whole, int code, ...)
{
	struct result r;
	va_list ap;
	const char *part;

	if (whole)
		build_recipe(text, &r);
	else
		build_items(text, &r);
	if (r.rc != code)
		fail_msg("%s: rc %d (%s), want %d", text, r.rc, r.err.msg, code);
	assert_int_equal(r.out.len, 0);
	assert_non_null(strstr(r.err.msg, "r.json"));
	assert_null(strchr(r.err.msg, '\n'));
	va_start(ap, code);
	while ((part = va_arg(ap, const char *)) != NULL) {
		char *p = dq(part);
		if (!strstr(r.err.msg, p))
			fail_msg("message \"%s\" lacks \"%s\"", r.err.msg, p);
		free(p);
	}
	va_end(ap);
	k1_buf_free(&r.out);
}

#define EXPECT_ERR(items, code, ...) expect_error_in(items, false, code, __VA_ARGS__, NULL)
#define EXPECT_ERR_TOP(text, code, ...) expect_error_in(text, true, code, __VA_ARGS__, NULL)

/* ---- helpers computing expected bytes with OpenSSL and the openssl tool ---- */

static size_t run_capture(const char *cmd, uint8_t *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	n = fread(out, 1, cap, p);
	assert_int_equal(pclose(p), 0);
	return n;
}

static size_t rsa_modulus(const char *key, uint8_t *out)
{
	char cmd[4400], text[2048];
	size_t n, len = 0;

	snprintf(cmd, sizeof(cmd), "openssl rsa -in '%s/%s' -noout -modulus 2>/dev/null", fx_dir,
		 key);
	n = run_capture(cmd, (uint8_t *)text, sizeof(text) - 1);
	text[n] = '\0';
	assert_memory_equal(text, "Modulus=", 8);
	for (const char *p = text + 8; p[0] && p[1] && p[0] != '\n'; p += 2) {
		unsigned v;
		sscanf(p, "%2x", &v);
		out[len++] = (uint8_t)v;
	}
	return len;
}

/* The uncompressed point: the end of the SubjectPublicKeyInfo DER. */
static size_t ec_point(const char *key, size_t pointlen, uint8_t *out)
{
	char cmd[4400];
	uint8_t der[512];
	size_t n;

	snprintf(cmd, sizeof(cmd), "openssl ec -in '%s/%s' -pubout -outform DER 2>/dev/null",
		 fx_dir, key);
	n = run_capture(cmd, der, sizeof(der));
	assert_true(n > pointlen);
	memcpy(out, der + n - pointlen, pointlen);
	assert_int_equal(out[0], 4);
	return pointlen;
}

static EVP_PKEY *read_key(const char *name)
{
	char path[4200];
	FILE *f;
	EVP_PKEY *k;

	snprintf(path, sizeof(path), "%s/%s", fx_dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(k);
	return k;
}

static void expect_verifies(const char *key, const char *md, const uint8_t *data, size_t len,
			    const uint8_t *sig, size_t siglen)
{
	EVP_PKEY *k = read_key(key);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_get_digestbyname(md), NULL, k), 1);
	assert_int_equal(EVP_DigestVerify(ctx, sig, siglen, data, len), 1);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(k);
}

/* ---- the vendor recipes ---- */

static void golden(const char *recipe, const char *bin)
{
	const char *v = test_vendor_dir();
	char path[4200], gpath[4200];
	struct k1_buf out = K1_BUF_INIT, want = K1_BUF_INIT;
	struct k1_error err = {0};
	struct result warn = {0};
	struct k1_recipe_opts o = {.warn = on_warn, .warn_ctx = &warn};

	SKIP_WITHOUT_VENDOR(v);
	snprintf(path, sizeof(path), "%s/k1-x/configs/%s", v, recipe);
	snprintf(gpath, sizeof(gpath), "%s/golden/%s", v, bin);
	if (k1_recipe_build_file(path, &o, &out, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(k1_read_file(gpath, &want, &err), 0);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.data, want.data, want.len);
	assert_string_equal(warn.warnings, "");
	k1_buf_free(&out);
	k1_buf_free(&want);
}

static void test_golden_bootinfo(void **state)
{
	(void)state;
	golden("bootinfo_emmc.json", "bootinfo_emmc.bin");
	golden("bootinfo_sd.json", "bootinfo_sd.bin");
	golden("bootinfo_spinor.json", "bootinfo_spinor.bin");
	golden("bootinfo_spinand.json", "bootinfo_spinand.bin");
}

static void test_golden_fsbl(void **state)
{
	(void)state;
	golden("fsbl.json", "FSBL.bin");
}

/* ---- structures and values ---- */

static void test_literals(void **state)
{
	(void)state;
	/* research §3.3 tables */
	LINE("a, 5, 0", "\x05");
	LINE("a, 0x1, 3", "\x01\x00\x00");
	LINE("flash_type, SDC, 4", "SDC\0");
	LINE("a, 010, 4", "010\0");
	LINE("a, 00, 4", "\0\0\0\0");
	LINE("a, 0, 4", "\0\0\0\0");
	LINE("a, 0x0, 4", "\0\0\0\0");
	LINE("a, 0x00000, 4", "\0\0\0\0");
	LINE("a, 0b101, 4", "\x05\0\0\0");
	LINE("a, 0o17, 4", "\x0f\0\0\0");
	LINE("a, 1_000, 4", "\xe8\x03\0\0");
	LINE("a, 3.5, 4", "3.5\0");
	LINE("a, \\u00e9, 4", "\xc3\xa9\0\0");
	LINE("a, crc32(h)+1, 0", "crc32(h)+1");
	/* Python int(x, 0) corners */
	LINE("a, 0X1F, 1", "\x1f");
	LINE("a, 0O17, 1", "\x0f");
	LINE("a, 0B11, 1", "\x03");
	LINE("a, +5, 1", "\x05");
	LINE("a, -0, 1", "\x00");
	LINE("a, 0_0, 1", "\x00");
	LINE("a, 0x_1, 1", "\x01");
	LINE("a, 0x1_0, 1", "\x10");
	LINE("a, 0x1_, 0", "0x1_");
	LINE("a, 1__0, 0", "1__0");
	LINE("a, 0_7, 0", "0_7");
	LINE("a, 08, 0", "08");
	LINE("a, 0x, 0", "0x");
	LINE("a, _1, 0", "_1");
	LINE("a, 0b2, 0", "0b2");
	LINE("a, \\u0661\\u0662, 1", "\x0c"); /* Arabic-Indic digits */
	LINE("a, \\uff11\\uff12, 1", "\x0c"); /* fullwidth digits */
	LINE("a, 0x\\u0661\\u0662, 1", "\x12");
	LINE("a, \\u00b2, 0", "\xc2\xb2"); /* superscript: not a digit */
	LINE("a, 0x0102030405060708090a, 0", "\x0a\x09\x08\x07\x06\x05\x04\x03\x02\x01");
	LINE("a, 1180591620717411303425, 0", "\x01\0\0\0\0\0\0\0\x40"); /* 2**70 + 1 */
	LINE("a, 0x0000ff, 2", "\xff\x00");
	/* sizes: any int(x, 0) form; 0 and 1 mean "as is" */
	LINE("a, 1, 0x4", "\x01\0\0\0");
	LINE("a, 1, 0b10", "\x01\0");
	LINE("a, 1, \\u0663", "\x01\0\0");
	LINE("a, 0x1234, 0", "\x34\x12");
	LINE("a, 7, 1", "\x07");
}

static void test_strings_and_fields(void **state)
{
	(void)state;
	LINE("a, abc, 8", "abc\0\0\0\0\0");
	LINE("a, hello world, 0", "hello world");
	LINE("  a ,\\t xyz \\u3000, 4", "xyz\0"); /* Unicode whitespace is stripped */
	LINE("a, x\\u00a0y, 0", "x\xc2\xa0y");    /* but kept inside */
	LINE("a, 1, 2, extra, fields", "\x01\x00");
	LINE("a, abcdefghijklmnop, 16", "abcdefghijklmnop");
	LINE("a, , 0", "");
	LINE("a, AIHD, 4", "AIHD");
	/* the order of the lines is the order of the bytes */
	EXPECT("{'structure': ['magic, 0xB00714F0, 4', 'version, 0x00010001, 4', 't, eMMC, 4']}",
	       "\xf0\x14\x07\xb0\x01\x00\x01\x00"
	       "eMMC");
}

static void test_pad(void **state)
{
	(void)state;
	LINE("pad, 0x1A5, 3", "\xa5\xa5\xa5");
	LINE("pad, -1, 2", "\xff\xff");
	LINE("pad, -256, 1", "\x00");
	LINE("pad, -255, 1", "\x01");
	LINE("pad, 0, 0", "");
	LINE("pad, 0x_ff, 1", "\xff");
	LINE("pad, 0, 5", "\0\0\0\0\0");
}

static void test_names_and_nesting(void **state)
{
	(void)state;
	/* no name: "unkown"; the name line emits nothing; the last one wins */
	EXPECT("{'structure': ['a, 1, 2']}, {'structure': ['s, sizeof(unkown), 1']}",
	       "\x01\x00\x02");
	EXPECT("{'structure': ['name, first, 0', 'a, 1, 3', 'name, second, 0']},"
	       "{'structure': ['s, sizeof(second), 1']}",
	       "\x01\x00\x00\x03");
	/* nested items are inlined and registered under their own names */
	EXPECT("{'structure': ['name, outer, 0', 'a, 0xAA, 1',"
	       "  {'structure': ['name, inner, 0', 'b, 0xBB, 2']},"
	       "  {'file': {'name': 'f', 'source': 'abc.txt', 'align': 4}},"
	       "  'c, sizeof(inner), 1']},"
	       "{'structure': ['x, sizeof(outer), 1', 'y, sizeof(f), 1']}",
	       "\xaa\xbb\x00"
	       "abc\x00"
	       "\x02"
	       "\x08\x04");
	/* several item types in one object run in the object's order */
	EXPECT("{'structure': ['a, 1, 1'], 'file': {'source': 'abc.txt'}, '_c': 'comment'}", "\x01"
											     "abc");
	EXPECT("{'file': {'source': 'abc.txt'}, 'structure': ['a, 1, 1']}", "abc\x01");
}

static void test_forward_reference(void **state)
{
	struct result r;
	(void)state;
	/* the FSBL's header1 pattern: the size of a later item */
	EXPECT("{'structure': ['y, sizeof(later), 4', 'c, crc32(later), 4']},"
	       "{'structure': ['name, later, 0', 'v, 0x0807060504030201, 8']}",
	       "\x08\x00\x00\x00"
	       "\xc5\x88\xca\x3f"
	       "\x01\x02\x03\x04\x05\x06\x07\x08");
	/* a forward reference whose value changes in the second pass: the
	 * output is what the vendor builds, and a warning names the use */
	build_items("{'structure': ['name, a, 0', 'x, crc32(b), 4']},"
		    "{'structure': ['name, b, 0', 'y, crc32(a), 4']}",
		    &r);
	expect_ok(&r);
	{
		uint8_t a1[4] = {0}, b1[4], a2[4], b2[4];
		uint32_t v = (uint32_t)crc32(0, a1, 4);
		memcpy(b1, &v, 4); /* little-endian host */
		v = (uint32_t)crc32(0, b1, 4);
		memcpy(a2, &v, 4);
		v = (uint32_t)crc32(0, a2, 4);
		memcpy(b2, &v, 4);
		assert_int_equal(r.out.len, 8);
		assert_memory_equal(r.out.data, a2, 4);
		assert_memory_equal(r.out.data + 4, b2, 4);
	}
	assert_non_null(strstr(r.warnings, "r.json: image[0] (m) data[0] structure[1] \"x\": "
					   "forward reference to \"b\""));
	assert_null(strstr(r.warnings, "\"a\"")); /* a is never used before it is rebuilt */
	k1_buf_free(&r.out);
	/* a forward reference with the same value both times: no warning */
	build_items("{'structure': ['x, sizeof(b), 4']}, {'structure': ['name, b, 0', 'y, 1, 4']}",
		    &r);
	expect_ok(&r);
	assert_string_equal(r.warnings, "");
	k1_buf_free(&r.out);
}

static void test_functions(void **state)
{
	(void)state;
	/* a = 01 02 03 04 05, b = ff x 6: partial words are ignored by sum32 */
	const char *ab = "{'structure': ['name, a, 0', 'v, 0x0504030201, 0']},"
			 "{'structure': ['name, b, 0', 'pad, 0xff, 6']},";
	char items[1024];
	uint8_t want[11 + 4];
	uint8_t cat[11] = {1, 2, 3, 4, 5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint32_t crc = (uint32_t)crc32(0, cat, 11);

	snprintf(items, sizeof(items), "%s{'structure': ['s, sum32(a), 4']}", ab);
	memcpy(want, cat, 11);
	memcpy(want + 11, "\x01\x02\x03\x04", 4);
	expect_bytes(items, want, 15);
	snprintf(items, sizeof(items), "%s{'structure': ['s, sum32(a + b), 4']}", ab);
	memcpy(want + 11, "\x00\x02\x03\x04", 4); /* 0x04030201 + 0xffffffff */
	expect_bytes(items, want, 15);
	snprintf(items, sizeof(items), "%s{'structure': ['s, crc32( a+ b ), 4']}", ab);
	memcpy(want + 11, &crc, 4);
	expect_bytes(items, want, 15);
	snprintf(items, sizeof(items), "%s{'structure': ['s, SIZEOF (a + b + a), 4']}", ab);
	memcpy(want + 11, "\x10\x00\x00\x00", 4);
	expect_bytes(items, want, 15);
	/* a function after a newline still matches (re.M), as in the vendor */
	snprintf(items, sizeof(items), "%s{'structure': ['s, text\\nsizeof(a), 1']}", ab);
	memcpy(want + 11, "\x05", 1);
	expect_bytes(items, want, 12);
	/* crc32 of nothing is 0, one byte before padding */
	EXPECT("{'structure': ['name, e, 0']}, {'structure': ['c, crc32(e), 0', 'd, sum32(e), 2']}",
	       "\x00\x00\x00");
}

/* Many blank lines before text: the function search stays linear. */
static void test_function_search_is_linear(void **state)
{
	const char *head = "{'image': [{'module': 'm', 'data': [{'structure': ['a, y";
	const char *tail = "x, 0']}]}]}";
	size_t n = 200000, hl = strlen(head);
	char *text = malloc(hl + 2 * n + strlen(tail) + 1), *p = text;
	struct result r;
	(void)state;

	memcpy(p, head, hl);
	p += hl;
	for (size_t i = 0; i < n; i++, p += 2)
		memcpy(p, "\\n", 2);
	strcpy(p, tail);
	build_recipe(text, &r);
	free(text);
	expect_ok(&r);
	assert_int_equal(r.out.len, n + 2); /* "y", the newlines, "x": text */
	k1_buf_free(&r.out);
}

/* ---- file, pubkey, hash, signature ---- */

static void test_files(void **state)
{
	(void)state;
	EXPECT("{'file': {'name': 'f', 'source': 'abc.txt + five.bin', 'align': 16}}",
	       "abc\x01\x02\x03\x04\x05\0\0\0\0\0\0\0\0");
	/* a registered name wins over a file of that name */
	EXPECT("{'structure': ['name, abc.txt, 0', 'v, Z, 1']},"
	       "{'file': {'source': 'abc.txt+abc.txt', 'align': 0}}",
	       "ZZZ");
	/* no source: an empty item (align leaves it empty) */
	EXPECT("{'file': {'align': 8}}, {'structure': ['n, sizeof(empty_file), 1']}", "\x00");
	/* a file named later in the recipe: the first pass reads the file */
	EXPECT("{'file': {'name': 'x', 'source': 'abc.txt'}},"
	       "{'file': {'name': 'abc.txt', 'source': 'five.bin'}}",
	       "\x01\x02\x03\x04\x05\x01\x02\x03\x04\x05");
}

static void test_pubkey_rsa(void **state)
{
	uint8_t mod[512], want[1024];
	size_t n;
	(void)state;

	n = rsa_modulus("rsa.pem", mod);
	assert_int_equal(n, 128);
	memset(want, 0, sizeof(want));
	memcpy(want, mod, n);
	expect_bytes("{'pubkey': {'name': 'k', 'algorithm': 'RSA1024', 'source': 'rsa.pem',"
		     " 'align': 256}}",
		     want, 256);
	expect_bytes("{'pubkey': {'name': 'k', 'algorithm': 'SHA256+RSA-1024',"
		     " 'source': 'rsapub.pem'}}",
		     mod, 128);
	expect_bytes("{'pubkey': {'source': 'rsa.pem'}}", mod, 128); /* default RSA2048: any size */
	n = rsa_modulus("rsa2048p8.pem", mod);
	assert_int_equal(n, 256);
	expect_bytes("{'pubkey': {'name': 'k', 'algorithm': 'rsa2048', 'source': 'rsa2048p8.pem'}}",
		     mod, 256);
}

static void test_pubkey_ec(void **state)
{
	uint8_t pt[97];
	(void)state;

	ec_point("ec.pem", 65, pt);
	expect_bytes("{'pubkey': {'algorithm': 'ECCprime256v1', 'source': 'ec.pem'}}", pt, 65);
	expect_bytes("{'pubkey': {'algorithm': 'SHA256+ECC-P-256', 'source': 'ecpub.pem'}}", pt,
		     65);
	ec_point("ec384.pem", 97, pt);
	expect_bytes("{'pubkey': {'algorithm': 'SHA256+ECCsecp384r1', 'source': 'ec384.pem'}}", pt,
		     97);
}

static void test_pubkey_cache(void **state)
{
	uint8_t mod[128], want[512 + 128];
	(void)state;

	rsa_modulus("rsa.pem", mod);
	/* the second item returns the registered bytes: its align is ignored */
	memset(want, 0, sizeof(want));
	memcpy(want, mod, 128);
	memcpy(want + 256, mod, 128);
	expect_bytes("{'pubkey': {'name': 'k', 'source': 'rsa.pem', 'align': 256}},"
		     "{'pubkey': {'name': 'k', 'source': 'rsa.pem', 'align': 512}}",
		     want, 512);
	/* any registered name is "cached", even another kind of item */
	EXPECT("{'structure': ['name, dup, 0', 'v, 0x0201, 2']},"
	       "{'pubkey': {'name': 'dup', 'source': 'rsa.pem'}}",
	       "\x01\x02\x01\x02");
}

static void test_hash(void **state)
{
	uint8_t want[64 + 32];
	(void)state;

	SHA256((const uint8_t *)"abc", 3, want);
	expect_bytes("{'hash': {'source': 'abc.txt'}}", want, 32);
	SHA384((const uint8_t *)"abc", 3, want);
	expect_bytes("{'hash': {'algorithm': 'sha384', 'source': 'abc.txt'}}", want, 48);
	SHA512((const uint8_t *)"abc\x01\x02\x03\x04\x05", 8, want);
	expect_bytes("{'hash': {'algorithm': 'SHA512+RSA2048', 'source': 'abc.txt + five.bin'}}",
		     want, 64);
	SHA256((const uint8_t *)"", 0, want);
	memset(want + 32, 0, 32);
	expect_bytes("{'hash': {'name': 'h', 'align': 64}}", want, 64);
}

/* Build a signature over abc.txt + five.bin, check it with OpenSSL. */
static void check_signature(const char *items, const char *key, const char *md, size_t prefix,
			    size_t align)
{
	const uint8_t data[] = "abc\x01\x02\x03\x04\x05";
	struct result r;
	size_t siglen;

	build_items(items, &r);
	expect_ok(&r);
	assert_true(r.out.len > prefix);
	siglen = r.out.len - prefix;
	if (align > 1) {
		assert_int_equal(siglen % align, 0);
		assert_int_equal(r.out.data[prefix], 0x30); /* DER SEQUENCE, short length */
		siglen = 2 + r.out.data[prefix + 1];
	}
	expect_verifies(key, md, data, 8, r.out.data + prefix, siglen);
	k1_buf_free(&r.out);
}

static void test_signature_rsa(void **state)
{
	uint8_t want[256];
	char cmd[4400];
	struct result r;
	size_t n;
	(void)state;

	check_signature("{'pubkey': {'name': 'k', 'source': 'rsa.pem'}},"
			"{'signature': {'algorithm': 'SHA256+RSA1024', 'key': 'k',"
			" 'source': 'abc.txt + five.bin'}}",
			"rsa.pem", "sha256", 128, 1);
	check_signature("{'pubkey': {'name': 'k', 'source': 'rsa.pem'}},"
			"{'signature': {'algorithm': 'sha384+RSA', 'key': 'k',"
			" 'source': 'abc.txt + five.bin'}}",
			"rsa.pem", "sha384", 128, 1);
	check_signature("{'pubkey': {'name': 'k', 'source': 'rsa2048p8.pem'}},"
			"{'signature': {'algorithm': 'SHA512+RSA2048', 'key': 'k',"
			" 'source': 'abc.txt + five.bin'}}",
			"rsa2048p8.pem", "sha512", 256, 1);
	/* no algorithm: the vendor signs with SHA-256; PKCS#1 v1.5 is
	 * deterministic, so the bytes equal the openssl tool's */
	build_items("{'pubkey': {'name': 'k', 'source': 'rsa.pem'}},"
		    "{'signature': {'key': 'k', 'source': 'abc.txt + five.bin', 'align': 256}}",
		    &r);
	expect_ok(&r);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && cat abc.txt five.bin | openssl dgst -sha256 "
		 "-sign rsa.pem",
		 fx_dir);
	n = run_capture(cmd, want, sizeof(want));
	assert_int_equal(n, 128);
	assert_int_equal(r.out.len, 128 + 256);
	assert_memory_equal(r.out.data + 128, want, 128);
	for (size_t i = 256; i < 384; i++)
		assert_int_equal(r.out.data[i], 0);
	k1_buf_free(&r.out);
	/* the pubkey may come after the signature (second pass) */
	build_items("{'signature': {'name': 's', 'key': 'k', 'source': 'abc.txt + five.bin'}},"
		    "{'pubkey': {'name': 'k', 'source': 'rsa.pem'}}",
		    &r);
	expect_ok(&r);
	assert_int_equal(r.out.len, 256);
	assert_memory_equal(r.out.data, want, 128);
	k1_buf_free(&r.out);
}

static void test_signature_ec(void **state)
{
	(void)state;
	check_signature(
		"{'pubkey': {'name': 'k', 'algorithm': 'ECCprime256v1', 'source': 'ec.pem'}},"
		"{'signature': {'algorithm': 'SHA256+ECCprime256v1', 'key': 'k',"
		" 'source': 'abc.txt + five.bin', 'align': 128}}",
		"ec.pem", "sha256", 65, 128);
	check_signature("{'pubkey': {'name': 'k', 'algorithm': 'ECC', 'source': 'ec384.pem'}},"
			"{'signature': {'algorithm': 'SHA384+ECCsecp384r1', 'key': 'k',"
			" 'source': 'abc.txt + five.bin'}}",
			"ec384.pem", "sha384", 97, 1);
}

static void list_dir(const char *dir, char *out, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	out[0] = '\0';
	while ((e = readdir(d)) != NULL)
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s,", e->d_name);
	closedir(d);
}

static void test_writes_nothing(void **state)
{
	char before[4096], after[4096];
	struct result r;
	(void)state;

	test_write_str(fx_dir, "r.json", "{}"); /* so r.json is in both listings */
	list_dir(fx_dir, before, sizeof(before));
	/* the vendor writes key/k_pub.key here (and generates missing keys) */
	build_items("{'pubkey': {'name': 'k', 'source': 'rsa.pem'}},"
		    "{'signature': {'key': 'k', 'source': 'abc.txt'}}",
		    &r);
	expect_ok(&r);
	k1_buf_free(&r.out);
	build_items("{'pubkey': {'name': 'k', 'source': 'key/k_prv.key'}}", &r);
	assert_int_equal(r.rc, K1_EIO);
	list_dir(fx_dir, after, sizeof(after));
	assert_string_equal(before, after);
}

static void test_build_text(void **state)
{
	const char *text = "{\"image\": [{\"module\": \"m\", \"data\": "
			   "[{\"file\": {\"source\": \"abc.txt\"}}]}]}";
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(k1_buf_append(&out, "X", 1), 0); /* appended after */
	assert_int_equal(
		k1_recipe_build_text(text, strlen(text), "mem.json", fx_dir, NULL, &out, &err), 0);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, "Xabc", 4);
	/* an error leaves out as it was */
	assert_int_equal(k1_recipe_build_text("{", 1, "mem.json", fx_dir, NULL, &out, &err),
			 K1_EINVAL);
	assert_int_equal(out.len, 4);
	assert_non_null(strstr(err.msg, "mem.json:1:"));
	k1_buf_free(&out);
}

/* ---- refused inputs ---- */

static void test_err_too_wide(void **state)
{
	(void)state;
	EXPECT_ERR(
		"{'structure': ['a, 0x100000000, 4']}", K1_ERANGE,
		"r.json: image[0] (m) data[0] structure[0] 'a': value '0x100000000' needs 5 bytes",
		"4-byte field");
	EXPECT_ERR("{'structure': ['a, abcdefghijklmnopq, 16']}", K1_ERANGE, "needs 17 bytes");
	EXPECT_ERR("{'structure': ['a, 0x1234, 1']}", K1_ERANGE, "needs 2 bytes");
	EXPECT_ERR("{'structure': ['a, eMMC, 2']}", K1_ERANGE, "needs 4 bytes");
	EXPECT_ERR("{'structure': ['name, big, 0', 'pad, 0, 300']},"
		   "{'structure': ['s, sizeof(big), 1']}",
		   K1_ERANGE, "data[1] structure[0] 's'", "needs 2 bytes");
}

static void test_err_unknown_keys(void **state)
{
	(void)state;
	EXPECT_ERR("{'strcture': ['a, 1, 1']}", K1_EINVAL, "data[0]: unknown item type 'strcture'");
	EXPECT_ERR("{'structure': ['a, 1, 1', {'bogus': {}}]}", K1_EINVAL,
		   "structure[1]: unknown item type 'bogus'");
	EXPECT_ERR("{'file': {'name': 'x', 'sorce': 'abc.txt'}}", K1_EINVAL,
		   "data[0] file: unknown attribute 'sorce'");
	EXPECT_ERR("{'signature': {'key': 'k', 'hash': 'x'}}", K1_EINVAL,
		   "unknown attribute 'hash' (allowed: name, algorithm, key, source, align)");
	EXPECT_ERR_TOP("{'image': [], 'images': []}", K1_EINVAL, "unknown top-level key 'images'");
	EXPECT_ERR_TOP("{'image': [{'module': 'm', 'data': [], 'date': 1}]}", K1_EINVAL,
		       "image[0]: unknown key 'date'");
}

static void test_err_lines(void **state)
{
	(void)state;
	EXPECT_ERR("{'structure': ['a, 1']}", K1_EINVAL,
		   "structure[0]: 'a, 1': needs 'label, value, size' (has 2 fields)");
	EXPECT_ERR("{'structure': ['a, 1, four']}", K1_EINVAL, "'a': size 'four' is not a number");
	EXPECT_ERR("{'structure': ['a, 1, 08']}", K1_EINVAL, "size '08' is not a number");
	EXPECT_ERR("{'structure': ['name, x, ']}", K1_EINVAL, "'name': size '' is not a number");
	EXPECT_ERR("{'structure': ['pad, xx, 4']}", K1_EINVAL,
		   "'pad': pad value 'xx' is not a number");
	EXPECT_ERR("{'structure': ['a, -1, 4']}", K1_EINVAL, "value '-1' is negative");
	EXPECT_ERR("{'structure': ['a, 1, -4']}", K1_EINVAL, "size '-4' is negative");
	EXPECT_ERR("{'structure': ['pad, 0, -1']}", K1_EINVAL, "size '-1' is negative");
	EXPECT_ERR("{'structure': ['a, , 4']}", K1_EINVAL, "empty value in a 4-byte field");
	EXPECT_ERR("{'structure': [5]}", K1_EINVAL, "structure[0]: must be a");
	EXPECT_ERR("{'structure': 'a, 1, 1'}", K1_EINVAL, "data[0]: structure: must be a list");
	EXPECT_ERR("{'structure': ['a, \\u017fizeof(x), 4']}", K1_EINVAL, "non-ASCII");
	EXPECT_ERR("{'structure': ['a, 1, 0x7fffffffffffffffff']}", K1_ERANGE, "limit");
}

static void test_err_long_decimal(void **state)
{
	char items[6000];
	(void)state;
	snprintf(items, sizeof(items), "{'structure': ['a, 1%04300d, 0']}", 0);
	EXPECT_ERR(items, K1_EINVAL, "more than 4300 decimal digits");
}

static void test_err_names(void **state)
{
	(void)state;
	EXPECT_ERR("{'file': {'name': 'f', 'source': 'abc.txt + nofile.bin'}}", K1_EIO,
		   "data[0] file 'f': source 'abc.txt + nofile.bin': no item or file named "
		   "'nofile.bin'");
	EXPECT_ERR("{'hash': {'source': 'ghost'}}", K1_EIO, "no item or file named 'ghost'");
	EXPECT_ERR("{'structure': ['a, sizeof(ghost), 4']}", K1_EINVAL,
		   "structure[0] 'a': sizeof(ghost): no item named 'ghost'");
	/* functions read items only, never files */
	EXPECT_ERR("{'structure': ['a, crc32(abc.txt), 4']}", K1_EINVAL, "no item named 'abc.txt'");
	EXPECT_ERR("{'file': {'source': 'abc.txt + + five.bin'}}", K1_EINVAL, "empty name");
	EXPECT_ERR("{'pubkey': {'name': 'k', 'source': 'rsa.pem'}}, {'file': {'source': 'k_key'}}",
		   K1_EINVAL, "is the key of a pubkey item");
}

static void test_err_signature_keys(void **state)
{
	(void)state;
	EXPECT_ERR("{'pubkey': {'name': 'k', 'source': 'rsapub.pem'}},"
		   "{'signature': {'name': 's', 'algorithm': 'SHA256+RSA1024', 'key': 'k'}}",
		   K1_ECRYPTO, "data[1] signature 's': key 'k' has no private part");
	EXPECT_ERR("{'structure': ['name, k_key, 0', 'a, 1, 1']},"
		   "{'signature': {'key': 'k', 'source': 'abc.txt'}}",
		   K1_EINVAL, "key 'k': no pubkey item");
	EXPECT_ERR("{'signature': {'source': 'abc.txt'}}", K1_EINVAL,
		   "signature 'signature': key 'keypair': no pubkey item");
}

static void test_err_algorithms(void **state)
{
	(void)state;
	EXPECT_ERR("{'pubkey': {'name': 'k', 'source': 'rsa.pem'}},"
		   "{'signature': {'algorithm': 'RSA1024', 'key': 'k'}}",
		   K1_ENOTSUP, "algorithm 'RSA1024' names no hash");
	EXPECT_ERR("{'hash': {'algorithm': 'MD5', 'source': 'abc.txt'}}", K1_ENOTSUP,
		   "unsupported hash algorithm 'MD5'");
	EXPECT_ERR("{'pubkey': {'name': 'k', 'source': 'rsa.pem'}},"
		   "{'signature': {'algorithm': 'SHA256+RSA4096', 'key': 'k'}}",
		   K1_ECRYPTO, "says RSA-4096 but the key has 1024 bits");
	EXPECT_ERR("{'pubkey': {'algorithm': 'RSA2048', 'source': 'rsa.pem'}}", K1_ECRYPTO,
		   "says RSA-2048 but the key has 1024 bits");
	EXPECT_ERR("{'pubkey': {'algorithm': 'ECCsecp384r1', 'source': 'ec.pem'}}", K1_ECRYPTO,
		   "says curve secp384r1 but the key uses prime256v1");
	EXPECT_ERR("{'pubkey': {'algorithm': 'RSA2048', 'source': 'ec.pem'}}", K1_ECRYPTO,
		   "is RSA but the key is an EC key");
	EXPECT_ERR("{'pubkey': {'source': 'ec.pem'}}", K1_ECRYPTO,
		   "is RSA but the key is an EC key");
	EXPECT_ERR("{'pubkey': {'algorithm': 'ECCprime256v1', 'source': 'rsa.pem'}}", K1_ECRYPTO,
		   "is ECC but the key is RSA-1024");
	EXPECT_ERR("{'pubkey': {'name': 'k', 'algorithm': 'ECC', 'source': 'ec.pem'}},"
		   "{'signature': {'algorithm': 'SHA256+RSA', 'key': 'k'}}",
		   K1_ECRYPTO, "signature 'signature': algorithm 'SHA256+RSA' is RSA");
	EXPECT_ERR("{'pubkey': {'algorithm': 'DSA1024', 'source': 'rsa.pem'}}", K1_ENOTSUP,
		   "pubkey 'publickey': unsupported algorithm 'DSA1024'");
	EXPECT_ERR("{'pubkey': {'algorithm': 'ECCnosuchcurve', 'source': 'ec.pem'}}", K1_ENOTSUP,
		   "unknown curve");
	EXPECT_ERR("{'pubkey': {'algorithm': 'RSAbig', 'source': 'rsa.pem'}}", K1_ENOTSUP,
		   "unsupported algorithm 'RSAbig'");
}

static void test_err_align(void **state)
{
	(void)state;
	EXPECT_ERR("{'file': {'source': 'abc.txt', 'align': -1}}", K1_EINVAL,
		   "data[0] file: align must be a non-negative integer");
	EXPECT_ERR("{'file': {'align': '16'}}", K1_EINVAL, "align must be");
	EXPECT_ERR("{'hash': {'align': 1.5}}", K1_EINVAL, "align must be");
	EXPECT_ERR("{'file': {'name': 5}}", K1_EINVAL, "name must be a string");
}

static void test_err_layout(void **state)
{
	(void)state;
	EXPECT_ERR_TOP("{'image': {'module': 'm'}}", K1_EINVAL, "'image' must be a list");
	EXPECT_ERR_TOP("{'info': {}}", K1_EINVAL, "no 'image' list");
	EXPECT_ERR_TOP("{'info': [], 'image': []}", K1_EINVAL, "'info' must be an object");
	EXPECT_ERR_TOP("[]", K1_EINVAL, "must be a JSON object");
	EXPECT_ERR_TOP("{'image': [{'module': 'm'}]}", K1_EINVAL,
		       "image[0]: module 'm': 'data' must be present and a list");
	EXPECT_ERR_TOP("{'image': [{'module': 'm', 'data': {}}]}", K1_EINVAL, "'data' must be");
	EXPECT_ERR_TOP("{'image': [{'data': []}]}", K1_EINVAL, "'module' must be present");
	EXPECT_ERR_TOP("{'image': ['m']}", K1_EINVAL, "image[0]: must be an object");
	EXPECT_ERR("['structure']", K1_EINVAL, "data[0]: must be an item object");
	EXPECT_ERR_TOP("{'image': [\n{'module': 'm',}]}", K1_EINVAL, "r.json:2:", "malformed JSON");
	EXPECT_ERR_TOP("{'image': [], 'image': []}", K1_EINVAL, "r.json:1:", "duplicate");
}

static void test_err_keys(void **state)
{
	(void)state;
	EXPECT_ERR("{'pubkey': {'name': 'k', 'source': 'notakey.pem'}}", K1_EINVAL,
		   "data[0] pubkey 'k': source: ", "not a PEM key");
	EXPECT_ERR("{'pubkey': {'name': 'k'}}", K1_EINVAL, "never generates keys");
	EXPECT_ERR("{'pubkey': {'name': 'k', 'source': 'key/none.pem'}}", K1_EIO,
		   "pubkey 'k': source: ", "none.pem");
}

static void test_err_size_limit(void **state)
{
	struct k1_recipe_opts o = {.max_size = 16};
	const char *text = "{\"image\": [{\"module\": \"m\", \"data\": "
			   "[{\"structure\": [\"pad, 0, 32\"]}]}]}";
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(k1_recipe_build_text(text, strlen(text), "r.json", fx_dir, &o, &out, &err),
			 K1_ERANGE);
	assert_non_null(strstr(err.msg, "r.json: image[0] (m) data[0] structure[0] \"pad\": size"));
	assert_int_equal(out.len, 0);
	k1_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_bootinfo),
		cmocka_unit_test(test_golden_fsbl),
		cmocka_unit_test(test_literals),
		cmocka_unit_test(test_strings_and_fields),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_names_and_nesting),
		cmocka_unit_test(test_forward_reference),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_function_search_is_linear),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_pubkey_rsa),
		cmocka_unit_test(test_pubkey_ec),
		cmocka_unit_test(test_pubkey_cache),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_signature_rsa),
		cmocka_unit_test(test_signature_ec),
		cmocka_unit_test(test_writes_nothing),
		cmocka_unit_test(test_build_text),
		cmocka_unit_test(test_err_too_wide),
		cmocka_unit_test(test_err_unknown_keys),
		cmocka_unit_test(test_err_lines),
		cmocka_unit_test(test_err_long_decimal),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_err_signature_keys),
		cmocka_unit_test(test_err_algorithms),
		cmocka_unit_test(test_err_align),
		cmocka_unit_test(test_err_layout),
		cmocka_unit_test(test_err_keys),
		cmocka_unit_test(test_err_size_limit),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

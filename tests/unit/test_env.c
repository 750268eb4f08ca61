/* U-Boot environment: the builder against mkenvimage (u-boot-tools), the
 * parser, probe, and the verifier's checks on damaged images. */
#include "testutil.h"

#include "format/env.h"
#include "format/format.h"

#include <sys/stat.h>

/* A plain env of size bytes laid out by hand from NUL-separated data. */
static uint8_t *hand_env(const char *data, size_t dlen, size_t size)
{
	uint8_t *e = malloc(size);
	assert_non_null(e);
	memset(e, 0xFF, size);
	memcpy(e + 4, data, dlen);
	put32(e, ref_crc32(e + 4, size - 4));
	return e;
}

/* Run mkenvimage on text; returns its exit status, the image in *img. */
static int mkenvimage(const char *dir, const char *text, size_t tlen, size_t size, bool redundant,
		      uint8_t **img, size_t *len)
{
	char cmd[4400], path[4200];
	FILE *f;
	struct stat st;
	int rc;

	test_write(dir, "in.txt", text, tlen);
	snprintf(path, sizeof(path), "%s/out.bin", dir);
	unlink(path);
	snprintf(cmd, sizeof(cmd), "mkenvimage %s -s %zu -o '%s' '%s/in.txt' 2>/dev/null",
		 redundant ? "-r" : "", size, path, dir);
	rc = system(cmd);
	*img = NULL;
	*len = 0;
	if (rc != 0 || stat(path, &st) != 0)
		return rc ? rc : -1;
	*img = malloc((size_t)st.st_size + 1);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(*img, 1, (size_t)st.st_size, f);
	fclose(f);
	return 0;
}

/* k1_env_build must equal mkenvimage, including when both refuse. */
static void same_as_mkenvimage(const char *dir, const char *text, size_t tlen, size_t size,
			       bool redundant)
{
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	uint8_t *want;
	size_t wlen;
	int want_rc = mkenvimage(dir, text, tlen, size, redundant, &want, &wlen);
	int rc = k1_env_build(text, tlen, size, redundant, &out, &err);

	if (want_rc != 0) {
		if (rc != K1_ERANGE)
			fail_msg(
				"mkenvimage refused %zu bytes of text for size %zu%s, k1fw did not",
				tlen, size, redundant ? " -r" : "");
	} else {
		if (rc != 0)
			fail_msg("k1fw refused (%s) what mkenvimage built (size %zu%s)", err.msg,
				 size, redundant ? " -r" : "");
		assert_int_equal(out.len, wlen);
		assert_memory_equal(out.data, want, wlen);
	}
	free(want);
	k1_buf_free(&out);
}

static void test_build_matches_mkenvimage(void **state)
{
	static const char *const texts[] = {
		"",
		"a=1\nb=2\n",
		"no_newline=1",
		"# comment\n\n\nbootdelay=0\n#x\nbaudrate=115200\n",
		"multi=line one\\\nline two\nnext=3\n",
		"hash=in#middle\n  #not a comment\n",
		"\n\n\na=1\n\n",
		"a=\\\n#after a continuation\nb=2\n",
		"novalue\nempty=\n=noname\n",
		"trailing\\",
		"#only a comment",
		"crlf=1\r\nx=2\r\n",
	};
	static const size_t sizes[] = {16, 24, 0x400, 0x4000};
	char *dir = test_tmpdir();
	(void)state;

	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			for (int r = 0; r < 2; r++)
				same_as_mkenvimage(dir, texts[t], strlen(texts[t]), sizes[s], r);
	test_rmtree(dir);
}

/* Random texts over the characters that matter, at sizes that make the
 * data area fill up exactly, nearly, and not at all. */
static void test_build_random_vs_mkenvimage(void **state)
{
	static const char alphabet[] = "ab=\n\n#\\ x";
	char *dir = test_tmpdir();
	char text[64];
	unsigned seed = 12345;
	(void)state;

	for (int i = 0; i < 300; i++) {
		size_t n, size;
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % sizeof(text);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			text[k] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		seed = seed * 1103515245u + 12345u;
		size = 8 + (seed >> 16) % 48;
		same_as_mkenvimage(dir, text, n, size, (seed >> 8) & 1);
	}
	test_rmtree(dir);
}

static void test_build_bad_size(void **state)
{
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	(void)state;

	assert_int_equal(k1_env_build("a=1", 3, 5, false, &out, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "environment size 5"));
	assert_int_equal(k1_env_build("a=1", 3, 6, true, &out, &err), K1_EINVAL);
	assert_int_equal(k1_env_build("a=1", 3, 8, false, &out, &err), K1_ERANGE);
	assert_non_null(strstr(err.msg, "does not fit in 8 bytes"));
	assert_int_equal(out.len, 0);
	assert_int_equal(k1_env_build("a=1", 3, 9, false, &out, &err), 0);
	assert_int_equal(out.len, 9);
	k1_buf_free(&out);
}

static void test_parse_plain_and_redundant(void **state)
{
	struct k1_buf plain = K1_BUF_INIT, red = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_env env;
	const char *text = "bootdelay=0\nbootcmd=run a; run b\nempty=\n";
	(void)state;

	assert_int_equal(k1_env_build(text, strlen(text), 0x4000, false, &plain, &err), 0);
	assert_int_equal(k1_env_build(text, strlen(text), 0x4000, true, &red, &err), 0);

	assert_int_equal(k1_env_parse(plain.data, plain.len, K1_ENV_AUTO, &env, &err), 0);
	assert_int_equal(env.layout, K1_ENV_PLAIN);
	assert_true(env.crc_ok);
	assert_true(env.crc_matched);
	assert_int_equal(env.crc_stored, ref_crc32(plain.data + 4, 0x4000 - 4));
	assert_int_equal(env.data_off, 4);
	assert_int_equal(env.count, 3);
	assert_true(env.terminated);
	assert_int_equal(env.used, strlen(text) + 1);
	assert_int_equal(env.garbage_off, 0);
	assert_int_equal(env.vars[1].name_len, 7);
	assert_memory_equal(env.vars[1].name, "bootcmd", 7);
	assert_int_equal(env.vars[1].value_len, strlen("run a; run b"));
	assert_memory_equal(env.vars[1].value, "run a; run b", 12);
	assert_int_equal(env.vars[2].value_len, 0);
	assert_non_null(env.vars[2].value);
	assert_int_equal(env.vars[0].offset, 4);
	k1_env_free(&env);

	assert_int_equal(k1_env_parse(red.data, red.len, K1_ENV_AUTO, &env, &err), 0);
	assert_int_equal(env.layout, K1_ENV_REDUNDANT);
	assert_int_equal(env.flags, 1);
	assert_int_equal(env.data_off, 5);
	assert_true(env.crc_ok);
	assert_int_equal(env.count, 3);
	k1_env_free(&env);

	/* forcing the wrong layout reports a bad CRC, not an error */
	assert_int_equal(k1_env_parse(red.data, red.len, K1_ENV_PLAIN, &env, &err), 0);
	assert_false(env.crc_ok);
	k1_env_free(&env);
	k1_buf_free(&plain);
	k1_buf_free(&red);
}

static void test_parse_guesses_layout_with_bad_crc(void **state)
{
	struct k1_buf b = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_env env;
	(void)state;

	assert_int_equal(k1_env_build("a=1\nb=2\n", 8, 0x400, true, &b, &err), 0);
	b.data[0] ^= 0xFF;
	assert_int_equal(k1_env_parse(b.data, b.len, K1_ENV_AUTO, &env, &err), 0);
	assert_int_equal(env.layout, K1_ENV_REDUNDANT);
	assert_false(env.crc_matched);
	assert_false(env.crc_ok);
	assert_int_equal(env.count, 2);
	k1_env_free(&env);
	k1_buf_free(&b);

	assert_int_equal(k1_env_parse((const uint8_t *)"abcde", 5, K1_ENV_AUTO, &env, &err),
			 K1_EINVAL);
	assert_non_null(strstr(err.msg, "too short"));
}

/* Verify raw bytes; the failed check names, space-separated, into names. */
static size_t verify_raw(const uint8_t *raw, size_t len, char *names, size_t n)
{
	int failed = test_verify(&k1_format_env, "env.bin", raw, len, false, names, n);
	if (failed < 0)
		fail_msg("%s", names);
	return (size_t)failed;
}

static void test_verify_names_the_problem(void **state)
{
	char names[512];
	uint8_t *e;
	struct k1_buf b = K1_BUF_INIT;
	struct k1_error err = {0};
	(void)state;

	e = hand_env("a=1\0b=2\0\0", 10, 0x4000);
	assert_int_equal(verify_raw(e, 0x4000, names, sizeof(names)), 0);
	e[0] ^= 1;
	assert_int_equal(verify_raw(e, 0x4000, names, sizeof(names)), 1);
	assert_string_equal(names, "env.crc32 ");
	free(e);

	e = hand_env("a=1\0broken\0=x\0\0", 16, 0x4000);
	assert_int_equal(verify_raw(e, 0x4000, names, sizeof(names)), 2);
	assert_string_equal(names, "env.entry env.entry ");
	free(e);

	e = hand_env("a=1\0b=2\0a=3\0\0", 14, 0x4000);
	assert_int_equal(verify_raw(e, 0x4000, names, sizeof(names)), 1);
	assert_string_equal(names, "env.duplicate ");
	free(e);

	e = hand_env("a=1\0\0junk", 9, 0x4000);
	assert_int_equal(verify_raw(e, 0x4000, names, sizeof(names)), 1);
	assert_string_equal(names, "env.padding ");
	free(e);

	/* zero padding (what U-Boot's own `env save` leaves) is fine */
	e = hand_env("a=1\0\0", 5, 0x4000);
	memset(e + 9, 0, 0x4000 - 9);
	put32(e, ref_crc32(e + 4, 0x4000 - 4));
	assert_int_equal(verify_raw(e, 0x4000, names, sizeof(names)), 0);
	free(e);

	/* no terminator: the list runs to the end */
	e = malloc(64);
	memset(e + 4, 'x', 60);
	memcpy(e + 4, "a=", 2);
	put32(e, ref_crc32(e + 4, 60));
	assert_int_equal(verify_raw(e, 64, names, sizeof(names)), 3);
	assert_string_equal(names, "env.k1_size env.entry env.terminator ");
	free(e);

	assert_int_equal(k1_env_build("a=1", 3, 0x2000, false, &b, &err), 0);
	assert_int_equal(verify_raw(b.data, b.len, names, sizeof(names)), 1);
	assert_string_equal(names, "env.k1_size ");
	b.len = 0;
	assert_int_equal(k1_env_build("a=1", 3, 0x4000, true, &b, &err), 0);
	assert_int_equal(verify_raw(b.data, b.len, names, sizeof(names)), 1);
	assert_string_equal(names, "env.k1_layout ");
	k1_buf_free(&b);
}

static void test_probe(void **state)
{
	uint8_t buf[0x400];
	uint8_t *e = hand_env("bootdelay=0\0baudrate=115200\0\0", 29, 0x4000);
	static const uint8_t bootinfo_bad_magic[16] = {0xF0, 0x14, 0x07, 0x00, 1, 0, 1, 0,
						       'S',  'D',  'C',  0,    0, 0, 0, 0};
	(void)state;

	assert_true(k1_env_probe(e, 0x4000));
	e[0] ^= 0x55; /* a bad CRC is still an environment */
	assert_true(k1_env_probe(e, 0x4000));
	assert_true(k1_env_probe(e, 100)); /* so is a truncated one */
	assert_false(k1_env_probe(e, 5));
	free(e);

	memset(buf, 0, sizeof(buf));
	assert_false(k1_env_probe(buf, sizeof(buf)));
	memset(buf, 0xFF, sizeof(buf));
	assert_false(k1_env_probe(buf, sizeof(buf)));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	assert_false(k1_env_probe(buf, sizeof(buf)));
	assert_false(k1_env_probe(bootinfo_bad_magic, sizeof(bootinfo_bad_magic)));
	assert_false(k1_env_probe((const uint8_t *)"{\"partitions\": []}\n", 19));
	/* a single entry without the terminating empty one is too little */
	assert_false(k1_env_probe((const uint8_t *)"XXXXa=1\0zz", 10));
}

/* Every truncation and every bit flip of a small env: no crash, and a
 * recognised damaged file always fails verification. */
static void test_damage(void **state)
{
	char names[512];
	struct k1_buf b = K1_BUF_INIT;
	struct k1_error err = {0};
	const char *text = "bootdelay=0\nbootcmd=run autoboot\nfdtfile=k1-x_deb1.dtb\n";
	(void)state;

	assert_int_equal(k1_env_build(text, strlen(text), 0x400, false, &b, &err), 0);
	for (size_t len = 0; len < b.len; len++) {
		json_t *j = NULL;
		struct k1_input in = {"cut.bin", b.data, len};
		if (!k1_env_probe(b.data, len))
			continue;
		if (k1_format_env.inspect(&in, &j, &err) == 0)
			json_decref(j);
		assert_true(verify_raw(b.data, len, names, sizeof(names)) > 0);
	}
	for (size_t pos = 0; pos < b.len; pos++)
		for (int bit = 0; bit < 8; bit++) {
			json_t *j = NULL;
			struct k1_input in = {"flip.bin", b.data, b.len};
			b.data[pos] ^= (uint8_t)(1 << bit);
			if (k1_env_probe(b.data, b.len)) {
				assert_int_equal(k1_format_env.inspect(&in, &j, &err), 0);
				json_decref(j);
				assert_true(verify_raw(b.data, b.len, names, sizeof(names)) > 0);
				assert_non_null(strstr(names, "env.crc32"));
			} else {
				/* only a flip in the first two entries may hide it */
				assert_true(pos >= 4 &&
					    pos < 4 + strlen("bootdelay=0_bootcmd=run autoboot_"));
			}
			b.data[pos] ^= (uint8_t)(1 << bit);
		}
	k1_buf_free(&b);
}

static void test_inspect_json(void **state)
{
	struct k1_buf b = K1_BUF_INIT;
	struct k1_error err = {0};
	json_t *j = NULL, *vars;
	const char *text = "a=1\nbin=\xff\xfe\n";
	(void)state;

	assert_int_equal(k1_env_build(text, strlen(text), 0x4000, false, &b, &err), 0);
	struct k1_input in = {"env.bin", b.data, b.len};
	assert_int_equal(k1_format_env.inspect(&in, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "layout")), "plain");
	assert_true(json_is_true(json_object_get(j, "crc_ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "used")), 12);
	vars = json_object_get(j, "variables");
	assert_string_equal(json_string_value(json_object_get(json_array_get(vars, 0), "name")),
			    "a");
	/* bytes that are not UTF-8 are shown escaped */
	assert_string_equal(json_string_value(json_object_get(json_array_get(vars, 1), "value")),
			    "\\xff\\xfe");
	json_decref(j);
	k1_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_matches_mkenvimage),
		cmocka_unit_test(test_build_random_vs_mkenvimage),
		cmocka_unit_test(test_build_bad_size),
		cmocka_unit_test(test_parse_plain_and_redundant),
		cmocka_unit_test(test_parse_guesses_layout_with_bad_crc),
		cmocka_unit_test(test_verify_names_the_problem),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_inspect_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

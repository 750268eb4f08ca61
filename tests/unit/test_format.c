/* The format table, the check list and k1_format_report, the one way to
 * map, recognise and inspect or verify a file. */
#include "format/bootinfo.h"
#include "format/format.h"
#include "testutil.h"

/* Every handler is in the table once, complete, under a name of its own. */
static void test_table_lists_every_handler(void **state)
{
	const struct k1_format *const all[] = {
		&k1_format_bootinfo, &k1_format_fsbl,   &k1_format_fit,  &k1_format_env,
		&k1_format_ptable,   &k1_format_sparse, &k1_format_disk, &k1_format_eeprom,
	};
	size_t n = 0;
	(void)state;

	for (size_t i = 0; k1_formats[i]; i++, n++) {
		const struct k1_format *f = k1_formats[i];
		assert_non_null(f->name);
		assert_non_null(f->summary);
		assert_non_null(f->probe);
		assert_non_null(f->inspect);
		assert_non_null(f->verify);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(f->name, k1_formats[j]->name);
	}
	assert_int_equal(n, sizeof(all) / sizeof(all[0]));
	for (size_t i = 0; i < n; i++) {
		size_t seen = 0;
		for (size_t j = 0; k1_formats[j]; j++)
			seen += k1_formats[j] == all[i];
		assert_int_equal(seen, 1);
	}
}

static void test_checks_first_failure(void **state)
{
	struct k1_checks c = {0};
	struct k1_error err = {0};
	(void)state;

	k1_check_add(&c, true, "a.one", "0x0", "fine");
	assert_int_equal(k1_checks_first_failure(&c, "f.bin", &err), 0);
	k1_check_add(&c, false, "a.two", "0x4", "expected %d, found %d", 1, 2);
	k1_check_add(&c, false, "a.three", NULL, "later");
	assert_int_equal(k1_checks_failed(&c), 2);
	assert_int_equal(k1_checks_first_failure(&c, "f.bin", &err), K1_EINVAL);
	assert_string_equal(err.msg, "f.bin: verify failed: a.two @ 0x4: expected 1, found 2");
	k1_checks_free(&c);
}

/* A list that lost a check (out of memory) never reads as passed, whatever
 * is added after, until it is freed. */
static void test_checks_oom_is_sticky(void **state)
{
	struct k1_checks c = {0};
	struct k1_error err = {0};
	(void)state;

	k1_check_add(&c, true, "a.one", "0x0", "fine");
	c.oom = true; /* what k1_check_add sets when realloc or strdup fails */
	k1_check_add(&c, true, "a.two", "0x4", "fine too");
	assert_int_equal(c.count, 2);
	assert_int_equal(k1_checks_failed(&c), 1);
	assert_int_equal(k1_checks_first_failure(&c, "f.bin", &err), K1_ENOMEM);
	assert_non_null(strstr(err.msg, "f.bin: out of memory"));
	k1_checks_free(&c);
	assert_false(c.oom);
	assert_int_equal(k1_checks_failed(&c), 0);
}

struct files {
	char *dir;
	char good[4200], bad[4200], unknown[4200], missing[4200];
};

static int setup(void **state)
{
	struct files *f = calloc(1, sizeof(*f));
	struct k1_bootinfo bi;
	uint8_t raw[K1_BOOTINFO_SIZE];

	f->dir = test_tmpdir();
	k1_bootinfo_defaults(K1_MEDIA_SD, &bi);
	k1_bootinfo_encode(&bi, raw);
	test_write(f->dir, "good.bin", raw, sizeof(raw));
	raw[K1_BOOTINFO_CRC_LEN] ^= 1; /* the stored CRC */
	test_write(f->dir, "bad.bin", raw, sizeof(raw));
	test_write_str(f->dir, "unknown.txt", "nothing k1fw knows\n");
	snprintf(f->good, sizeof(f->good), "%s/good.bin", f->dir);
	snprintf(f->bad, sizeof(f->bad), "%s/bad.bin", f->dir);
	snprintf(f->unknown, sizeof(f->unknown), "%s/unknown.txt", f->dir);
	snprintf(f->missing, sizeof(f->missing), "%s/missing.bin", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct files *f = *state;
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static void test_report_inspect(void **state)
{
	struct files *f = *state;
	struct k1_report r;
	struct k1_error err = {0};

	assert_int_equal(k1_format_report(f->good, "good", K1_REPORT_INSPECT, NULL, &r, &err), 0);
	assert_ptr_equal(r.format, &k1_format_bootinfo);
	assert_int_equal(r.size, K1_BOOTINFO_SIZE);
	assert_non_null(r.json);
	/* file, format and size lead; the format's own fields follow */
	assert_string_equal(json_object_iter_key(json_object_iter(r.json)), "file");
	assert_string_equal(json_string_value(json_object_get(r.json, "file")), "good");
	assert_string_equal(json_string_value(json_object_get(r.json, "format")), "bootinfo");
	assert_int_equal(json_integer_value(json_object_get(r.json, "size")), K1_BOOTINFO_SIZE);
	assert_true(json_object_size(r.json) > 3);
	assert_int_equal(r.checks.count, 0); /* not asked to verify */
	k1_report_free(&r);
}

static void test_report_verify(void **state)
{
	struct files *f = *state;
	struct k1_report r;
	struct k1_error err = {0};

	assert_int_equal(k1_format_report(f->good, NULL, K1_REPORT_VERIFY | K1_REPORT_STRICT, NULL,
					  &r, &err),
			 0);
	assert_true(r.checks.count > 0);
	assert_int_equal(k1_checks_failed(&r.checks), 0);
	assert_null(r.json);
	k1_report_free(&r);

	/* a failed check is a result, not an error, unless STRICT */
	assert_int_equal(k1_format_report(f->bad, NULL, K1_REPORT_VERIFY, NULL, &r, &err), 0);
	assert_true(k1_checks_failed(&r.checks) > 0);
	k1_report_free(&r);
	assert_int_equal(k1_format_report(f->bad, "bad", K1_REPORT_VERIFY | K1_REPORT_STRICT, NULL,
					  &r, &err),
			 K1_EINVAL);
	assert_non_null(strstr(err.msg, "bad: verify failed: bootinfo.crc32 @ 0x40: expected"));
	k1_report_free(&r);
}

static void test_report_unknown_and_unreadable(void **state)
{
	struct files *f = *state;
	struct k1_report r;
	struct k1_error err = {0};
	char want[4300];

	assert_int_equal(k1_format_report(f->unknown, NULL, K1_REPORT_VERIFY, NULL, &r, &err),
			 K1_EINVAL);
	snprintf(want, sizeof(want), "%s: not a K1 artefact k1fw recognises (19 bytes)",
		 f->unknown);
	assert_string_equal(err.msg, want);
	assert_null(r.format);
	k1_report_free(&r);

	err.msg[0] = '\0';
	assert_int_equal(k1_format_report(f->unknown, NULL,
					  K1_REPORT_VERIFY | K1_REPORT_STRICT | K1_REPORT_OPTIONAL,
					  NULL, &r, &err),
			 0);
	assert_null(r.format);
	assert_int_equal(r.size, 19);
	assert_int_equal(r.checks.count, 0);
	assert_string_equal(err.msg, "");
	k1_report_free(&r);

	assert_true(k1_format_report(f->missing, NULL, K1_REPORT_INSPECT | K1_REPORT_OPTIONAL, NULL,
				     &r, &err) < 0);
	assert_non_null(strstr(err.msg, "missing.bin"));
	assert_null(r.format);
	k1_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_lists_every_handler),
		cmocka_unit_test(test_checks_first_failure),
		cmocka_unit_test(test_checks_oom_is_sticky),
		cmocka_unit_test_setup_teardown(test_report_inspect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_unknown_and_unreadable, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The one size parser (base/size.h): numbers as C writes them, K/M/G units
 * in either case with their "iB"/"B" tails, overflow refused (or saturated
 * for the vendor's table arithmetic), nothing else accepted. */
#include "testutil.h"

#include "base/error.h"
#include "base/size.h"

static void test_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t bytes;
	} cases[] = {
		{"0", 0, 0},
		{"4096", 0, 4096},
		{"0x10000000", 0, 0x10000000},
		{"0X1f", 0, 31},
		{"010", 0, 8}, /* octal, as strtoull(s, 0) and U-Boot */
		{"80B", 0, 80},
		{"128K", 0, 128 << 10},
		{"128k", 0, 128 << 10},
		{"1KiB", 0, 1024},
		{"1Ki", 0, 1024},
		{"1KB", 0, 1024},
		{"256M", 0, 256ull << 20},
		{"8G", 0, 8ull << 30},
		{"16g", 0, 16ull << 30},
		{"0x10K", 0, 16384},
		{"18446744073709551615", 0, UINT64_MAX},
		{"17179869183G", 0, 17179869183ull << 30},
		{"", K1_EINVAL, 0},
		{"-1", K1_EINVAL, 0},
		{"-", K1_EINVAL, 0},
		{"+1", K1_EINVAL, 0},
		{" 1", K1_EINVAL, 0},
		{"1 ", K1_EINVAL, 0},
		{"K", K1_EINVAL, 0},
		{"0x", K1_EINVAL, 0},
		{"08", K1_EINVAL, 0},
		{"1.5M", K1_EINVAL, 0},
		{"1KK", K1_EINVAL, 0},
		{"1T", K1_EINVAL, 0},
		{"1iB", K1_EINVAL, 0},
		{"1KBB", K1_EINVAL, 0},
		{"NULL", K1_EINVAL, 0},
		{"18446744073709551616", K1_ERANGE, 0},
		{"17179869184G", K1_ERANGE, 0},
		{"0x10000000000000000", K1_ERANGE, 0},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t b = 7;
		int rc = k1_size_parse(cases[i].s, &b);
		if (rc != cases[i].rc)
			fail_msg("'%s': rc %d, wanted %d", cases[i].s, rc, cases[i].rc);
		if (!rc && b != cases[i].bytes)
			fail_msg("'%s': %llu", cases[i].s, (unsigned long long)b);
		if (rc && b != 7)
			fail_msg("'%s': output written on failure", cases[i].s);
	}
	assert_int_equal(k1_size_parse(NULL, NULL), K1_EINVAL);
}

static void test_number_and_unit(void **state)
{
	const char *end;
	uint64_t n;
	(void)state;

	assert_int_equal(k1_size_number("12abcM", &n, &end, false), 0);
	assert_int_equal(n, 12);
	assert_string_equal(end, "abcM");
	assert_int_equal(k1_size_number("0x12g", &n, &end, false), 0);
	assert_int_equal(n, 0x12);
	assert_string_equal(end, "g");
	assert_int_equal(k1_size_number("99999999999999999999K", &n, &end, false), K1_ERANGE);
	assert_int_equal(k1_size_number("99999999999999999999K", &n, &end, true), 0);
	assert_int_equal(n, UINT64_MAX);
	assert_string_equal(end, "K");
	assert_int_equal(k1_size_number("x1", &n, &end, true), K1_EINVAL);
	assert_int_equal(k1_size_unit_shift('k'), 10);
	assert_int_equal(k1_size_unit_shift('M'), 20);
	assert_int_equal(k1_size_unit_shift('g'), 30);
	assert_int_equal(k1_size_unit_shift('B'), -1);
	assert_int_equal(k1_size_unit_shift('\0'), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_number_and_unit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

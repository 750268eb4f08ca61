/* The block-usage reader (format/extfs_used.h) on images it must not
 * trust: no ext magic is K1_ENODEV (sent as it is), a superblock that
 * claims more blocks than the image or an absurd block size is K1_EINVAL
 * before libext2fs allocates anything, garbage behind a good magic is
 * K1_EINVAL. Real filesystems: tests/cli/test_fs_skip.sh. */
#include "testutil.h"

#include "base/bytes.h"
#include "format/extfs_used.h"

#include <stdlib.h>
#include <string.h>

#define LEN (64u << 10)

static uint8_t *image(uint32_t blocks, uint32_t log_block)
{
	uint8_t *d = calloc(1, LEN);
	assert_non_null(d);
	k1_put_le32(d + 1024 + 4, blocks);
	k1_put_le32(d + 1024 + 24, log_block);
	k1_put_le16(d + 1024 + 56, 0xEF53);
	return d;
}

static int used(const uint8_t *d, size_t len)
{
	struct k1_extents x = K1_EXTENTS_INIT;
	struct k1_extfs_usage u;
	struct k1_error err = {0};
	int rc = k1_extfs_used(d, len, &x, &u, &err);
	if (rc)
		assert_true(rc == K1_ENODEV || err.msg[0]);
	k1_extents_free(&x);
	return rc;
}

static void test_not_ext(void **state)
{
	uint8_t *d = image(64, 0);
	(void)state;
	d[1024 + 56] = 0;
	assert_int_equal(used(d, LEN), K1_ENODEV);
	assert_int_equal(used(d, 100), K1_ENODEV); /* too short for a superblock */
	free(d);
}

static void test_lying_superblock(void **state)
{
	uint8_t *d = image(1u << 30, 0); /* 1 TiB of 1 KiB blocks in 64 KiB */
	(void)state;
	assert_int_equal(used(d, LEN), K1_EINVAL);
	free(d);
	d = image(64, 40); /* block size 1 KiB << 40 */
	assert_int_equal(used(d, LEN), K1_EINVAL);
	free(d);
}

static void test_garbage(void **state)
{
	uint8_t *d = image(64, 0); /* the right size, nothing else right */
	(void)state;
	assert_int_equal(used(d, LEN), K1_EINVAL);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_ext),
		cmocka_unit_test(test_lying_superblock),
		cmocka_unit_test(test_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The one output layer (base/output.h): symlinks written through, outputs
 * that are inputs refused, devices and FIFOs refused, folders all or
 * nothing, and the registry the signal handler empties. */
#include "testutil.h"

#include "base/blockdev.h"
#include "base/output.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = test_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmtree(dir);
	return 0;
}

static const char *at(const char *name)
{
	static char p[2][4200];
	static int i;
	i ^= 1;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static size_t entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_write_and_replace(void **state)
{
	struct k1_output o;
	struct k1_error err = {0};
	struct stat st;

	(void)state;
	assert_int_equal(k1_output_init(&o, at("a.bin"), 0, &err), 0);
	assert_int_equal(k1_output_write(&o, "one", 3, 0640, &err), 0);
	assert_int_equal(stat(at("a.bin"), &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(k1_output_init(&o, at("a.bin"), 0, &err), 0);
	assert_int_equal(k1_output_write(&o, "second", 6, 0644, &err), 0);
	assert_int_equal(stat(at("a.bin"), &st), 0);
	assert_int_equal(st.st_size, 6);
	assert_int_equal(entries(dir), 1); /* no temporary left */
	assert_int_equal(k1_output_init(&o, at("a.bin"), K1_OUTPUT_NEW, &err), K1_EEXIST);
}

/* A symlink stays a symlink; its target (also dangling) is replaced. */
static void test_symlink_written_through(void **state)
{
	struct k1_output o;
	struct k1_error err = {0};
	struct stat st;

	(void)state;
	assert_int_equal(symlink("target.bin", at("link.bin")), 0);
	assert_int_equal(k1_output_init(&o, at("link.bin"), 0, &err), 0);
	assert_int_equal(k1_output_write(&o, "x", 1, 0644, &err), 0);
	assert_int_equal(lstat(at("link.bin"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(at("target.bin"), &st), 0);
	assert_int_equal(st.st_size, 1);
	assert_int_equal(k1_output_init(&o, at("link.bin"), 0, &err), 0); /* now it exists */
	assert_int_equal(k1_output_write(&o, "yy", 2, 0644, &err), 0);
	assert_int_equal(stat(at("target.bin"), &st), 0);
	assert_int_equal(st.st_size, 2);
	assert_int_equal(entries(dir), 2);
}

/* Same inode whatever the path: hard link, symlink, "..". */
static void test_output_is_input(void **state)
{
	struct k1_output o;
	struct k1_error err = {0};

	(void)state;
	test_write(dir, "in.txt", "a=1\n", 4);
	assert_int_equal(mkdir(at("sub"), 0755), 0);
	assert_int_equal(link(at("in.txt"), at("hard.txt")), 0);
	assert_int_equal(symlink("in.txt", at("soft.txt")), 0);
	assert_int_equal(k1_output_init(&o, at("sub/../in.txt"), 0, &err), 0);
	assert_int_equal(k1_output_input(&o, at("soft.txt"), &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "is one of the inputs"));
	assert_int_equal(k1_output_input(&o, at("hard.txt"), &err), K1_EINVAL);
	assert_int_equal(k1_output_input(&o, at("nosuch"), &err), 0);
	assert_int_equal(k1_output_init(&o, at("soft.txt"), 0, &err), 0);
	assert_int_equal(k1_output_input(&o, at("in.txt"), &err), K1_EINVAL);
}

static void test_refused_kinds(void **state)
{
	struct k1_output o;
	struct k1_error err = {0};

	(void)state;
	assert_int_equal(mkfifo(at("fifo"), 0644), 0);
	assert_int_equal(k1_output_init(&o, at("fifo"), 0, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "a FIFO"));
	assert_int_equal(k1_output_init(&o, "/dev/null", 0, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "character device"));
	assert_int_equal(k1_output_init(&o, dir, 0, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "is a folder"));
	assert_int_equal(k1_output_init(&o, at("nosuch/x.bin"), 0, &err), K1_EINVAL);
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_int_equal(k1_output_init(&o, "", 0, &err), K1_EINVAL);
}

/* A folder appears whole, under its name even with a trailing slash; an
 * existing non-empty one is never replaced. */
static void test_folder(void **state)
{
	struct k1_output o;
	struct k1_error err = {0};
	char path[4200];

	(void)state;
	snprintf(path, sizeof(path), "%s/", at("rel"));
	assert_int_equal(k1_output_init(&o, path, K1_OUTPUT_FOLDER | K1_OUTPUT_NEW, &err), 0);
	assert_int_equal(k1_output_open(&o, 0755, &err), 0);
	assert_int_equal(k1_output_put(&o, "factory/a.bin", "a", 1, 0644, &err), 0);
	assert_int_equal(k1_output_put(&o, "b.bin", "b", 1, 0600, &err), 0);
	assert_int_equal(access(at("rel"), F_OK), -1); /* not before the commit */
	assert_int_equal(k1_output_commit(&o, &err), 0);
	assert_int_equal(entries(at("rel")), 2);
	assert_int_equal(entries(at("rel/factory")), 1);
	assert_int_equal(k1_output_init(&o, at("rel"), K1_OUTPUT_FOLDER | K1_OUTPUT_NEW, &err),
			 K1_EEXIST);
	assert_int_equal(k1_output_init(&o, at("rel"),
					K1_OUTPUT_FOLDER | K1_OUTPUT_NEW | K1_OUTPUT_EMPTY_OK,
					&err),
			 K1_EEXIST);
	assert_int_equal(mkdir(at("empty"), 0755), 0);
	assert_int_equal(k1_output_init(&o, at("empty"),
					K1_OUTPUT_FOLDER | K1_OUTPUT_NEW | K1_OUTPUT_EMPTY_OK,
					&err),
			 0);
	assert_int_equal(k1_output_open(&o, 0700, &err), 0);
	assert_int_equal(k1_output_put(&o, "k", "k", 1, 0600, &err), 0);
	assert_int_equal(k1_output_commit(&o, &err), 0);
	assert_int_equal(entries(at("empty")), 1);
	assert_int_equal(entries(dir), 2);
}

/* What the signal handler calls: every registered temporary goes, the
 * finished outputs stay. */
static void test_remove_all(void **state)
{
	struct k1_output f, d, s, done;
	struct k1_error err = {0};
	char scratch[4200];

	(void)state;
	assert_int_equal(k1_output_init(&done, at("done.bin"), 0, &err), 0);
	assert_int_equal(k1_output_write(&done, "ok", 2, 0644, &err), 0);
	assert_int_equal(k1_output_init(&f, at("f.bin"), 0, &err), 0);
	assert_int_equal(k1_output_open(&f, 0644, &err), 0);
	assert_int_equal(write(f.fd, "half", 4), 4);
	assert_int_equal(k1_output_init(&d, at("d"), K1_OUTPUT_FOLDER | K1_OUTPUT_NEW, &err), 0);
	assert_int_equal(k1_output_open(&d, 0755, &err), 0);
	assert_int_equal(k1_output_put(&d, "x/y/z.bin", "z", 1, 0644, &err), 0);
	setenv("TMPDIR", dir, 1);
	assert_int_equal(k1_output_scratch(&s, "k1fw-test", &err), 0);
	snprintf(scratch, sizeof(scratch), "%s", s.temp);
	assert_int_equal(entries(dir), 4); /* done.bin and three temporaries */
	k1_output_remove_all();
	assert_int_equal(entries(dir), 1);
	assert_int_equal(access(at("done.bin"), F_OK), 0);
	assert_int_equal(access(scratch, F_OK), -1);
	k1_output_abort(&f); /* the program would have exited: nothing left to do */
	k1_output_abort(&d);
	k1_output_abort(&s);
	unsetenv("TMPDIR");
}

/* The device holding / is refused, by its own message. Only looked at:
 * nothing is opened for writing. */
static void test_root_disk_refused(void **state)
{
	struct k1_error err = {0};
	struct stat st;

	(void)state;
	if (stat("/", &st) || !major(st.st_dev)) {
		fprintf(stderr, "SKIP: / is not on a block device here\n");
		skip();
	}
	assert_int_equal(k1_blockdev_check_unused("rootdisk", st.st_dev, &err), K1_EBUSY);
	assert_non_null(strstr(err.msg, "holds / (the running system)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_written_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_is_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_all, setup, teardown),
		cmocka_unit_test(test_root_disk_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

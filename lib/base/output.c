/* Outputs: checked before anything is read, written to a temporary file or
 * folder beside the target, renamed into place. Every temporary is in a
 * fixed registry from before it exists (its name is published, then it is
 * created with O_EXCL, as git's tempfile.c does), so a signal handler can
 * remove it at any moment with unlink/rmdir only. */
#include "base/output.h"
#include "base/blockdev.h"
#include "base/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- the registry, read by k1_output_remove_all in a signal handler ---- */

#define SLOTS 64
enum { SLOT_FREE, SLOT_CLAIMED, SLOT_FILE, SLOT_FOLDER };

static struct {
	int state;
	char path[PATH_MAX];
} reg[SLOTS];

static int reg_claim(const char *path, int kind)
{
	for (int i = 0; i < SLOTS; i++) {
		int expect = SLOT_FREE;
		if (!__atomic_compare_exchange_n(&reg[i].state, &expect, SLOT_CLAIMED, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		snprintf(reg[i].path, sizeof(reg[i].path), "%s", path);
		__atomic_store_n(&reg[i].state, kind, __ATOMIC_RELEASE);
		return i;
	}
	return -1;
}

static void reg_release(int *slot)
{
	if (*slot >= 0)
		__atomic_store_n(&reg[*slot].state, SLOT_FREE, __ATOMIC_RELEASE);
	*slot = -1;
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static bool dot(const char *n)
{
	return n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]));
}

/* rm -r with system calls only (getdents64, not opendir: no malloc), so
 * that a signal handler may use it. depth bounds the stack. */
static void remove_tree_at(int dirfd, const char *name, int depth)
{
	char buf[4096] __attribute__((aligned(8)));
	bool again = true;
	int fd;

	if (!unlinkat(dirfd, name, 0) || errno == ENOENT || depth > 16)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	while (again) { /* entries removed while reading: read again until empty */
		again = false;
		lseek(fd, 0, SEEK_SET);
		for (;;) {
			long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
			if (n <= 0)
				break;
			for (long off = 0; off < n;) {
				struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
				off += d->d_reclen;
				if (dot(d->d_name))
					continue;
				remove_tree_at(fd, d->d_name, depth + 1);
				again = true;
			}
		}
	}
	close(fd);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

void k1_output_remove_all(void)
{
	for (int i = 0; i < SLOTS; i++) {
		int s = __atomic_load_n(&reg[i].state, __ATOMIC_ACQUIRE);
		if (s == SLOT_FILE)
			unlink(reg[i].path);
		else if (s == SLOT_FOLDER)
			remove_tree_at(AT_FDCWD, reg[i].path, 0);
	}
}

/* ---- checking a target ---- */

static const char *kind_name(mode_t m)
{
	return S_ISCHR(m)    ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket"
			     : "not a regular file";
}

/* Follow cur while it is a symlink; *st is what it finally names. */
static int follow(const struct k1_output *o, char *cur, struct stat *st, bool *exists,
		  struct k1_error *err)
{
	for (int hops = 0;; hops++) {
		char link[PATH_MAX], dir[PATH_MAX];
		ssize_t n;

		if (lstat(cur, st) < 0) {
			if (errno != ENOENT)
				return k1_err(err, K1_EIO, "%s: %s", o->name, strerror(errno));
			*exists = false;
			return 0;
		}
		*exists = true;
		if (!S_ISLNK(st->st_mode))
			return 0;
		if (hops == 40 || (n = readlink(cur, link, sizeof(link) - 1)) < 0)
			return k1_err(err, K1_EIO, "%s: cannot follow the link: %s", o->name,
				      hops == 40 ? "too many levels" : strerror(errno));
		link[n] = '\0';
		k1_dirname(dir, sizeof(dir), cur);
		if (link[0] == '/')
			snprintf(cur, PATH_MAX, "%s", link);
		else if (k1_path_join(cur, PATH_MAX, dir, link, err))
			return K1_ERANGE;
	}
}

static bool folder_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while (empty && (e = readdir(d)))
		empty = dot(e->d_name);
	closedir(d);
	return empty;
}

static int check_existing(struct k1_output *o, const struct stat *st, struct k1_error *err)
{
	bool folder = o->flags & K1_OUTPUT_FOLDER;

	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->rdev = st->st_rdev;
	if (S_ISDIR(st->st_mode) && !folder)
		return k1_err(err, K1_EINVAL, "%s: is a folder; give a file name for the output",
			      o->name);
	if (S_ISDIR(st->st_mode)) {
		if ((o->flags & K1_OUTPUT_EMPTY_OK) && folder_empty(o->target))
			return 0;
		return k1_err(err, K1_EEXIST, "%s: already exists%s; give a new folder", o->name,
			      (o->flags & K1_OUTPUT_EMPTY_OK) ? " and is not empty" : "");
	}
	if (S_ISBLK(st->st_mode) && (o->flags & K1_OUTPUT_BLOCKDEV) && !folder) {
		int fd, rc;
		o->blockdev = true;
		if ((rc = k1_blockdev_check_unused(o->name, st->st_rdev, err)))
			return rc;
		if ((fd = open(o->target, O_RDONLY | O_CLOEXEC)) < 0)
			return k1_err(err, K1_EIO, "%s: cannot open it: %s", o->name,
				      strerror(errno));
		rc = k1_blockdev_size(fd, o->name, &o->device_size, err);
		close(fd);
		return rc;
	}
	if (S_ISBLK(st->st_mode))
		return k1_err(err, K1_EINVAL,
			      "%s: is a block device; only a disk image is written to a device: "
			      "refusing",
			      o->name);
	if (!S_ISREG(st->st_mode))
		return k1_err(err, K1_EINVAL, "%s: is %s: refusing to write to it", o->name,
			      kind_name(st->st_mode));
	if (folder)
		return k1_err(err, K1_EEXIST, "%s: already exists (a file); give a new folder",
			      o->name);
	if (o->flags & K1_OUTPUT_NEW)
		return k1_err(err, K1_EEXIST, "%s: already exists, not overwriting it", o->name);
	return 0;
}

int k1_output_init(struct k1_output *o, const char *path, unsigned flags, struct k1_error *err)
{
	char cur[PATH_MAX], dir[PATH_MAX], real[PATH_MAX];
	const char *base;
	struct stat st;
	size_t n;
	int rc;

	memset(o, 0, sizeof(*o));
	o->fd = o->slot = -1;
	o->flags = flags;
	if (!path || !*path)
		return k1_err(err, K1_EINVAL, "an empty output name");
	if ((n = strlen(path)) >= sizeof(o->name))
		return k1_err(err, K1_ERANGE, "%.100s...: path too long", path);
	memcpy(o->name, path, n + 1);
	while (n > 1 && o->name[n - 1] == '/') /* "release/" names the folder release */
		o->name[--n] = '\0';
	memcpy(cur, o->name, n + 1);
	if ((rc = follow(o, cur, &st, &o->exists, err)))
		return rc;
	k1_dirname(dir, sizeof(dir), cur);
	base = strrchr(cur, '/') ? strrchr(cur, '/') + 1 : cur;
	if (!realpath(dir, real))
		return k1_err(err, K1_EINVAL, "%s: the folder %s %s", o->name, dir,
			      errno == ENOENT ? "does not exist" : strerror(errno));
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) { /* "/", "x/.." */
		if (!realpath(cur, o->target))
			return k1_err(err, K1_EIO, "%s: %s", o->name, strerror(errno));
	} else if ((rc = k1_path_join(o->target, sizeof(o->target), strcmp(real, "/") ? real : "",
				      base, err))) {
		return rc;
	}
	if (o->exists && (rc = check_existing(o, &st, err)))
		return rc;
	if (!o->blockdev && access(real, W_OK | X_OK) < 0)
		return k1_err(err, K1_EIO, "%s: cannot write in the folder %s: %s", o->name, dir,
			      strerror(errno));
	return 0;
}

int k1_output_input(const struct k1_output *o, const char *input, struct k1_error *err)
{
	struct stat st;

	if (!o->exists || !input || stat(input, &st) < 0)
		return 0;
	if ((st.st_dev == o->dev && st.st_ino == o->ino) ||
	    (o->blockdev && S_ISBLK(st.st_mode) && st.st_rdev == o->rdev)) {
		if (!strcmp(input, o->name))
			return k1_err(err, K1_EINVAL,
				      "%s: is one of the inputs; give another output", o->name);
		return k1_err(err, K1_EINVAL, "%s: is one of the inputs (%s); give another output",
			      o->name, input);
	}
	return 0;
}

int k1_output_inputs(const struct k1_output *o, const char *const *inputs, size_t n,
		     struct k1_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = k1_output_input(o, inputs[i], err);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- temporaries ---- */

static void random_suffix(char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned counter;
	unsigned char r[16];

	if (n > sizeof(r))
		n = sizeof(r);
	if (getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n) /* a name, not a secret */
		for (size_t i = 0; i < n; i++)
			r[i] = (unsigned char)((unsigned)getpid() * 31u + counter++ * 7u + i);
	for (size_t i = 0; i < n; i++)
		out[i] = set[r[i] % (sizeof(set) - 1)];
	out[n] = '\0';
}

/* Publish a fresh "<prefix>XXXXXX" in the registry, then create it. */
static int make_temp(struct k1_output *o, const char *prefix, bool folder, struct k1_error *err)
{
	for (int tries = 0; tries < 100; tries++) {
		char sfx[8];
		random_suffix(sfx, 6);
		if ((size_t)snprintf(o->temp, sizeof(o->temp), "%s%s", prefix, sfx) >=
		    sizeof(o->temp))
			return k1_err(err, K1_ERANGE, "%s: path too long", o->name);
		if ((o->slot = reg_claim(o->temp, folder ? SLOT_FOLDER : SLOT_FILE)) < 0)
			return k1_err(err, K1_ENOMEM, "%s: too many outputs at once", o->name);
		if (folder ? mkdir(o->temp, 0700) == 0
			   : (o->fd = open(o->temp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >=
				     0)
			return 0;
		int e = errno;
		reg_release(&o->slot);
		o->temp[0] = '\0';
		if (e != EEXIST)
			return k1_err(err, K1_EIO, "%s: cannot create a temporary %s beside it: %s",
				      o->name, folder ? "folder" : "file", strerror(e));
	}
	return k1_err(err, K1_EIO, "%s: cannot find a free temporary name", o->name);
}

static int open_device(struct k1_output *o, struct k1_error *err)
{
	struct stat st;
	int rc;

	/* checked again: the device may have been mounted since k1_output_init */
	if (stat(o->target, &st) < 0 || !S_ISBLK(st.st_mode) || st.st_rdev != o->rdev)
		return k1_err(err, K1_EIO, "%s: the device changed since it was checked", o->name);
	if ((rc = k1_blockdev_check_unused(o->name, o->rdev, err)))
		return rc;
	o->fd = open(o->target, O_RDWR | O_EXCL | O_CLOEXEC);
	if (o->fd < 0)
		return k1_err(err, errno == EBUSY ? K1_EBUSY : K1_EIO, "%s: cannot open it: %s",
			      o->name,
			      errno == EBUSY ? "the device is in use (mounted or held)"
					     : strerror(errno));
	if ((rc = k1_blockdev_size(o->fd, o->name, &o->device_size, err))) {
		close(o->fd);
		o->fd = -1;
	}
	return rc;
}

int k1_output_open(struct k1_output *o, mode_t mode, struct k1_error *err)
{
	char prefix[PATH_MAX + 8];
	int rc;

	if (o->fd >= 0 || o->temp[0])
		return k1_err(err, K1_EINVAL, "%s: already open", o->name);
	if (o->blockdev)
		return open_device(o, err);
	snprintf(prefix, sizeof(prefix), "%s.tmp-", o->target);
	if ((rc = make_temp(o, prefix, o->flags & K1_OUTPUT_FOLDER, err)))
		return rc;
	if ((o->flags & K1_OUTPUT_FOLDER) ? chmod(o->temp, mode) : fchmod(o->fd, mode)) {
		rc = k1_err(err, K1_EIO, "%s: chmod: %s", o->temp, strerror(errno));
		k1_output_abort(o);
	}
	return rc;
}

/* Into place without replacing what appeared meanwhile (NEW). */
static int put_new(const struct k1_output *o, bool folder)
{
	if (!folder) { /* a second name, then drop the first: never replaces */
		if (link(o->temp, o->target) < 0)
			return -1;
		unlink(o->temp);
		return 0;
	}
	if (o->exists) /* an empty folder (EMPTY_OK): rename fails if it filled up */
		return rename(o->temp, o->target);
	if (!renameat2(AT_FDCWD, o->temp, AT_FDCWD, o->target, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	struct stat st; /* a file system without RENAME_NOREPLACE */
	if (!lstat(o->target, &st)) {
		errno = EEXIST;
		return -1;
	}
	return rename(o->temp, o->target);
}

int k1_output_commit(struct k1_output *o, struct k1_error *err)
{
	bool folder = o->flags & K1_OUTPUT_FOLDER;
	int rc = 0;

	if (o->blockdev) {
		if (o->fd >= 0)
			rc = k1_blockdev_flush(o->fd, o->name, err);
		if (o->fd >= 0 && close(o->fd) < 0 && !rc)
			rc = k1_err(err, K1_EIO, "%s: %s", o->name, strerror(errno));
		o->fd = -1;
		return rc;
	}
	if (!o->temp[0])
		return k1_err(err, K1_EINVAL, "%s: nothing to put in place", o->name);
	if (o->fd >= 0) {
		if ((!(o->flags & K1_OUTPUT_NOSYNC) && fsync(o->fd) < 0) || close(o->fd) < 0)
			rc = k1_err(err, K1_EIO, "%s: write error: %s", o->name, strerror(errno));
		o->fd = -1;
	}
	if (!rc && ((o->flags & K1_OUTPUT_NEW) ? put_new(o, folder) : rename(o->temp, o->target)))
		rc = errno == EEXIST || errno == ENOTEMPTY
			     ? k1_err(err, K1_EEXIST, "%s: appeared meanwhile, not overwriting it",
				      o->name)
			     : k1_err(err, K1_EIO, "%s: cannot rename into place: %s", o->name,
				      strerror(errno));
	if (rc) {
		k1_output_abort(o);
		return rc;
	}
	reg_release(&o->slot);
	o->temp[0] = '\0';
	return 0;
}

void k1_output_abort(struct k1_output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	if (o->temp[0] && (o->flags & K1_OUTPUT_FOLDER))
		remove_tree_at(AT_FDCWD, o->temp, 0);
	else if (o->temp[0])
		unlink(o->temp);
	o->temp[0] = '\0';
	reg_release(&o->slot);
}

static int write_fd(int fd, const char *name, const void *data, size_t len, struct k1_error *err)
{
	const uint8_t *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return k1_err(err, K1_EIO, "%s: write error: %s", name,
				      n < 0 ? strerror(errno) : "no space written");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int k1_output_write(struct k1_output *o, const void *data, size_t len, mode_t mode,
		    struct k1_error *err)
{
	int rc = k1_output_open(o, mode, err);

	if (!rc && !(rc = write_fd(o->fd, o->name, data, len, err)))
		rc = k1_output_commit(o, err);
	if (rc)
		k1_output_abort(o);
	return rc;
}

int k1_output_replace(const char *path, const void *data, size_t len, mode_t mode,
		      struct k1_error *err)
{
	struct k1_output o;
	int rc = k1_output_init(&o, path, 0, err);

	return rc ? rc : k1_output_write(&o, data, len, mode, err);
}

/* ---- folders ---- */

int k1_output_path(const struct k1_output *o, const char *rel, char *out, size_t outsz,
		   struct k1_error *err)
{
	if (!o->temp[0] || !(o->flags & K1_OUTPUT_FOLDER))
		return k1_err(err, K1_EINVAL, "%s: not an open folder output", o->name);
	return k1_path_join(out, outsz, o->temp, rel, err);
}

int k1_output_create(struct k1_output *o, const char *rel, mode_t mode, int *fd,
		     struct k1_error *err)
{
	char path[PATH_MAX];
	int rc = k1_output_path(o, rel, path, sizeof(path), err);

	if (rc)
		return rc;
	for (char *s = path + strlen(o->temp) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		rc = mkdir(path, 0755) < 0 && errno != EEXIST;
		*s = '/';
		if (rc)
			return k1_err(err, K1_EIO, "%s: cannot create a folder for %s: %s", o->name,
				      rel, strerror(errno));
	}
	*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0 || fchmod(*fd, mode) < 0) {
		rc = k1_err(err, K1_EIO, "%s: cannot create %s: %s", o->name, rel, strerror(errno));
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	return rc;
}

int k1_output_put(struct k1_output *o, const char *rel, const void *data, size_t len, mode_t mode,
		  struct k1_error *err)
{
	int fd, rc = k1_output_create(o, rel, mode, &fd, err);

	if (rc)
		return rc;
	rc = write_fd(fd, o->name, data, len, err);
	if (!rc && !(o->flags & K1_OUTPUT_NOSYNC) && fsync(fd) < 0)
		rc = k1_err(err, K1_EIO, "%s: write error in %s: %s", o->name, rel,
			    strerror(errno));
	if (close(fd) < 0 && !rc)
		rc = k1_err(err, K1_EIO, "%s: write error in %s: %s", o->name, rel,
			    strerror(errno));
	return rc;
}

int k1_output_scratch(struct k1_output *o, const char *stem, struct k1_error *err)
{
	const char *base = getenv("TMPDIR");
	char prefix[PATH_MAX + 2];

	memset(o, 0, sizeof(*o));
	o->fd = o->slot = -1;
	o->flags = K1_OUTPUT_FOLDER;
	if (!base || !*base)
		base = "/tmp";
	snprintf(o->name, sizeof(o->name), "%s/%s", base, stem);
	snprintf(prefix, sizeof(prefix), "%s-", o->name);
	return make_temp(o, prefix, true, err);
}

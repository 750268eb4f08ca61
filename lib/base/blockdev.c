/* Is a block device safe to overwrite? The disk it belongs to (a partition
 * given as the output counts as its whole disk) and every partition of that
 * disk are looked up in sysfs; none may be mounted, hold /, be held by a
 * device-mapper or md device, be swap, or back a loop device that is one of
 * these. The exclusive open in
 * k1_output_open (O_EXCL: EBUSY while the kernel uses the device) is the
 * second line of defence; this one names the reason. */
#include "base/blockdev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define MAX_DEVS 256

struct disk {
	size_t n;
	dev_t dev[MAX_DEVS];
	char name[MAX_DEVS][64]; /* kernel names: "sdb", "sdb1" */
};

static int read_dev(const char *sysdir, dev_t *dev)
{
	char p[2 * PATH_MAX];
	unsigned maj, min;
	FILE *f;
	int ok;

	snprintf(p, sizeof(p), "%s/dev", sysdir);
	if (!(f = fopen(p, "r")))
		return -1;
	ok = fscanf(f, "%u:%u", &maj, &min) == 2;
	fclose(f);
	if (!ok)
		return -1;
	*dev = makedev(maj, min);
	return 0;
}

static bool exists_in(const char *dir, const char *name)
{
	char p[2 * PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static void add(struct disk *d, dev_t dev, const char *name)
{
	if (d->n < MAX_DEVS) {
		d->dev[d->n] = dev;
		snprintf(d->name[d->n], sizeof(d->name[d->n]), "%.63s", name);
		d->n++;
	}
}

/* The sysfs folder of rdev's whole disk, into out. */
static int disk_dir(dev_t rdev, char *out)
{
	char p[64], real[PATH_MAX];

	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
	if (!realpath(p, real))
		return -1;
	if (exists_in(real, "partition")) {
		char *slash = strrchr(real, '/');
		if (!slash)
			return -1;
		*slash = '\0';
	}
	snprintf(out, PATH_MAX, "%s", real);
	return 0;
}

/* The disk and its partitions (sub-folders with a "partition" file). */
static int disk_members(dev_t rdev, struct disk *d, char *dir)
{
	const char *base;
	struct dirent *e;
	dev_t dev;
	DIR *dp;

	d->n = 0;
	if (disk_dir(rdev, dir) || read_dev(dir, &dev))
		return -1;
	base = strrchr(dir, '/');
	add(d, dev, base ? base + 1 : dir);
	if (!(dp = opendir(dir)))
		return -1;
	while ((e = readdir(dp))) {
		char sub[PATH_MAX + 300];
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (exists_in(sub, "partition") && !read_dev(sub, &dev))
			add(d, dev, e->d_name);
	}
	closedir(dp);
	return 0;
}

static int member(const struct disk *d, dev_t dev)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->dev[i] == dev)
			return (int)i;
	return -1;
}

/* The first entry of a sysfs holders/ folder, or "". */
static void first_holder(const char *disk_dir, const char *name, bool is_disk, char *out,
			 size_t outsz)
{
	char p[PATH_MAX + 200];
	struct dirent *e;
	DIR *dp;

	out[0] = '\0';
	if (is_disk)
		snprintf(p, sizeof(p), "%s/holders", disk_dir);
	else
		snprintf(p, sizeof(p), "%s/%s/holders", disk_dir, name);
	if (!(dp = opendir(p)))
		return;
	while ((e = readdir(dp)))
		if (e->d_name[0] != '.') {
			snprintf(out, outsz, "%s", e->d_name);
			break;
		}
	closedir(dp);
}

static bool built_on(const struct disk *d, dev_t dev, int depth);

/* A loop device whose backing file is a block device (losetup -o over a
 * disk, as for a partition of an image): that device. */
static bool loop_on(const struct disk *d, const char *sysdir, int depth)
{
	char p[PATH_MAX + 32], back[PATH_MAX];
	struct stat st;
	FILE *f;
	bool ok;

	snprintf(p, sizeof(p), "%s/loop/backing_file", sysdir);
	if (!(f = fopen(p, "r")))
		return false;
	ok = fgets(back, sizeof(back), f) != NULL;
	fclose(f);
	back[strcspn(back, "\n")] = '\0';
	return ok && !stat(back, &st) && S_ISBLK(st.st_mode) && built_on(d, st.st_rdev, depth + 1);
}

/* Does dev (or a device it is made of: slaves/, for / on LVM or RAID; a
 * loop device's backing device) belong to d? depth bounds the walk. */
static bool built_on(const struct disk *d, dev_t dev, int depth)
{
	char p[64], real[PATH_MAX];
	struct dirent *e;
	DIR *dp;
	bool hit = false;

	if (member(d, dev) >= 0)
		return true;
	if (depth > 8)
		return false;
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", major(dev), minor(dev));
	if (!realpath(p, real))
		return false;
	if (loop_on(d, real, depth))
		return true;
	strncat(real, "/slaves", sizeof(real) - strlen(real) - 1);
	if (!(dp = opendir(real)))
		return false;
	while (!hit && (e = readdir(dp))) {
		char s[PATH_MAX + 300];
		dev_t sd;
		if (e->d_name[0] == '.')
			continue;
		snprintf(s, sizeof(s), "%s/%s", real, e->d_name);
		hit = !read_dev(s, &sd) && built_on(d, sd, depth + 1);
	}
	closedir(dp);
	return hit;
}

/* The device of a mountinfo source ("/dev/sdb1"), or 0. */
static dev_t source_dev(const char *src)
{
	struct stat st;
	return src[0] == '/' && !stat(src, &st) && S_ISBLK(st.st_mode) ? st.st_rdev : 0;
}

/* mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE ..." */
static int check_mounts(const char *name, const struct disk *d, struct k1_error *err)
{
	char line[8192];
	FILE *f = fopen("/proc/self/mountinfo", "r");

	if (!f)
		return k1_err(err, K1_EBUSY,
			      "%s: cannot tell whether it is mounted (no /proc/self/mountinfo): "
			      "refusing to write it",
			      name);
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		char mnt[4096], src[4096] = "";
		const char *dash = strstr(line, " - ");
		if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &maj, &min, mnt) != 3)
			continue;
		if (dash)
			sscanf(dash + 3, "%*s %4095s", src);
		dev_t dev = makedev(maj, min), sdev = source_dev(src);
		bool on = built_on(d, dev, 0) || (sdev && built_on(d, sdev, 0));
		if (!on)
			continue;
		fclose(f);
		if (!strcmp(mnt, "/"))
			return k1_err(err, K1_EBUSY,
				      "%s: holds / (the running system): refusing to write it",
				      name);
		if (!strcmp(src, name))
			return k1_err(err, K1_EBUSY, "%s: is mounted at %s: unmount it first", name,
				      mnt);
		return k1_err(err, K1_EBUSY, "%s: %s is mounted at %s: unmount it first", name,
			      src[0] ? src : "a partition", mnt);
	}
	fclose(f);
	return 0;
}

static int check_swaps(const char *name, const struct disk *d, struct k1_error *err)
{
	char line[4096], path[4096];
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return 0; /* no swap support: nothing can be swap */
	while (fgets(line, sizeof(line), f)) {
		dev_t dev;
		if (sscanf(line, "%4095s", path) != 1 || !(dev = source_dev(path)) ||
		    !built_on(d, dev, 0))
			continue;
		fclose(f);
		return k1_err(err, K1_EBUSY, "%s: %s is in use as swap: refusing to write it", name,
			      path);
	}
	fclose(f);
	return 0;
}

/* The mount of / first, so that its message wins over "mounted". */
static int check_root(const char *name, const struct disk *d, struct k1_error *err)
{
	struct stat st;

	if (!stat("/", &st) && major(st.st_dev) && built_on(d, st.st_dev, 0))
		return k1_err(err, K1_EBUSY,
			      "%s: holds / (the running system): refusing to write it", name);
	return 0;
}

int k1_blockdev_check_unused(const char *name, dev_t rdev, struct k1_error *err)
{
	static struct disk d; /* 16 KiB: not on the stack; one caller at a time */
	char dir[PATH_MAX], holder[256];
	int rc;

	if (disk_members(rdev, &d, dir))
		return k1_err(err, K1_EBUSY,
			      "%s: cannot find the device in /sys/dev/block, so cannot tell "
			      "whether it is in use: refusing to write it",
			      name);
	if ((rc = check_root(name, &d, err)))
		return rc;
	for (size_t i = 0; i < d.n; i++) {
		first_holder(dir, d.name[i], i == 0, holder, sizeof(holder));
		if (holder[0])
			return k1_err(err, K1_EBUSY,
				      "%s: /dev/%s is held by %s (LVM, RAID or encryption): "
				      "refusing to write it",
				      name, d.name[i], holder);
	}
	if ((rc = check_mounts(name, &d, err)) || (rc = check_swaps(name, &d, err)))
		return rc;
	return 0;
}

int k1_blockdev_size(int fd, const char *name, uint64_t *size, struct k1_error *err)
{
	uint64_t n = 0;

	if (ioctl(fd, BLKGETSIZE64, &n) < 0)
		return k1_err(err, K1_EIO, "%s: cannot read the device size: %s", name,
			      strerror(errno));
	*size = n;
	return 0;
}

static int write_zeros(int fd, const char *name, uint64_t off, uint64_t len, struct k1_error *err)
{
	static const uint8_t zero[65536];

	while (len) {
		size_t n = len < sizeof(zero) ? (size_t)len : sizeof(zero);
		ssize_t w = pwrite(fd, zero, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return k1_err(err, K1_EIO, "%s: write error at 0x%llx: %s", name,
				      (unsigned long long)off, strerror(errno));
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

int k1_blockdev_zero(int fd, const char *name, uint64_t off, uint64_t len, struct k1_error *err)
{
	uint64_t a = (off + 511) & ~(uint64_t)511, b = (off + len) & ~(uint64_t)511;
	int rc;

	if (a < b) {
		uint64_t range[2] = {a, b - a};
		if (ioctl(fd, BLKZEROOUT, range) == 0) {
			if ((rc = write_zeros(fd, name, off, a - off, err)))
				return rc;
			return write_zeros(fd, name, b, off + len - b, err);
		}
	}
	return write_zeros(fd, name, off, len, err);
}

int k1_blockdev_flush(int fd, const char *name, struct k1_error *err)
{
	if (fsync(fd) < 0)
		return k1_err(err, K1_EIO, "%s: flush failed: %s", name, strerror(errno));
	if (ioctl(fd, BLKFLSBUF, 0) < 0)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return 0;
}

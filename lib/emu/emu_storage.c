/* Board storage as plain files. */
#include "emu/emu_storage.h"
#include "base/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const files[K1_DEV_COUNT] = {
	"emmc-boot0.img", "emmc-boot1.img", "emmc-user.img", "spinor.img", "spinand.img", "sd.img",
};
static const char *const names[K1_DEV_COUNT] = {
	"eMMC boot0", "eMMC boot1", "eMMC user area", "SPI NOR", "SPI NAND", "SD card",
};

void k1_emu_storage_defaults(uint64_t size[K1_DEV_COUNT])
{
	size[K1_DEV_BOOT0] = size[K1_DEV_BOOT1] = 4ull << 20;
	size[K1_DEV_USER] = 8ull << 30;
	size[K1_DEV_NOR] = 4ull << 20;
	size[K1_DEV_NAND] = 256ull << 20;
	size[K1_DEV_SD] = 0;
}

const char *k1_emu_dev_file(enum k1_emu_dev d)
{
	return d < K1_DEV_COUNT ? files[d] : "?";
}

static int dev_path(const struct k1_emu_storage *s, enum k1_emu_dev d, char *out, size_t n,
		    struct k1_error *err)
{
	return k1_path_join(out, n, s->dir, files[d], err);
}

static int fill_fd(int fd, uint64_t off, uint64_t len, uint8_t byte)
{
	static uint8_t chunk[1 << 16];
	memset(chunk, byte, sizeof(chunk));
	if (!byte &&
	    !fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len))
		return 0;
	while (len) {
		size_t n = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
		ssize_t w = pwrite(fd, chunk, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

static int create_dev(const char *path, uint64_t size, uint8_t byte, struct k1_error *err)
{
	struct k1_output o;
	int rc;

	if ((rc = k1_output_init(&o, path, K1_OUTPUT_NEW, err)) ||
	    (rc = k1_output_open(&o, 0644, err)))
		return rc;
	if (ftruncate(o.fd, (off_t)size) || (byte && fill_fd(o.fd, 0, size, byte)))
		rc = k1_err(err, K1_EIO, "%s: %s", path, strerror(errno));
	else
		rc = k1_output_commit(&o, err);
	k1_output_abort(&o);
	return rc;
}

int k1_emu_storage_open(struct k1_emu_storage *s, const char *dir,
			const uint64_t size[K1_DEV_COUNT], struct k1_error *err)
{
	char path[4200];
	int rc;

	memset(s, 0, sizeof(*s));
	if (strlen(dir) >= sizeof(s->dir))
		return k1_err(err, K1_ERANGE, "%s: path too long", dir);
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return k1_err(err, K1_EIO, "%s: %s", dir, strerror(errno));
	for (int d = 0; d < K1_DEV_COUNT; d++) {
		struct stat st;
		if ((rc = dev_path(s, (enum k1_emu_dev)d, path, sizeof(path), err)))
			return rc;
		if (!stat(path, &st)) {
			if (!S_ISREG(st.st_mode))
				return k1_err(err, K1_EINVAL, "%s: not a regular file", path);
			s->size[d] = (uint64_t)st.st_size;
			continue;
		}
		if (errno != ENOENT)
			return k1_err(err, K1_EIO, "%s: %s", path, strerror(errno));
		if (d == K1_DEV_SD || !size[d])
			continue;
		if ((rc = create_dev(path, size[d], d == K1_DEV_NOR || d == K1_DEV_NAND ? 0xFF : 0,
				     err)))
			return rc;
		s->size[d] = size[d];
	}
	return 0;
}

static int open_dev(const struct k1_emu_storage *s, enum k1_emu_dev d, uint64_t off, uint64_t len,
		    int flags, struct k1_error *err)
{
	char path[4200];
	int fd;

	if (d >= K1_DEV_COUNT || !s->size[d])
		return k1_err(err, K1_EINVAL, "%s: no such device on this board",
			      d < K1_DEV_COUNT ? names[d] : "?");
	if (off > s->size[d] || len > s->size[d] - off)
		return k1_err(err, K1_ERANGE,
			      "%s: 0x%llx bytes at 0x%llx run past its end (0x%llx)", names[d],
			      (unsigned long long)len, (unsigned long long)off,
			      (unsigned long long)s->size[d]);
	if (dev_path(s, d, path, sizeof(path), err))
		return K1_ERANGE;
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return k1_err(err, K1_EIO, "%s: %s", path, strerror(errno));
	return fd;
}

int k1_emu_write(const struct k1_emu_storage *s, enum k1_emu_dev d, uint64_t off, const void *data,
		 size_t len, struct k1_error *err)
{
	const uint8_t *p = data;
	int fd = open_dev(s, d, off, len, O_WRONLY, err);

	if (fd < 0)
		return fd;
	while (len) {
		ssize_t w = pwrite(fd, p, len, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			return k1_err(err, K1_EIO, "%s: write at 0x%llx: %s", names[d],
				      (unsigned long long)off, strerror(e));
		}
		p += w;
		off += (uint64_t)w;
		len -= (size_t)w;
	}
	close(fd);
	return 0;
}

int k1_emu_fill(const struct k1_emu_storage *s, enum k1_emu_dev d, uint64_t off, uint64_t len,
		uint8_t byte, struct k1_error *err)
{
	int fd = open_dev(s, d, off, len, O_WRONLY, err), rc;

	if (fd < 0)
		return fd;
	rc = fill_fd(fd, off, len, byte);
	close(fd);
	return rc ? k1_err(err, K1_EIO, "%s: erase at 0x%llx: %s", names[d],
			   (unsigned long long)off, strerror(errno))
		  : 0;
}

int k1_emu_read(const struct k1_emu_storage *s, enum k1_emu_dev d, uint64_t off, void *buf,
		size_t len, struct k1_error *err)
{
	int fd = open_dev(s, d, off, len, O_RDONLY, err);
	ssize_t r;

	if (fd < 0)
		return fd;
	r = pread(fd, buf, len, (off_t)off);
	close(fd);
	return r == (ssize_t)len ? 0
				 : k1_err(err, K1_EIO, "%s: short read at 0x%llx", names[d],
					  (unsigned long long)off);
}

int k1_emu_map(const struct k1_emu_storage *s, enum k1_emu_dev d, struct k1_mapped *m,
	       struct k1_error *err)
{
	char path[4200];
	int rc;

	memset(m, 0, sizeof(*m));
	if (d >= K1_DEV_COUNT || !s->size[d])
		return 0;
	if ((rc = dev_path(s, d, path, sizeof(path), err)))
		return rc;
	return k1_map_file(path, m, err);
}

static struct k1_region *media_slot(struct k1_board_media *b, enum k1_emu_dev d)
{
	struct k1_region *slot[K1_DEV_COUNT] = {&b->boot0, &b->boot1, &b->user,
						&b->nor,   &b->nand,  &b->sd};
	return slot[d];
}

int k1_emu_media_open(struct k1_emu_media *mm, const char *dir,
		      const char *const path[K1_DEV_COUNT], struct k1_error *err)
{
	char buf[4200];
	struct stat st;
	int rc = 0;

	memset(mm, 0, sizeof(*mm));
	if (dir) {
		int e = stat(dir, &st) < 0 ? errno : 0;
		if (e || !S_ISDIR(st.st_mode))
			return k1_err(err, K1_EINVAL, "%s: %s", dir,
				      e == ENOENT ? "no such folder"
				      : e         ? strerror(e)
					  : "not a folder (give the board's storage folder)");
	}
	for (int d = 0; d < K1_DEV_COUNT; d++) {
		const char *p = path ? path[d] : NULL;
		struct k1_error *e = rc ? NULL : err; /* the first failure is the one told */
		int r = 0;
		if (!p && dir) {
			r = k1_path_join(buf, sizeof(buf), dir, files[d], e);
			if (!r && access(buf, F_OK) && errno == ENOENT)
				continue;
			p = buf;
		}
		if (!r && p && !(r = k1_map_file(p, &mm->m[d], e)))
			*media_slot(&mm->media, (enum k1_emu_dev)d) =
				(struct k1_region){mm->m[d].data, mm->m[d].len};
		rc = rc ? rc : r;
	}
	return rc;
}

void k1_emu_media_close(struct k1_emu_media *mm)
{
	for (int d = 0; d < K1_DEV_COUNT; d++)
		k1_unmap_file(&mm->m[d]);
	memset(mm, 0, sizeof(*mm));
}

#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int k1_read_file(const char *path, struct k1_buf *out, struct k1_error *err)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return k1_err(err, K1_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return k1_err(err, K1_EIO, "%s: not a regular file", path);
	}
	if (k1_buf_reserve(out, (size_t)st.st_size)) {
		close(fd);
		return k1_err(err, K1_ENOMEM, "%s: out of memory", path);
	}
	for (;;) {
		ssize_t n;
		if (k1_buf_reserve(out, 4096)) {
			rc = k1_err(err, K1_ENOMEM, "%s: out of memory", path);
			break;
		}
		n = read(fd, out->data + out->len, out->cap - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = k1_err(err, K1_EIO, "%s: read error: %s", path, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	close(fd);
	return rc;
}

int k1_map_file(const char *path, struct k1_mapped *m, struct k1_error *err)
{
	struct stat st;
	int fd;

	memset(m, 0, sizeof(*m));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return k1_err(err, K1_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return k1_err(err, K1_EIO, "%s: not a regular file", path);
	}
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			close(fd);
			return k1_err(err, K1_EIO, "%s: cannot map: %s", path, strerror(errno));
		}
		m->map_base = p;
		m->data = p;
		m->len = (size_t)st.st_size;
	}
	close(fd);
	return 0;
}

void k1_unmap_file(struct k1_mapped *m)
{
	if (m->map_base)
		munmap(m->map_base, m->len);
	memset(m, 0, sizeof(*m));
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create and fill "<path>.tmp-XXXXXX"; its name goes to tmp. */
static int write_temp(const char *path, const void *data, size_t len, mode_t mode, char *tmp,
		      size_t tmpsz, struct k1_error *err)
{
	int fd;

	if ((size_t)snprintf(tmp, tmpsz, "%s.tmp-XXXXXX", path) >= tmpsz)
		return k1_err(err, K1_ERANGE, "%s: path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return k1_err(err, K1_EIO, "%s: cannot create temporary file: %s", path,
			      strerror(errno));
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		return k1_err(err, K1_EIO, "%s: write error: %s", path, strerror(e));
	}
	if (close(fd) < 0) {
		int e = errno;
		unlink(tmp);
		return k1_err(err, K1_EIO, "%s: write error: %s", path, strerror(e));
	}
	return 0;
}

int k1_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct k1_error *err)
{
	char tmp[4096];
	int rc = write_temp(path, data, len, mode, tmp, sizeof(tmp), err);

	if (rc)
		return rc;
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return k1_err(err, K1_EIO, "%s: cannot rename into place: %s", path, strerror(e));
	}
	return 0;
}

int k1_write_file_new(const char *path, const void *data, size_t len, mode_t mode,
		      struct k1_error *err)
{
	char tmp[4096];
	int rc = write_temp(path, data, len, mode, tmp, sizeof(tmp), err);

	if (rc)
		return rc;
	if (link(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		if (e == EEXIST)
			return k1_err(err, K1_EEXIST, "%s: already exists, not overwriting", path);
		return k1_err(err, K1_EIO, "%s: cannot create: %s", path, strerror(e));
	}
	unlink(tmp);
	return 0;
}

int k1_path_join(char *out, size_t outsz, const char *dir, const char *name, struct k1_error *err)
{
	int n;

	if (name[0] == '/' || !dir || !dir[0])
		n = snprintf(out, outsz, "%s", name);
	else
		n = snprintf(out, outsz, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= outsz)
		return k1_err(err, K1_ERANGE, "path too long: %s/%s", dir ? dir : "", name);
	return 0;
}

void k1_dirname(char *out, size_t outsz, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash) {
		snprintf(out, outsz, ".");
		return;
	}
	n = (size_t)(slash - path);
	if (n == 0)
		n = 1; /* "/file" lives in "/" */
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, path, n);
	out[n] = '\0';
}

#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int not_a_file(const char *path, const struct stat *st, struct k1_error *err)
{
	return k1_err(err, K1_EIO, "%s: %s", path,
		      S_ISDIR(st->st_mode) ? "is a folder, expected a file" : "not a regular file");
}

int k1_read_file(const char *path, struct k1_buf *out, struct k1_error *err)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return k1_err(err, K1_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return not_a_file(path, &st, err);
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
		return not_a_file(path, &st, err);
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

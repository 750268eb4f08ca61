/* k1fw image, step two: the files. Every output goes to a temporary file
 * beside its target; they are renamed into place together once all are
 * complete, so a failure leaves no partial output. Images are sized with
 * ftruncate and only their data is written: the rest stays holes. Like
 * genimage and dd, no fsync: the page cache writes the data back. */
#include "base/copy.h"
#include "base/fileio.h"
#include "format/extfs_used.h"
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_file(const char *path, int fd, const char *name, uint64_t off, uint64_t len,
		     const struct k1_extent *holes, size_t nholes, struct k1_extents *map,
		     struct k1_error *err)
{
	int src = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (src < 0)
		return k1_err(err, K1_EIO, "%s: cannot open: %s", path, strerror(errno));
	rc = k1_copy_extents(src, path, fd, name, off, len, holes, nholes, map, err);
	close(src);
	return rc;
}

/* What of a partition image is not copied: the table's holes and, for an
 * ext2/3/4 image, its free blocks (sorted and merged). A filesystem that
 * cannot be trusted to tell is copied whole. */
static int part_skips(const struct k1_image_part *ip, bool fs_skip, struct k1_extents *skip,
		      struct k1_error *err)
{
	struct k1_extents used = K1_EXTENTS_INIT;
	struct k1_extfs_usage u;
	struct k1_error ignored;
	int rc = 0, fd;
	void *map;

	for (size_t i = 0; i < ip->tp->nholes; i++)
		if (k1_extents_add(skip, ip->tp->holes[i].start, ip->tp->holes[i].end))
			return k1_err(err, K1_ENOMEM, "out of memory");
	if (fs_skip && (fd = open(ip->path, O_RDONLY | O_CLOEXEC)) >= 0) {
		map = mmap(NULL, (size_t)ip->file_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (map != MAP_FAILED) {
			rc = k1_extfs_used(map, (size_t)ip->file_size, &used, &u, &ignored);
			munmap(map, (size_t)ip->file_size);
		}
		uint64_t at = 0;
		for (size_t i = 0; map != MAP_FAILED && !rc && i <= used.n; i++) {
			uint64_t end = i < used.n ? used.v[i].start : ip->file_size;
			if (k1_extents_add(skip, at, end))
				rc = K1_ENOMEM;
			at = i < used.n ? used.v[i].end : at;
		}
		k1_extents_free(&used);
		if (rc == K1_ENOMEM)
			return k1_err(err, rc, "out of memory");
	}
	k1_extents_normalize(skip, 1, ip->file_size);
	return 0;
}

int k1_image_write_raw(const struct k1_image_plan *p, int fd, const char *name,
		       struct k1_extents *map, struct k1_error *err)
{
	uint8_t *head = malloc(K1_GPT_PRIMARY_BYTES);
	uint8_t *tail = malloc(K1_GPT_BACKUP_BYTES);
	int rc = 0;

	if (!head || !tail) {
		rc = k1_err(err, K1_ENOMEM, "out of memory");
		goto out;
	}
	if (ftruncate(fd, (off_t)p->disk_size) < 0) {
		rc = k1_err(err, K1_EIO, "%s: cannot size to %llu bytes: %s", name,
			    (unsigned long long)p->disk_size, strerror(errno));
		goto out;
	}
	if ((rc = k1_image_gpt(p, head, tail, err)) ||
	    (rc = k1_pwrite_all(fd, name, head, K1_GPT_PRIMARY_BYTES, 0, map, err)) ||
	    (rc = k1_pwrite_all(fd, name, tail, K1_GPT_BACKUP_BYTES,
				p->disk_size - K1_GPT_BACKUP_BYTES, map, err)))
		goto out;
	for (size_t i = 0; i < p->nparts && !rc; i++) {
		const struct k1_image_part *ip = &p->parts[i];
		struct k1_extents skip = K1_EXTENTS_INIT;
		if (ip->path && ip->file_size && !(rc = part_skips(ip, p->fs_skip, &skip, err)))
			rc = copy_file(ip->path, fd, name, ip->offset, ip->file_size, skip.v,
				       skip.n, map, err);
		k1_extents_free(&skip);
	}
	for (size_t i = 0; i < p->nextra && !rc && p->media == K1_MEDIA_SD; i++)
		rc = copy_file(p->extra[i].path, fd, name, p->extra[i].offset, p->extra[i].len,
			       NULL, 0, map, err);
out:
	free(head);
	free(tail);
	return rc;
}

int k1_image_write_boot0(const struct k1_image_plan *p, int fd, const char *name,
			 struct k1_error *err)
{
	int rc;

	if (ftruncate(fd, (off_t)p->boot0_size) < 0)
		return k1_err(err, K1_EIO, "%s: cannot size: %s", name, strerror(errno));
	if ((rc = k1_pwrite_all(fd, name, p->bootinfo, K1_BOOTINFO_SIZE, 0, NULL, err)))
		return rc;
	for (size_t i = 0; i < p->nextra && !rc; i++)
		rc = copy_file(p->extra[i].path, fd, name, p->extra[i].offset, p->extra[i].len,
			       NULL, 0, NULL, err);
	return rc;
}

/* ---- the outputs, all or nothing ---- */

enum { O_RAW, O_BOOT0, O_SPARSE, O_BMAP, O_GENIMAGE, O_COUNT };

struct out_file {
	const char *path; /* target; NULL when not wanted */
	char tmp[4200];
	int fd;
};

static int open_temp(struct out_file *f, struct k1_error *err)
{
	if ((size_t)snprintf(f->tmp, sizeof(f->tmp), "%s.tmp-XXXXXX", f->path) >= sizeof(f->tmp))
		return k1_err(err, K1_ERANGE, "%s: path too long", f->path);
	f->fd = mkstemp(f->tmp);
	if (f->fd < 0)
		return k1_err(err, K1_EIO, "%s: cannot create a temporary file beside it: %s",
			      f->path, strerror(errno));
	if (fchmod(f->fd, 0644) < 0)
		return k1_err(err, K1_EIO, "%s: chmod: %s", f->tmp, strerror(errno));
	return 0;
}

static bool same_file(const struct stat *a, const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && st.st_dev == a->st_dev && st.st_ino == a->st_ino;
}

/* An output must never replace one of the inputs. */
static int check_not_input(const struct k1_image_plan *p, const char *out, struct k1_error *err)
{
	struct stat st;

	if (!out || stat(out, &st) < 0)
		return 0;
	bool hit = same_file(&st, p->table_path) || same_file(&st, p->bootinfo_path) ||
		   same_file(&st, p->fsbl_path);
	for (size_t i = 0; i < p->nparts && !hit; i++)
		hit = same_file(&st, p->parts[i].path);
	return hit ? k1_err(err, K1_EINVAL, "%s: is one of the inputs; give another output", out)
		   : 0;
}

static int write_buf(struct out_file *f, const struct k1_buf *b, struct k1_error *err)
{
	return k1_pwrite_all(f->fd, f->path, b->data, b->len, 0, NULL, err);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int write_all(const struct k1_image_plan *p, struct out_file *f, struct k1_extents *map,
		     struct k1_error *err)
{
	struct k1_buf b = K1_BUF_INIT;
	int rc = 0;

	if (f[O_RAW].path) {
		if ((rc = k1_image_write_raw(p, f[O_RAW].fd, f[O_RAW].path, map, err)))
			return rc;
		k1_extents_normalize(map, K1_IMAGE_BLOCK, p->disk_size);
	}
	if (f[O_BOOT0].path && (rc = k1_image_write_boot0(p, f[O_BOOT0].fd, f[O_BOOT0].path, err)))
		return rc;
	if (f[O_SPARSE].path && (rc = k1_image_sparse(f[O_RAW].fd, p->disk_size, map,
						      f[O_SPARSE].fd, f[O_SPARSE].path, err)))
		return rc;
	if (f[O_BMAP].path &&
	    !(rc = k1_bmap_build(f[O_RAW].fd, f[O_RAW].path, p->disk_size, map, &b, err)))
		rc = write_buf(&f[O_BMAP], &b, err);
	k1_buf_free(&b);
	if (!rc && f[O_GENIMAGE].path &&
	    !(rc = k1_genimage_cfg(p, f[O_RAW].path ? base_name(f[O_RAW].path) : "sdcard.img", &b,
				   err)))
		rc = write_buf(&f[O_GENIMAGE], &b, err);
	k1_buf_free(&b);
	return rc;
}

/* Renames cannot be undone as one: say which outputs are already in place. */
static int rename_failed(const struct out_file *f, int failed, struct k1_error *err)
{
	char done[1024] = "";
	size_t n = 0;

	for (int j = 0; j < failed && n < sizeof(done); j++)
		if (f[j].path)
			n += (size_t)snprintf(done + n, sizeof(done) - n, "%s%s", n ? ", " : "",
					      f[j].path);
	return k1_err(err, K1_EIO, "%s: cannot rename into place: %s%s%s", f[failed].path,
		      strerror(errno), n ? "; already written: " : "", done);
}

int k1_image_write(const struct k1_image_plan *p, const struct k1_image_outputs *out,
		   struct k1_extents *map, struct k1_error *err)
{
	struct out_file f[O_COUNT] = {{.path = out->raw},
				      {.path = out->boot0},
				      {.path = out->sparse},
				      {.path = out->bmap},
				      {.path = out->genimage}};
	struct k1_extents own = K1_EXTENTS_INIT;
	int rc = 0;

	if (!map)
		map = &own;
	if ((out->sparse || out->bmap) && !out->raw)
		return k1_err(err, K1_EINVAL,
			      "Android sparse and bmap outputs need the raw image (-o)");
	if (out->boot0 && p->media != K1_MEDIA_EMMC)
		return k1_err(err, K1_EINVAL, "a boot0 image is written for --media emmc only");
	for (int i = 0; i < O_COUNT; i++) {
		f[i].fd = -1;
		for (int j = 0; j < i && f[i].path && !rc; j++)
			if (f[j].path && !strcmp(f[i].path, f[j].path))
				rc = k1_err(err, K1_EINVAL, "%s: named for two outputs", f[i].path);
		if (!rc && f[i].path)
			rc = check_not_input(p, f[i].path, err);
	}
	for (int i = 0; i < O_COUNT && !rc; i++)
		if (f[i].path)
			rc = open_temp(&f[i], err);
	if (!rc)
		rc = write_all(p, f, map, err);
	for (int i = 0; i < O_COUNT; i++)
		if (f[i].fd >= 0 && close(f[i].fd) < 0 && !rc)
			rc = k1_err(err, K1_EIO, "%s: write error: %s", f[i].path, strerror(errno));
	for (int i = 0; i < O_COUNT && !rc; i++)
		if (f[i].path && rename(f[i].tmp, f[i].path) < 0)
			rc = rename_failed(f, i, err);
	if (rc)
		for (int i = 0; i < O_COUNT; i++)
			if (f[i].fd >= 0 || f[i].tmp[0])
				unlink(f[i].tmp); /* those renamed already are gone from tmp */
	k1_extents_free(&own);
	return rc;
}

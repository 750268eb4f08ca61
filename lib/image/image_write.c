/* k1fw image, step two: the files. Every output goes to a temporary file
 * beside its target (base/output.h); they are renamed into place together
 * once all are complete, so a failure leaves no partial output. Images are
 * sized with ftruncate and only their data is written: the rest stays
 * holes. Like genimage and dd, no fsync of a file: the page cache writes
 * the data back. A block device (an SD card) is written in place, as
 * bmaptool does: only the data, plus zeros where stale bytes would
 * mislead (the GPTs, the bootinfo sector), then flushed and read back. */
#include "base/blockdev.h"
#include "base/copy.h"
#include "base/fileio.h"
#include "base/output.h"
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

static int copy_file(const char *path, struct k1_dest *d, uint64_t off, uint64_t len,
		     const struct k1_extent *holes, size_t nholes, struct k1_error *err)
{
	int src = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (src < 0)
		return k1_err(err, K1_EIO, "%s: cannot open: %s", path, strerror(errno));
	rc = k1_copy_extents(src, path, d, off, len, holes, nholes, err);
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

int k1_image_write_raw(const struct k1_image_plan *p, struct k1_dest *d, struct k1_error *err)
{
	uint8_t *head = malloc(K1_GPT_PRIMARY_BYTES);
	uint8_t *tail = malloc(K1_GPT_BACKUP_BYTES);
	int rc = 0;

	if (!head || !tail) {
		rc = k1_err(err, K1_ENOMEM, "out of memory");
		goto out;
	}
	if (!d->device && ftruncate(d->fd, (off_t)p->disk_size) < 0) {
		rc = k1_err(err, K1_EIO, "%s: cannot size to %llu bytes: %s", d->name,
			    (unsigned long long)p->disk_size, strerror(errno));
		goto out;
	}
	if ((rc = k1_image_gpt(p, head, tail, err)) ||
	    (rc = k1_dest_write(d, head, K1_GPT_PRIMARY_BYTES, 0, err)) ||
	    (rc = k1_dest_write(d, tail, K1_GPT_BACKUP_BYTES, p->disk_size - K1_GPT_BACKUP_BYTES,
				err)))
		goto out;
	for (size_t i = 0; i < p->nparts && !rc; i++) {
		const struct k1_image_part *ip = &p->parts[i];
		struct k1_extents skip = K1_EXTENTS_INIT;
		if (ip->path && ip->file_size && !(rc = part_skips(ip, p->fs_skip, &skip, err)))
			rc = copy_file(ip->path, d, ip->offset, ip->file_size, skip.v, skip.n, err);
		k1_extents_free(&skip);
	}
	for (size_t i = 0; i < p->nextra && !rc && p->media == K1_MEDIA_SD; i++)
		rc = copy_file(p->extra[i].path, d, p->extra[i].offset, p->extra[i].len, NULL, 0,
			       err);
out:
	free(head);
	free(tail);
	return rc;
}

int k1_image_write_boot0(const struct k1_image_plan *p, struct k1_dest *d, struct k1_error *err)
{
	int rc;

	if (!d->device && ftruncate(d->fd, (off_t)p->boot0_size) < 0)
		return k1_err(err, K1_EIO, "%s: cannot size: %s", d->name, strerror(errno));
	/* the rest of the bootinfo sector reads as zeros, as in a fresh file */
	if ((rc = k1_dest_write(d, p->bootinfo, K1_BOOTINFO_SIZE, 0, err)) ||
	    (rc = k1_dest_zero(d, K1_BOOTINFO_SIZE, K1_GPT_SECTOR - K1_BOOTINFO_SIZE, err)))
		return rc;
	for (size_t i = 0; i < p->nextra && !rc; i++)
		rc = copy_file(p->extra[i].path, d, p->extra[i].offset, p->extra[i].len, NULL, 0,
			       err);
	return rc;
}

/* ---- the outputs, all or nothing ---- */

enum { O_RAW, O_BOOT0, O_SPARSE, O_BMAP, O_GENIMAGE, O_COUNT };

/* An output must never replace one of the inputs. */
static int check_not_input(const struct k1_image_plan *p, const struct k1_output *o,
			   struct k1_error *err)
{
	int rc = k1_output_input(o, p->table_path, err);

	if (!rc)
		rc = k1_output_input(o, p->bootinfo_path, err);
	if (!rc)
		rc = k1_output_input(o, p->fsbl_path, err);
	for (size_t i = 0; i < p->nparts && !rc; i++)
		rc = k1_output_input(o, p->parts[i].path, err);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

struct progress_ctx {
	const struct k1_image_outputs *out;
	const char *phase;
	uint64_t total;
};

static void on_written(void *ctx, uint64_t done)
{
	struct progress_ctx *c = ctx;
	c->out->progress(c->out->progress_ctx, c->phase, done < c->total ? done : c->total,
			 c->total);
}

static void on_verified(void *ctx, uint64_t done, uint64_t total)
{
	struct progress_ctx *c = ctx;
	c->out->progress(c->out->progress_ctx, c->phase, done, total);
}

/* The bytes a raw image's data may take, for progress: an upper bound. */
static uint64_t data_bound(const struct k1_image_plan *p)
{
	uint64_t n = K1_GPT_PRIMARY_BYTES + K1_GPT_BACKUP_BYTES;

	for (size_t i = 0; i < p->nparts; i++)
		n += p->parts[i].path ? p->parts[i].file_size : 0;
	for (size_t i = 0; i < p->nextra; i++)
		n += p->extra[i].len;
	return n;
}

/* A device: its stale backup GPT (at its own end) zeroed, everything
 * flushed, then every range read back. */
static int finish_device(const struct k1_image_outputs *out, struct k1_output *o, struct k1_dest *d,
			 uint64_t image_size, struct k1_error *err)
{
	struct progress_ctx pc = {out, "verifying", 0};
	int rc = 0;

	if (o == out->raw && o->device_size > image_size)
		rc = k1_dest_zero(d, o->device_size - K1_GPT_BACKUP_BYTES, K1_GPT_BACKUP_BYTES,
				  err);
	if (!rc)
		rc = k1_blockdev_flush(o->fd, o->name, err);
	if (!rc)
		rc = k1_dest_verify(d, out->progress ? on_verified : NULL, &pc, err);
	return rc;
}

static int write_image(const struct k1_image_plan *p, const struct k1_image_outputs *out,
		       struct k1_output *o, struct k1_extents *map, struct k1_error *err)
{
	bool raw = o == out->raw;
	uint64_t size = raw ? p->disk_size : p->boot0_size;
	struct progress_ctx pc = {out, "writing", raw ? data_bound(p) : p->boot0_size};
	struct k1_dest d = {.fd = o->fd,
			    .name = o->name,
			    .map = raw ? map : NULL,
			    .device = o->blockdev,
			    .progress = o->blockdev && out->progress ? on_written : NULL,
			    .progress_ctx = &pc};
	int rc;

	if (o->blockdev && o->device_size < size)
		return k1_err(err, K1_ERANGE,
			      "%s: the device holds %llu bytes, the image needs %llu: refusing",
			      o->name, (unsigned long long)o->device_size,
			      (unsigned long long)size);
	rc = raw ? k1_image_write_raw(p, &d, err) : k1_image_write_boot0(p, &d, err);
	if (!rc && o->blockdev)
		rc = finish_device(out, o, &d, size, err);
	k1_dest_free(&d);
	return rc;
}

static int write_buf(struct k1_output *o, const struct k1_buf *b, struct k1_error *err)
{
	struct k1_dest d = {.fd = o->fd, .name = o->name};
	return k1_dest_write(&d, b->data, b->len, 0, err);
}

static int write_all(const struct k1_image_plan *p, const struct k1_image_outputs *out,
		     struct k1_extents *map, struct k1_error *err)
{
	struct k1_buf b = K1_BUF_INIT;
	int rc = 0;

	if (out->raw) {
		if ((rc = write_image(p, out, out->raw, map, err)))
			return rc;
		k1_extents_normalize(map, K1_IMAGE_BLOCK, p->disk_size);
	}
	if (out->boot0 && (rc = write_image(p, out, out->boot0, NULL, err)))
		return rc;
	if (out->sparse && (rc = k1_image_sparse(out->raw->fd, p->disk_size, map, out->sparse->fd,
						 out->sparse->name, err)))
		return rc;
	if (out->bmap &&
	    !(rc = k1_bmap_build(out->raw->fd, out->raw->name, p->disk_size, map, &b, err)))
		rc = write_buf(out->bmap, &b, err);
	k1_buf_free(&b);
	if (!rc && out->genimage &&
	    !(rc = k1_genimage_cfg(p, out->raw ? base_name(out->raw->name) : "sdcard.img", &b,
				   err)))
		rc = write_buf(out->genimage, &b, err);
	k1_buf_free(&b);
	return rc;
}

/* Renames cannot be undone as one: say which outputs are already in place. */
static int commit_failed(struct k1_output *const *f, int failed, struct k1_error *err)
{
	size_t n = err ? strlen(err->msg) : 0;
	bool first = true;

	for (int j = 0; err && j < failed && n < sizeof(err->msg); j++)
		if (f[j]) {
			n += (size_t)snprintf(err->msg + n, sizeof(err->msg) - n, "%s%s",
					      first ? "; already written: " : ", ", f[j]->name);
			first = false;
		}
	return err ? err->code : K1_EIO;
}

int k1_image_write(const struct k1_image_plan *p, const struct k1_image_outputs *out,
		   struct k1_extents *map, struct k1_error *err)
{
	struct k1_output *f[O_COUNT] = {out->raw, out->boot0, out->sparse, out->bmap,
					out->genimage};
	struct k1_extents own = K1_EXTENTS_INIT;
	int rc = 0;

	if (!map)
		map = &own;
	if ((out->sparse || out->bmap) && !out->raw)
		return k1_err(err, K1_EINVAL,
			      "Android sparse and bmap outputs need the raw image (-o)");
	if (out->boot0 && p->media != K1_MEDIA_EMMC)
		return k1_err(err, K1_EINVAL, "a boot0 image is written for --media emmc only");
	for (int i = 0; i < O_COUNT && !rc; i++) {
		for (int j = 0; j < i && f[i] && !rc; j++)
			if (f[j] && !strcmp(f[i]->target, f[j]->target))
				rc = k1_err(err, K1_EINVAL, "%s: named for two outputs",
					    f[i]->name);
		if (!rc && f[i])
			rc = check_not_input(p, f[i], err);
	}
	for (int i = 0; i < O_COUNT && !rc; i++)
		if (f[i])
			rc = k1_output_open(f[i], 0644, err);
	if (!rc)
		rc = write_all(p, out, map, err);
	for (int i = 0; i < O_COUNT && !rc; i++)
		if (f[i] && k1_output_commit(f[i], err))
			rc = commit_failed(f, i, err);
	if (rc)
		for (int i = 0; i < O_COUNT; i++)
			if (f[i])
				k1_output_abort(f[i]); /* those in place have nothing left */
	k1_extents_free(&own);
	return rc;
}

/* Running a flashing plan against a board: find its stage, stage the FSBL
 * and U-Boot only when it needs them, wait for it to come back by polling
 * (no fixed sleeps), then send every image the way AOSP fastboot does. */
#include "fastboot/fastboot.h"
#include "flash/flash.h"
#include "flash/flash_prepare.h"
#include "format/sparse.h"

#include <android/sparse/sparse.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define POLL_MS 100                 /* between two attempts to reach the board */
#define RESPARSE_LIMIT (1ull << 30) /* AOSP fastboot: pieces of at most 1 GiB */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void pause_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int k1_flash_connect(struct k1_target *target, unsigned wait_ms, unsigned io_ms,
		     struct k1_transport **out, struct k1_error *err)
{
	uint64_t deadline = now_ms() + wait_ms;
	for (;;) {
		uint64_t left = deadline > now_ms() ? deadline - now_ms() : 1;
		unsigned first =
			io_ms && io_ms < left ? io_ms : (unsigned)(left < 2000 ? left : 2000);
		int rc = k1_transport_open(target, first ? first : 1, out, err);
		if (!rc) {
			(*out)->timeout_ms = io_ms;
			/* a board found by "usb" is followed by its port from now on */
			if (target->kind == K1_TARGET_ANY_USB &&
			    !strncmp((*out)->name, "usb:", 4)) {
				target->kind = K1_TARGET_USB;
				snprintf(target->usb_path, sizeof(target->usb_path), "%s",
					 (*out)->name + 4);
			}
			return 0;
		}
		if (rc != K1_ENODEV && rc != K1_ETIMEDOUT)
			return rc;
		if (now_ms() >= deadline) {
			char where[200], last[sizeof(err->msg)];
			k1_target_format(target, where, sizeof(where));
			snprintf(last, sizeof(last), "%s", err ? err->msg : "");
			return k1_err(err, K1_ETIMEDOUT, "%s: no board within %.1f s (last: %s)",
				      where, wait_ms / 1000.0, last);
		}
		pause_ms(POLL_MS);
	}
}

int k1_flash_detect_stage(struct k1_fb *fb, enum k1_stage *stage, struct k1_error *err)
{
	char v[K1_FB_RESPONSE_MAX + 1];
	int rc = k1_fb_getvar(fb, "version-brom", v, sizeof(v), err);
	if (rc == 0) { /* only the BootROM answers it (spec §6) */
		*stage = K1_STAGE_BROM;
		return 0;
	}
	if (rc != K1_EFAIL)
		return rc;
	/* SPL and U-Boot share the getvar table: the version string tells [open] */
	rc = k1_fb_getvar(fb, "version-bootloader", v, sizeof(v), err);
	if (rc && rc != K1_EFAIL)
		return rc;
	*stage = !rc && strstr(v, "SPL") ? K1_STAGE_SPL : K1_STAGE_UBOOT;
	return 0;
}

struct run {
	const struct k1_flash_opts *o;
	struct k1_target target;
	k1_flash_cb cb;
	void *ctx;
	struct k1_flash_status *st;
	struct k1_transport *t;
	struct k1_fb fb;
	struct k1_fb_events fbev;
	enum k1_stage stage;
	const struct k1_flash_plan *plan;
	size_t index;
	bool sent_sparse; /* the last step went as an Android sparse image of its used blocks */
	bool sent_gzip;   /* the last step went as gzip slices (--gzip) */
	struct k1_flash_prepared *prepared; /* the big images, opened ahead */
	struct k1_error *err;
};

static void emit(struct run *r, enum k1_flash_event_kind kind, const struct k1_flash_step *s,
		 uint64_t sent, uint64_t total, const char *msg)
{
	struct k1_flash_event ev = {kind, s,     r->index, r->plan ? r->plan->count : 0,
				    sent, total, r->stage, msg};
	if (r->cb)
		r->cb(r->ctx, &ev);
}

static void on_info(void *ctx, const char *msg)
{
	emit(ctx, K1_EV_INFO, NULL, 0, 0, msg);
}

static int open_board(struct run *r)
{
	int rc = k1_flash_connect(&r->target, r->o->wait_ms, r->o->io_ms, &r->t, r->err);
	if (rc)
		return rc;
	r->fb.t = r->t;
	if ((rc = k1_flash_detect_stage(&r->fb, &r->stage, r->err)))
		return rc;
	emit(r, K1_EV_CONNECTED, NULL, 0, 0, r->t->name);
	return 0;
}

/* After `continue` the board re-enumerates: poll until it answers in a
 * later stage than before, or wait_ms passes. */
static int await_stage(struct run *r, enum k1_stage before)
{
	uint64_t deadline = now_ms() + r->o->wait_ms;
	char msg[120];

	k1_transport_close(r->t);
	r->t = NULL;
	snprintf(msg, sizeof(msg), "waiting for the board to leave %s (up to %u s)",
		 k1_stage_name(before), r->o->wait_ms / 1000);
	emit(r, K1_EV_WAITING, NULL, 0, 0, msg);
	for (;;) {
		int rc = k1_flash_connect(&r->target, r->o->wait_ms, r->o->io_ms, &r->t, r->err);
		if (!rc) {
			r->fb.t = r->t;
			rc = k1_flash_detect_stage(&r->fb, &r->stage, r->err);
			if (!rc && r->stage > before) {
				emit(r, K1_EV_CONNECTED, NULL, 0, 0, r->t->name);
				return 0;
			}
			k1_transport_close(r->t);
			r->t = NULL;
		}
		if (rc && rc != K1_ENODEV && rc != K1_ETIMEDOUT && rc != K1_EIO)
			return rc;
		if (now_ms() >= deadline)
			return k1_err(r->err, K1_ETIMEDOUT,
				      "the board did not come back after "
				      "leaving %s within %u s (raise --timeout)",
				      k1_stage_name(before), r->o->wait_ms / 1000);
		pause_ms(POLL_MS);
	}
}

struct send {
	void (*progress)(void *ctx, uint64_t sent, uint64_t total);
	void *ctx;
	uint64_t base, total;
	const struct k1_fb_events *outer;
	struct k1_hash_ahead *ha; /* the file's hash, awaited before its flash command */
	const char *path;
};

static void piece_progress(void *ctx, uint64_t sent, uint64_t total)
{
	struct send *s = ctx;
	(void)total;
	if (s->progress)
		s->progress(s->ctx, s->base + sent, s->total);
}

static void piece_info(void *ctx, const char *msg)
{
	struct send *s = ctx;
	if (s->outer && s->outer->info)
		s->outer->info(s->outer->ctx, msg);
}

static int sparse_fill(void *ctx, k1_fb_sink sink, void *sink_ctx)
{
	int rc = sparse_file_callback(ctx, true, false, sink, sink_ctx);
	return rc > 0 ? 0 : rc;
}

/* flash:part, once the file is known to match SHA256SUMS: until then its
 * bytes are only in the board's RAM. */
static int flash_cmd(struct k1_fb *fb, const char *prefix, const char *part, struct send *s,
		     struct k1_error *err)
{
	char cmd[K1_FB_COMMAND_MAX + 16];
	int rc;

	if (!prefix)
		return 0;
	if ((rc = k1_hash_ahead_wait(s->ha, s->path, err)))
		return k1_err_prefix(err, "not flashed (the board's %s is as it was)", part);
	snprintf(cmd, sizeof(cmd), "%s:%s", prefix, part);
	return k1_fb_command(fb, cmd, NULL, 0, err);
}

/* Pieces of a sparse file, as fastboot's load_sparse_files() makes them. */
static int send_pieces(struct k1_fb *fb, const char *prefix, const char *part,
		       struct sparse_file *in, const void *map, size_t map_len, const char *path,
		       uint64_t limit, struct send *s, struct k1_error *err)
{
	struct sparse_file **pieces = NULL;
	int64_t *lens = NULL;
	int n = 0, rc = 0;

	n = sparse_file_resparse(in, (unsigned)limit, NULL, 0);
	if (n <= 0 || !(pieces = calloc((size_t)n + 1, sizeof(*pieces))) ||
	    !(lens = calloc((size_t)n, sizeof(*lens)))) {
		rc = k1_err(err, n <= 0 ? K1_EINVAL : K1_ENOMEM,
			    "%s: cannot split it into sparse "
			    "pieces of %" PRIu64 " bytes",
			    path, limit);
		goto out;
	}
	if (sparse_file_resparse(in, (unsigned)limit, pieces, n) != n) {
		rc = k1_err(err, K1_EINVAL, "%s: libsparse resparse failed", path);
		goto out;
	}
	s->total = 0;
	for (int i = 0; i < n; i++)
		s->total += (uint64_t)(lens[i] = sparse_file_len(pieces[i], true, false));
	for (int i = 0; i < n && !rc; i++) {
		rc = k1_fb_download_stream(fb, (uint64_t)lens[i], sparse_fill, pieces[i], map,
					   map_len, err);
		if (!rc && !(rc = flash_cmd(fb, prefix, part, s, err)))
			s->base += (uint64_t)lens[i];
	}
	if (rc)
		s->base += fb->sent;
out:
	for (int i = 0; pieces && i < n; i++)
		if (pieces[i])
			sparse_file_destroy(pieces[i]);
	free(pieces);
	free(lens);
	return rc;
}

/* A file too big for one download: libsparse reads it (a raw file's
 * constant blocks become FILL chunks), then pieces. */
static int send_sparse(struct k1_fb *fb, const char *prefix, const char *part, int fd,
		       const char *path, uint64_t limit, struct send *s, struct k1_error *err)
{
	struct sparse_file *in = sparse_file_import_auto(fd, false, false);
	int rc;

	if (!in)
		return k1_err(err, K1_EINVAL, "%s: libsparse cannot read it", path);
	rc = send_pieces(fb, prefix, part, in, NULL, 0, path, limit, s, err);
	sparse_file_destroy(in);
	return rc;
}

/* libsparse (29.0.6, as AOSP fastboot) splits a raw image whose size is not
 * a multiple of its 4096-byte blocks into pieces simg2img cannot read
 * ("don't care size ... is not a multiple of the block size"): refuse
 * instead of sending them. Sparse files are split chunk by chunk: fine. */
static int splittable(int fd, const char *path, uint64_t size, struct k1_error *err)
{
	uint8_t magic[4];
	if (pread(fd, magic, 4, 0) == 4 && (uint32_t)(magic[0] | magic[1] << 8 | magic[2] << 16 |
						      (uint32_t)magic[3] << 24) == K1_SPARSE_MAGIC)
		return 0;
	if (size % 4096 == 0)
		return 0;
	return k1_err(err, K1_EINVAL,
		      "%s: %" PRIu64 " bytes, more than max-download-size and not a multiple of "
		      "4096: libsparse would send broken pieces; pad it (truncate -s %" PRIu64
		      ") or make it sparse (img2simg)",
		      path, size, (size + 4095) / 4096 * 4096);
}

static int send_prepared(struct k1_fb *fb, const char *prefix, const char *part, int fd,
			 const char *path, const struct k1_flash_image *im, uint64_t max_download,
			 struct k1_hash_ahead *ha,
			 void (*progress)(void *ctx, uint64_t sent, uint64_t total), void *ctx,
			 uint64_t *sent_out, struct k1_error *err)
{
	struct send s = {progress, ctx, 0, 0, fb->ev, ha, path};
	struct k1_fb_events ev = {piece_info, piece_progress, &s};
	const struct k1_fb_events *saved = fb->ev;
	uint64_t limit =
		max_download && max_download < RESPARSE_LIMIT ? max_download : RESPARSE_LIMIT;
	int rc;

	if (!prefix && (rc = k1_hash_ahead_wait(ha, path, err))) /* staged code runs at once */
		return rc;
	fb->ev = &ev;
	s.total = im->size;
	if (im->gz) { /* the hash first: each slice is written as it arrives */
		s.total = im->send;
		if ((rc = k1_hash_ahead_wait(ha, path, err)))
			k1_err_prefix(err, "not flashed (the board's %s is as it was)", part);
		else
			rc = k1_flash_gzip_send(fb, part, fd, path, im, &s.base, err);
	} else if (im->fs) {
		rc = send_pieces(fb, prefix, part, im->fs, im->map, (size_t)im->size, path, limit,
				 &s, err);
	} else if (max_download && s.total > max_download) {
		if (!prefix)
			rc = k1_err(err, K1_ERANGE,
				    "%s: %" PRIu64 " bytes, more than the board's "
				    "max-download-size (%" PRIu64 ")",
				    path, s.total, max_download);
		else if ((rc = splittable(fd, path, s.total, err)) == 0)
			rc = send_sparse(fb, prefix, part, fd, path, limit, &s, err);
	} else {
		void *map = mmap(NULL, (size_t)s.total, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			rc = k1_err(err, K1_EIO, "%s: mmap: %s", path, strerror(errno));
		} else {
			madvise(map, (size_t)s.total, MADV_SEQUENTIAL);
			if (prefix && k1_flash_wraps(part, map, (size_t)s.total)) {
				rc = k1_hash_ahead_wait(ha, path, err);
				if (!rc)
					rc = k1_flash_send_wrapped(fb, part, map, (size_t)s.total,
								   err);
				s.base = fb->sent;
			} else {
				rc = k1_fb_download(fb, map, (size_t)s.total, err);
				s.base = fb->sent;
				if (!rc)
					rc = flash_cmd(fb, prefix, part, &s, err);
			}
			munmap(map, (size_t)s.total);
		}
	}
	fb->ev = saved;
	*sent_out = s.base;
	return rc;
}

int k1_flash_send_file(struct k1_fb *fb, const char *prefix, const char *part, const char *path,
		       uint64_t max_download,
		       void (*progress)(void *ctx, uint64_t sent, uint64_t total), void *ctx,
		       uint64_t *sent_out, struct k1_error *err)
{
	struct k1_flash_image im;
	int fd, rc;

	*sent_out = 0;
	if ((rc = k1_flash_image_open_path(path, false, &fd, &im, err)))
		return rc;
	rc = send_prepared(fb, prefix, part, fd, path, &im, max_download, NULL, progress, ctx,
			   sent_out, err);
	k1_flash_image_close(&im);
	close(fd);
	return rc;
}

int k1_flash_image_estimate(const char *path, bool fs_skip, struct k1_flash_image *im,
			    struct k1_error *err)
{
	int fd, rc = k1_flash_image_open_path(path, fs_skip, &fd, im, err);

	if (!rc) {
		k1_flash_image_close(im);
		close(fd);
	}
	return rc;
}

struct step_progress {
	struct run *r;
	const struct k1_flash_step *s;
};

static void step_progress(void *ctx, uint64_t sent, uint64_t total)
{
	struct step_progress *p = ctx;
	emit(p->r, K1_EV_PROGRESS, p->s, sent, total, NULL);
}

/* --only for a rerun: the step that failed (or is running) and every later
 * one. */
static void resume_list(struct run *r, const struct k1_flash_step *failed)
{
	char *out = r->st->resume_only;
	size_t len = 0, cap = sizeof(r->st->resume_only);
	bool on = false;

	out[0] = '\0';
	for (size_t i = 0; r->plan && i < r->plan->count; i++) {
		const struct k1_flash_step *s = &r->plan->steps[i];
		on |= s == failed;
		if (!on || (s->kind != K1_STEP_FLASH && s->kind != K1_STEP_TABLE))
			continue;
		int n = snprintf(out + len, cap - len, "%s%s", len ? "," : "", s->part);
		if (n < 0 || (size_t)n >= cap - len) {
			out[len] = '\0';
			break;
		}
		len += (size_t)n;
	}
}

/* What the OKAY proves (flash_vendor.c). An env sent as sparse that an
 * import generation took ("flash env partition okay": it reads env before
 * any gzip check) is sent again as it is, so that it is imported. */
static int judge(struct run *r, const struct k1_flash_step *s, uint64_t max_download)
{
	bool pieces = (max_download && s->size > max_download) || r->sent_sparse ||
		      k1_flash_file_sparse(s->path);
	bool wrapped = !pieces && k1_flash_file_wraps(s->part, s->path);
	char msg[600];
	int rc;

	if (r->sent_gzip) {
		k1_flash_gzip_note(s->part, msg, sizeof(msg));
		r->st->unverified++;
		emit(r, K1_EV_NOTE, s, 0, 0, msg);
		return 0;
	}
	if (wrapped && !strcmp(s->part, "env") && !strcmp(r->fb.okay, K1_FLASH_ENV_IMPORTED)) {
		if ((rc = k1_flash_send_raw(&r->fb, s->part, s->path, r->err)))
			return k1_err_prefix(r->err, "%s (sent again as it is)", s->part);
		wrapped = false;
	}
	switch (k1_flash_judge(r->plan, s, r->fb.okay, wrapped, pieces, msg, sizeof(msg))) {
	case K1_FV_UNVERIFIED:
		r->st->unverified++;
		break;
	case K1_FV_NOT_ON_DISK:
		r->st->env_not_on_disk = true;
		break;
	default:
		break;
	}
	if (msg[0])
		emit(r, K1_EV_NOTE, s, 0, 0, msg);
	return 0;
}

/* One file to the board: the image prepared, BEGIN with the bytes to send
 * and why, then sent. */
static int send_step(struct run *r, const struct k1_flash_step *s, uint64_t max_download,
		     uint64_t *sent)
{
	struct step_progress p = {r, s};
	struct k1_flash_image im;
	int fd, rc;

	bool fs_skip = r->o->fs_skip && s->kind == K1_STEP_FLASH;

	if (!k1_flash_prepare_take(r->prepared, s->path, fs_skip, &fd, &im, &rc, r->err))
		rc = k1_flash_image_open_path(s->path, fs_skip, &fd, &im, r->err);
	if (rc)
		return rc;
	if (r->o->gzip && s->kind == K1_STEP_FLASH && r->plan->media == K1_MEDIA_EMMC &&
	    (rc = k1_flash_image_gzip(fd, s->path, s->part, r->o->fs_skip, max_download, &im,
				      r->err))) {
		k1_flash_image_close(&im);
		close(fd);
		return rc;
	}
	r->sent_gzip = im.gz != NULL;
	r->sent_sparse = im.fs != NULL && !im.gz;
	emit(r, K1_EV_BEGIN, s, 0, im.send, s->kind == K1_STEP_FLASH ? im.why : NULL);
	rc = send_prepared(&r->fb, s->kind == K1_STEP_STAGE ? NULL : "flash", s->part, fd, s->path,
			   &im, max_download, r->o->hash_ahead, step_progress, &p, sent, r->err);
	k1_flash_image_close(&im);
	close(fd);
	return rc;
}

static int run_step(struct run *r, const struct k1_flash_step *s, uint64_t max_download)
{
	uint64_t sent = 0;
	int rc = 0;

	switch (s->kind) {
	case K1_STEP_STAGE:
	case K1_STEP_TABLE:
	case K1_STEP_FLASH:
		resume_list(r, s); /* what a rerun needs if the run stops in this step */
		rc = send_step(r, s, max_download, &sent);
		if (rc) {
			snprintf(r->st->failed_part, sizeof(r->st->failed_part), "%s", s->part);
			r->st->sent = sent;
			r->st->total = s->size;
			if (rc == K1_ENODEV)
				return k1_err_prefix(r->err,
						     "%s: the board went away after %" PRIu64
						     " bytes sent (%s, %" PRIu64 " bytes)",
						     s->part, sent, s->rel, s->size);
			return k1_err_prefix(r->err, "%s", s->part);
		}
		break;
	case K1_STEP_CONTINUE:
		emit(r, K1_EV_BEGIN, s, 0, 0, NULL);
		if ((rc = k1_fb_command(&r->fb, "continue", NULL, 0, r->err)) ||
		    (rc = await_stage(r, s->when)))
			return rc;
		break;
	case K1_STEP_REBOOT:
		emit(r, K1_EV_BEGIN, s, 0, 0, NULL);
		if ((rc = k1_fb_command(&r->fb, "reboot", NULL, 0, r->err)))
			return rc;
		break;
	}
	r->st->resume_only[0] = '\0'; /* set again by the next step that sends */
	emit(r, K1_EV_END, s, sent, s->size, NULL);
	if (s->kind == K1_STEP_TABLE || s->kind == K1_STEP_FLASH)
		return judge(r, s, max_download);
	return 0;
}

/* getvar mtd-size / blk-size (newer vendor U-Boot): the media and SPI size. */
static void ask_media(struct run *r, struct k1_flash_opts *o)
{
	char v[K1_FB_RESPONSE_MAX + 1], msg[200];
	struct k1_error ignored;
	uint64_t mtd = 0;

	if (!k1_fb_getvar(&r->fb, "mtd-size", v, sizeof(v), &ignored) && strcmp(v, "NULL"))
		mtd = k1_fb_parse_size(v); /* "%lldM" and the like */
	/* older U-Boot lacks blk-size: then keep trying the block device */
	bool blk = k1_fb_getvar(&r->fb, "blk-size", v, sizeof(v), &ignored)
			   ? o->blk
			   : strcmp(v, "NULL") != 0;
	if (o->media_auto)
		/* NOR parts stop at 32 MiB here; bigger SPI flash is NAND [open] */
		o->media = !mtd                 ? K1_MEDIA_EMMC
			   : mtd <= (32u << 20) ? K1_MEDIA_SPINOR
						: K1_MEDIA_SPINAND;
	if (mtd)
		o->mtd_size = mtd;
	o->blk = blk;
	snprintf(msg, sizeof(msg), "media %s (mtd-size %" PRIu64 " MiB, block device %s)",
		 k1_media_name(o->media), mtd >> 20, blk ? "yes" : "no");
	emit(r, K1_EV_PLAN, NULL, 0, 0, msg);
}

/* Lost right after the SPL started: no SPL after the BootROM's continue,
 * or u-boot.itb could not be staged into it (the board stopped taking
 * data or went away). */
static bool lost_in_spl(const struct k1_flash_step *s, int rc)
{
	bool gone = rc == K1_ETIMEDOUT || rc == K1_ENODEV || rc == K1_EIO;
	return gone && ((s->kind == K1_STEP_CONTINUE && s->when == K1_STAGE_BROM) ||
			(s->kind == K1_STEP_STAGE && s->when == K1_STAGE_SPL));
}

/* The boot steps of the board's stage and later ones, until it answers
 * in want or later. */
static int boot_to(struct run *r, const struct k1_flash_plan *boot, enum k1_stage want)
{
	char v[K1_FB_RESPONSE_MAX + 1];
	struct k1_error ignored;
	int rc = 0;

	for (r->index = 0; r->index < boot->count && !rc; r->index++) {
		const struct k1_flash_step *s = &boot->steps[r->index];
		uint64_t max_download = 0;
		if (s->kind != K1_STEP_STAGE && s->kind != K1_STEP_CONTINUE)
			break;
		if (s->when != r->stage) {
			emit(r, K1_EV_SKIP, s, 0, 0, NULL);
			continue;
		}
		if (r->stage >= want)
			break;
		if (s->kind == K1_STEP_STAGE &&
		    !k1_fb_getvar(&r->fb, "max-download-size", v, sizeof(v), &ignored))
			max_download = k1_fb_parse_size(v);
		rc = run_step(r, s, max_download);
		if (rc && lost_in_spl(s, rc))
			r->st->spl_lost = true;
	}
	return rc;
}

int k1_flash_session_open(const struct k1_flash_opts *opts, const struct k1_target *target,
			  enum k1_stage want, k1_flash_cb cb, void *ctx, struct k1_flash_session *s,
			  struct k1_flash_status *st, struct k1_error *err)
{
	struct k1_flash_status ignored_st;
	struct k1_flash_plan boot = {0};
	struct run r = {.o = opts, .target = *target, .cb = cb, .ctx = ctx, .err = err};
	int rc;

	memset(s, 0, sizeof(*s));
	r.st = st ? st : &ignored_st;
	memset(r.st, 0, sizeof(*r.st));
	r.fbev = (struct k1_fb_events){on_info, NULL, &r};
	r.fb.ev = &r.fbev;
	if (opts->bundle && (rc = k1_flash_plan_boot(opts->bundle, &boot, err)))
		return rc;
	r.plan = &boot;
	if (!(rc = open_board(&r))) {
		s->first = r.st->stage = r.stage;
		if (r.stage < want && !opts->bundle)
			rc = k1_err(err, K1_EINVAL,
				    "the board is in %s; reaching %s needs the release's boot "
				    "stages (--bundle)",
				    k1_stage_name(r.stage), k1_stage_name(want));
		else
			rc = boot_to(&r, &boot, want);
	}
	k1_flash_plan_free(&boot);
	if (rc) {
		k1_transport_close(r.t);
		return rc;
	}
	s->t = r.t;
	s->fb = (struct k1_fb){.t = r.t};
	s->stage = r.stage;
	return 0;
}

void k1_flash_session_close(struct k1_flash_session *s)
{
	k1_transport_close(s->t);
	s->t = NULL;
}

int k1_flash_run(const struct k1_flash_opts *opts, const struct k1_target *target, k1_flash_cb cb,
		 void *ctx, struct k1_flash_status *st, struct k1_error *err)
{
	struct k1_flash_opts o = *opts;
	struct k1_flash_plan boot = {0}, plan = {0};
	struct run r = {.o = &o, .target = *target, .cb = cb, .ctx = ctx, .st = st, .err = err};
	char v[K1_FB_RESPONSE_MAX + 1];
	struct k1_error ignored;
	uint64_t max_download = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	r.fbev = (struct k1_fb_events){on_info, NULL, &r};
	r.fb.ev = &r.fbev;
	if (o.media_auto)
		o.media = K1_MEDIA_EMMC; /* for the boot steps; resolved in U-Boot */
	if ((rc = k1_flash_plan_build(&o, &boot, err)))
		return rc;
	r.plan = &boot;
	if ((rc = k1_hash_ahead_start(o.hash_ahead, err)))
		goto out;
	k1_flash_prepare_start(&boot, o.fs_skip, &r.prepared);
	if ((rc = open_board(&r)))
		goto out;
	st->stage = r.stage;
	if ((rc = boot_to(&r, &boot, K1_STAGE_UBOOT)))
		goto out;
	if (r.stage != K1_STAGE_UBOOT) {
		rc = k1_err(err, K1_EPROTO, "the board is in %s, expected U-Boot fastboot",
			    k1_stage_name(r.stage));
		goto out;
	}
	ask_media(&r, &o);
	st->media = o.media;
	if (o.gzip)
		emit(&r, K1_EV_PLAN, NULL, 0, 0,
		     o.media == K1_MEDIA_EMMC ? K1_FLASH_GZIP_ASSUMES : K1_FLASH_GZIP_EMMC_ONLY);
	if ((rc = k1_flash_plan_build(&o, &plan, err)))
		goto out;
	r.plan = &plan;
	if (!k1_fb_getvar(&r.fb, "max-download-size", v, sizeof(v), &ignored))
		max_download = k1_fb_parse_size(v);
	for (r.index = 0; r.index < plan.count && !rc; r.index++) {
		const struct k1_flash_step *s = &plan.steps[r.index];
		if (s->kind == K1_STEP_STAGE || s->kind == K1_STEP_CONTINUE)
			continue;
		rc = run_step(&r, s, max_download);
	}
	/* the release verifies whole, as before a byte is sent: files --only left out too */
	if (!rc && (rc = k1_hash_ahead_wait_all(o.hash_ahead, err)))
		k1_err_prefix(err,
			      "the release does not verify (nothing of that file was written)");
out:
	k1_transport_close(r.t);
	k1_flash_prepare_free(r.prepared); /* before boot, whose paths it holds */
	k1_flash_plan_free(&boot);
	k1_flash_plan_free(&plan);
	return rc;
}

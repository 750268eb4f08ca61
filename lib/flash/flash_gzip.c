/* --gzip: a partition image as consecutive gzip slices, which vendor U-Boot
 * (v1.0.15, k1-bl-v2; spec §6.1) inflates with `unzip` to the address
 * after its download buffer and writes raw at the partition's start plus
 * part_offset_t, which each gzip flash to the same partition advances and
 * any other flash resets. Nothing lets the host ask whether the board
 * inflates, hence opt-in. Each slice inflates to at most the buffer it
 * inflates into: GZIP_DECOMPRESS_ADDR = FASTBOOT_BUF_ADDR + FASTBOOT_BUF_SIZE,
 * taken as large as the download buffer (max-download-size), since `unzip`
 * has no length limit. Free ext2/3/4 blocks go as zeros, which deflate to
 * nearly nothing. The sizes are measured by compressing once before sending
 * (deflate level 1 runs far above the link's 35 MB/s) and the slices are
 * compressed again as they are sent, the next by a thread while one is on
 * the wire: deflate is deterministic, so BEGIN's byte count is exact, and
 * no more than two compressed slices are held. */
#include "flash/flash.h"
#include "format/extfs_used.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#define BLK K1_EXTFS_BLOCK
/* level 6 sends 16% fewer bytes of text than 1 but deflates it at less than
 * half the speed (61 against 138 MB/s here: zlib, 32 MiB of test_gzip.sh's
 * text), and the measuring pass costs that too */
#define LEVEL 1
#define GZ_WRAP 18u     /* gzip header (10) and trailer (8) */
#define FEED (1u << 20) /* deflate's input per call: zeros come from a buffer this large */
#define SAMPLE (1u << 20)
#define SAMPLE_EVERY (16u << 20)

struct k1_flash_gzip {
	uint64_t start;         /* where the slices begin: after the first block when it went raw */
	uint64_t slice;         /* image bytes per slice: whole blocks, inflating into the buffer */
	size_t n;               /* slices */
	uint64_t *len;          /* compressed bytes of each */
	struct k1_extents used; /* what is sent as it is; the rest as zeros */
};

void k1_flash_gzip_free(struct k1_flash_gzip *g)
{
	if (!g)
		return;
	free(g->len);
	k1_extents_free(&g->used);
	free(g);
}

bool k1_flash_gzip_part(const char *part)
{
	/* read raw before the gzip check (gpt, mtd, bootinfo, fsbl) or, by
	 * import generations, before it (env) */
	static const char *const raw[] = {"gpt", "mtd", "bootinfo", "fsbl", "fsbl_1", "env"};

	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (!strcmp(part, raw[i]))
			return false;
	return true;
}

/* The largest whole-block slice whose gzip (deflate's worst case:
 * compressBound, incompressible data grows a little) fits one download. */
static uint64_t slice_size(uint64_t max_download)
{
	uint64_t s = max_download / BLK * BLK;

	while (s && compressBound((uLong)s) + GZ_WRAP > max_download)
		s -= BLK;
	return s;
}

static const uint8_t zeros[FEED];

static int feed(z_stream *z, const uint8_t *p, uint64_t n, int flush, uint8_t *out, size_t cap)
{
	int zr = Z_OK;

	while (n || flush == Z_FINISH) {
		uInt k = n > FEED ? FEED : (uInt)n;
		z->next_in = (Bytef *)(p ? p : zeros);
		z->avail_in = k;
		n -= k;
		if (p)
			p += k;
		do {
			z->next_out = out + z->total_out;
			z->avail_out = (uInt)(cap - z->total_out);
			zr = deflate(z, n ? Z_NO_FLUSH : flush);
		} while (zr == Z_OK && z->avail_in && z->avail_out);
		if (zr == Z_STREAM_END)
			return 0;
		if (zr != Z_OK || z->avail_in)
			return -1;
		if (!n && flush != Z_FINISH)
			return 0;
	}
	return 0;
}

/* [a, b) of the image, gzip, into out (cap bytes); its length. */
static int compress_range(const struct k1_flash_gzip *g, const uint8_t *map, uint64_t a, uint64_t b,
			  uint8_t *out, size_t cap, uint64_t *len)
{
	z_stream z = {0};
	int rc = 0;

	if (deflateInit2(&z, LEVEL, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return K1_ENOMEM;
	for (size_t e = 0; e < g->used.n && a < b && !rc; e++) {
		uint64_t s = g->used.v[e].start, t = g->used.v[e].end;
		if (t <= a || s >= b)
			continue;
		if (s > a) /* free blocks before this range */
			rc = feed(&z, NULL, s - a, Z_NO_FLUSH, out, cap);
		s = s > a ? s : a;
		t = t < b ? t : b;
		if (!rc)
			rc = feed(&z, map + s, t - s, Z_NO_FLUSH, out, cap);
		a = t;
	}
	if (!rc)
		rc = feed(&z, NULL, b - a, Z_FINISH, out, cap);
	*len = z.total_out;
	deflateEnd(&z);
	return rc ? K1_ENOMEM : 0;
}

static int compress_slice(const struct k1_flash_gzip *g, const uint8_t *map, uint64_t size,
			  size_t i, uint8_t *out, size_t cap, uint64_t *len)
{
	uint64_t a = g->start + i * g->slice;
	return compress_range(g, map, a, a + g->slice < size ? a + g->slice : size, out, cap, len);
}

/* About what all slices compress to, from 1 MiB of every 16: a "no"
 * costs a sixteenth of compressing everything (incompressible data
 * deflates at only tens of MB/s). */
static int sample(const struct k1_flash_gzip *g, const uint8_t *map, uint64_t size, uint8_t *out,
		  size_t cap, uint64_t *est)
{
	uint64_t chunk = SAMPLE < g->slice ? SAMPLE : g->slice, sum = 0, seen = 0, len;

	for (uint64_t a = g->start; a < size; a += SAMPLE_EVERY) {
		uint64_t b = a + chunk < size ? a + chunk : size;
		if (compress_range(g, map, a, b, out, cap, &len))
			return K1_ENOMEM;
		sum += len;
		seen += b - a;
	}
	*est = seen ? (uint64_t)((double)sum * (double)(size - g->start) / (double)seen) : 0;
	return 0;
}

static int map_image(int fd, const char *path, uint64_t size, uint8_t **map, struct k1_error *err)
{
	void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);

	if (m == MAP_FAILED)
		return k1_err(err, K1_EIO, "%s: mmap: %s", path, strerror(errno));
	madvise(m, (size_t)size, MADV_SEQUENTIAL);
	*map = m;
	return 0;
}

/* The free blocks of an ext2/3/4 image, else none: what is used. */
static int used_ranges(const uint8_t *map, uint64_t size, bool fs_skip, struct k1_extents *used,
		       struct k1_error *err)
{
	struct k1_extfs_usage u;
	struct k1_error ignored = {0};
	int rc = fs_skip ? k1_extfs_used(map, (size_t)size, used, &u, &ignored) : K1_ENODEV;

	if (rc == K1_ENOMEM)
		return k1_err(err, rc, "out of memory");
	if (rc) { /* no filesystem, or one that cannot be trusted: all of it */
		k1_extents_free(used);
		if (k1_extents_add(used, 0, size))
			return k1_err(err, K1_ENOMEM, "out of memory");
	}
	return 0;
}

static double seconds(uint64_t wire, uint64_t written)
{
	return (double)wire / K1_FLASH_LINK_RATE + (double)written / K1_FLASH_BOARD_RATE;
}

static void mib(char *s, size_t n, uint64_t b)
{
	snprintf(s, n, "%.1f MiB", (double)b / (1 << 20));
}

/* Measure; take gzip when the model says it is faster. */
static int measure(struct k1_flash_gzip *g, const uint8_t *map, struct k1_flash_image *im,
		   struct k1_error *err)
{
	size_t cap = (size_t)compressBound((uLong)g->slice) + GZ_WRAP;
	uint8_t *out = malloc(cap);
	uint64_t total = g->start ? BLK : 28 + 12 + BLK; /* the first block: raw or wrapped */
	char gz[32], other[32];
	int rc = 0;

	if (!out || !(g->len = calloc(g->n, sizeof(*g->len)))) {
		free(out);
		return k1_err(err, K1_ENOMEM, "out of memory");
	}
	uint64_t est;
	if (!(rc = sample(g, map, im->size, out, cap, &est)) &&
	    seconds(total + est, im->size) >= seconds(im->send, im->write)) {
		size_t l = strlen(im->why);
		mib(gz, sizeof(gz), total + est);
		snprintf(im->why + l, sizeof(im->why) - l, "; gzip: about %s (sampled), slower",
			 gz);
		free(out);
		return 1;
	}
	for (size_t i = 0; i < g->n && !rc; i++) {
		rc = compress_slice(g, map, im->size, i, out, cap, &g->len[i]);
		total += g->len[i];
	}
	free(out);
	if (rc)
		return k1_err(err, rc, "deflate failed");
	mib(gz, sizeof(gz), total);
	mib(other, sizeof(other), im->send);
	if (seconds(total, im->size) >= seconds(im->send, im->write)) {
		size_t l = strlen(im->why);
		snprintf(im->why + l, sizeof(im->why) - l, "; gzip: %zu slice%s, %s, slower", g->n,
			 g->n == 1 ? "" : "s", gz);
		return 1;
	}
	snprintf(im->why, sizeof(im->why), "gzip: %zu slice%s, %s (%s would send %s)", g->n,
		 g->n == 1 ? "" : "s", gz, im->fs ? "sparse" : "raw", other);
	im->send = total;
	return 0;
}

int k1_flash_image_gzip(int fd, const char *path, const char *part, bool fs_skip,
			uint64_t inflate_max, struct k1_flash_image *im, struct k1_error *err)
{
	struct k1_flash_gzip *g;
	uint8_t *map;
	size_t l = strlen(im->why);
	const char *no = NULL;
	int rc;

	if (!k1_flash_gzip_part(part))
		no = "U-Boot reads this partition raw";
	else if (!strncmp(im->why, "Android sparse", 14))
		no = "an Android sparse image already";
	else if (im->size % BLK || im->size <= BLK)
		no = "not whole 4 KiB blocks";
	else if (!slice_size(inflate_max))
		no = "max-download-size unknown or too small";
	if (no) {
		snprintf(im->why + l, sizeof(im->why) - l, "; no gzip: %s", no);
		return 0;
	}
	if (!(g = calloc(1, sizeof(*g))))
		return k1_err(err, K1_ENOMEM, "out of memory");
	if ((rc = map_image(fd, path, im->size, &map, err))) {
		k1_flash_gzip_free(g);
		return rc;
	}
	/* a raw write advances part_offset_t too, a sparse one does not */
	g->start = k1_flash_wraps(part, map, BLK) ? 0 : BLK;
	g->slice = slice_size(inflate_max);
	g->n = (size_t)((im->size - g->start + g->slice - 1) / g->slice);
	if (!(rc = used_ranges(map, im->size, fs_skip, &g->used, err)))
		rc = measure(g, map, im, err);
	munmap(map, (size_t)im->size);
	if (rc) { /* an error, or 1: not faster */
		k1_flash_gzip_free(g);
		return rc < 0 || rc > 1 ? rc : 0;
	}
	im->gz = g;
	return 0;
}

int k1_flash_gzip_estimate(const char *path, const char *part, bool fs_skip, uint64_t inflate_max,
			   struct k1_flash_image *im, struct k1_error *err)
{
	int fd, rc = k1_flash_image_open_path(path, fs_skip, &fd, im, err);

	if (rc)
		return rc;
	rc = k1_flash_image_gzip(fd, path, part, fs_skip, inflate_max, im, err);
	k1_flash_image_close(im);
	close(fd);
	return rc;
}

static int flash(struct k1_fb *fb, const char *part, struct k1_error *err)
{
	char cmd[K1_FB_COMMAND_MAX + 1];

	snprintf(cmd, sizeof(cmd), "flash:%s", part);
	return k1_fb_command(fb, cmd, NULL, 0, err);
}

/* Slices compressed by a thread while the previous one is on the wire:
 * two buffers, each filled when the sender has let go of it. */
struct pipe {
	const struct k1_flash_gzip *g;
	const uint8_t *map;
	uint64_t size;
	size_t cap;
	uint8_t *buf[2];
	uint64_t len[2];
	int rc[2];
	bool full[2], stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *producer(void *p)
{
	struct pipe *q = p;

	for (size_t i = 0; i < q->g->n; i++) {
		int k = (int)(i % 2);
		pthread_mutex_lock(&q->mu);
		while (q->full[k] && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		bool stop = q->stop;
		pthread_mutex_unlock(&q->mu);
		if (stop)
			break;
		int rc = compress_slice(q->g, q->map, q->size, i, q->buf[k], q->cap, &q->len[k]);
		pthread_mutex_lock(&q->mu);
		q->rc[k] = rc;
		q->full[k] = true;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
	return NULL;
}

/* Wait for slice i, send it, hand its buffer back. */
static int send_slice(struct k1_fb *fb, const char *part, const char *path, struct pipe *q,
		      size_t i, uint64_t *base, struct k1_error *err)
{
	int k = (int)(i % 2), rc;

	pthread_mutex_lock(&q->mu);
	while (!q->full[k])
		pthread_cond_wait(&q->cv, &q->mu);
	pthread_mutex_unlock(&q->mu);
	if (q->rc[k])
		rc = k1_err(err, q->rc[k], "%s: gzip slice %zu: deflate failed", path, i + 1);
	else if (q->len[k] != q->g->len[i])
		rc = k1_err(err, K1_EIO,
			    "%s: gzip slice %zu: %" PRIu64 " bytes, not the %" PRIu64
			    " measured (the file changed?)",
			    path, i + 1, q->len[k], q->g->len[i]);
	else if (!(rc = k1_fb_download(fb, q->buf[k], (size_t)q->len[k], err)) &&
		 (rc = flash(fb, part, err)))
		k1_err_prefix(err, "gzip slice %zu of %zu", i + 1, q->g->n);
	if (!q->rc[k] && q->len[k] == q->g->len[i])
		*base += fb->sent;
	pthread_mutex_lock(&q->mu);
	q->full[k] = false;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return rc;
}

/* The image's first block as a flash that is no gzip: U-Boot resets
 * part_offset_t, which a gzip flash of this partition earlier in the same
 * session (an interrupted run) left where it stopped. Raw, it then
 * advances it by the block (fb_blk.c), so the slices start after it; when
 * the block looks like gzip it goes wrapped as sparse, which does not
 * advance it, and the slices start at 0. */
int k1_flash_gzip_send(struct k1_fb *fb, const char *part, int fd, const char *path,
		       const struct k1_flash_image *im, uint64_t *base, struct k1_error *err)
{
	struct pipe q = {.g = im->gz, .size = im->size};
	char var[K1_FB_COMMAND_MAX + 1], v[K1_FB_RESPONSE_MAX + 1];
	struct k1_error ignored;
	uint64_t psize;
	uint8_t *map;
	pthread_t th;
	int rc;

	/* v1.0.15 checks each slice's size, not where it ends: an image larger
	 * than the partition would be written past its end */
	snprintf(var, sizeof(var), "partition-size:%s", part);
	if (!k1_fb_getvar(fb, var, v, sizeof(v), &ignored) && (psize = k1_fb_parse_size(v)) &&
	    im->size > psize)
		return k1_err(err, K1_ERANGE,
			      "%s: %" PRIu64 " bytes, larger than partition %s (%" PRIu64
			      " bytes); U-Boot does not check where gzip slices end",
			      path, im->size, part, psize);

	q.cap = (size_t)compressBound((uLong)q.g->slice) + GZ_WRAP;
	if ((rc = map_image(fd, path, im->size, &map, err)))
		return rc;
	q.map = map;
	q.buf[0] = malloc(q.cap);
	q.buf[1] = malloc(q.cap);
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.cv, NULL);
	if (!q.buf[0] || !q.buf[1] || pthread_create(&th, NULL, producer, &q)) {
		rc = k1_err(err, K1_ENOMEM, "out of memory");
		goto out;
	}
	if (!q.g->start)
		rc = k1_flash_send_wrapped(fb, part, map, BLK, err);
	else if (!(rc = k1_fb_download(fb, map, BLK, err)))
		rc = flash(fb, part, err);
	*base += fb->sent;
	for (size_t i = 0; i < q.g->n && !rc; i++)
		rc = send_slice(fb, part, path, &q, i, base, err);
	pthread_mutex_lock(&q.mu);
	q.stop = true;
	pthread_cond_broadcast(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(th, NULL);
out:
	pthread_cond_destroy(&q.cv);
	pthread_mutex_destroy(&q.mu);
	free(q.buf[0]);
	free(q.buf[1]);
	munmap(map, (size_t)im->size);
	return rc;
}

void k1_flash_gzip_note(const char *part, char *msg, size_t n)
{
	snprintf(msg, n,
		 "%s: unverified: sent as gzip slices; a U-Boot that inflates reads back what it "
		 "wrote, but one that does not (vendor 1.0beta, mainline) wrote the compressed "
		 "bytes and said OKAY too",
		 part);
}

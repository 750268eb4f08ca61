/* A download's data phase on two threads (download_pipe.h): the producer
 * runs fill() into a ring of chunks, the caller's thread writes them. */
#include "fastboot/download_pipe.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RING 8    /* chunks ready ahead of the wire: 8 MiB read ahead */
#define PAGE 4096 /* the stride that faults a mapped chunk in */

struct slot {
	uint8_t *own;        /* the ring's K1_FB_CHUNK bytes */
	const uint8_t *data; /* what goes out: own, or the caller's stable bytes */
	size_t len;
};

struct pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slot[RING];
	unsigned head, tail; /* slots head - tail are ready; the producer fills slot[head % RING] */
	bool done, stop;     /* the producer has finished; the writer has given up */
	int rc;              /* the producer's */
	struct k1_error err; /* the producer's own, read after the join */
	uint64_t total, produced;
	const uint8_t *stable; /* [stable, stable_end): bytes valid until the end */
	const uint8_t *stable_end;
	k1_fb_fill fill;
	void *fill_ctx;
};

/* The filling slot is ready; wait for a free one unless this is the last. */
static int publish(struct pipe *p, bool wait)
{
	bool stop;

	pthread_mutex_lock(&p->mu);
	p->head++;
	pthread_cond_broadcast(&p->cv);
	while (wait && p->head - p->tail == RING && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	if (wait) /* free now: the writer is past it */
		p->slot[p->head % RING].len = 0;
	stop = p->stop;
	pthread_mutex_unlock(&p->mu);
	return stop ? K1_EIO : 0;
}

static void touch(const uint8_t *d, size_t n)
{
	volatile uint8_t v;
	for (size_t i = 0; i < n; i += PAGE)
		v = d[i];
	(void)v;
}

static int pipe_sink(void *ctx, const void *data, size_t len)
{
	struct pipe *p = ctx;
	const uint8_t *d = data;

	if (len > p->total - p->produced)
		return k1_err(&p->err, K1_EINVAL,
			      "download: more bytes than the %" PRIu64 " announced", p->total);
	p->produced += len;
	while (len) {
		struct slot *s = &p->slot[p->head % RING];
		size_t n;
		int rc;

		n = len < K1_FB_CHUNK ? len : K1_FB_CHUNK;
		if (d && s->len == 0 && d >= p->stable && d + n <= p->stable_end) {
			/* sent from the caller's bytes */
			touch(d, n);
			s->data = d;
			s->len = n;
			rc = publish(p, true);
		} else { /* gathered: small pieces, zeros, bytes valid only now */
			n = K1_FB_CHUNK - s->len < len ? K1_FB_CHUNK - s->len : len;
			if (d)
				memcpy(s->own + s->len, d, n);
			else
				memset(s->own + s->len, 0, n);
			s->data = s->own;
			s->len += n;
			rc = s->len == K1_FB_CHUNK ? publish(p, true) : 0;
		}
		if (rc)
			return rc;
		len -= n;
		if (d)
			d += n;
	}
	return 0;
}

static void *produce(void *arg)
{
	struct pipe *p = arg;
	int rc = p->fill(p->fill_ctx, pipe_sink, p);

	if (!rc && p->slot[p->head % RING].len)
		rc = publish(p, false);
	if (rc && !p->err.msg[0]) /* libsparse says nothing but a negative errno */
		k1_err(&p->err, K1_EIO, "download: the image could not be read (%s)",
		       strerror(rc < 0 ? -rc : rc));
	pthread_mutex_lock(&p->mu);
	p->done = true;
	p->rc = rc ? (p->err.code ? p->err.code : K1_EIO) : 0;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* The next ready slot, or NULL once the producer is done and all are sent. */
static struct slot *next_ready(struct pipe *p)
{
	struct slot *s = NULL;

	pthread_mutex_lock(&p->mu);
	while (p->head == p->tail && !p->done)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->head != p->tail)
		s = &p->slot[p->tail % RING];
	pthread_mutex_unlock(&p->mu);
	return s;
}

static void release(struct pipe *p, bool stop)
{
	pthread_mutex_lock(&p->mu);
	if (stop)
		p->stop = true;
	else
		p->tail++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

int k1_fb_pipe_send(struct k1_fb *fb, uint64_t total, k1_fb_fill fill, void *fill_ctx,
		    const void *stable, size_t stable_len, struct k1_error *err)
{
	struct pipe p = {.total = total,
			 .stable = stable,
			 .stable_end = stable ? (const uint8_t *)stable + stable_len : NULL,
			 .fill = fill,
			 .fill_ctx = fill_ctx};
	uint8_t *ring = malloc((size_t)RING * K1_FB_CHUNK);
	pthread_t thread;
	struct slot *s;
	int rc = 0;

	if (!ring)
		return k1_err(err, K1_ENOMEM, "out of memory");
	for (int i = 0; i < RING; i++)
		p.slot[i].own = ring + (size_t)i * K1_FB_CHUNK;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if (pthread_create(&thread, NULL, produce, &p)) {
		rc = k1_err(err, K1_ENOMEM, "download: cannot start the reading thread");
		goto out;
	}
	while (!rc && (s = next_ready(&p))) {
		if ((rc = k1_transport_write(fb->t, s->data, s->len, err)))
			break;
		fb->sent += s->len;
		release(&p, false);
		if (fb->ev && fb->ev->progress)
			fb->ev->progress(fb->ev->ctx, fb->sent, total);
	}
	if (rc)
		release(&p, true);
	pthread_join(thread, NULL);
	if (!rc && p.rc) {
		if (err)
			*err = p.err;
		rc = p.rc;
	}
	if (!rc && fb->sent != total)
		rc = k1_err(err, K1_EINVAL, "download: %" PRIu64 " of %" PRIu64 " bytes produced",
			    fb->sent, total);
out:
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(ring);
	return rc;
}

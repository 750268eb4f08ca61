/* The data phase of a download, pipelined: the bytes are produced on a
 * thread of their own (page faults of a mapped image, libsparse's reads,
 * its zero-fill) into a ring of 1 MiB chunks while this thread writes the
 * ready ones to the transport, so the host reads and sends at once. */
#ifndef K1_FASTBOOT_DOWNLOAD_PIPE_H
#define K1_FASTBOOT_DOWNLOAD_PIPE_H

#include "fastboot/fastboot.h"

#include <stdbool.h>

#define K1_FB_CHUNK (1u << 20) /* bytes per transport write, AOSP's TRANSPORT_CHUNK_SIZE */

/* Exactly total bytes of fill() to fb->t; fb->sent counts them and
 * fb->ev->progress hears of each chunk. Bytes fill passes from inside
 * [stable, stable + stable_len) (a mapped image; NULL: none) stay valid
 * until this returns, so they are sent without a copy, the producer only
 * touching their pages first; any other bytes are copied. */
int k1_fb_pipe_send(struct k1_fb *fb, uint64_t total, k1_fb_fill fill, void *fill_ctx,
		    const void *stable, size_t stable_len, struct k1_error *err);

#endif

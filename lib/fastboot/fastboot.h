/* The host side of the Android fastboot protocol (spec §6, research §8.1):
 * a command string, then replies OKAY / FAIL / INFO / TEXT / DATA; a
 * download sends the bytes the device asked for with DATA. The reply
 * parser is a pure function (fuzz/fuzz_fastboot_reply.c); the client
 * below works over any struct k1_transport. */
#ifndef K1_FASTBOOT_H
#define K1_FASTBOOT_H

#include "base/error.h"
#include "fastboot/transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_FB_COMMAND_MAX 64   /* U-Boot's FASTBOOT_COMMAND_LEN (64 + NUL) */
#define K1_FB_RESPONSE_MAX 256 /* AOSP FB_RESPONSE_SZ; U-Boot sends at most 64 */

enum k1_fb_reply_type { K1_FB_OKAY, K1_FB_FAIL, K1_FB_DATA, K1_FB_INFO, K1_FB_TEXT };

struct k1_fb_reply {
	enum k1_fb_reply_type type;
	/* The text after the 4-byte tag, NUL-terminated, cut at the first NUL
	 * and at K1_FB_RESPONSE_MAX bytes; otherwise verbatim. */
	char msg[K1_FB_RESPONSE_MAX + 1];
	uint32_t data_size; /* DATA: the 8 hex digits */
};

/* Parse one reply packet. K1_EPROTO (with err) when it is shorter than 4
 * bytes, has an unknown tag, or DATA is not followed by exactly 8 hex digits. */
int k1_fb_parse_reply(const uint8_t *buf, size_t len, struct k1_fb_reply *out,
		      struct k1_error *err);

/* What the client tells its caller while it works. Any member may be NULL. */
struct k1_fb_events {
	void (*info)(void *ctx, const char *msg); /* INFO and TEXT lines */
	/* During a download: bytes of this download sent so far, of total. */
	void (*progress)(void *ctx, uint64_t sent, uint64_t total);
	void *ctx;
};

struct k1_fb {
	struct k1_transport *t;
	const struct k1_fb_events *ev;     /* may be NULL */
	uint64_t sent;                     /* bytes of the last download written */
	char okay[K1_FB_RESPONSE_MAX + 1]; /* the text of the last OKAY (vendor: "flash env
					    * partition okay" tells its generation) */
};

/* Send cmd (at most 64 bytes) and read replies to OKAY: its text goes to
 * okay (may be NULL). FAIL → K1_EFAIL with the device's text verbatim
 * in err ("FAIL<text>" → "<cmd>: <text>"). An unexpected DATA → K1_EPROTO. */
int k1_fb_command(struct k1_fb *fb, const char *cmd, char *okay, size_t okaysz,
		  struct k1_error *err);

/* getvar:name; the value into out. */
int k1_fb_getvar(struct k1_fb *fb, const char *name, char *out, size_t outsz, struct k1_error *err);

/* download:%08x then the bytes, then OKAY. len must be 1 .. 0xFFFFFFFF. */
int k1_fb_download(struct k1_fb *fb, const void *data, size_t len, struct k1_error *err);

/* A source of download bytes produced on the fly: fill(ctx, sink) calls
 * sink(sink_ctx, data, len) with the bytes in order (data NULL = zeros),
 * which returns 0 or a K1_E* code. */
typedef int (*k1_fb_sink)(void *sink_ctx, const void *data, size_t len);
typedef int (*k1_fb_fill)(void *ctx, k1_fb_sink sink, void *sink_ctx);

/* download:%08x of len bytes that fill() produces (libsparse pieces), on
 * a thread of their own while the ready ones are sent (download_pipe.h).
 * Bytes from inside [stable, stable + stable_len) (NULL: none) must stay
 * valid until it returns: they are sent without a copy. */
int k1_fb_download_stream(struct k1_fb *fb, uint64_t len, k1_fb_fill fill, void *fill_ctx,
			  const void *stable, size_t stable_len, struct k1_error *err);

/* The value of a size getvar answer ("0x10000000", "268435456", "8M": the
 * syntax of k1_size_parse); 0 when it is not one. */
uint64_t k1_fb_parse_size(const char *s);

#endif

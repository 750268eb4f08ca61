/* Android fastboot, host side: replies parsed by one pure function, and the
 * few exchanges a flasher needs (command, getvar, download). */
#include "fastboot/fastboot.h"
#include "base/size.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20) /* bytes per transport write, AOSP's TRANSPORT_CHUNK_SIZE */

int k1_fb_parse_reply(const uint8_t *buf, size_t len, struct k1_fb_reply *out, struct k1_error *err)
{
	static const struct {
		const char tag[5];
		enum k1_fb_reply_type type;
	} tags[] = {{"OKAY", K1_FB_OKAY},
		    {"FAIL", K1_FB_FAIL},
		    {"DATA", K1_FB_DATA},
		    {"INFO", K1_FB_INFO},
		    {"TEXT", K1_FB_TEXT}};
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return k1_err(err, K1_EPROTO,
			      "reply of %zu bytes: expected at least a 4-byte tag "
			      "(OKAY, FAIL, DATA, INFO, TEXT)",
			      len);
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!memcmp(buf, tags[i].tag, 4))
			break;
	if (i == sizeof(tags) / sizeof(tags[0])) {
		char shown[5];
		for (int k = 0; k < 4; k++)
			shown[k] = isprint(buf[k]) ? (char)buf[k] : '?';
		shown[4] = '\0';
		return k1_err(err, K1_EPROTO,
			      "reply tag \"%s\": expected OKAY, FAIL, DATA, INFO or TEXT", shown);
	}
	out->type = tags[i].type;
	for (n = 0; 4 + n < len && n < K1_FB_RESPONSE_MAX && buf[4 + n]; n++)
		out->msg[n] = (char)buf[4 + n];
	out->msg[n] = '\0';
	if (out->type == K1_FB_DATA) {
		uint32_t v = 0;
		if (len != 12)
			return k1_err(err, K1_EPROTO,
				      "DATA reply of %zu bytes: expected DATA and 8 "
				      "hex digits (12 bytes)",
				      len);
		for (int k = 0; k < 8; k++) {
			int c = buf[4 + k], d = c >= '0' && c <= '9'   ? c - '0'
						: c >= 'a' && c <= 'f' ? c - 'a' + 10
						: c >= 'A' && c <= 'F' ? c - 'A' + 10
								       : -1;
			if (d < 0)
				return k1_err(err, K1_EPROTO,
					      "DATA reply: byte %d is not a hex digit", 4 + k);
			v = v << 4 | (uint32_t)d;
		}
		out->data_size = v;
	}
	return 0;
}

static void tell(struct k1_fb *fb, const char *msg)
{
	if (fb->ev && fb->ev->info)
		fb->ev->info(fb->ev->ctx, msg);
}

/* Read replies until one that ends the exchange (OKAY, FAIL, DATA). */
static int read_final(struct k1_fb *fb, const char *cmd, struct k1_fb_reply *r,
		      struct k1_error *err)
{
	uint8_t buf[K1_FB_RESPONSE_MAX + 64];
	for (;;) {
		int n = k1_transport_read(fb->t, buf, sizeof(buf), err);
		if (n < 0)
			return k1_err_prefix(err, "%s", cmd);
		if (k1_fb_parse_reply(buf, (size_t)n, r, err))
			return k1_err_prefix(err, "%s", cmd);
		if (r->type == K1_FB_INFO || r->type == K1_FB_TEXT) {
			tell(fb, r->msg);
			continue;
		}
		if (r->type == K1_FB_FAIL)
			return k1_err(err, K1_EFAIL, "%s: FAILED (remote: '%s')", cmd, r->msg);
		return 0;
	}
}

static int send_cmd(struct k1_fb *fb, const char *cmd, struct k1_error *err)
{
	size_t len = strlen(cmd);
	if (len == 0 || len > K1_FB_COMMAND_MAX)
		return k1_err(err, K1_EINVAL, "command \"%.80s\": expected 1 to %d bytes, got %zu",
			      cmd, K1_FB_COMMAND_MAX, len);
	int rc = k1_transport_write(fb->t, cmd, len, err);
	return rc ? k1_err_prefix(err, "%s", cmd) : 0;
}

int k1_fb_command(struct k1_fb *fb, const char *cmd, char *okay, size_t okaysz,
		  struct k1_error *err)
{
	struct k1_fb_reply r;
	int rc = send_cmd(fb, cmd, err);
	if (!rc)
		rc = read_final(fb, cmd, &r, err);
	if (rc)
		return rc;
	if (r.type != K1_FB_OKAY)
		return k1_err(err, K1_EPROTO, "%s: unexpected DATA reply", cmd);
	snprintf(fb->okay, sizeof(fb->okay), "%s", r.msg);
	if (okay && okaysz)
		snprintf(okay, okaysz, "%s", r.msg);
	return 0;
}

int k1_fb_getvar(struct k1_fb *fb, const char *name, char *out, size_t outsz, struct k1_error *err)
{
	char cmd[K1_FB_COMMAND_MAX + 8];
	snprintf(cmd, sizeof(cmd), "getvar:%s", name);
	return k1_fb_command(fb, cmd, out, outsz, err);
}

struct pump {
	struct k1_fb *fb;
	uint64_t total;
	uint8_t *buf; /* gathers small pieces into CHUNK-sized writes */
	size_t used;
	struct k1_error *err;
};

static int pump_flush(struct pump *p)
{
	if (!p->used)
		return 0;
	int rc = k1_transport_write(p->fb->t, p->buf, p->used, p->err);
	if (rc)
		return rc;
	p->fb->sent += p->used;
	p->used = 0;
	if (p->fb->ev && p->fb->ev->progress)
		p->fb->ev->progress(p->fb->ev->ctx, p->fb->sent, p->total);
	return 0;
}

static int pump_sink(void *ctx, const void *data, size_t len)
{
	struct pump *p = ctx;
	const uint8_t *d = data;
	while (len) {
		size_t n = CHUNK - p->used < len ? CHUNK - p->used : len;
		if (d && p->used == 0 && n == CHUNK) { /* whole chunks go out without a copy */
			if (p->fb->sent + n > p->total)
				return k1_err(p->err, K1_EINVAL,
					      "download: more bytes than the %" PRIu64 " announced",
					      p->total);
			int rc = k1_transport_write(p->fb->t, d, n, p->err);
			if (rc)
				return rc;
			p->fb->sent += n;
			if (p->fb->ev && p->fb->ev->progress)
				p->fb->ev->progress(p->fb->ev->ctx, p->fb->sent, p->total);
			d += n;
			len -= n;
			continue;
		}
		if (p->fb->sent + p->used + n > p->total)
			return k1_err(p->err, K1_EINVAL,
				      "download: more bytes than the %" PRIu64 " announced",
				      p->total);
		if (d)
			memcpy(p->buf + p->used, d, n);
		else
			memset(p->buf + p->used, 0, n);
		p->used += n;
		len -= n;
		if (d)
			d += n;
		int rc = p->used == CHUNK ? pump_flush(p) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

int k1_fb_download_stream(struct k1_fb *fb, uint64_t len, k1_fb_fill fill, void *fill_ctx,
			  struct k1_error *err)
{
	char cmd[32];
	struct k1_fb_reply r;
	struct pump p = {.fb = fb, .total = len, .err = err};
	int rc;

	fb->sent = 0;
	if (len == 0 || len > 0xFFFFFFFFull)
		return k1_err(err, K1_ERANGE,
			      "download of %" PRIu64 " bytes: expected 1 to "
			      "4294967295 (fastboot's 8 hex digits)",
			      len);
	snprintf(cmd, sizeof(cmd), "download:%08" PRIx64, len);
	if ((rc = send_cmd(fb, cmd, err)) || (rc = read_final(fb, cmd, &r, err)))
		return rc;
	if (r.type != K1_FB_DATA)
		return k1_err(err, K1_EPROTO, "%s: expected DATA, got OKAY", cmd);
	if (r.data_size != len)
		return k1_err(err, K1_EPROTO, "%s: the device asked for 0x%08x bytes", cmd,
			      r.data_size);
	if (!(p.buf = malloc(CHUNK)))
		return k1_err(err, K1_ENOMEM, "out of memory");
	rc = fill(fill_ctx, pump_sink, &p);
	if (!rc)
		rc = pump_flush(&p);
	free(p.buf);
	if (!rc && fb->sent != len)
		rc = k1_err(err, K1_EINVAL, "download: %" PRIu64 " of %" PRIu64 " bytes produced",
			    fb->sent, len);
	if (rc)
		return k1_err_prefix(err, "download: %" PRIu64 " of %" PRIu64 " bytes sent",
				     fb->sent, len);
	if ((rc = read_final(fb, "download", &r, err)))
		return rc;
	if (r.type != K1_FB_OKAY)
		return k1_err(err, K1_EPROTO, "download: unexpected DATA after the data");
	return 0;
}

struct mem_src {
	const void *data;
	size_t len;
};

static int mem_fill(void *ctx, k1_fb_sink sink, void *sink_ctx)
{
	struct mem_src *m = ctx;
	const uint8_t *d = m->data;
	size_t left = m->len;
	while (left) { /* whole chunks go straight through the pump's buffer */
		size_t n = left < CHUNK ? left : CHUNK;
		int rc = sink(sink_ctx, d, n);
		if (rc)
			return rc;
		d += n;
		left -= n;
	}
	return 0;
}

int k1_fb_download(struct k1_fb *fb, const void *data, size_t len, struct k1_error *err)
{
	struct mem_src m = {data, len};
	return k1_fb_download_stream(fb, len, mem_fill, &m, err);
}

uint64_t k1_fb_parse_size(const char *s)
{
	uint64_t v;
	return k1_size_parse(s, &v) ? 0 : v;
}

/* Android fastboot, host side: replies parsed by one pure function, and the
 * few exchanges a flasher needs (command, getvar, download). */
#include "fastboot/fastboot.h"
#include "base/size.h"
#include "fastboot/download_pipe.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

/* download:%08x, DATA, the bytes (pipelined), OKAY. */
static int download(struct k1_fb *fb, uint64_t len, k1_fb_fill fill, void *fill_ctx,
		    const void *stable, size_t stable_len, struct k1_error *err)
{
	char cmd[32];
	struct k1_fb_reply r;
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
	if ((rc = k1_fb_pipe_send(fb, len, fill, fill_ctx, stable, stable_len, err)))
		return k1_err_prefix(err, "download: %" PRIu64 " of %" PRIu64 " bytes sent",
				     fb->sent, len);
	if ((rc = read_final(fb, "download", &r, err)))
		return rc;
	if (r.type != K1_FB_OKAY)
		return k1_err(err, K1_EPROTO, "download: unexpected DATA after the data");
	return 0;
}

int k1_fb_download_stream(struct k1_fb *fb, uint64_t len, k1_fb_fill fill, void *fill_ctx,
			  const void *stable, size_t stable_len, struct k1_error *err)
{
	return download(fb, len, fill, fill_ctx, stable, stable_len, err);
}

struct mem_src {
	const void *data;
	size_t len;
};

static int mem_fill(void *ctx, k1_fb_sink sink, void *sink_ctx)
{
	struct mem_src *m = ctx;
	return sink(sink_ctx, m->data, m->len);
}

int k1_fb_download(struct k1_fb *fb, const void *data, size_t len, struct k1_error *err)
{
	struct mem_src m = {data, len};
	return download(fb, len, mem_fill, &m, data, len, err);
}

uint64_t k1_fb_parse_size(const char *s)
{
	uint64_t v;
	return k1_size_parse(s, &v) ? 0 : v;
}

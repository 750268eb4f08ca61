/* Fastboot command parser and reply builder (device side). */
#include "emu/fastboot_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	enum k1_fb_kind kind;
} verbs[] = {
	{"getvar", K1_FB_GETVAR},
	{"download", K1_FB_DOWNLOAD},
	{"upload", K1_FB_UPLOAD},
	{"flash", K1_FB_FLASH},
	{"erase", K1_FB_ERASE},
	{"boot", K1_FB_BOOT},
	{"continue", K1_FB_CONTINUE},
	{"reboot", K1_FB_REBOOT},
	{"reboot-bootloader", K1_FB_REBOOT_BOOTLOADER},
	{"set_active", K1_FB_SET_ACTIVE},
};

static int parse_size(const char *s, uint32_t *out, struct k1_error *err)
{
	uint32_t v = 0;
	size_t n = strlen(s);

	if (n < 1 || n > 8)
		return k1_err(err, K1_EINVAL, "download size must be 1-8 hex digits");
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return k1_err(err, K1_EINVAL, "download size must be hex digits");
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* "oem VERB:ARGS" or "oem VERB ARGS" -> name "oem VERB", arg ARGS. */
static void split_oem(const char *text, struct k1_fb_cmd *cmd)
{
	const char *v = text + 4, *sep = v + strcspn(v, ": ");
	size_t vlen = (size_t)(sep - v);

	snprintf(cmd->name, sizeof(cmd->name), "oem %.*s", (int)vlen, v);
	snprintf(cmd->arg, sizeof(cmd->arg), "%s", *sep ? sep + 1 : "");
	cmd->kind = K1_FB_OEM;
}

int k1_fb_parse(const uint8_t *pkt, size_t len, struct k1_fb_cmd *cmd, struct k1_error *err)
{
	char text[K1_FB_CMD_MAX + 1];
	const char *colon;
	size_t vlen;

	memset(cmd, 0, sizeof(*cmd));
	cmd->kind = K1_FB_UNKNOWN;
	if (len == 0)
		return k1_err(err, K1_EINVAL, "empty command");
	if (len > K1_FB_CMD_MAX)
		return k1_err(err, K1_EINVAL, "command longer than %d bytes", K1_FB_CMD_MAX);
	for (size_t i = 0; i < len; i++)
		if (pkt[i] < 0x20 || pkt[i] > 0x7e)
			return k1_err(err, K1_EINVAL, "byte 0x%02x at %zu is not printable", pkt[i],
				      i);
	memcpy(text, pkt, len);
	text[len] = '\0';
	if (!strncmp(text, "oem ", 4) && text[4]) {
		split_oem(text, cmd);
		return 0;
	}
	colon = strchr(text, ':');
	vlen = colon ? (size_t)(colon - text) : len;
	snprintf(cmd->name, sizeof(cmd->name), "%.*s", (int)vlen, text);
	snprintf(cmd->arg, sizeof(cmd->arg), "%s", colon ? colon + 1 : "");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(cmd->name, verbs[i].name))
			cmd->kind = verbs[i].kind;
	if (cmd->kind == K1_FB_DOWNLOAD)
		return parse_size(cmd->arg, &cmd->size, err);
	return 0;
}

size_t k1_fb_reply(char *out, const char *kind, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	snprintf(out, K1_FB_REPLY_MAX + 1, "%.4s", kind);
	va_start(ap, fmt);
	vsnprintf(out + 4, K1_FB_REPLY_MAX + 1 - 4, fmt, ap);
	va_end(ap);
	n = strlen(out);
	for (size_t i = 4; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = '?';
	return n;
}

/* -s parsing and opening whichever transport it names. */
#include "fastboot/transport.h"
#include "fastboot/usb.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

static int valid_usb_path(const char *p)
{
	/* bus "-" port { "." port }: digits only */
	const char *dash = strchr(p, '-');
	if (!dash || dash == p)
		return 0;
	for (const char *c = p; *c; c++)
		if (!(*c >= '0' && *c <= '9') && *c != '-' && *c != '.')
			return 0;
	return dash[1] >= '0' && dash[1] <= '9' && !strchr(dash + 1, '-') &&
	       p[strlen(p) - 1] != '.' && !strstr(p, "..") && !strstr(p, "-.");
}

/* A name or address: letters, digits, '.', '-', '_', and ':' / '%' (IPv6). */
static bool host_chars(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == ':' || c == '%'))
			return false;
	}
	return true;
}

/* "tcp:" or "udp:", then HOST, HOST:PORT or [IPv6]:PORT. */
static int parse_net(const char *s, struct k1_target *t, struct k1_error *err)
{
	const char *h = s + 4, *port = NULL;
	bool udp = s[0] == 'u';
	size_t hl;

	if (*h == '[') { /* [IPv6]:PORT */
		const char *close = strchr(h, ']');
		if (!close || (close[1] && close[1] != ':'))
			return k1_err(err, K1_EINVAL, "-s %.200s: expected %.4s[ADDRESS]:PORT", s,
				      s);
		h++;
		hl = (size_t)(close - h);
		port = close[1] ? close + 2 : NULL;
	} else {
		const char *colon = strrchr(h, ':');
		hl = colon ? (size_t)(colon - h) : strlen(h);
		port = colon ? colon + 1 : NULL;
	}
	if (hl == 0 || hl >= sizeof(t->host) || (s[4] != '[' && memchr(h, ':', hl)) ||
	    !host_chars(h, hl))
		return k1_err(err, K1_EINVAL, "-s %.200s: expected %.3s:HOST or %.3s:HOST:PORT", s,
			      s, s);
	if (port && parse_port(port, &t->port))
		return k1_err(err, K1_EINVAL, "-s %.200s: port: expected 1 to 65535", s);
	memcpy(t->host, h, hl);
	t->host[hl] = '\0';
	t->kind = udp ? K1_TARGET_UDP : K1_TARGET_TCP;
	if (udp && !port)
		t->port = K1_FASTBOOT_UDP_PORT;
	return 0;
}

int k1_target_parse(const char *s, struct k1_target *t, struct k1_error *err)
{
	memset(t, 0, sizeof(*t));
	t->port = K1_FASTBOOT_TCP_PORT;
	if (!s || !*s || !strcmp(s, "usb")) {
		t->kind = K1_TARGET_ANY_USB;
		return 0;
	}
	if (!strncmp(s, "usb:", 4)) {
		if (!valid_usb_path(s + 4) || strlen(s + 4) >= sizeof(t->usb_path))
			return k1_err(err, K1_EINVAL,
				      "-s %s: expected a USB port path like usb:1-2.3 "
				      "(bus-port.port, see 'k1fw devices')",
				      s);
		t->kind = K1_TARGET_USB;
		snprintf(t->usb_path, sizeof(t->usb_path), "%s", s + 4);
		return 0;
	}
	if (!strncmp(s, "tcp:", 4) || !strncmp(s, "udp:", 4))
		return parse_net(s, t, err);
	return k1_err(err, K1_EINVAL,
		      "-s %.200s: expected usb, usb:PORTPATH, tcp:HOST[:PORT] or udp:HOST[:PORT]",
		      s);
}

void k1_target_format(const struct k1_target *t, char *out, size_t outsz)
{
	switch (t->kind) {
	case K1_TARGET_ANY_USB:
		snprintf(out, outsz, "usb");
		break;
	case K1_TARGET_USB:
		snprintf(out, outsz, "usb:%s", t->usb_path);
		break;
	case K1_TARGET_TCP:
	case K1_TARGET_UDP:
		snprintf(out, outsz, strchr(t->host, ':') ? "%s:[%s]:%u" : "%s:%s:%u",
			 t->kind == K1_TARGET_UDP ? "udp" : "tcp", t->host, t->port);
		break;
	}
}

int k1_transport_open(const struct k1_target *t, unsigned timeout_ms, struct k1_transport **out,
		      struct k1_error *err)
{
	if (t->kind == K1_TARGET_TCP)
		return k1_transport_tcp_open(t->host, t->port, timeout_ms, out, err);
	if (t->kind == K1_TARGET_UDP)
		return k1_transport_udp_open(t->host, t->port, timeout_ms, out, err);
	return k1_transport_usb_open(t->kind == K1_TARGET_USB ? t->usb_path : NULL, timeout_ms, out,
				     err);
}

/* The AOSP fastboot TCP transport (system/core/fastboot/tcp.cpp, spec §6):
 * the host connects, both sides send "FB01" (version 01), then every
 * fastboot packet travels as an 8-byte big-endian length and its bytes. */
#include "fastboot/tcp_io.h"
#include "fastboot/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct tcp {
	struct k1_transport base;
	int fd;
	uint64_t left; /* bytes of the current incoming message not read yet */
};

/* The host's words for a transfer that stopped. */
static int stopped(struct tcp *c, const struct k1_tcp_stop *s, struct k1_error *err)
{
	int e = s->err;

	if (!strcmp(s->op, "poll"))
		return e ? k1_err(err, K1_EIO, "%s: poll: %s", c->base.name, strerror(e))
			 : k1_err(err, K1_ETIMEDOUT, "%s: no answer within %u ms", c->base.name,
				  c->base.timeout_ms);
	if (e == 0 || e == EPIPE || e == ECONNRESET || e == ECONNABORTED || e == ENOTCONN)
		return k1_err(err, K1_ENODEV, "%s: the device closed the connection", c->base.name);
	return k1_err(err, K1_EIO, "%s: %s", c->base.name, strerror(e));
}

static int timeout(const struct tcp *c)
{
	return c->base.timeout_ms ? (int)c->base.timeout_ms : -1;
}

static int recv_all(struct tcp *c, void *buf, size_t len, struct k1_error *err)
{
	struct k1_tcp_stop s;

	return k1_tcp_recv_all(c->fd, buf, len, timeout(c), false, &s) ? stopped(c, &s, err) : 0;
}

static int send_all(struct tcp *c, const void *buf, size_t len, struct k1_error *err)
{
	struct k1_tcp_stop s;

	return k1_tcp_send_all(c->fd, buf, len, timeout(c), false, &s) ? stopped(c, &s, err) : 0;
}

static int tcp_read(struct k1_transport *t, void *buf, size_t len, struct k1_error *err)
{
	struct tcp *c = (struct tcp *)t;
	int rc;

	while (c->left == 0) { /* skip empty messages, as tcp.cpp does */
		uint8_t h[K1_FBTCP_HEADER];
		if ((rc = recv_all(c, h, sizeof(h), err)))
			return rc;
		c->left = k1_fbtcp_header_len(h);
	}
	if (len > c->left)
		len = (size_t)c->left;
	if (len > INT32_MAX)
		len = INT32_MAX;
	if ((rc = recv_all(c, buf, len, err)))
		return rc;
	c->left -= len;
	return (int)len;
}

static int tcp_write(struct k1_transport *t, const void *buf, size_t len, struct k1_error *err)
{
	struct tcp *c = (struct tcp *)t;
	uint8_t h[K1_FBTCP_HEADER];

	k1_fbtcp_put_header(h, len);
	int rc = send_all(c, h, sizeof(h), err);
	return rc ? rc : send_all(c, buf, len, err);
}

static void tcp_close(struct k1_transport *t)
{
	struct tcp *c = (struct tcp *)t;
	close(c->fd);
	free(c);
}

static const struct k1_transport_ops tcp_ops = {"tcp", tcp_read, tcp_write, tcp_close};

/* Non-blocking connect bounded by the timeout; 0 or a K1_E* code. */
static int connect_to(struct tcp *c, const struct addrinfo *ai, struct k1_error *err)
{
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return errno == ECONNREFUSED || errno == ENETUNREACH || errno == EHOSTUNREACH
			       ? k1_err(err, K1_ENODEV, "%s: %s", c->base.name, strerror(errno))
			       : k1_err(err, K1_EIO, "%s: connect: %s", c->base.name,
					strerror(errno));
	struct k1_tcp_stop s;
	int e = 0;
	socklen_t elen = sizeof(e);
	if (k1_tcp_wait(c->fd, POLLOUT, timeout(c), false, &s))
		return stopped(c, &s, err);
	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen);
	if (e)
		return k1_err(err, e == ECONNREFUSED ? K1_ENODEV : K1_EIO, "%s: %s", c->base.name,
			      strerror(e));
	return 0;
}

int k1_transport_tcp_open(const char *host, unsigned port, unsigned timeout_ms,
			  struct k1_transport **out, struct k1_error *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	char portstr[16];
	struct tcp *c = calloc(1, sizeof(*c));
	int rc, one = 1;

	if (!c)
		return k1_err(err, K1_ENOMEM, "out of memory");
	c->base.ops = &tcp_ops;
	c->base.timeout_ms = timeout_ms;
	snprintf(c->base.name, sizeof(c->base.name),
		 strchr(host, ':') ? "tcp:[%s]:%u" : "tcp:%s:%u", host, port);
	snprintf(portstr, sizeof(portstr), "%u", port);
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		k1_err(err, K1_EINVAL, "%s: %s", c->base.name, gai_strerror(rc));
		free(c);
		return K1_EINVAL;
	}
	c->fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		rc = k1_err(err, K1_EIO, "socket: %s", strerror(errno));
		freeaddrinfo(res);
		free(c);
		return rc;
	}
	rc = connect_to(c, res, err);
	freeaddrinfo(res);
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!rc)
		rc = send_all(c, K1_FBTCP_HELLO, 4, err);
	if (!rc) {
		uint8_t hs[4];
		rc = recv_all(c, hs, 4, err);
		if (!rc && !k1_fbtcp_hello_ok(hs))
			rc = k1_err(err, K1_EPROTO,
				    "%s: handshake: expected \"FB01\", got %02x %02x %02x %02x",
				    c->base.name, hs[0], hs[1], hs[2], hs[3]);
	}
	if (rc) {
		tcp_close(&c->base);
		return rc;
	}
	*out = &c->base;
	return 0;
}

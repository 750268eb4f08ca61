/* The AOSP fastboot TCP transport (system/core/fastboot/tcp.cpp, spec §6):
 * the host connects, both sides send "FB01" (version 01), then every
 * fastboot packet travels as an 8-byte big-endian length and its bytes. */
#include "transport.h"

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

static int wait_fd(struct tcp *c, short events, struct k1_error *err)
{
	struct pollfd p = {.fd = c->fd, .events = events};
	int timeout = c->base.timeout_ms ? (int)c->base.timeout_ms : -1;
	for (;;) {
		int n = poll(&p, 1, timeout);
		if (n > 0)
			return 0;
		if (n == 0)
			return k1_err(err, K1_ETIMEDOUT, "%s: no answer within %u ms", c->base.name,
				      c->base.timeout_ms);
		if (errno != EINTR)
			return k1_err(err, K1_EIO, "%s: poll: %s", c->base.name, strerror(errno));
	}
}

static int gone(struct tcp *c, int e, struct k1_error *err)
{
	if (e == 0 || e == EPIPE || e == ECONNRESET || e == ECONNABORTED || e == ENOTCONN)
		return k1_err(err, K1_ENODEV, "%s: the device closed the connection", c->base.name);
	return k1_err(err, K1_EIO, "%s: %s", c->base.name, strerror(e));
}

static int recv_all(struct tcp *c, uint8_t *buf, size_t len, struct k1_error *err)
{
	while (len) {
		int rc = wait_fd(c, POLLIN, err);
		if (rc)
			return rc;
		ssize_t n = recv(c->fd, buf, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return gone(c, n == 0 ? 0 : errno, err);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_all(struct tcp *c, const uint8_t *buf, size_t len, struct k1_error *err)
{
	while (len) {
		int rc = wait_fd(c, POLLOUT, err);
		if (rc)
			return rc;
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return gone(c, n == 0 ? 0 : errno, err);
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int tcp_read(struct k1_transport *t, void *buf, size_t len, struct k1_error *err)
{
	struct tcp *c = (struct tcp *)t;
	int rc;

	while (c->left == 0) { /* skip empty messages, as tcp.cpp does */
		uint8_t h[8];
		if ((rc = recv_all(c, h, 8, err)))
			return rc;
		for (int i = 0; i < 8; i++)
			c->left = c->left << 8 | h[i];
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
	uint8_t h[8];
	for (int i = 0; i < 8; i++)
		h[i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	int rc = send_all(c, h, 8, err);
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
			       : k1_err(err, K1_EIO, "%s: connect: %s", c->base.name, strerror(errno));
	int rc = wait_fd(c, POLLOUT, err), e = 0;
	socklen_t elen = sizeof(e);
	if (rc)
		return rc;
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
	snprintf(c->base.name, sizeof(c->base.name), strchr(host, ':') ? "tcp:[%s]:%u" : "tcp:%s:%u",
		 host, port);
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
		rc = send_all(c, (const uint8_t *)"FB01", 4, err);
	if (!rc) {
		uint8_t hs[4];
		rc = recv_all(c, hs, 4, err);
		/* "FBxx": any version >= 01 speaks the framing above */
		if (!rc && (memcmp(hs, "FB", 2) || hs[2] < '0' || hs[2] > '9' || hs[3] < '0' ||
			    hs[3] > '9' || (hs[2] == '0' && hs[3] == '0')))
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

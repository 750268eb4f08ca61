/* Fastboot TCP transport, device side: listen, accept, and the frames
 * the emulator reads and writes (the wire format is tcp_io.c's). */
#include "emu/fastboot_tcp.h"
#include "fastboot/tcp_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int k1_fbtcp_listen(const char *host, int port, int *fd_out, int *port_out, struct k1_error *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	char ps[16];
	int fd, one = 1, rc;

	snprintf(ps, sizeof(ps), "%d", port);
	if ((rc = getaddrinfo(host, ps, &hints, &res)) != 0)
		return k1_err(err, K1_EINVAL, "listen address %s: %s", host, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(res);
		return k1_err(err, K1_EIO, "socket: %s", strerror(errno));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 4)) {
		rc = errno;
		freeaddrinfo(res);
		close(fd);
		return k1_err(err, K1_EIO, "listen on %s:%d: %s", host, port, strerror(rc));
	}
	freeaddrinfo(res);
	getsockname(fd, (struct sockaddr *)&sa, &salen);
	*port_out = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
						   : ((struct sockaddr_in *)&sa)->sin_port);
	*fd_out = fd;
	return 0;
}

int k1_fbtcp_accept(int listen_fd, int timeout_ms, int *fd, struct k1_error *err)
{
	struct pollfd p = {.fd = listen_fd, .events = POLLIN};
	int n = poll(&p, 1, timeout_ms);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0)
		return k1_err(err, K1_EIO, "poll: %s", strerror(errno));
	if (n == 0)
		return 0;
	*fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (*fd < 0)
		return errno == EINTR || errno == EAGAIN || errno == ECONNABORTED
			       ? 0
			       : k1_err(err, K1_EIO, "accept: %s", strerror(errno));
	/* Every reply is an 8-byte header then its payload, two sends: with
	 * Nagle the payload waits for the host's delayed ACK (40 ms a reply). */
	int one = 1;
	setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 1;
}

/* The device's words for a transfer that stopped (tests grep for them). */
static int stopped(const struct k1_fbtcp *t, const struct k1_tcp_stop *s, struct k1_error *err)
{
	bool polled = !strcmp(s->op, "poll");

	if (polled && !s->err)
		return k1_err(err, K1_EIO, "host silent for %d ms", t->timeout_ms);
	if (polled && s->err == EINTR)
		return k1_err(err, K1_EIO, "interrupted");
	if (!s->err && !strcmp(s->op, "recv"))
		return k1_err(err, K1_EIO, "host closed the connection");
	return k1_err(err, K1_EIO, "%s: %s", s->op, strerror(s->err));
}

/* A signal ends a read (the emulator is being stopped). */
static int read_full(struct k1_fbtcp *t, void *buf, size_t n, struct k1_error *err)
{
	struct k1_tcp_stop s;

	return k1_tcp_recv_all(t->fd, buf, n, t->timeout_ms > 0 ? t->timeout_ms : -1, true, &s)
		       ? stopped(t, &s, err)
		       : 0;
}

/* Writes wait as long as the host takes to read. */
static int write_full(struct k1_fbtcp *t, const void *buf, size_t n, struct k1_error *err)
{
	struct k1_tcp_stop s;

	return k1_tcp_send_all(t->fd, buf, n, -1, false, &s) ? stopped(t, &s, err) : 0;
}

static int read_header(struct k1_fbtcp *t, uint64_t *len, struct k1_error *err)
{
	uint8_t h[K1_FBTCP_HEADER];
	int rc = read_full(t, h, sizeof(h), err);

	if (!rc)
		*len = k1_fbtcp_header_len(h);
	return rc;
}

int k1_fbtcp_handshake(struct k1_fbtcp *t, struct k1_error *err)
{
	uint8_t h[4];
	int rc;

	t->frame_left = t->link.received = 0;
	if ((rc = read_full(t, h, 4, err)))
		return rc;
	if (!k1_fbtcp_hello_ok(h))
		return k1_err(err, K1_EINVAL,
			      "handshake: expected \"FB01\", got %02x %02x %02x %02x", h[0], h[1],
			      h[2], h[3]);
	return write_full(t, K1_FBTCP_HELLO, 4, err);
}

int k1_fbtcp_recv_packet(struct k1_fbtcp *t, uint8_t *buf, size_t cap, size_t *len,
			 struct k1_error *err)
{
	uint64_t n;
	int rc;

	if (t->frame_left)
		return k1_err(err, K1_EINVAL, "%llu bytes of a data frame left unread",
			      (unsigned long long)t->frame_left);
	if ((rc = read_header(t, &n, err)))
		return rc;
	if (n > cap)
		return k1_err(err, K1_EINVAL,
			      "a %llu-byte frame where a command (at most %zu) "
			      "was expected",
			      (unsigned long long)n, cap);
	if ((rc = read_full(t, buf, (size_t)n, err)))
		return rc;
	t->link.received += n;
	*len = (size_t)n;
	return 0;
}

int k1_fbtcp_recv_data(struct k1_fbtcp *t, uint8_t *dst, size_t n, struct k1_error *err)
{
	while (n) {
		size_t chunk;
		int rc;
		if (!t->frame_left) {
			uint64_t f;
			if ((rc = read_header(t, &f, err)))
				return rc;
			if (f > t->data_left)
				return k1_err(err, K1_EINVAL,
					      "a %llu-byte frame overruns the "
					      "%llu download bytes still expected",
					      (unsigned long long)f,
					      (unsigned long long)t->data_left);
			t->frame_left = f;
			continue;
		}
		chunk = t->frame_left < n ? (size_t)t->frame_left : n;
		if ((rc = read_full(t, dst, chunk, err)))
			return rc;
		dst += chunk;
		n -= chunk;
		t->frame_left -= chunk;
		t->data_left -= chunk;
		t->link.received += chunk;
	}
	return 0;
}

int k1_fbtcp_send(struct k1_fbtcp *t, const void *data, size_t len, struct k1_error *err)
{
	uint8_t h[K1_FBTCP_HEADER];
	int rc;

	k1_fbtcp_put_header(h, len);
	if ((rc = write_full(t, h, sizeof(h), err)))
		return rc;
	return write_full(t, data, len, err);
}

static int link_recv_cmd(struct k1_emu_link *l, uint8_t *buf, size_t cap, size_t *len,
			 struct k1_error *err)
{
	return k1_fbtcp_recv_packet((struct k1_fbtcp *)l, buf, cap, len, err);
}

static void link_expect_data(struct k1_emu_link *l, uint64_t total)
{
	((struct k1_fbtcp *)l)->data_left = total;
}

static int link_recv_data(struct k1_emu_link *l, uint8_t *dst, size_t n, struct k1_error *err)
{
	return k1_fbtcp_recv_data((struct k1_fbtcp *)l, dst, n, err);
}

static int link_send(struct k1_emu_link *l, const void *data, size_t len, struct k1_error *err)
{
	return k1_fbtcp_send((struct k1_fbtcp *)l, data, len, err);
}

static const struct k1_emu_link_ops tcp_link_ops = {link_recv_cmd, link_expect_data, link_recv_data,
						    link_send};

struct k1_emu_link *k1_fbtcp_link(struct k1_fbtcp *t)
{
	t->link.ops = &tcp_link_ops;
	return &t->link;
}

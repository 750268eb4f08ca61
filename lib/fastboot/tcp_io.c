/* Fastboot TCP framing and socket loops, once for both ends (tcp_io.h). */
#include "fastboot/tcp_io.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

bool k1_fbtcp_hello_ok(const uint8_t h[4])
{
	return h[0] == 'F' && h[1] == 'B' && h[2] >= '0' && h[2] <= '9' && h[3] >= '0' &&
	       h[3] <= '9' && !(h[2] == '0' && h[3] == '0');
}

void k1_fbtcp_put_header(uint8_t h[K1_FBTCP_HEADER], uint64_t len)
{
	for (int i = 0; i < K1_FBTCP_HEADER; i++)
		h[i] = (uint8_t)(len >> (56 - 8 * i));
}

uint64_t k1_fbtcp_header_len(const uint8_t h[K1_FBTCP_HEADER])
{
	uint64_t len = 0;

	for (int i = 0; i < K1_FBTCP_HEADER; i++)
		len = len << 8 | h[i];
	return len;
}

static int stop(struct k1_tcp_stop *why, const char *op, int err)
{
	why->op = op;
	why->err = err;
	return -1;
}

int k1_tcp_wait(int fd, short events, int timeout_ms, bool intr_stops, struct k1_tcp_stop *why)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		int n = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
		if (n > 0)
			return 0;
		if (n == 0)
			return stop(why, "poll", 0);
		if (errno != EINTR || intr_stops)
			return stop(why, "poll", errno);
	}
}

/* recv or send until n bytes have moved. */
static int move_all(int fd, bool out, uint8_t *p, size_t n, int timeout_ms, bool intr_stops,
		    struct k1_tcp_stop *why)
{
	while (n) {
		ssize_t got;
		if (k1_tcp_wait(fd, out ? POLLOUT : POLLIN, timeout_ms, intr_stops, why))
			return -1;
		got = out ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return stop(why, out ? "send" : "recv", got == 0 ? 0 : errno);
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int k1_tcp_recv_all(int fd, void *buf, size_t n, int timeout_ms, bool intr_stops,
		    struct k1_tcp_stop *why)
{
	return move_all(fd, false, buf, n, timeout_ms, intr_stops, why);
}

int k1_tcp_send_all(int fd, const void *buf, size_t n, int timeout_ms, bool intr_stops,
		    struct k1_tcp_stop *why)
{
	return move_all(fd, true, (uint8_t *)buf, n, timeout_ms, intr_stops, why);
}

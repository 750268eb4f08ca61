/* The AOSP fastboot UDP transport, host side (udp.cpp; packets and rules
 * in udp_proto.h). Stop and wait: each packet is sent, then sent again
 * every rto_ms until the device answers it or the transport's timeout has
 * passed. A write goes in pieces of the agreed packet size, each answered
 * by an empty packet; a read is an empty packet the device answers with
 * its reply (in pieces when long: each further piece prompted by an empty
 * packet). Answers with another sequence number are late copies and are
 * skipped. */
#include "fastboot/transport.h"
#include "fastboot/udp_proto.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct udp {
	struct k1_transport base;
	int fd;
	unsigned rto_ms;
	uint16_t seq;    /* of the next packet */
	size_t max_data; /* data bytes per packet, as agreed in INIT */
	unsigned long resent;
	bool up; /* the handshake is done */
	uint8_t tx[K1_FBUDP_HEADER + K1_FBUDP_HOST_MAX_PACKET];
	uint8_t rx[K1_FBUDP_MAX_DATAGRAM];
};

static const struct k1_transport_ops udp_ops;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int sock_error(struct udp *u, const char *op, int e, struct k1_error *err)
{
	if (e == ECONNREFUSED)
		return k1_err(err, K1_ENODEV, "%s: %s (port unreachable)", u->base.name,
			      u->up ? "the device went away" : "nothing listens there");
	return k1_err(err, K1_EIO, "%s: %s: %s", u->base.name, op, strerror(e));
}

/* Wait up to ms for the answer to (id, seq); 1 with *p set, 0 when none
 * came, or a K1_E* code. Late copies of earlier answers are skipped. */
static int await_answer(struct udp *u, uint8_t id, unsigned ms, struct k1_fbudp_packet *p,
			struct k1_error *err)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		uint64_t t = now_ms();
		struct pollfd pfd = {.fd = u->fd, .events = POLLIN};
		if (t >= end)
			return 0;
		int n = poll(&pfd, 1, (int)(end - t));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sock_error(u, "poll", errno, err);
		if (n == 0)
			return 0;
		ssize_t got = recv(u->fd, u->rx, sizeof(u->rx), 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0)
			return sock_error(u, "recv", errno, err);
		if (k1_fbudp_parse(u->rx, (size_t)got, p, err))
			return k1_err_prefix(err, "%s", u->base.name);
		if (k1_fbudp_answers(p, id, u->seq))
			return 1;
	}
}

/* Send one packet until it is answered; the answer in *p. */
static int send_until_answered(struct udp *u, uint8_t id, uint8_t flags, const void *data,
			       size_t len, struct k1_fbudp_packet *p, struct k1_error *err)
{
	unsigned window = u->base.timeout_ms;
	uint64_t deadline = now_ms() + window;
	unsigned sent = 0;

	k1_fbudp_put_header(u->tx, id, flags, u->seq);
	if (len)
		memcpy(u->tx + K1_FBUDP_HEADER, data, len);
	for (;;) {
		uint64_t t = now_ms();
		unsigned wait = u->rto_ms;
		if (window && t >= deadline)
			return k1_err(err, K1_ETIMEDOUT,
				      "%s: no answer within %u ms (%u packets sent)", u->base.name,
				      window, sent);
		if (window && deadline - t < wait)
			wait = (unsigned)(deadline - t);
		if (send(u->fd, u->tx, K1_FBUDP_HEADER + len, 0) < 0 && errno != EINTR)
			return sock_error(u, "send", errno, err);
		if (sent++)
			u->resent++;
		int rc = await_answer(u, id, wait, p, err);
		if (rc)
			return rc < 0 ? rc : 0;
	}
}

/* One packet and its answer, then every further piece of a long answer
 * (flagged CONTINUATION), each prompted by an empty packet. Answer data
 * goes to rx up to cap; *got counts all of it. */
static int one_packet(struct udp *u, uint8_t id, uint8_t flags, const uint8_t *data, size_t n,
		      uint8_t *rx, size_t cap, size_t *got, struct k1_error *err)
{
	struct k1_fbudp_packet p;
	int rc;

	for (;;) {
		if ((rc = send_until_answered(u, id, flags, data, n, &p, err)))
			return rc;
		u->seq++;
		if (p.id == K1_FBUDP_ERROR) {
			char text[200];
			k1_fbudp_error_text(p.data, p.len, text, sizeof(text));
			return k1_err(err, K1_EPROTO, "%s: the device reported an error: '%s'",
				      u->base.name, text);
		}
		size_t keep = *got >= cap ? 0 : p.len < cap - *got ? p.len : cap - *got;
		if (keep)
			memcpy(rx + *got, p.data, keep);
		*got += p.len;
		if (!(p.flags & K1_FBUDP_FLAG_CONTINUATION))
			return 0;
		id = p.id;
		flags = 0;
		data = NULL;
		n = 0;
	}
}

/* One message as udp.cpp's SendData: tx in packets of max_data, all but
 * the last flagged CONTINUATION (an empty message is one empty packet);
 * what the device answers, in rx (see one_packet). */
static int exchange(struct udp *u, uint8_t id, const uint8_t *tx, size_t len, uint8_t *rx,
		    size_t cap, size_t *got, struct k1_error *err)
{
	*got = 0;
	do {
		size_t n = len > u->max_data ? u->max_data : len;
		int rc = one_packet(u, id, n < len ? K1_FBUDP_FLAG_CONTINUATION : 0, tx, n, rx, cap,
				    got, err);
		if (rc)
			return rc;
		if (n)
			tx += n;
		len -= n;
	} while (len);
	return 0;
}

static int udp_read(struct k1_transport *t, void *buf, size_t len, struct k1_error *err)
{
	struct udp *u = (struct udp *)t;
	size_t got;
	int rc = exchange(u, K1_FBUDP_FASTBOOT, NULL, 0, buf, len, &got, err);

	if (rc)
		return rc;
	if (got == 0)
		return k1_err(err, K1_EPROTO, "%s: an empty answer where a fastboot reply was due",
			      t->name);
	if (got > len || got > INT32_MAX)
		return k1_err(err, K1_EPROTO,
			      "%s: a reply of %zu bytes, more than the %zu expected (receive "
			      "overflow)",
			      t->name, got, len);
	return (int)got;
}

static int udp_write(struct k1_transport *t, const void *buf, size_t len, struct k1_error *err)
{
	struct udp *u = (struct udp *)t;
	size_t got;
	int rc = exchange(u, K1_FBUDP_FASTBOOT, buf, len, NULL, 0, &got, err);

	if (!rc && got)
		rc = k1_err(err, K1_EPROTO,
			    "%s: the device sent %zu bytes of data where an empty "
			    "acknowledgement was due",
			    t->name, got);
	return rc;
}

static void udp_close(struct k1_transport *t)
{
	struct udp *u = (struct udp *)t;
	close(u->fd);
	free(u);
}

static const struct k1_transport_ops udp_ops = {"udp", udp_read, udp_write, udp_close};

unsigned long k1_transport_udp_resent(const struct k1_transport *t)
{
	return t && t->ops == &udp_ops ? ((const struct udp *)t)->resent : 0;
}

static int handshake(struct udp *u, struct k1_error *err)
{
	uint8_t rx[8], init[4];
	uint16_t version, packet;
	size_t got;
	int rc;

	u->seq = 0;
	u->max_data = K1_FBUDP_MIN_PACKET - K1_FBUDP_HEADER;
	rc = exchange(u, K1_FBUDP_QUERY, NULL, 0, rx, sizeof(rx), &got, err);
	if (rc == K1_ETIMEDOUT)
		return k1_err(err, K1_ENODEV, "%s: no fastboot device answers (QUERY for %u ms)",
			      u->base.name, u->base.timeout_ms);
	if (rc)
		return rc;
	if ((rc = k1_fbudp_parse_query(rx, got, &u->seq, err)))
		return k1_err_prefix(err, "%s", u->base.name);
	k1_fbudp_put_u16(init, K1_FBUDP_VERSION);
	k1_fbudp_put_u16(init + 2, K1_FBUDP_HOST_MAX_PACKET);
	if ((rc = exchange(u, K1_FBUDP_INIT, init, sizeof(init), rx, sizeof(rx), &got, err)))
		return rc;
	if ((rc = k1_fbudp_parse_init(rx, got, &version, &packet, err)))
		return k1_err_prefix(err, "%s", u->base.name);
	if (packet > K1_FBUDP_HOST_MAX_PACKET)
		packet = K1_FBUDP_HOST_MAX_PACKET;
	u->max_data = packet - K1_FBUDP_HEADER;
	u->up = true;
	return 0;
}

int k1_transport_udp_attach(int fd, const char *name, unsigned timeout_ms, unsigned rto_ms,
			    struct k1_transport **out, struct k1_error *err)
{
	struct udp *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		close(fd);
		return k1_err(err, K1_ENOMEM, "out of memory");
	}
	u->base.ops = &udp_ops;
	u->base.timeout_ms = timeout_ms;
	snprintf(u->base.name, sizeof(u->base.name), "%s", name);
	u->fd = fd;
	u->rto_ms = rto_ms ? rto_ms : K1_FBUDP_RTO_MS;
	if ((rc = handshake(u, err))) {
		udp_close(&u->base);
		return rc;
	}
	*out = &u->base;
	return 0;
}

int k1_transport_udp_open(const char *host, unsigned port, unsigned timeout_ms,
			  struct k1_transport **out, struct k1_error *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM}, *res = NULL;
	char portstr[16], name[160];
	int rc, fd;

	snprintf(name, sizeof(name), strchr(host, ':') ? "udp:[%s]:%u" : "udp:%s:%u", host, port);
	snprintf(portstr, sizeof(portstr), "%u", port);
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0)
		return k1_err(err, K1_EINVAL, "%s: %s", name, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = k1_err(err, K1_EIO, "socket: %s", strerror(errno));
		freeaddrinfo(res);
		return rc;
	}
	/* connected: the kernel keeps other senders out and reports an ICMP
	 * port unreachable as ECONNREFUSED */
	if (connect(fd, res->ai_addr, res->ai_addrlen)) {
		rc = errno;
		freeaddrinfo(res);
		close(fd);
		return k1_err(err, rc == ENETUNREACH || rc == EHOSTUNREACH ? K1_ENODEV : K1_EIO,
			      "%s: connect: %s", name, strerror(rc));
	}
	freeaddrinfo(res);
	return k1_transport_udp_attach(fd, name, timeout_ms, K1_FBUDP_RTO_MS, out, err);
}

/* Fastboot UDP transport, device side (fastboot_udp.h). */
#include "emu/fastboot_udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POLL_SLICE_MS 200 /* how often a wait looks at *stop */

static void logf_(const struct k1_fbudp_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(const struct k1_fbudp_dev *d, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (!d->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->log(d->ctx, msg);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool listed(const unsigned long *v, size_t n, unsigned long k)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == k)
			return true;
	return false;
}

static void reset_session(struct k1_fbudp_dev *d)
{
	d->have_peer = false;
	d->max_data = K1_FBUDP_MIN_PACKET - K1_FBUDP_HEADER;
	d->busy = false;
	d->data_left = 0;
	d->pend = NULL;
	d->pend_len = 0;
	d->last_len = 0;
}

/* One datagram out, through the faults. A failed send is the same as a
 * lost packet: the host asks again. */
static void put(struct k1_fbudp_dev *d, const uint8_t *buf, size_t len,
		const struct sockaddr_storage *to, socklen_t tolen)
{
	const struct k1_fbudp_faults *f = d->faults;
	int copies = 1;

	d->n_out++;
	if (f && listed(f->drop_out, f->ndrop_out, d->n_out)) {
		logf_(d, "fault: outgoing packet %lu (seq %u) not sent", d->n_out,
		      k1_fbudp_get_u16(buf + 2));
		return;
	}
	if (f && listed(f->dup_out, f->ndup_out, d->n_out)) {
		logf_(d, "fault: outgoing packet %lu (seq %u) sent twice", d->n_out,
		      k1_fbudp_get_u16(buf + 2));
		copies = 2;
	}
	while (d->fd >= 0 && copies--) {
		ssize_t n = tolen ? sendto(d->fd, buf, len, 0, (const struct sockaddr *)to, tolen)
				  : send(d->fd, buf, len, 0);
		if (n < 0 && errno == EINTR)
			copies++;
	}
}

/* Answer the packet with the expected sequence number; saved for a host
 * that loses it. */
static void answer(struct k1_fbudp_dev *d, uint8_t id, uint8_t flags, const void *data, size_t len)
{
	k1_fbudp_put_header(d->last, id, flags, d->seq);
	if (len)
		memcpy(d->last + K1_FBUDP_HEADER, data, len);
	d->last_len = K1_FBUDP_HEADER + len;
	put(d, d->last, d->last_len, &d->peer, d->peer_len);
	d->seq++;
}

/* An answer to a packet outside the session (QUERY, ERROR): not saved. */
static void answer_once(struct k1_fbudp_dev *d, uint8_t id, uint16_t seq, const void *data,
			size_t len, const struct sockaddr_storage *to, socklen_t tolen)
{
	uint8_t buf[K1_FBUDP_HEADER + 128];

	if (len > sizeof(buf) - K1_FBUDP_HEADER)
		len = sizeof(buf) - K1_FBUDP_HEADER;
	k1_fbudp_put_header(buf, id, 0, seq);
	memcpy(buf + K1_FBUDP_HEADER, data, len);
	put(d, buf, K1_FBUDP_HEADER + len, to, tolen);
}

static bool same_peer(const struct k1_fbudp_dev *d, const struct sockaddr_storage *a,
		      socklen_t alen)
{
	return d->have_peer && alen == d->peer_len && !memcmp(a, &d->peer, alen);
}

/* INIT with the expected number: a new session with its sender (false:
 * a malformed INIT, answered ERROR, the session unchanged). */
static bool start_session(struct k1_fbudp_dev *d, const struct k1_fbudp_packet *p,
			  const struct sockaddr_storage *from, socklen_t fromlen)
{
	struct k1_error e = {0};
	uint16_t version, size;
	uint8_t mine[4];

	if (k1_fbudp_parse_init(p->data, p->len, &version, &size, &e)) {
		logf_(d, "udp: %s", e.msg);
		answer_once(d, K1_FBUDP_ERROR, p->seq, e.msg, strlen(e.msg), from, fromlen);
		return false;
	}
	reset_session(d);
	d->have_peer = true;
	memcpy(&d->peer, from, fromlen);
	d->peer_len = fromlen;
	d->max_data = (size < d->offer ? size : d->offer) - K1_FBUDP_HEADER;
	k1_fbudp_put_u16(mine, K1_FBUDP_VERSION);
	k1_fbudp_put_u16(mine + 2, d->offer);
	answer(d, K1_FBUDP_INIT, 0, mine, sizeof(mine));
	return true;
}

int k1_fbudp_dev_input(struct k1_fbudp_dev *d, const uint8_t *buf, size_t len,
		       const struct sockaddr_storage *from, socklen_t fromlen,
		       struct k1_fbudp_packet *p, struct k1_error *err)
{
	if (k1_fbudp_parse(buf, len, p, NULL))
		return 0; /* a runt: as U-Boot, no answer */
	switch (k1_fbudp_classify(p, d->seq)) {
	case K1_FBUDP_QUERY_ME: {
		uint8_t next[2];
		k1_fbudp_put_u16(next, d->seq);
		answer_once(d, K1_FBUDP_QUERY, p->seq, next, sizeof(next), from, fromlen);
		return 0;
	}
	case K1_FBUDP_REJECT: {
		char why[64];
		snprintf(why, sizeof(why), "unknown packet id 0x%02x", p->id);
		answer_once(d, K1_FBUDP_ERROR, p->seq, why, strlen(why), from, fromlen);
		return 0;
	}
	case K1_FBUDP_RESEND:
		if (same_peer(d, from, fromlen) && d->last_len) {
			logf_(d, "udp: packet %u again: its answer sent again", p->seq);
			put(d, d->last, d->last_len, &d->peer, d->peer_len);
		}
		return 0;
	case K1_FBUDP_IGNORE:
		return 0;
	case K1_FBUDP_NEW:
		break;
	}
	if (p->id == K1_FBUDP_INIT) {
		bool was_busy = d->busy;
		if (start_session(d, p, from, fromlen) && was_busy)
			return k1_err(err, K1_EIO, "host started a new session (INIT)");
		return 0;
	}
	return same_peer(d, from, fromlen) ? 1 : 0;
}

/* The next FASTBOOT packet of the session with the expected sequence
 * number, everything else answered or ignored on the way. Inside a command
 * (d->busy) host silence for timeout_ms and an INIT end the wait. */
static int next_packet(struct k1_fbudp_dev *d, struct k1_fbudp_packet *p, struct k1_error *err)
{
	uint64_t deadline = d->busy && d->timeout_ms > 0 ? now_ms() + (uint64_t)d->timeout_ms : 0;

	for (;;) {
		struct pollfd pfd = {.fd = d->fd, .events = POLLIN};
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		int wait = POLL_SLICE_MS;

		if (d->stop && *d->stop)
			return k1_err(err, K1_EIO, "stopped");
		if (deadline) {
			uint64_t t = now_ms();
			if (t >= deadline)
				return k1_err(err, K1_EIO, "host silent for %d ms", d->timeout_ms);
			if (deadline - t < (uint64_t)wait)
				wait = (int)(deadline - t);
		}
		int n = poll(&pfd, 1, wait);
		if (n < 0 && errno != EINTR) {
			d->broken = true;
			return k1_err(err, K1_EIO, "poll: %s", strerror(errno));
		}
		if (n <= 0)
			continue;
		ssize_t got = recvfrom(d->fd, d->in, sizeof(d->in), 0, (struct sockaddr *)&from,
				       &fromlen);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNREFUSED)
				continue;
			d->broken = true;
			return k1_err(err, K1_EIO, "recv: %s", strerror(errno));
		}
		d->n_in++;
		if (d->faults && listed(d->faults->drop_in, d->faults->ndrop_in, d->n_in)) {
			logf_(d, "fault: incoming packet %lu ignored", d->n_in);
			continue;
		}
		int rc = k1_fbudp_dev_input(d, d->in, (size_t)got, &from, fromlen, p, err);
		if (rc)
			return rc < 0 ? rc : 0;
	}
}

static int udp_recv_cmd(struct k1_emu_link *l, uint8_t *buf, size_t cap, size_t *len,
			struct k1_error *err)
{
	struct k1_fbudp_dev *d = (struct k1_fbudp_dev *)l;
	struct k1_fbudp_packet p;
	size_t got = 0;

	d->busy = false;
	for (;;) {
		int rc = next_packet(d, &p, err);
		if (rc)
			return rc;
		if (got == 0 && p.len == 0 && !(p.flags & K1_FBUDP_FLAG_CONTINUATION)) {
			answer(d, K1_FBUDP_FASTBOOT, 0, NULL, 0); /* a read, nothing to say */
			continue;
		}
		size_t keep = got >= cap ? 0 : p.len < cap - got ? p.len : cap - got;
		memcpy(buf + got, p.data, keep);
		got += keep;
		d->link.received += p.len;
		answer(d, K1_FBUDP_FASTBOOT, 0, NULL, 0);
		d->busy = true; /* a command has begun: silence now counts */
		if (!(p.flags & K1_FBUDP_FLAG_CONTINUATION))
			break;
	}
	*len = got;
	return 0;
}

static void udp_expect_data(struct k1_emu_link *l, uint64_t total)
{
	struct k1_fbudp_dev *d = (struct k1_fbudp_dev *)l;
	d->data_left = total;
	d->pend_len = 0;
}

static int udp_recv_data(struct k1_emu_link *l, uint8_t *dst, size_t n, struct k1_error *err)
{
	struct k1_fbudp_dev *d = (struct k1_fbudp_dev *)l;
	struct k1_fbudp_packet p;

	while (n) {
		if (!d->pend_len) {
			int rc = next_packet(d, &p, err);
			if (rc)
				return rc;
			if (p.len > d->data_left) {
				k1_err(err, K1_EINVAL,
				       "a %zu-byte packet overruns the %llu download bytes still "
				       "expected",
				       p.len, (unsigned long long)d->data_left);
				answer(d, K1_FBUDP_ERROR, 0, err->msg, strlen(err->msg));
				return K1_EINVAL;
			}
			answer(d, K1_FBUDP_FASTBOOT, 0, NULL, 0);
			d->pend = p.data; /* in d->in until the next packet is read */
			d->pend_len = p.len;
			continue;
		}
		size_t c = d->pend_len < n ? d->pend_len : n;
		memcpy(dst, d->pend, c);
		dst += c;
		n -= c;
		d->pend += c;
		d->pend_len -= c;
		d->data_left -= c;
		d->link.received += c;
	}
	return 0;
}

static int udp_send(struct k1_emu_link *l, const void *data, size_t len, struct k1_error *err)
{
	struct k1_fbudp_dev *d = (struct k1_fbudp_dev *)l;
	const uint8_t *b = data;
	struct k1_fbudp_packet p;

	do {
		int rc = next_packet(d, &p, err);
		if (rc)
			return rc;
		if (p.len) {
			k1_err(err, K1_EPROTO,
			       "the host sent %zu bytes where an empty packet was due (a reply "
			       "is waiting)",
			       p.len);
			answer(d, K1_FBUDP_ERROR, 0, err->msg, strlen(err->msg));
			return K1_EPROTO;
		}
		size_t n = len < d->max_data ? len : d->max_data;
		answer(d, K1_FBUDP_FASTBOOT, n < len ? K1_FBUDP_FLAG_CONTINUATION : 0, b, n);
		b += n;
		len -= n;
	} while (len);
	return 0;
}

static const struct k1_emu_link_ops udp_link_ops = {udp_recv_cmd, udp_expect_data, udp_recv_data,
						    udp_send};

void k1_fbudp_dev_attach(struct k1_fbudp_dev *d, int fd)
{
	d->link.ops = &udp_link_ops;
	d->link.received = 0;
	d->fd = fd;
	d->broken = false;
	if (d->offer < K1_FBUDP_MIN_PACKET)
		d->offer = K1_FBUDP_DEVICE_PACKET;
	reset_session(d);
}

int k1_fbudp_dev_open(struct k1_fbudp_dev *d, const char *host, int port, int *port_out,
		      struct k1_error *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_DGRAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	char ps[16];
	int fd, rc;

	snprintf(ps, sizeof(ps), "%d", port);
	if ((rc = getaddrinfo(host, ps, &hints, &res)) != 0)
		return k1_err(err, K1_EINVAL, "listen address udp:%s: %s", host, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(res);
		return k1_err(err, K1_EIO, "socket: %s", strerror(errno));
	}
	if (bind(fd, res->ai_addr, res->ai_addrlen)) {
		rc = errno;
		freeaddrinfo(res);
		close(fd);
		return k1_err(err, K1_EIO, "listen on udp:%s:%d: %s", host, port, strerror(rc));
	}
	freeaddrinfo(res);
	getsockname(fd, (struct sockaddr *)&sa, &salen);
	*port_out = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
						   : ((struct sockaddr_in *)&sa)->sin_port);
	k1_fbudp_dev_attach(d, fd);
	return 0;
}

void k1_fbudp_dev_close(struct k1_fbudp_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	reset_session(d);
}

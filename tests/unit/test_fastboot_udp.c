/* Fastboot over UDP: the packet codec and the device's verdicts
 * (udp_proto.h), the host transport's handshake, pieces, retransmission
 * and errors against a scripted device on a loopback socket, and the
 * emulator's device side (emu/fastboot_udp.h) against the host transport
 * with datagrams lost, repeated and a session restarted. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "emu/fastboot_udp.h"
#include "fastboot/fastboot.h"
#include "fastboot/transport.h"
#include "fastboot/udp_proto.h"

#define RTO 20 /* ms: retransmission timeout in these tests */

/* ---- the codec ---- */

static void test_header_and_parse(void **state)
{
	(void)state;
	uint8_t b[8];
	struct k1_fbudp_packet p;
	struct k1_error err = {0};

	k1_fbudp_put_header(b, K1_FBUDP_FASTBOOT, K1_FBUDP_FLAG_CONTINUATION, 0xABCD);
	memcpy(b + 4, "OKAY", 4);
	assert_memory_equal(b, "\x03\x01\xab\xcd", 4);
	assert_int_equal(k1_fbudp_parse(b, 8, &p, &err), 0);
	assert_int_equal(p.id, K1_FBUDP_FASTBOOT);
	assert_int_equal(p.flags, K1_FBUDP_FLAG_CONTINUATION);
	assert_int_equal(p.seq, 0xABCD);
	assert_int_equal(p.len, 4);
	assert_memory_equal(p.data, "OKAY", 4);
	assert_int_equal(k1_fbudp_parse(b, 4, &p, &err), 0);
	assert_int_equal(p.len, 0);
	assert_int_equal(k1_fbudp_parse(b, 3, &p, &err), K1_EPROTO);
	assert_non_null(strstr(err.msg, "3-byte packet"));
}

static void test_answers(void **state)
{
	(void)state;
	struct k1_fbudp_packet p = {.id = K1_FBUDP_FASTBOOT, .seq = 7};
	assert_true(k1_fbudp_answers(&p, K1_FBUDP_FASTBOOT, 7));
	assert_false(k1_fbudp_answers(&p, K1_FBUDP_FASTBOOT, 8));
	assert_false(k1_fbudp_answers(&p, K1_FBUDP_INIT, 7));
	p.id = K1_FBUDP_ERROR; /* an error answers anything with its number */
	assert_true(k1_fbudp_answers(&p, K1_FBUDP_INIT, 7));
	assert_false(k1_fbudp_answers(&p, K1_FBUDP_INIT, 6));
}

static void test_query_and_init(void **state)
{
	(void)state;
	struct k1_error err = {0};
	uint16_t next, v, size;

	assert_int_equal(k1_fbudp_parse_query((const uint8_t *)"\x55\xaa", 2, &next, &err), 0);
	assert_int_equal(next, 0x55AA);
	assert_int_equal(k1_fbudp_parse_query((const uint8_t *)"\x55", 1, &next, &err), K1_EPROTO);
	assert_int_equal(
		k1_fbudp_parse_init((const uint8_t *)"\x00\x01\x04\x00", 4, &v, &size, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(size, 1024);
	/* a later version is fine: the minimum of both is spoken */
	assert_int_equal(
		k1_fbudp_parse_init((const uint8_t *)"\x00\x02\x02\x00", 4, &v, &size, &err), 0);
	assert_int_equal(
		k1_fbudp_parse_init((const uint8_t *)"\x00\x00\x04\x00", 4, &v, &size, &err),
		K1_EPROTO);
	assert_non_null(strstr(err.msg, "version 0"));
	assert_int_equal(
		k1_fbudp_parse_init((const uint8_t *)"\x00\x01\x01\xff", 4, &v, &size, &err),
		K1_EPROTO);
	assert_non_null(strstr(err.msg, "packet size 511"));
	assert_int_equal(k1_fbudp_parse_init((const uint8_t *)"\x00\x01\x04", 3, &v, &size, &err),
			 K1_EPROTO);
}

static void test_classify(void **state)
{
	(void)state;
	struct k1_fbudp_packet p = {.id = K1_FBUDP_FASTBOOT, .seq = 10};
	assert_int_equal(k1_fbudp_classify(&p, 10), K1_FBUDP_NEW);
	assert_int_equal(k1_fbudp_classify(&p, 11), K1_FBUDP_RESEND);
	assert_int_equal(k1_fbudp_classify(&p, 12), K1_FBUDP_IGNORE);
	assert_int_equal(k1_fbudp_classify(&p, 9), K1_FBUDP_IGNORE);
	p.seq = 0xFFFF; /* the number before 0 */
	assert_int_equal(k1_fbudp_classify(&p, 0), K1_FBUDP_RESEND);
	p.id = K1_FBUDP_INIT;
	assert_int_equal(k1_fbudp_classify(&p, 0xFFFF), K1_FBUDP_NEW);
	p.id = K1_FBUDP_QUERY; /* whatever its number */
	assert_int_equal(k1_fbudp_classify(&p, 1234), K1_FBUDP_QUERY_ME);
	p.id = 0x10;
	assert_int_equal(k1_fbudp_classify(&p, 0xFFFF), K1_FBUDP_REJECT);
	p.id = K1_FBUDP_ERROR; /* a host does not send errors */
	assert_int_equal(k1_fbudp_classify(&p, 0xFFFF), K1_FBUDP_REJECT);
}

static void test_error_text(void **state)
{
	(void)state;
	char out[8];
	k1_fbudp_error_text((const uint8_t *)"bad\x01\xffpacket", 11, out, sizeof(out));
	assert_string_equal(out, "bad??pa");
}

/* ---- a scripted device on a loopback socket ---- */

struct dev {
	int fd, port;
	struct sockaddr_storage host;
	socklen_t hostlen;
	uint16_t next_seq; /* what the QUERY answer says */
	uint16_t offer;    /* INIT answer's packet size */
	unsigned drop_queries;
	void (*after)(struct dev *d); /* what it does once the handshake is done */
	char failed[200];             /* set by the thread: cmocka asserts are main-thread only */
	size_t data_sizes[64];        /* of the packets after the handshake */
	uint8_t data_flags[64];
	size_t npackets;
	int done; /* set by dev_join: the host side has finished */
	pthread_t th;
};

/* Receive one datagram; its length, or -1 once the host side has finished
 * (dev_join) and nothing is left, or after ms of silence. The silence limit
 * is only a safety net: the device loops end on dev_join, so a slow, loaded
 * machine cannot end a conversation early. */
static int dev_recv(struct dev *d, uint8_t *buf, int ms)
{
	struct pollfd p = {.fd = d->fd, .events = POLLIN};
	int waited = 0;
	while (poll(&p, 1, 20) <= 0) {
		if (__atomic_load_n(&d->done, __ATOMIC_ACQUIRE) || (waited += 20) >= ms)
			return -1;
	}
	d->hostlen = sizeof(d->host);
	return (int)recvfrom(d->fd, buf, K1_FBUDP_MAX_DATAGRAM, 0, (struct sockaddr *)&d->host,
			     &d->hostlen);
}

static void dev_send(struct dev *d, uint8_t id, uint8_t flags, uint16_t seq, const void *data,
		     size_t len)
{
	uint8_t b[K1_FBUDP_HEADER + 2048];
	k1_fbudp_put_header(b, id, flags, seq);
	memcpy(b + K1_FBUDP_HEADER, data, len);
	sendto(d->fd, b, K1_FBUDP_HEADER + len, 0, (struct sockaddr *)&d->host, d->hostlen);
}

static void *dev_main(void *arg)
{
	struct dev *d = arg;
	static uint8_t buf[K1_FBUDP_MAX_DATAGRAM];
	int n;

	for (;;) { /* the QUERYs */
		if ((n = dev_recv(d, buf, 30000)) < 4 || buf[0] != K1_FBUDP_QUERY ||
		    k1_fbudp_get_u16(buf + 2) != 0) {
			snprintf(d->failed, sizeof(d->failed), "no QUERY with sequence 0");
			return NULL;
		}
		if (d->drop_queries) {
			d->drop_queries--;
			continue;
		}
		uint8_t next[2];
		k1_fbudp_put_u16(next, d->next_seq);
		dev_send(d, K1_FBUDP_QUERY, 0, 0, next, 2);
		break;
	}
	if ((n = dev_recv(d, buf, 30000)) != 8 || buf[0] != K1_FBUDP_INIT ||
	    k1_fbudp_get_u16(buf + 2) != d->next_seq || memcmp(buf + 4, "\x00\x01\x20\x00", 4)) {
		snprintf(d->failed, sizeof(d->failed),
			 "INIT: expected seq %u, version 1, 8192 bytes (got %d bytes)", d->next_seq,
			 n);
		return NULL;
	}
	uint8_t mine[4];
	k1_fbudp_put_u16(mine, 1);
	k1_fbudp_put_u16(mine + 2, d->offer);
	dev_send(d, K1_FBUDP_INIT, 0, d->next_seq, mine, 4);
	if (d->after)
		d->after(d);
	return NULL;
}

static void dev_start(struct dev *d, uint16_t next_seq, uint16_t offer, void (*after)(struct dev *))
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);

	d->next_seq = next_seq;
	d->offer = offer;
	d->after = after;
	d->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(d->fd >= 0);
	assert_int_equal(bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(d->fd, (struct sockaddr *)&sa, &len);
	d->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&d->th, NULL, dev_main, d), 0);
}

static void dev_join(struct dev *d)
{
	__atomic_store_n(&d->done, 1, __ATOMIC_RELEASE);
	pthread_join(d->th, NULL);
	close(d->fd);
	if (d->failed[0])
		fail_msg("device: %s", d->failed);
}

/* A host transport on a socket connected to 127.0.0.1:port. */
static int host_open_port(int port, unsigned timeout_ms, struct k1_transport **t,
			  struct k1_error *err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return k1_transport_udp_attach(fd, "udp:test", timeout_ms, RTO, t, err);
}

static int host_open(struct dev *d, unsigned timeout_ms, struct k1_transport **t,
		     struct k1_error *err)
{
	return host_open_port(d->port, timeout_ms, t, err);
}

/* After the handshake: acknowledge every packet, record its size and
 * flags (copies sent again on a slow machine only answered again), until
 * a 0.3 s pause. Reads (empty packets) get "OKAY". */
static void ack_all(struct dev *d)
{
	static uint8_t buf[K1_FBUDP_MAX_DATAGRAM];
	uint16_t answered = d->next_seq;
	int n;
	while ((n = dev_recv(d, buf, 30000)) >= 4) {
		uint16_t seq = k1_fbudp_get_u16(buf + 2);
		bool again = seq == answered;
		answered = seq;
		if (!again && d->npackets < 64) {
			d->data_sizes[d->npackets] = (size_t)n - 4;
			d->data_flags[d->npackets] = buf[1];
		}
		d->npackets += !again;
		dev_send(d, K1_FBUDP_FASTBOOT, 0, seq, n == 4 ? "OKAY" : "", n == 4 ? 4 : 0);
	}
}

static void test_write_in_pieces(void **state)
{
	(void)state;
	struct dev d = {0};
	struct k1_transport *t;
	struct k1_error err = {0};
	static uint8_t data[2100];
	uint8_t reply[64];

	dev_start(&d, 0xFFFF, 1024, ack_all); /* the spec's example: 2100 bytes in 1024 */
	assert_int_equal(host_open(&d, 2000, &t, &err), 0);
	assert_int_equal(k1_transport_write(t, data, sizeof(data), &err), 0);
	assert_int_equal(k1_transport_read(t, reply, sizeof(reply), &err), 4);
	assert_memory_equal(reply, "OKAY", 4);
	k1_transport_close(t);
	dev_join(&d);
	assert_int_equal(d.npackets, 4);
	assert_int_equal(d.data_sizes[0], 1020);
	assert_int_equal(d.data_flags[0], K1_FBUDP_FLAG_CONTINUATION);
	assert_int_equal(d.data_sizes[1], 1020);
	assert_int_equal(d.data_flags[1], K1_FBUDP_FLAG_CONTINUATION);
	assert_int_equal(d.data_sizes[2], 60);
	assert_int_equal(d.data_flags[2], 0);
	assert_int_equal(d.data_sizes[3], 0); /* the read */
}

static void test_big_offer_capped(void **state)
{
	(void)state;
	struct dev d = {0};
	struct k1_transport *t;
	struct k1_error err = {0};
	static uint8_t data[20000];

	dev_start(&d, 1, 65535, ack_all); /* the host takes at most 8192 */
	assert_int_equal(host_open(&d, 2000, &t, &err), 0);
	assert_int_equal(k1_transport_write(t, data, sizeof(data), &err), 0);
	k1_transport_close(t);
	dev_join(&d);
	assert_int_equal(d.npackets, 3);
	assert_int_equal(d.data_sizes[0], 8188);
	assert_int_equal(d.data_sizes[2], 20000 - 2 * 8188);
}

static void test_query_retransmitted(void **state)
{
	(void)state;
	struct dev d = {.drop_queries = 2};
	struct k1_transport *t;
	struct k1_error err = {0};

	dev_start(&d, 5, 512, NULL);
	assert_int_equal(host_open(&d, 2000, &t, &err), 0);
	assert_true(k1_transport_udp_resent(t) >= 2);
	k1_transport_close(t);
	dev_join(&d);
}

/* Lose the first copy of every packet; answer the next copy, after a late
 * copy of the previous answer (which the host must skip). */
static void lossy(struct dev *d)
{
	static uint8_t buf[K1_FBUDP_MAX_DATAGRAM];
	uint16_t answered = d->next_seq;
	bool seen = false;
	int n;
	while ((n = dev_recv(d, buf, 30000)) >= 4) {
		uint16_t seq = k1_fbudp_get_u16(buf + 2);
		if (seq == answered)
			continue; /* one more copy of what was answered: lost too */
		if (!seen) {
			seen = true;
			continue;
		}
		dev_send(d, K1_FBUDP_FASTBOOT, 0, answered, "OKAYlate", 8);
		dev_send(d, K1_FBUDP_FASTBOOT, 0, seq, n == 4 ? "OKAYnow" : "", n == 4 ? 7 : 0);
		answered = seq;
		seen = false;
	}
}

static void test_loss_and_late_answers(void **state)
{
	(void)state;
	struct dev d = {0};
	struct k1_transport *t;
	struct k1_error err = {0};
	char reply[64];

	dev_start(&d, 0xFFFE, 512, lossy); /* the sequence number wraps */
	assert_int_equal(host_open(&d, 2000, &t, &err), 0);
	struct k1_fb fb = {.t = t, .ev = NULL};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(k1_fb_command(&fb, "getvar:version", reply, sizeof(reply), &err),
				 0);
		assert_string_equal(reply, "now");
	}
	assert_true(k1_transport_udp_resent(t) >= 6);
	k1_transport_close(t);
	dev_join(&d);
}

/* A long reply in pieces: the host prompts each with an empty packet. */
static void pieces(struct dev *d)
{
	static uint8_t buf[K1_FBUDP_MAX_DATAGRAM];
	const char *parts[] = {"INFOhello ", "wor", "ld"};
	int n;
	for (size_t i = 0; i < 3 && (n = dev_recv(d, buf, 30000)) >= 4; i++)
		dev_send(d, buf[0], i < 2 ? K1_FBUDP_FLAG_CONTINUATION : 0,
			 k1_fbudp_get_u16(buf + 2), parts[i], strlen(parts[i]));
}

static void test_continued_reply(void **state)
{
	(void)state;
	struct dev d = {0};
	struct k1_transport *t;
	struct k1_error err = {0};
	char reply[64] = {0};

	dev_start(&d, 100, 512, pieces);
	assert_int_equal(host_open(&d, 2000, &t, &err), 0);
	assert_int_equal(k1_transport_read(t, reply, sizeof(reply) - 1, &err), 15);
	assert_string_equal(reply, "INFOhello world");
	k1_transport_close(t);
	dev_join(&d);
}

static void error_packet(struct dev *d)
{
	static uint8_t buf[K1_FBUDP_MAX_DATAGRAM];
	if (dev_recv(d, buf, 30000) >= 4)
		dev_send(d, K1_FBUDP_ERROR, 0, k1_fbudp_get_u16(buf + 2), "busy\n", 5);
}

static void test_error_packet(void **state)
{
	(void)state;
	struct dev d = {0};
	struct k1_transport *t;
	struct k1_error err = {0};
	char reply[64];

	dev_start(&d, 1, 512, error_packet);
	assert_int_equal(host_open(&d, 2000, &t, &err), 0);
	assert_int_equal(k1_transport_read(t, reply, sizeof(reply), &err), K1_EPROTO);
	assert_string_equal(err.msg, "udp:test: the device reported an error: 'busy?'");
	k1_transport_close(t);
	dev_join(&d);
}

static void silent(struct dev *d)
{
	static uint8_t buf[K1_FBUDP_MAX_DATAGRAM];
	while (dev_recv(d, buf, 30000) >= 0)
		d->npackets++;
}

static void test_silent_device(void **state)
{
	(void)state;
	struct dev d = {0};
	struct k1_transport *t;
	struct k1_error err = {0};

	dev_start(&d, 1, 512, silent);
	assert_int_equal(host_open(&d, 200, &t, &err), 0);
	assert_int_equal(k1_transport_write(t, "getvar:version", 14, &err), K1_ETIMEDOUT);
	assert_non_null(strstr(err.msg, "udp:test: no answer within 200 ms ("));
	k1_transport_close(t);
	dev_join(&d);
	/* every RTO ms a copy: at most 200 / 20 + 1; a loaded machine sends
	 * fewer, but more than one shows the copies are resent */
	assert_in_range(d.npackets, 2, 11);
}

static void test_no_device(void **state)
{
	(void)state;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	struct k1_transport *t;
	struct k1_error err = {0};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	/* a socket that never reads: silence, not refusal */
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	int port = ntohs(sa.sin_port);
	assert_int_equal(host_open_port(port, 100, &t, &err), K1_ENODEV);
	assert_string_equal(err.msg, "udp:test: no fastboot device answers (QUERY for 100 ms)");
	close(fd);
	/* the port closed: ICMP port unreachable */
	assert_int_equal(k1_transport_udp_open("127.0.0.1", (unsigned)port, 1000, &t, &err),
			 K1_ENODEV);
	assert_non_null(strstr(err.msg, "nothing listens there (port unreachable)"));
}

/* ---- the emulator's device side against the host transport ---- */

struct echo {
	struct k1_fbudp_dev d;
	volatile sig_atomic_t stop;
	int port;
	char log[4096];
	size_t loglen;
	int results[8]; /* of each command's exchange, in order */
	size_t nresults;
	unsigned last_sum; /* of the last download's bytes */
	pthread_t th;
};

static void echo_log(void *ctx, const char *msg)
{
	struct echo *e = ctx;
	int n = snprintf(e->log + e->loglen, sizeof(e->log) - e->loglen, "%s\n", msg);
	if (n > 0 && (size_t)n < sizeof(e->log) - e->loglen)
		e->loglen += (size_t)n;
}

/* "download:N" -> DATA, N bytes, "OKAY<sum>"; anything else -> "OKAY<cmd>". */
static void *echo_main(void *arg)
{
	struct echo *e = arg;
	struct k1_emu_link *l = &e->d.link;
	struct k1_error err;
	uint8_t cmd[128];
	static uint8_t data[1 << 16];
	char reply[80];
	size_t len;

	while (!e->stop) {
		int rc = l->ops->recv_cmd(l, cmd, sizeof(cmd) - 1, &len, &err);
		if (rc)
			break;
		cmd[len] = '\0';
		unsigned n = 0;
		if (sscanf((char *)cmd, "download:%x", &n) == 1 && n <= sizeof(data)) {
			snprintf(reply, sizeof(reply), "DATA%08x", n);
			if ((rc = l->ops->send(l, reply, strlen(reply), &err)) == 0) {
				l->ops->expect_data(l, n);
				rc = l->ops->recv_data(l, data, n, &err);
			}
			e->last_sum = 0;
			for (unsigned i = 0; !rc && i < n; i++)
				e->last_sum += data[i];
			snprintf(reply, sizeof(reply), "OKAY");
		} else {
			snprintf(reply, sizeof(reply), "OKAY%.70s", (char *)cmd);
		}
		if (!rc)
			rc = l->ops->send(l, reply, strlen(reply), &err);
		if (e->nresults < 8)
			e->results[e->nresults++] = rc;
		if (rc)
			echo_log(e, err.msg);
	}
	return NULL;
}

static void echo_start(struct echo *e, int timeout_ms)
{
	struct k1_error err = {0};
	e->d.timeout_ms = timeout_ms;
	e->d.offer = 1024;
	e->d.log = echo_log;
	e->d.ctx = e;
	e->d.stop = &e->stop;
	assert_int_equal(k1_fbudp_dev_open(&e->d, "127.0.0.1", 0, &e->port, &err), 0);
	assert_int_equal(pthread_create(&e->th, NULL, echo_main, e), 0);
}

static void echo_join(struct echo *e)
{
	e->stop = 1;
	pthread_join(e->th, NULL);
	k1_fbudp_dev_close(&e->d);
}

static void test_device_side(void **state)
{
	(void)state;
	static struct echo e;
	static struct k1_fbudp_faults f;
	struct k1_transport *t;
	struct k1_error err = {0};
	static uint8_t data[5000];
	char reply[80];

	memset(&e, 0, sizeof(e));
	memset(&f, 0, sizeof(f));
	/* datagrams in: 1 QUERY, 2 INIT, 3 command, 4 read, 5.. download */
	f.drop_in[f.ndrop_in++] = 1;
	f.drop_in[f.ndrop_in++] = 6;
	f.drop_out[f.ndrop_out++] = 2;
	f.drop_out[f.ndrop_out++] = 7;
	f.dup_out[f.ndup_out++] = 4;
	e.d.faults = &f;
	e.d.seq = 0xFFFD; /* wraps during the download */
	echo_start(&e, 2000);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof(data); i++)
		sum += data[i];
	assert_int_equal(host_open_port(e.port, 2000, &t, &err), 0);
	k1_transport_close(t); /* a host that goes: the next one starts over */
	struct k1_transport *t2;
	assert_int_equal(host_open_port(e.port, 2000, &t2, &err), 0);
	struct k1_fb fb = {.t = t2};
	assert_int_equal(k1_fb_command(&fb, "getvar:x", reply, sizeof(reply), &err), 0);
	assert_string_equal(reply, "getvar:x");
	assert_int_equal(k1_fb_download(&fb, data, sizeof(data), &err), 0);
	assert_int_equal(k1_fb_command(&fb, "oem y", reply, sizeof(reply), &err), 0);
	assert_string_equal(reply, "oem y");
	assert_true(k1_transport_udp_resent(t2) >= 1);
	k1_transport_close(t2);
	echo_join(&e);
	assert_non_null(strstr(e.log, "fault: incoming packet 1 ignored"));
	assert_non_null(strstr(e.log, "fault: incoming packet 6 ignored"));
	assert_non_null(strstr(e.log, "fault: outgoing packet 2 "));
	assert_non_null(strstr(e.log, "fault: outgoing packet 7 "));
	assert_non_null(strstr(e.log, "sent twice"));
	assert_non_null(strstr(e.log, "its answer sent again"));
	assert_int_equal(e.nresults, 3);
	for (size_t i = 0; i < e.nresults; i++)
		assert_int_equal(e.results[i], 0);
	assert_int_equal(e.last_sum, sum);
}

static void test_device_new_session_aborts(void **state)
{
	(void)state;
	static struct echo e;
	struct k1_transport *t, *t2;
	struct k1_error err = {0};
	char reply[80];

	memset(&e, 0, sizeof(e));
	echo_start(&e, 2000);
	assert_int_equal(host_open_port(e.port, 2000, &t, &err), 0);
	/* a download announced, then the host gives up (Ctrl+C) */
	assert_int_equal(k1_transport_write(t, "download:00000100", 17, &err), 0);
	assert_int_equal(k1_transport_read(t, reply, sizeof(reply), &err), 12);
	k1_transport_close(t);
	assert_int_equal(host_open_port(e.port, 2000, &t2, &err), 0);
	struct k1_fb fb = {.t = t2};
	assert_int_equal(k1_fb_command(&fb, "getvar:after", reply, sizeof(reply), &err), 0);
	assert_string_equal(reply, "getvar:after");
	k1_transport_close(t2);
	echo_join(&e);
	assert_true(e.nresults >= 1);
	assert_int_equal(e.results[0], K1_EIO);
	assert_non_null(strstr(e.log, "host started a new session (INIT)"));
}

static void test_device_silent_host(void **state)
{
	(void)state;
	static struct echo e;
	struct k1_transport *t;
	struct k1_error err = {0};

	memset(&e, 0, sizeof(e));
	echo_start(&e, 100);
	assert_int_equal(host_open_port(e.port, 2000, &t, &err), 0);
	/* a command sent, its reply never read */
	assert_int_equal(k1_transport_write(t, "getvar:x", 8, &err), 0);
	usleep(400 * 1000);
	k1_transport_close(t);
	echo_join(&e);
	assert_int_equal(e.nresults, 1);
	assert_int_equal(e.results[0], K1_EIO);
	assert_non_null(strstr(e.log, "host silent for 100 ms"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_parse),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_query_and_init),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_write_in_pieces),
		cmocka_unit_test(test_big_offer_capped),
		cmocka_unit_test(test_query_retransmitted),
		cmocka_unit_test(test_loss_and_late_answers),
		cmocka_unit_test(test_continued_reply),
		cmocka_unit_test(test_error_packet),
		cmocka_unit_test(test_silent_device),
		cmocka_unit_test(test_no_device),
		cmocka_unit_test(test_device_side),
		cmocka_unit_test(test_device_new_session_aborts),
		cmocka_unit_test(test_device_silent_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* libFuzzer: fastboot's UDP packets from the network, both ends.
 * Byte 0 picks the end; the rest is datagrams, each a length byte and its
 * bytes (runts included).
 *   even: the device (k1_fbudp_dev_input, emu/fastboot_udp.h) reads them
 *         from two hosts: the length byte's top bit picks the sender, its
 *         low 7 bits are the length;
 *         every datagram is answered, ignored or handed on, the sequence
 *         number moves by at most one, an agreed packet size stays within
 *         512 .. the device's offer;
 *   odd:  the host transport (transport_udp.c) gets them (length 0-255)
 *         as the device's
 *         answers (queued on a loopback socket before it asks) through the
 *         handshake, a getvar and a small download: it succeeds or fails
 *         with words, never reads past a datagram.
 * The codec (udp_proto.h) sees every datagram too. */
#include "emu/fastboot_udp.h"
#include "fastboot/fastboot.h"
#include "fastboot/transport.h"
#include "fastboot/udp_proto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void codec(const uint8_t *b, size_t n)
{
	struct k1_fbudp_packet p;
	struct k1_error err = {0};
	uint16_t a, c;
	char text[64];

	if (k1_fbudp_parse(b, n, &p, &err)) {
		if (n >= K1_FBUDP_HEADER || !err.msg[0])
			abort();
		return;
	}
	if (p.len != n - K1_FBUDP_HEADER || p.data != b + K1_FBUDP_HEADER)
		abort();
	enum k1_fbudp_verdict v = k1_fbudp_classify(&p, p.seq);
	if (p.id == K1_FBUDP_QUERY                               ? v != K1_FBUDP_QUERY_ME
	    : p.id == K1_FBUDP_INIT || p.id == K1_FBUDP_FASTBOOT ? v != K1_FBUDP_NEW
								 : v != K1_FBUDP_REJECT)
		abort();
	if (!k1_fbudp_parse_init(p.data, p.len, &a, &c, &err) && (a < 1 || c < 512))
		abort();
	k1_fbudp_parse_query(p.data, p.len, &a, &err);
	k1_fbudp_error_text(p.data, p.len, text, sizeof(text));
	if (strlen(text) >= sizeof(text))
		abort();
}

static void device(const uint8_t *data, size_t size)
{
	static struct k1_fbudp_dev d;
	struct sockaddr_storage from[2];
	struct k1_fbudp_packet p;
	struct k1_error err = {0};

	memset(&d, 0, sizeof(d));
	d.offer = 1024;
	d.seq = 0xFFFE;
	k1_fbudp_dev_attach(&d, -1);
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in *sa = (struct sockaddr_in *)&from[i];
		memset(&from[i], 0, sizeof(from[i]));
		sa->sin_family = AF_INET;
		sa->sin_port = htons((uint16_t)(40000 + i));
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	while (size) {
		size_t n = (data[0] & 0x7F) < size - 1 ? (data[0] & 0x7F) : size - 1;
		int who = data[0] >> 7;
		const uint8_t *b = data + 1;
		uint16_t before = d.seq;
		codec(b, n);
		d.busy = size & 1;
		int rc = k1_fbudp_dev_input(&d, b, n, &from[who], sizeof(struct sockaddr_in), &p,
					    &err);
		if (rc < 0 && (rc != K1_EIO || !err.msg[0]))
			abort();
		if (rc == 1 && (p.id != K1_FBUDP_FASTBOOT || p.seq != d.seq || p.data != b + 4))
			abort();
		if (d.seq != before && d.seq != (uint16_t)(before + 1))
			abort();
		if (d.max_data < K1_FBUDP_MIN_PACKET - K1_FBUDP_HEADER ||
		    d.max_data > (size_t)d.offer - K1_FBUDP_HEADER)
			abort();
		data += 1 + n;
		size -= 1 + n;
	}
}

static void host(const uint8_t *data, size_t size)
{
	static int dev = -1;
	static struct sockaddr_in dev_addr;
	uint8_t junk[K1_FBUDP_MAX_DATAGRAM];
	struct k1_error err = {0};
	struct k1_transport *t;

	if (dev < 0) {
		socklen_t len = sizeof(dev_addr);
		int big = 4 << 20;
		dev_addr.sin_family = AF_INET;
		dev_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		dev = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (dev < 0 || bind(dev, (struct sockaddr *)&dev_addr, sizeof(dev_addr)))
			abort();
		setsockopt(dev, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		getsockname(dev, (struct sockaddr *)&dev_addr, &len);
	}
	while (recv(dev, junk, sizeof(junk), MSG_DONTWAIT) >= 0) /* the last run's packets */
		;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in me;
	socklen_t melen = sizeof(me);
	if (fd < 0 || connect(fd, (struct sockaddr *)&dev_addr, sizeof(dev_addr)))
		abort();
	getsockname(fd, (struct sockaddr *)&me, &melen);
	while (size) {
		size_t n = data[0] < size - 1 ? data[0] : size - 1;
		codec(data + 1, n);
		sendto(dev, data + 1, n, 0, (struct sockaddr *)&me, melen);
		data += 1 + n;
		size -= 1 + n;
	}
	int rc = k1_transport_udp_attach(fd, "udp:fuzz", 2, 1, &t, &err);
	if (rc) {
		if (!err.msg[0])
			abort();
		return;
	}
	struct k1_fb fb = {.t = t};
	char out[K1_FB_RESPONSE_MAX + 1];
	static const uint8_t blob[3000];
	rc = k1_fb_getvar(&fb, "version", out, sizeof(out), &err);
	if ((rc && !err.msg[0]) || (!rc && strlen(out) > K1_FB_RESPONSE_MAX))
		abort();
	err.msg[0] = '\0';
	rc = k1_fb_download(&fb, blob, sizeof(blob), &err);
	if (rc && !err.msg[0])
		abort();
	k1_transport_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096) /* a session's worth; the big seeds are other formats' */
		return 0;
	if (data[0] & 1)
		host(data + 1, size - 1);
	else
		device(data + 1, size - 1);
	return 0;
}

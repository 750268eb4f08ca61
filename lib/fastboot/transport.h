/* The byte pipe a fastboot client talks through: USB bulk endpoints
 * (libusb) or the AOSP fastboot TCP or UDP transport. One small table of
 * operations per kind, as U-Boot's fastboot keeps one handler for all its
 * transports; the protocol (fastboot.h) sits above and never knows which. */
#ifndef K1_TRANSPORT_H
#define K1_TRANSPORT_H

#include "base/error.h"

#include <stddef.h>

struct k1_transport;

struct k1_transport_ops {
	const char *kind; /* "tcp", "udp", "usb" */
	/* Read the next message (or the next piece of a long one) into buf:
	 * the byte count (> 0), or K1_ETIMEDOUT / K1_ENODEV (gone) / K1_EIO. */
	int (*read)(struct k1_transport *t, void *buf, size_t len, struct k1_error *err);
	/* Write all of buf as one message: 0 or a K1_E* code. */
	int (*write)(struct k1_transport *t, const void *buf, size_t len, struct k1_error *err);
	/* Free everything; t is gone afterwards. */
	void (*close)(struct k1_transport *t);
};

struct k1_transport {
	const struct k1_transport_ops *ops;
	unsigned timeout_ms; /* per read or write; 0 = wait forever */
	char name[160];      /* "tcp:HOST:PORT", "udp:HOST:PORT", "usb:1-2.3": what -s would say */
};

/* Where a board is: what `-s` names. */
enum k1_target_kind { K1_TARGET_ANY_USB, K1_TARGET_USB, K1_TARGET_TCP, K1_TARGET_UDP };

struct k1_target {
	enum k1_target_kind kind;
	char host[128];    /* TCP, UDP */
	unsigned port;     /* TCP, UDP; 5554 when not given */
	char usb_path[32]; /* USB port path ("1-2.3"), "" = the only board */
};

#define K1_FASTBOOT_TCP_PORT 5554
#define K1_FASTBOOT_UDP_PORT 5554

/* "usb", "usb:1-2.3", "tcp:HOST", "tcp:HOST:PORT", "tcp:[v6]:PORT", and
 * the same with "udp:".
 * NULL or "" = any USB board. 0 or K1_EINVAL naming what is wrong. */
int k1_target_parse(const char *s, struct k1_target *t, struct k1_error *err);
/* The -s form of t, into out. */
void k1_target_format(const struct k1_target *t, char *out, size_t outsz);

/* Open the board t names: K1_ENODEV when it is not there (yet), K1_EACCES
 * when it may not be opened (the message names the udev rule). */
int k1_transport_open(const struct k1_target *t, unsigned timeout_ms, struct k1_transport **out,
		      struct k1_error *err);

static inline int k1_transport_read(struct k1_transport *t, void *buf, size_t len,
				    struct k1_error *err)
{
	return t->ops->read(t, buf, len, err);
}
static inline int k1_transport_write(struct k1_transport *t, const void *buf, size_t len,
				     struct k1_error *err)
{
	return t->ops->write(t, buf, len, err);
}
static inline void k1_transport_close(struct k1_transport *t)
{
	if (t)
		t->ops->close(t);
}

/* TCP (transport_tcp.c): connect, exchange "FB01", then 8-byte big-endian
 * length frames. */
int k1_transport_tcp_open(const char *host, unsigned port, unsigned timeout_ms,
			  struct k1_transport **out, struct k1_error *err);

/* UDP (transport_udp.c, fastboot/udp_proto.h): QUERY then INIT, then every
 * packet sent again each rto_ms until it is answered, for up to the
 * transport's timeout_ms (0: for ever). The handshake's QUERY is tried for
 * timeout_ms: no answer is K1_ENODEV, as is an ICMP port unreachable. */
int k1_transport_udp_open(const char *host, unsigned port, unsigned timeout_ms,
			  struct k1_transport **out, struct k1_error *err);
/* The same over fd, a connected datagram socket the transport takes over
 * (closed on failure too); name is what errors say. For tests: a
 * socketpair, a short rto_ms. */
int k1_transport_udp_attach(int fd, const char *name, unsigned timeout_ms, unsigned rto_ms,
			    struct k1_transport **out, struct k1_error *err);
/* How many packets a UDP transport has sent again (0 for other kinds). */
unsigned long k1_transport_udp_resent(const struct k1_transport *t);

#endif

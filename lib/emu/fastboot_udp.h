/* Fastboot's UDP transport, device side (AOSP fastboot_protocol.txt "UDP
 * Protocol v1", U-Boot net/fastboot_udp.c; packets in fastboot/udp_proto.h):
 * one socket bound to HOST:PORT serves whichever host last sent INIT. Each
 * host packet gets exactly one answer: a QUERY the next sequence number,
 * the expected sequence number its answer (saved), the one before it the
 * saved answer again (the host lost it), anything else nothing. A command
 * or download piece is acknowledged with an empty packet; a reply waits for
 * the host's empty packet and answers it. An INIT starts a new session and
 * aborts the command under way. Faults can drop or repeat datagrams. */
#ifndef K1_FASTBOOT_UDP_H
#define K1_FASTBOOT_UDP_H

#include "base/error.h"
#include "emu/emu_link.h"
#include "fastboot/udp_proto.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define K1_FBUDP_DEVICE_PACKET 1024 /* what U-Boot offers in INIT (PACKET_SIZE) */
#define K1_FBUDP_MAX_FAULTS 16

/* Datagram numbers (1-based, counted from the start) to lose or repeat. */
struct k1_fbudp_faults {
	unsigned long drop_in[K1_FBUDP_MAX_FAULTS]; /* host packets read and ignored */
	size_t ndrop_in;
	unsigned long drop_out[K1_FBUDP_MAX_FAULTS]; /* answers not sent (still saved) */
	size_t ndrop_out;
	unsigned long dup_out[K1_FBUDP_MAX_FAULTS]; /* answers sent twice */
	size_t ndup_out;
};

struct k1_fbudp_dev {
	struct k1_emu_link link;
	/* set before k1_fbudp_dev_open */
	int timeout_ms; /* host silence tolerated inside a command; <= 0: none */
	uint16_t offer; /* the largest packet taken, sent in INIT (>= 512) */
	const struct k1_fbudp_faults *faults; /* may be NULL */
	void (*log)(void *ctx, const char *msg);
	void *ctx;
	volatile sig_atomic_t *stop; /* set: every wait ends */
	/* state */
	int fd;
	bool broken; /* the socket failed: serving cannot go on */
	bool have_peer;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	uint16_t seq;    /* the sequence number expected next */
	size_t max_data; /* data bytes per packet, agreed in INIT */
	bool busy;       /* inside a command: silence and INIT end it */
	uint64_t data_left;
	const uint8_t *pend; /* download bytes of the last packet not handed out yet */
	size_t pend_len;
	unsigned long n_in, n_out;
	size_t last_len;
	uint8_t last[K1_FBUDP_MAX_DATAGRAM]; /* the last answer, for a host that lost it */
	uint8_t in[K1_FBUDP_MAX_DATAGRAM];
};

/* Bind host:port (0: any free port; *port_out gets it) and forget any
 * session (the sequence number goes on). d's settings must be filled. */
int k1_fbudp_dev_open(struct k1_fbudp_dev *d, const char *host, int port, int *port_out,
		      struct k1_error *err);
/* Serve on fd instead, a bound datagram socket, or -1: answers go nowhere. */
void k1_fbudp_dev_attach(struct k1_fbudp_dev *d, int fd);
void k1_fbudp_dev_close(struct k1_fbudp_dev *d);

/* What one datagram of len bytes from `from` does, the answers it gets sent
 * on d->fd (none when d->fd < 0): 1 when it is the session's next FASTBOOT
 * packet (*p, pointing into buf) for the caller to handle, 0 when it was
 * answered or ignored here, K1_EIO when an INIT ended the command under way.
 * No waiting: the fuzz target feeds it datagrams directly. */
int k1_fbudp_dev_input(struct k1_fbudp_dev *d, const uint8_t *buf, size_t len,
		       const struct sockaddr_storage *from, socklen_t fromlen,
		       struct k1_fbudp_packet *p, struct k1_error *err);

#endif

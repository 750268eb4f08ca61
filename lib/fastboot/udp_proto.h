/* What both ends of fastboot's UDP transport share (AOSP
 * fastboot_protocol.txt "UDP Protocol v1", udp.cpp; U-Boot
 * net/fastboot_udp.c): every datagram is a 4-byte header (id, flags,
 * big-endian sequence number) and data. The host drives: it sends one
 * packet and the device answers exactly one, with the same id and
 * sequence number (or an ERROR); a lost packet is sent again after
 * K1_FBUDP_RTO_MS. QUERY learns the device's next sequence number, INIT
 * agrees on the version and the largest packet, then FASTBOOT packets carry
 * the fastboot protocol: a write is answered by an empty packet, a read is
 * an empty packet answered with the data; data longer than a packet goes
 * in pieces flagged CONTINUATION, each acknowledged (or prompted) by an
 * empty packet. Pure functions on bytes: transport_udp.c (host),
 * emu/fastboot_udp.c (device) and fuzz/fuzz_fastboot_udp.c use them. */
#ifndef K1_UDP_PROTO_H
#define K1_UDP_PROTO_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_FBUDP_HEADER 4
#define K1_FBUDP_VERSION 1
#define K1_FBUDP_MIN_PACKET 512       /* every device takes it; QUERY and INIT fit */
#define K1_FBUDP_HOST_MAX_PACKET 8192 /* what AOSP fastboot offers in INIT */
#define K1_FBUDP_MAX_DATAGRAM 65535   /* a receive buffer this big never truncates */
#define K1_FBUDP_RTO_MS 500           /* retransmission timeout (the spec's minimum) */
#define K1_FBUDP_FLAG_CONTINUATION 0x01

enum k1_fbudp_id {
	K1_FBUDP_ERROR = 0x00,
	K1_FBUDP_QUERY = 0x01,
	K1_FBUDP_INIT = 0x02,
	K1_FBUDP_FASTBOOT = 0x03,
};

/* One datagram, split. data points into the buffer it was parsed from. */
struct k1_fbudp_packet {
	uint8_t id, flags;
	uint16_t seq;
	const uint8_t *data;
	size_t len;
};

void k1_fbudp_put_header(uint8_t h[K1_FBUDP_HEADER], uint8_t id, uint8_t flags, uint16_t seq);
void k1_fbudp_put_u16(uint8_t *p, uint16_t v);
uint16_t k1_fbudp_get_u16(const uint8_t *p);

/* Split a datagram of len bytes: K1_EPROTO when shorter than the header.
 * Any id and flags are returned as they came. */
int k1_fbudp_parse(const uint8_t *buf, size_t len, struct k1_fbudp_packet *p, struct k1_error *err);

/* Host: is p the device's answer to the packet it sent (id, seq)? The same
 * sequence number, and the same id or ERROR. Anything else is a late or
 * repeated answer to an earlier packet, to be ignored. */
bool k1_fbudp_answers(const struct k1_fbudp_packet *p, uint8_t id, uint16_t seq);

/* The QUERY answer's data: the device's next expected sequence number.
 * K1_EPROTO when shorter than 2 bytes. */
int k1_fbudp_parse_query(const uint8_t *data, size_t len, uint16_t *next, struct k1_error *err);

/* INIT data, the same both ways: protocol version and the largest packet
 * (header included) the sender takes. K1_EPROTO when shorter than 4 bytes,
 * version 0, or a packet size below K1_FBUDP_MIN_PACKET. */
int k1_fbudp_parse_init(const uint8_t *data, size_t len, uint16_t *version, uint16_t *max_packet,
			struct k1_error *err);

/* Device: what to do with a host packet, given the sequence number it
 * expects next (fastboot_protocol.txt "Summary"). */
enum k1_fbudp_verdict {
	K1_FBUDP_IGNORE,   /* out of sequence: a late copy, or from another session */
	K1_FBUDP_QUERY_ME, /* a QUERY: answered whatever its sequence number */
	K1_FBUDP_NEW,      /* INIT or FASTBOOT with the expected number: handle it */
	K1_FBUDP_RESEND,   /* the number before: the host lost the answer, send it again */
	K1_FBUDP_REJECT,   /* an id the device does not know: answer ERROR */
};
enum k1_fbudp_verdict k1_fbudp_classify(const struct k1_fbudp_packet *p, uint16_t expected);

/* An ERROR packet's text made printable (other bytes as '?'), cut to fit
 * out (outsz > 0). */
void k1_fbudp_error_text(const uint8_t *data, size_t len, char *out, size_t outsz);

#endif

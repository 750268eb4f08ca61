/* What both ends of fastboot's TCP transport share (AOSP tcp.cpp, spec
 * §6): the "FB01" handshake, the 8-byte big-endian frame header, and
 * whole-buffer socket reads and writes that poll with a timeout and ride
 * out signals. fastboot_tcp.c (the emulated device) and transport_tcp.c
 * (the host) word their own errors from the k1_tcp_stop they get back. */
#ifndef K1_TCP_IO_H
#define K1_TCP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_FBTCP_HELLO "FB01" /* what each side sends first */
#define K1_FBTCP_HEADER 8     /* a frame: its length, big-endian, then the bytes */

/* The peer's handshake: "FBnn" with nn from 01 to 99 (any version >= 01
 * speaks this framing). */
bool k1_fbtcp_hello_ok(const uint8_t h[4]);

void k1_fbtcp_put_header(uint8_t h[K1_FBTCP_HEADER], uint64_t len);
uint64_t k1_fbtcp_header_len(const uint8_t h[K1_FBTCP_HEADER]);

/* Why a transfer stopped: op is "poll", "recv" or "send", err its errno.
 * "poll" with err 0: nothing happened within the timeout; "recv" or
 * "send" with err 0: the peer closed the connection. */
struct k1_tcp_stop {
	const char *op;
	int err;
};

/* Wait up to timeout_ms (< 0: forever) until fd is ready for events.
 * A signal restarts the wait unless intr_stops. 0, or -1 with *why. */
int k1_tcp_wait(int fd, short events, int timeout_ms, bool intr_stops, struct k1_tcp_stop *why);

/* Exactly n bytes, k1_tcp_wait before each recv or send; EINTR and EAGAIN
 * from recv and send retry. 0, or -1 with *why. */
int k1_tcp_recv_all(int fd, void *buf, size_t n, int timeout_ms, bool intr_stops,
		    struct k1_tcp_stop *why);
int k1_tcp_send_all(int fd, const void *buf, size_t n, int timeout_ms, bool intr_stops,
		    struct k1_tcp_stop *why);

#endif

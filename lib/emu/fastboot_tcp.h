/* Fastboot's TCP transport, device side (AOSP tcp.cpp, spec §6): the host
 * sends "FB01", the device answers "FB01", then every message in either
 * direction is an 8-byte big-endian length and that many bytes. A download
 * may span several frames. Every read waits at most timeout_ms. */
#ifndef K1_FASTBOOT_TCP_H
#define K1_FASTBOOT_TCP_H

#include "base/error.h"
#include "emu/emu_link.h"

#include <stddef.h>
#include <stdint.h>

#define K1_FBTCP_FRAME_CMD_MAX 4096 /* a longer frame is not a command */

struct k1_fbtcp {
	struct k1_emu_link link; /* link.received: payload bytes read on this connection */
	int fd;
	int timeout_ms;      /* per read; <= 0: wait forever */
	uint64_t frame_left; /* bytes of the current data frame not read yet */
	uint64_t data_left;  /* download bytes announced by DATA and not read yet */
};

/* Listen on host:port (port 0: any free port); *port_out gets the port. */
int k1_fbtcp_listen(const char *host, int port, int *fd_out, int *port_out, struct k1_error *err);

/* Wait up to timeout_ms for a connection: 1 with *fd set, 0 on timeout
 * (or a signal), K1_EIO on error. */
int k1_fbtcp_accept(int listen_fd, int timeout_ms, int *fd, struct k1_error *err);

/* Exchange "FB01" with the host: any "FBnn" with nn >= 1 is accepted. */
int k1_fbtcp_handshake(struct k1_fbtcp *t, struct k1_error *err);

/* One whole frame (a command packet) into buf; *len its size. A frame over
 * cap bytes is K1_EINVAL (the connection cannot continue); 0-byte
 * frames are returned as len 0. K1_EIO when the peer closes or times out;
 * err->msg says which. */
int k1_fbtcp_recv_packet(struct k1_fbtcp *t, uint8_t *buf, size_t cap, size_t *len,
			 struct k1_error *err);

/* n bytes of download data, across frames (a frame may be larger than
 * n). Set t->data_left to the DATA size first: K1_EINVAL when a frame runs
 * past it. */
int k1_fbtcp_recv_data(struct k1_fbtcp *t, uint8_t *dst, size_t n, struct k1_error *err);

/* One frame. */
int k1_fbtcp_send(struct k1_fbtcp *t, const void *data, size_t len, struct k1_error *err);

/* t as the server's link (emu_link.h): the functions above behind its ops. */
struct k1_emu_link *k1_fbtcp_link(struct k1_fbtcp *t);

#endif

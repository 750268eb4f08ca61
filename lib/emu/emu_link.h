/* The pipe between the emulated board and its host, device side: one
 * small table of operations per fastboot transport, TCP (fastboot_tcp.c)
 * or UDP (fastboot_udp.c). emu_server.c feeds the board's one command
 * handler through it without knowing which, as U-Boot's drivers/fastboot
 * serves USB and the network alike. */
#ifndef K1_EMU_LINK_H
#define K1_EMU_LINK_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

struct k1_emu_link;

struct k1_emu_link_ops {
	/* The next command, a whole message, into buf (at most cap bytes kept);
	 * *len its size. An error ends the session: the host went away, was
	 * silent, or broke the transport (err says which). */
	int (*recv_cmd)(struct k1_emu_link *l, uint8_t *buf, size_t cap, size_t *len,
			struct k1_error *err);
	/* Before a download's first recv_data: the byte count DATA announced. */
	void (*expect_data)(struct k1_emu_link *l, uint64_t total);
	/* The next n bytes of the download. */
	int (*recv_data)(struct k1_emu_link *l, uint8_t *dst, size_t n, struct k1_error *err);
	/* One reply message. */
	int (*send)(struct k1_emu_link *l, const void *data, size_t len, struct k1_error *err);
};

struct k1_emu_link {
	const struct k1_emu_link_ops *ops;
	uint64_t received; /* command and download bytes read in this session */
};

#endif

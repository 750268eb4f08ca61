/* The emulated board on fastboot's TCP or UDP transport: one host at a
 * time (a USB device has one), off the network while the board
 * re-enumerates between stages (connections refused, port unreachable),
 * faults to inject for the flasher's tests. */
#ifndef K1_EMU_SERVER_H
#define K1_EMU_SERVER_H

#include "emu/emu_board.h"
#include "emu/fastboot_udp.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct k1_emu_faults {
	uint64_t drop_after; /* drop the host after this many bytes it sent (once): TCP
				closes the connection, UDP the port for a while */
	unsigned fail_cmd;   /* answer FAIL to the K-th command (1-based; 0: none) */
	unsigned stall_cmd;  /* wait stall_ms before answering the K-th command */
	unsigned stall_ms;
	struct k1_fbudp_faults udp; /* datagrams lost or repeated */
};

struct k1_emu_server_opts {
	const char *host;     /* "127.0.0.1" */
	int port;             /* 0: any free port */
	int reenum_ms;        /* how long the device is gone between stages */
	int timeout_ms;       /* host silence tolerated inside a command or download */
	bool udp;             /* fastboot UDP instead of TCP */
	uint16_t udp_packet;  /* UDP: the largest packet offered in INIT (0: U-Boot's 1024) */
	bool exit_after_boot; /* return when a power-on boots the OS or hangs */
	struct k1_emu_faults faults;
	void (*log)(void *ctx, const char *msg);
	void (*ready)(void *ctx, const char *host, int port); /* each time it listens */
	void *ctx;
};

enum { K1_EMU_STOPPED = 0, K1_EMU_BOOTED = 1, K1_EMU_HUNG = 2 };

/* Serve until *stop is set (K1_EMU_STOPPED) or, with exit_after_boot, a
 * power-on ends in the OS (K1_EMU_BOOTED) or a hang (K1_EMU_HUNG). The
 * board must be powered on. Negative K1_E* when it cannot listen. */
int k1_emu_serve(struct k1_emu_board *b, const struct k1_emu_server_opts *o,
		 volatile sig_atomic_t *stop, struct k1_error *err);

#endif

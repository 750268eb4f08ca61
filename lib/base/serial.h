/* Serial ports for a board's debug UART: open a tty at a speed and frame
 * (115200 8N1 by default) in raw mode, the UUCP lock file so two programs
 * do not read the same port (LCK..ttyUSB0 in /run/lock, with the owner's
 * PID; a stale one is taken over), the USB adapters in /dev/serial/by-id,
 * and a pseudo-terminal pair with a stable link, for an emulated board. */
#ifndef K1_SERIAL_H
#define K1_SERIAL_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

struct k1_serial_opts {
	unsigned baud; /* 115200 */
	int data_bits; /* 5..8 */
	char parity;   /* 'N', 'E', 'O' */
	int stop_bits; /* 1, 2 */
	bool rtscts;   /* hardware flow control */
};

/* "115200", "115200,8N1", "9600,7E2", optionally ",rtscts". 0 or K1_EINVAL. */
int k1_serial_parse(const char *spec, struct k1_serial_opts *o, struct k1_error *err);

/* Take the UUCP lock for dev (after following symlinks: /dev/serial/by-id/x
 * and /dev/ttyUSB0 are one lock). The directory is $K1FW_LOCK_DIR, else
 * /run/lock, else /var/lock; an unwritable one is skipped (lockpath empty).
 * K1_EACCES names the PID that holds it. */
int k1_serial_lock(const char *dev, char *lockpath, size_t n, struct k1_error *err);
void k1_serial_unlock(const char *lockpath);

/* Open dev non-blocking, exclusive (flock), in raw mode with o's framing;
 * pending input is kept (a board's first lines). */
int k1_serial_open(const char *dev, const struct k1_serial_opts *o, int *fd, struct k1_error *err);

/* The USB serial adapters: $K1FW_SERIAL_DIR, else /dev/serial/by-id, as
 * full paths sorted by name (*paths freed with k1_serial_list_free). A
 * missing folder is no adapter. */
int k1_serial_list(char ***paths, size_t *n, struct k1_error *err);
void k1_serial_list_free(char **paths, size_t n);

/* A pseudo-terminal pair: the master (non-blocking) for the side that plays
 * the board, the slave's name in slave, and link (if set) a symlink to it
 * that replaces an old symlink but never a file. */
int k1_pty_open(const char *link, int *master, char *slave, size_t n, struct k1_error *err);

/* The local terminal in raw mode (keys pass through unchanged); saved
 * restores it. 0, or K1_EINVAL when fd is not a terminal. */
int k1_tty_raw(int fd, struct termios *saved);

#endif

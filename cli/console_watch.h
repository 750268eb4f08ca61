/* The board's serial console read in the background while another command
 * (k1fw flash --console) talks to the board over USB: when a step fails,
 * what the board itself said is printed next to the host-side error. */
#ifndef K1FW_CONSOLE_WATCH_H
#define K1FW_CONSOLE_WATCH_H

#include "base/serial.h"

#include <jansson.h>
#include <stdio.h>

struct console_watch;

/* Lock and open dev and start reading it. 0, or an exit status after an
 * error line. */
int console_watch_start(struct console_watch **w, const char *dev, const struct k1_serial_opts *o);
/* The board's last lines and doctor's conclusion so far, as text to f or
 * as one JSON object. */
void console_watch_print(struct console_watch *w, FILE *f);
json_t *console_watch_json(struct console_watch *w);
void console_watch_stop(struct console_watch *w);

#endif

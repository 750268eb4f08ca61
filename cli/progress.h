/* How `k1fw flash` shows its work: a bar per partition on a terminal (bytes,
 * rate, time left), plain lines otherwise, JSON lines with --json; and one
 * status line per board when several are flashed at once. */
#ifndef K1FW_PROGRESS_H
#define K1FW_PROGRESS_H

#include "flash/flash.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool json, tty;
	const char *who; /* the board's -s, for JSON events; NULL */
	uint64_t t0_ms, last_ms;
	bool bar_open;
	uint64_t drawn_sent; /* what the last bar showed */
};

void progress_init(struct progress *p, bool json, bool tty, const char *who);
/* A k1_flash_cb: ctx is a struct progress. */
void progress_event(void *ctx, const struct k1_flash_event *ev);
/* End an open bar line. */
void progress_finish(struct progress *p);
/* The final line or event: ok, or the error and the resume command. */
void progress_done(struct progress *p, bool ok, const char *msg, const char *resume);
/* Print j compactly on one line (stdout, flushed) and release it. */
void progress_json_line(json_t *j);

/* Several boards: one line each, redrawn in place on a terminal. */
struct board_screen {
	pthread_mutex_t mu;
	size_t n;
	char (*lines)[240];
	bool json, tty;
	size_t drawn;
};

struct board_job {
	const struct k1_flash_opts *opts;
	struct k1_target target;
	struct board_screen *screen;
	size_t line;
	const char *bundle_arg;
	char name[64];
	pthread_t thread;
	bool started;
	int status;
	struct k1_error err;
	char resume[1200];
	uint64_t t0_ms;
	struct k1_flash_status st;
	int note; /* cli_note_open's, for a signal */
};

void board_screen_init(struct board_screen *s, size_t n, bool json, bool tty);
void board_screen_set(struct board_screen *s, size_t i, const char *name, const char *text);
void board_screen_finish(struct board_screen *s);
/* Flash one board of many (thread body): returns an exit status. */
int board_run(struct board_job *j);

uint64_t progress_now_ms(void);

/* "k1fw flash --bundle B [-s S] --only LIST [--no-reboot]" into out. */
void progress_resume_cmd(char *out, size_t outsz, const char *bundle_arg, const char *spec,
			 const char *only, bool reboot);
/* Keep note's text (printed if a signal ends the run) at the resume command
 * for where the run is now: st->resume_only, which the runner keeps up to
 * date at each step. name_board: "SPEC: " first (several boards). */
void progress_resume_note(int note, const struct k1_flash_event *ev,
			  const struct k1_flash_status *st, const char *bundle_arg,
			  const char *spec, bool reboot, bool name_board);

#endif

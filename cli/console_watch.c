/* A reader thread on the console tty (console_watch.h). */
#include "console_watch.h"
#include "bootlog_report.h"
#include "command.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TAIL 12 /* lines of the board's own words kept for a failure */

struct console_watch {
	char dev[4200], lock[4300];
	int fd;
	pthread_t thread;
	pthread_mutex_t mu;
	volatile int stop;
	bool gone;
	struct k1_bootlog bl;
	struct k1_log_evidence tail[TAIL];
	size_t ntail; /* lines seen; the last TAIL of them are kept */
};

static void on_line(void *ctx, size_t line, const char *text)
{
	struct console_watch *w = ctx;
	struct k1_log_evidence *e = &w->tail[w->ntail++ % TAIL];

	e->line = line;
	snprintf(e->text, sizeof(e->text), "%.*s", (int)sizeof(e->text) - 1, text);
}

static void *reader(void *p)
{
	struct console_watch *w = p;
	unsigned char buf[4096];

	while (!w->stop) {
		struct pollfd pf = {w->fd, POLLIN, 0};
		int r = poll(&pf, 1, 200);
		ssize_t n;
		if (r <= 0)
			continue;
		n = read(w->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		pthread_mutex_lock(&w->mu);
		if (n > 0)
			k1_bootlog_feed(&w->bl, buf, (size_t)n);
		else
			w->gone = true;
		pthread_mutex_unlock(&w->mu);
		if (n <= 0)
			break;
	}
	return NULL;
}

int console_watch_start(struct console_watch **out, const char *dev, const struct k1_serial_opts *o)
{
	struct console_watch *w = calloc(1, sizeof(*w));
	struct k1_error err = {0};

	*out = NULL;
	if (!w)
		return cli_fail("out of memory");
	snprintf(w->dev, sizeof(w->dev), "%s", dev);
	if (k1_serial_lock(dev, w->lock, sizeof(w->lock), &err) ||
	    k1_serial_open(dev, o, &w->fd, &err)) {
		k1_serial_unlock(w->lock);
		free(w);
		return cli_fail("--console: %s", err.msg);
	}
	k1_bootlog_init(&w->bl);
	w->bl.on_line = on_line;
	w->bl.on_line_ctx = w;
	pthread_mutex_init(&w->mu, NULL);
	if (pthread_create(&w->thread, NULL, reader, w)) {
		close(w->fd);
		k1_serial_unlock(w->lock);
		free(w);
		return cli_fail("--console: cannot start a thread");
	}
	*out = w;
	return 0;
}

/* The board's words so far; the caller holds mu. */
static void snapshot(struct console_watch *w, struct k1_bootlog_report *r, char *status, size_t n)
{
	k1_bootlog_report(&w->bl, true, r);
	k1_bootlog_status(r, status, n);
}

void console_watch_print(struct console_watch *w, FILE *f)
{
	struct k1_bootlog_report r;
	char status[200];
	size_t first;

	usleep(500 * 1000); /* what the board prints as it fails comes a moment later */
	pthread_mutex_lock(&w->mu);
	snapshot(w, &r, status, sizeof(status));
	first = w->ntail > TAIL ? w->ntail - TAIL : 0;
	fprintf(f, "k1fw: the board's console (%s)%s:\n", w->dev,
		w->ntail ? ", its last lines" : " printed nothing");
	for (size_t i = first; i < w->ntail; i++)
		fprintf(f, "  | %s\n", w->tail[i % TAIL].text);
	if (w->gone)
		fprintf(f, "k1fw: the console adapter went away\n");
	fprintf(f, "k1fw: the console says: %s\n", status);
	if (r.boots == 0 && r.why[0])
		fprintf(f, "k1fw: why: %s\nk1fw: fix: %s\n", r.why, r.fix);
	pthread_mutex_unlock(&w->mu);
}

json_t *console_watch_json(struct console_watch *w)
{
	struct k1_bootlog_report r;
	char status[200];
	json_t *lines = json_array(), *j;
	size_t first;

	usleep(500 * 1000);
	pthread_mutex_lock(&w->mu);
	snapshot(w, &r, status, sizeof(status));
	first = w->ntail > TAIL ? w->ntail - TAIL : 0;
	for (size_t i = first; i < w->ntail; i++)
		json_array_append_new(lines, json_string(w->tail[i % TAIL].text));
	j = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "event", "console", "device", w->dev,
		      "status", status, "gone", w->gone, "lines", lines, "report",
		      bootlog_report_json(&r));
	pthread_mutex_unlock(&w->mu);
	return j;
}

void console_watch_stop(struct console_watch *w)
{
	if (!w)
		return;
	w->stop = 1;
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	close(w->fd);
	k1_serial_unlock(w->lock);
	free(w);
}

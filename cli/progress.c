/* Progress output for k1fw flash (see progress.h). */
#include "progress.h"
#include "command.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REDRAW_MS 100 /* a bar or a status line is redrawn at most this often */
#define JSON_MS 250   /* progress events at most this often */

uint64_t progress_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_json_line(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	if (s) {
		printf("%s\n", s);
		fflush(stdout);
		free(s);
	}
	json_decref(j);
}

void progress_init(struct progress *p, bool json, bool tty, const char *who)
{
	memset(p, 0, sizeof(*p));
	p->json = json;
	p->tty = tty && !json;
	p->who = who;
}

static const char *step_verb(enum k1_step_kind k)
{
	switch (k) {
	case K1_STEP_STAGE:
		return "stage";
	case K1_STEP_CONTINUE:
		return "continue";
	case K1_STEP_TABLE:
		return "table";
	case K1_STEP_FLASH:
		return "flash";
	case K1_STEP_REBOOT:
		return "reboot";
	}
	return "?";
}

static double mib(uint64_t b)
{
	return (double)b / (1024.0 * 1024.0);
}

/* "12.3/100.0 MiB  45.6 MiB/s  ETA 0:02" */
static void rate_text(char *out, size_t n, uint64_t sent, uint64_t total, uint64_t ms)
{
	double secs = ms ? (double)ms / 1000.0 : 0.001, rate = (double)sent / secs;
	uint64_t eta = rate > 0 && total > sent ? (uint64_t)((double)(total - sent) / rate) : 0;
	snprintf(out, n, "%6.1f/%.1f MiB %6.1f MiB/s ETA %" PRIu64 ":%02" PRIu64, mib(sent),
		 mib(total), mib((uint64_t)rate), eta / 60, eta % 60);
}

static void draw_bar(struct progress *p, const struct k1_flash_event *ev, bool final)
{
	char bar[31], rt[80];
	unsigned fill = ev->total ? (unsigned)(ev->sent * 30 / ev->total) : 30;
	for (unsigned i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[30] = '\0';
	rate_text(rt, sizeof(rt), ev->sent, ev->total, progress_now_ms() - p->t0_ms);
	printf("\r%-10s [%s] %s\033[K%s", ev->step->part, bar, rt, final ? "\n" : "");
	fflush(stdout);
	p->bar_open = !final;
	p->drawn_sent = ev->sent;
}

static json_t *event_json(const struct progress *p, const char *name)
{
	json_t *j = json_pack("{s:s}", "event", name);
	if (p->who)
		json_object_set_new(j, "board", json_string(p->who));
	return j;
}

static void json_event(struct progress *p, const struct k1_flash_event *ev)
{
	static const char *names[] = {"connected", "waiting", "begin", "progress", "end",
				      "skip",      "info",    "plan",  "note"};
	json_t *j = event_json(p, names[ev->kind]);
	const struct k1_flash_step *s = ev->step;

	if (s) {
		json_object_set_new(j, "step", json_string(step_verb(s->kind)));
		json_object_set_new(j, "partition", json_string(s->part));
	}
	switch (ev->kind) {
	case K1_EV_CONNECTED:
		json_object_set_new(j, "transport", json_string(ev->msg));
		json_object_set_new(j, "stage", json_string(k1_stage_name(ev->stage)));
		break;
	case K1_EV_BEGIN:
		if (s->rel[0])
			json_object_set_new(j, "file", json_string(s->rel));
		json_object_set_new(j, "bytes", json_integer((json_int_t)ev->total));
		json_object_set_new(j, "image_bytes", json_integer((json_int_t)s->size));
		if (ev->msg)
			json_object_set_new(j, "why", json_string(ev->msg));
		break;
	case K1_EV_PROGRESS:
		json_object_set_new(j, "sent", json_integer((json_int_t)ev->sent));
		json_object_set_new(j, "total", json_integer((json_int_t)ev->total));
		break;
	case K1_EV_END:
		json_object_set_new(j, "bytes", json_integer((json_int_t)ev->sent));
		json_object_set_new(j, "seconds",
				    json_real((double)(progress_now_ms() - p->t0_ms) / 1000.0));
		break;
	default:
		if (ev->msg)
			json_object_set_new(j, "message", json_string(ev->msg));
	}
	progress_json_line(j);
}

void progress_event(void *ctx, const struct k1_flash_event *ev)
{
	struct progress *p = ctx;
	const struct k1_flash_step *s = ev->step;
	uint64_t now = progress_now_ms();

	if (ev->kind == K1_EV_BEGIN) {
		p->t0_ms = p->last_ms = now;
		p->drawn_sent = UINT64_MAX;
	}
	if (ev->kind == K1_EV_PROGRESS) {
		bool last = ev->sent == ev->total;
		if (!last && now - p->last_ms < (p->json ? JSON_MS : REDRAW_MS))
			return;
		p->last_ms = now;
	}
	if (p->json) {
		json_event(p, ev);
		return;
	}
	if (ev->kind != K1_EV_PROGRESS && ev->kind != K1_EV_END)
		progress_finish(p);
	switch (ev->kind) {
	case K1_EV_CONNECTED:
		printf("connected to %s: the board is in %s\n", ev->msg, k1_stage_name(ev->stage));
		break;
	case K1_EV_WAITING:
	case K1_EV_PLAN:
		printf("%s\n", ev->msg);
		break;
	case K1_EV_INFO:
		printf("  (bootloader) %s\n", ev->msg);
		break;
	case K1_EV_NOTE:
		printf("  note: %s\n", ev->msg);
		break;
	case K1_EV_SKIP:
		printf("skip %s %s: the board is past %s\n", step_verb(s->kind), s->part,
		       k1_stage_name(s->when));
		break;
	case K1_EV_BEGIN:
		if (s->kind == K1_STEP_CONTINUE || s->kind == K1_STEP_REBOOT)
			printf("%s\n", step_verb(s->kind));
		else if (!p->tty && ev->total != s->size)
			printf("flash %s %s (%" PRIu64 " bytes, %" PRIu64 " to send: %s)\n",
			       s->part, s->rel, s->size, ev->total, ev->msg ? ev->msg : "");
		else if (!p->tty)
			printf("%s %s %s (%" PRIu64 " bytes)\n",
			       s->kind == K1_STEP_STAGE ? "stage" : "flash", s->part, s->rel,
			       s->size);
		break;
	case K1_EV_PROGRESS:
		if (p->tty)
			draw_bar(p, ev, false);
		break;
	case K1_EV_END:
		if (s->kind == K1_STEP_CONTINUE || s->kind == K1_STEP_REBOOT)
			break;
		if (p->tty) {
			struct k1_flash_event e = *ev;
			e.total = e.sent;
			if (p->bar_open || p->drawn_sent != ev->sent) /* not yet shown whole */
				draw_bar(p, &e, true);
		} else {
			uint64_t ms = now - p->t0_ms ? now - p->t0_ms : 1;
			printf("  %s: %" PRIu64 " bytes sent, %.1f s, %.1f MiB/s\n", s->part,
			       ev->sent, (double)ms / 1000.0, mib(ev->sent) * 1000.0 / (double)ms);
		}
		break;
	}
	fflush(stdout);
}

void progress_finish(struct progress *p)
{
	if (p->bar_open) {
		printf("\n");
		p->bar_open = false;
	}
}

void progress_done(struct progress *p, bool ok, const char *msg, const char *resume)
{
	if (!p->json) {
		if (ok)
			printf("flashed%s%s\n", p->who ? " " : "", p->who ? p->who : "");
		return;
	}
	json_t *j = event_json(p, ok ? "done" : "error");
	if (!ok) {
		json_object_set_new(j, "message", json_string(msg));
		if (resume && resume[0])
			json_object_set_new(j, "resume", json_string(resume));
	}
	progress_json_line(j);
}

/* ---- several boards ---- */

void board_screen_init(struct board_screen *s, size_t n, bool json, bool tty)
{
	pthread_mutex_init(&s->mu, NULL);
	s->n = n;
	s->lines = calloc(n, sizeof(*s->lines));
	s->json = json;
	s->tty = tty && !json;
	s->drawn = 0;
}

void board_screen_set(struct board_screen *s, size_t i, const char *name, const char *text)
{
	pthread_mutex_lock(&s->mu);
	if (s->lines && i < s->n) {
		char line[240];
		snprintf(line, sizeof(line), "%-16s %s", name, text);
		if (strcmp(line, s->lines[i])) {
			snprintf(s->lines[i], sizeof(s->lines[i]), "%s", line);
			if (s->tty) {
				if (s->drawn)
					printf("\033[%zuA", s->drawn);
				for (size_t k = 0; k < s->n; k++)
					printf("\r%s\033[K\n", s->lines[k]);
				s->drawn = s->n;
			} else if (!s->json) {
				printf("%s\n", line);
			}
			fflush(stdout);
		}
	}
	pthread_mutex_unlock(&s->mu);
}

void board_screen_finish(struct board_screen *s)
{
	free(s->lines);
	s->lines = NULL;
	pthread_mutex_destroy(&s->mu);
}

void progress_resume_cmd(char *out, size_t outsz, const char *bundle_arg, const char *spec,
			 const char *only, bool reboot)
{
	snprintf(out, outsz, "k1fw flash --bundle %s%s%s --only %s%s", bundle_arg,
		 spec ? " -s " : "", spec ? spec : "", only, reboot ? "" : " --no-reboot");
}

void progress_resume_note(int note, const struct k1_flash_event *ev,
			  const struct k1_flash_status *st, const char *bundle_arg,
			  const char *spec, bool reboot, bool name_board)
{
	char cmd[1200];

	if (ev->kind != K1_EV_BEGIN && ev->kind != K1_EV_END)
		return;
	if (!st->resume_only[0]) {
		cli_note_set(note, "%s", "");
		return;
	}
	progress_resume_cmd(cmd, sizeof(cmd), bundle_arg, spec, st->resume_only, reboot);
	cli_note_set(note, "%s%sresume with: %s", name_board ? spec : "", name_board ? ": " : "",
		     cmd);
}

static void board_event(void *ctx, const struct k1_flash_event *ev)
{
	struct board_job *j = ctx;
	char text[200];
	const struct k1_flash_step *s = ev->step;
	uint64_t now = progress_now_ms();

	progress_resume_note(j->note, ev, &j->st, j->bundle_arg, j->name, j->opts->reboot, true);
	if (j->screen->json) {
		struct progress p = {.json = true, .who = j->name, .t0_ms = j->t0_ms};
		if (ev->kind == K1_EV_BEGIN)
			j->t0_ms = now;
		p.t0_ms = j->t0_ms;
		pthread_mutex_lock(&j->screen->mu);
		json_event(&p, ev);
		pthread_mutex_unlock(&j->screen->mu);
		return;
	}
	switch (ev->kind) {
	case K1_EV_CONNECTED:
		snprintf(text, sizeof(text), "in %s", k1_stage_name(ev->stage));
		break;
	case K1_EV_WAITING:
		snprintf(text, sizeof(text), "%s", ev->msg);
		break;
	case K1_EV_BEGIN:
		j->t0_ms = now;
		snprintf(text, sizeof(text), "[%zu/%zu] %s %s", ev->index + 1, ev->count,
			 step_verb(s->kind), s->part);
		break;
	case K1_EV_PROGRESS: {
		char rt[80];
		if (!j->screen->tty)
			return; /* plain output: one line per step, not per chunk */
		rate_text(rt, sizeof(rt), ev->sent, ev->total, now - j->t0_ms);
		snprintf(text, sizeof(text), "[%zu/%zu] %s %s %s", ev->index + 1, ev->count,
			 step_verb(s->kind), s->part, rt);
		break;
	}
	default:
		return;
	}
	board_screen_set(j->screen, j->line, j->name, text);
}

int board_run(struct board_job *j)
{
	j->note = cli_note_open();
	int rc = k1_flash_run(j->opts, &j->target, board_event, j, &j->st, &j->err);
	cli_note_close(j->note);
	if (rc && j->st.spl_lost) /* as run_one says it (cmd_flash.c) */
		k1_err(&j->err, rc,
		       "%.300s (lost right after its SPL started: on a 2 GB board "
		       "the EEPROM's ddr_cs_num; k1fw eeprom set --bundle %.200s -s "
		       "%.60s ddr_cs_num=1)",
		       j->err.msg, j->bundle_arg, j->name);
	else if (rc && j->st.resume_only[0])
		progress_resume_cmd(j->resume, sizeof(j->resume), j->bundle_arg, j->name,
				    j->st.resume_only, j->opts->reboot);
	if (j->screen->json) {
		struct progress p = {.json = true, .who = j->name};
		pthread_mutex_lock(&j->screen->mu);
		progress_done(&p, !rc, j->err.msg, j->resume);
		pthread_mutex_unlock(&j->screen->mu);
	} else {
		char text[200];
		snprintf(text, sizeof(text), rc ? "FAILED: %.180s" : "done", j->err.msg);
		board_screen_set(j->screen, j->line, j->name, text);
	}
	if (!rc)
		return EXIT_OK;
	return rc == K1_EINVAL || rc == K1_ENOTSUP ? EXIT_USAGE : EXIT_CHECK_FAILED;
}

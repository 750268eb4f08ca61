/* The emulator's TCP loop. */
#include "emu/emu_server.h"
#include "emu/fastboot_tcp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)

struct server {
	struct k1_emu_board *b;
	const struct k1_emu_server_opts *o;
	volatile sig_atomic_t *stop;
	unsigned ncmd;
	bool dropped;
};

static void logf_(const struct server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void logf_(const struct server *s, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;

	if (!s->o->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o->log(s->o->ctx, msg);
}

static void nap(const struct server *s, int ms)
{
	while (ms > 0 && !*s->stop) {
		int step = ms < 50 ? ms : 50;
		struct timespec ts = {0, (long)step * 1000000L};
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

static int send_reply(struct server *s, struct k1_fbtcp *t, const struct k1_emu_reply *r,
		      struct k1_error *err)
{
	for (size_t i = 0; i < r->ninfo; i++)
		if (k1_fbtcp_send(t, r->info[i], strlen(r->info[i]), err))
			return K1_EIO;
	if (r->final[0])
		logf_(s, "  -> %s", r->final);
	return r->final[0] ? k1_fbtcp_send(t, r->final, strlen(r->final), err) : 0;
}

/* Receive a download; false when the host went away (nothing kept). */
static bool receive(struct server *s, struct k1_fbtcp *t, size_t n, struct k1_emu_reply *rep)
{
	uint8_t *buf = k1_emu_download_buf(s->b, n);
	struct k1_error e = {0};
	size_t got = 0;

	if (!buf) {
		logf_(s, "download of %zu bytes: out of memory", n);
		k1_emu_download_done(s->b, n, false, rep);
		return false;
	}
	t->data_left = n;
	while (got < n) {
		size_t c = n - got < CHUNK ? n - got : CHUNK;
		if (s->o->faults.drop_after && !s->dropped &&
		    t->received + c >= s->o->faults.drop_after) {
			s->dropped = true;
			logf_(s, "fault: dropping the connection after %llu bytes",
			      (unsigned long long)s->o->faults.drop_after);
			k1_emu_download_done(s->b, n, false, rep);
			return false;
		}
		if (k1_fbtcp_recv_data(t, buf + got, c, &e)) {
			logf_(s, "download aborted after %zu of %zu bytes (%s): storage untouched",
			      got, n, e.msg);
			k1_emu_download_done(s->b, n, false, rep);
			return false;
		}
		got += c;
	}
	k1_emu_download_done(s->b, n, true, rep);
	return true;
}

static void serve_conn(struct server *s, int fd)
{
	struct k1_fbtcp t = {.fd = fd, .timeout_ms = s->o->timeout_ms};
	struct k1_error e = {0};
	static uint8_t pkt[K1_FBTCP_FRAME_CMD_MAX];
	static struct k1_emu_reply rep;
	size_t len;

	if (k1_fbtcp_handshake(&t, &e)) {
		logf_(s, "handshake: %s", e.msg);
		return;
	}
	while (!*s->stop) {
		if (k1_fbtcp_recv_packet(&t, pkt, sizeof(pkt), &len, &e)) {
			if (strcmp(e.msg, "host closed the connection"))
				logf_(s, "connection: %s", e.msg);
			return;
		}
		s->ncmd++;
		logf_(s, "[%s] %.*s", k1_emu_stage_name(s->b->stage), (int)(len < 80 ? len : 80),
		      (const char *)pkt);
		if (s->o->faults.stall_cmd == s->ncmd)
			nap(s, (int)s->o->faults.stall_ms);
		if (s->o->faults.fail_cmd == s->ncmd) {
			memset(&rep, 0, sizeof(rep));
			k1_fb_reply(rep.final, "FAIL", "injected fault (command %u)", s->ncmd);
		} else {
			k1_emu_command(s->b, pkt, len, &rep);
		}
		if (send_reply(s, &t, &rep, &e))
			return;
		if (rep.data_len &&
		    (!receive(s, &t, rep.data_len, &rep) || send_reply(s, &t, &rep, &e)))
			return;
		if (s->b->leave)
			return;
	}
}

static void verdict(struct server *s)
{
	const struct k1_bootsim_result *r = &s->b->boot;

	if (r->outcome == K1_BOOT_OK)
		logf_(s, "power-on: boots from %s", r->medium);
	else
		logf_(s, "power-on: %s: %s %s failed: %s",
		      r->outcome == K1_BOOT_DOWNLOAD ? "download mode" : "hang", r->medium, r->step,
		      r->why);
	logf_(s, "stage: %s", k1_emu_stage_name(s->b->stage));
}

int k1_emu_serve(struct k1_emu_board *b, const struct k1_emu_server_opts *o,
		 volatile sig_atomic_t *stop, struct k1_error *err)
{
	struct server s = {.b = b, .o = o, .stop = stop};
	int lfd = -1, port = o->port, rc;

	verdict(&s);
	while (!*stop) {
		int fd;
		if (b->stage == K1_EMU_STAGE_OS || b->stage == K1_EMU_STAGE_HANG) {
			if (o->exit_after_boot)
				return b->stage == K1_EMU_STAGE_OS ? K1_EMU_BOOTED : K1_EMU_HUNG;
			nap(&s, 200);
			continue;
		}
		if (lfd < 0) {
			if ((rc = k1_fbtcp_listen(o->host, port, &lfd, &port, err)))
				return rc;
			if (o->ready)
				o->ready(o->ctx, o->host, port);
		}
		rc = k1_fbtcp_accept(lfd, 200, &fd, err);
		if (rc < 0) {
			close(lfd);
			return rc;
		}
		if (rc == 0)
			continue;
		serve_conn(&s, fd);
		close(fd);
		if (!b->leave)
			continue;
		close(lfd); /* off the bus: connections are refused */
		lfd = -1;
		logf_(&s, "device left (%s); back in %d ms", k1_emu_stage_name(b->stage),
		      o->reenum_ms);
		nap(&s, o->reenum_ms);
		bool cycle = b->power_cycle;
		k1_emu_transition(b);
		if (cycle)
			verdict(&s);
		else
			logf_(&s, "stage: %s", k1_emu_stage_name(b->stage));
	}
	if (lfd >= 0)
		close(lfd);
	return K1_EMU_STOPPED;
}

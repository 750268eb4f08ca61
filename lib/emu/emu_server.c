/* The emulator's server: the board on the bus while it is in a fastboot
 * stage, off it while it re-enumerates; its commands from whichever
 * transport serves it (emu_link.h). */
#include "emu/emu_server.h"
#include "emu/fastboot_tcp.h"
#include "emu/fastboot_udp.h"

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
	bool dropped;                  /* the drop fault has happened (it happens once) */
	bool drop_now;                 /* ... just now: the session ends */
	uint16_t udp_seq;              /* UDP: the next sequence number, across stages */
	unsigned long udp_in, udp_out; /* UDP: datagrams so far (the faults count them) */
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

static int send_reply(struct server *s, struct k1_emu_link *l, const struct k1_emu_reply *r,
		      struct k1_error *err)
{
	for (size_t i = 0; i < r->ninfo; i++)
		if (l->ops->send(l, r->info[i], strlen(r->info[i]), err))
			return K1_EIO;
	if (r->final[0] || r->empty)
		logf_(s, "  -> %s", r->empty ? "(no status)" : r->final);
	return r->final[0] || r->empty ? l->ops->send(l, r->final, strlen(r->final), err) : 0;
}

/* Receive a download; false when the host went away (nothing kept). */
static bool receive(struct server *s, struct k1_emu_link *l, size_t n, struct k1_emu_reply *rep)
{
	uint8_t *buf = k1_emu_download_buf(s->b, n);
	struct k1_error e = {0};
	size_t got = 0;

	if (!buf) {
		logf_(s, "download of %zu bytes: out of memory", n);
		k1_emu_download_done(s->b, n, false, rep);
		return false;
	}
	l->ops->expect_data(l, n);
	while (got < n) {
		size_t c = n - got < CHUNK ? n - got : CHUNK;
		if (s->o->faults.drop_after && !s->dropped &&
		    l->received + c >= s->o->faults.drop_after) {
			s->dropped = s->drop_now = true;
			logf_(s, "fault: dropping the connection after %llu bytes",
			      (unsigned long long)s->o->faults.drop_after);
			k1_emu_download_done(s->b, n, false, rep);
			return false;
		}
		if (l->ops->recv_data(l, buf + got, c, &e)) {
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

/* Commands until the host goes, the board leaves the bus or a fault drops
 * the host: one TCP connection, or a stretch of a UDP socket's life. */
static void serve_session(struct server *s, struct k1_emu_link *l)
{
	struct k1_error e = {0};
	static uint8_t pkt[K1_FBTCP_FRAME_CMD_MAX];
	static struct k1_emu_reply rep;
	size_t len;

	while (!*s->stop) {
		if (l->ops->recv_cmd(l, pkt, sizeof(pkt), &len, &e)) {
			if (strcmp(e.msg, "host closed the connection") && !*s->stop)
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
		if (send_reply(s, l, &rep, &e)) {
			if (!*s->stop)
				logf_(s, "reply: %s", e.msg);
			return;
		}
		if (rep.data_len && s->b->stalled) {
			logf_(s, "the board never takes the data (its DDR is down): hung until "
				 "stopped");
			while (!*s->stop)
				nap(s, 200);
			return;
		}
		if (rep.data_len) { /* receive() turns rep into the download's reply */
			if (!receive(s, l, rep.data_len, &rep))
				return;
			if (send_reply(s, l, &rep, &e)) {
				if (!*s->stop)
					logf_(s, "reply: %s", e.msg);
				return;
			}
		}
		if (s->b->leave)
			return;
	}
}

/* TCP: one connection after another until the board leaves the bus. */
static int on_bus_tcp(struct server *s, int *port, struct k1_error *err)
{
	int lfd, rc;

	if ((rc = k1_fbtcp_listen(s->o->host, *port, &lfd, port, err)))
		return rc;
	if (s->o->ready)
		s->o->ready(s->o->ctx, s->o->host, *port);
	while (!*s->stop && !s->b->leave) {
		int fd;
		if ((rc = k1_fbtcp_accept(lfd, 200, &fd, err)) < 0)
			break;
		if (rc == 0)
			continue;
		struct k1_fbtcp t = {.fd = fd, .timeout_ms = s->o->timeout_ms};
		struct k1_error e = {0};
		if (k1_fbtcp_handshake(&t, &e))
			logf_(s, "handshake: %s", e.msg);
		else
			serve_session(s, k1_fbtcp_link(&t));
		close(fd);
		s->drop_now = false; /* the connection is gone: that was the drop */
		rc = 0;
	}
	close(lfd); /* off the bus: connections are refused */
	return rc < 0 ? rc : 0;
}

/* UDP: one socket, sessions as hosts send INIT, until the board leaves the
 * bus. A dropped host finds the port closed for a while (ICMP port
 * unreachable), then a device that has forgotten its session. */
static int on_bus_udp(struct server *s, int *port, struct k1_error *err)
{
	static struct k1_fbudp_dev d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.timeout_ms = s->o->timeout_ms;
	d.offer = s->o->udp_packet;
	d.faults = &s->o->faults.udp;
	d.log = s->o->log;
	d.ctx = s->o->ctx;
	d.stop = s->stop;
	d.seq = s->udp_seq;
	if ((rc = k1_fbudp_dev_open(&d, s->o->host, *port, port, err)))
		return rc;
	d.n_in = s->udp_in;
	d.n_out = s->udp_out;
	if (s->o->ready)
		s->o->ready(s->o->ctx, s->o->host, *port);
	while (!*s->stop && !s->b->leave) {
		serve_session(s, &d.link);
		if (d.broken) {
			rc = k1_err(err, K1_EIO, "udp:%s:%d: the socket failed", s->o->host, *port);
			break;
		}
		if (!s->drop_now)
			continue;
		s->drop_now = false;
		k1_fbudp_dev_close(&d);
		nap(s,
		    s->o->reenum_ms > 2 * K1_FBUDP_RTO_MS ? s->o->reenum_ms : 2 * K1_FBUDP_RTO_MS);
		if ((rc = k1_fbudp_dev_open(&d, s->o->host, *port, port, err)))
			return rc;
	}
	s->udp_seq = d.seq;
	s->udp_in = d.n_in;
	s->udp_out = d.n_out;
	k1_fbudp_dev_close(&d);
	return rc;
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
	struct server s = {.b = b, .o = o, .stop = stop, .udp_seq = 1};
	int port = o->port, rc;

	verdict(&s);
	while (!*stop) {
		if (b->stage == K1_EMU_STAGE_OS || b->stage == K1_EMU_STAGE_HANG) {
			if (o->exit_after_boot)
				return b->stage == K1_EMU_STAGE_OS ? K1_EMU_BOOTED : K1_EMU_HUNG;
			nap(&s, 200);
			continue;
		}
		rc = o->udp ? on_bus_udp(&s, &port, err) : on_bus_tcp(&s, &port, err);
		if (rc < 0)
			return rc;
		if (!b->leave)
			continue;
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
	return K1_EMU_STOPPED;
}

/* k1fw console: a serial terminal for the board's debug UART that reads the
 * boot as it scrolls by and keeps doctor's conclusion so far on a status
 * line (or as --json events). */
#include "base/serial.h"
#include "bootlog_report.h"
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag, winch_flag;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		winch_flag = 1;
	else
		stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw console [DEVICE] [--serial SPEED[,8N1][,rtscts]] [--log FILE]\n"
		"                    [--json] [--escape C] [--exit-on-verdict] [--timeout S]\n"
		"                    [--hang-after S]\n\n"
		"A serial terminal for a K1 board's debug UART (UART0; BPI-F3: GND pin 6, TX pin\n"
		"8, RX pin 10), 115200 8N1 unless --serial says otherwise. Keys pass through\n"
		"raw; Ctrl-] then q quits (Ctrl-] twice sends one Ctrl-]). What the board\n"
		"prints is read as doctor --log reads a file: a status line at the bottom\n"
		"says how far the boot got and what stops it (\"BootROM: download mode (eMMC\n"
		"has no bootinfo)\", \"SPL running\", \"U-Boot prompt\", \"Linux booting\").\n\n"
		"Without DEVICE the only USB serial adapter in /dev/serial/by-id is used (with\n"
		"several, they are listed). The port is locked the UUCP way (/run/lock/LCK..\n"
		"ttyUSB0), so minicom, picocom or another console cannot take it meanwhile.\n\n"
		"  --serial S         speed and frame, e.g. 115200,8N1 or 1500000,8N1,rtscts\n"
		"  --log FILE         write every line to FILE, each with its time\n"
		"                     ([YYYY-MM-DD HH:MM:SS.mmm]); doctor --log FILE reads it\n"
		"  --json             one JSON object per line on stdout: start, line, status,\n"
		"                     end (with doctor's report); the board's output is not\n"
		"                     echoed\n"
		"  --escape C         the escape key is Ctrl-C instead of Ctrl-] (a letter)\n"
		"  --exit-on-verdict  quit once the boot is decided: Linux is up, or a failure\n"
		"                     stands with --hang-after seconds of quiet\n"
		"  --timeout S        quit after S seconds\n"
		"  --hang-after S     quiet seconds after a banner that count as a hang (3)\n\n"
		"K1FW_SERIAL_DIR and K1FW_LOCK_DIR replace /dev/serial/by-id and /run/lock.\n"
		"Exit status: 0 quit (or with --exit-on-verdict: it boots), 1 the adapter went\n"
		"away (or it does not boot), 2 usage or a port that cannot be opened, 3 the\n"
		"verdict is still open at --timeout.\n");
}

struct console {
	int tty, in;
	bool json, status_line, in_eof;
	int rows;
	FILE *log;
	struct k1_output log_out; /* --log, through a temporary beside it */
	const char *log_path;
	struct k1_bootlog *bl;
	char status[200];
	double last_line;  /* when the board last printed a line */
	double hang_after; /* quiet seconds that make a banner a hang */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void json_event(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (s)
		printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(j);
}

/* ---- the status line: the terminal's last row, outside the scroll region ---- */

static void status_setup(struct console *c)
{
	struct winsize ws;

	if (!c->status_line || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 3) {
		c->rows = 0;
		return;
	}
	c->rows = ws.ws_row;
	printf("\0337\033[1;%dr\0338", c->rows - 1);
	fflush(stdout);
}

static void status_draw(struct console *c)
{
	if (!c->rows)
		return;
	printf("\0337\033[%d;1H\033[2K\033[7m k1fw: %.*s \033[0m\0338", c->rows, 150, c->status);
	fflush(stdout);
}

static void status_teardown(struct console *c)
{
	if (!c->rows)
		return;
	printf("\0337\033[%d;1H\033[2K\0338\033[r", c->rows);
	fflush(stdout);
	c->rows = 0;
}

static void update_status(struct console *c, bool force)
{
	struct k1_bootlog_report r;
	char s[sizeof(c->status)];

	k1_bootlog_report(c->bl, now() - c->last_line >= c->hang_after && c->bl->nlines, &r);
	k1_bootlog_status(&r, s, sizeof(s));
	if (!force && !strcmp(s, c->status))
		return;
	snprintf(c->status, sizeof(c->status), "%s", s);
	if (c->json)
		json_event(json_pack("{s:s, s:s, s:s, s:o, s:s}", "event", "status", "status", s,
				     "reached", k1_log_stage_name(r.reached), "boots",
				     r.boots < 0 ? json_null() : json_boolean(r.boots), "step",
				     r.step));
	else if (c->rows)
		status_draw(c);
	else
		fprintf(stderr, "k1fw console: %s\n", s);
}

/* ---- lines: the log file and JSON events ---- */

static void on_line(void *ctx, size_t line, const char *text)
{
	struct console *c = ctx;

	c->last_line = now();
	if (c->log) {
		struct timeval tv;
		struct tm tm;
		char stamp[40];
		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(c->log, "[%s.%03ld] %s\n", stamp, (long)(tv.tv_usec / 1000), text);
		fflush(c->log);
	}
	if (c->json)
		json_event(json_pack("{s:s, s:I, s:s}", "event", "line", "line", (json_int_t)line,
				     "text", text));
}

static int log_open(struct console *c)
{
	struct k1_error err = {0};
	int fd;

	if (!c->log_path)
		return 0;
	if (k1_output_init(&c->log_out, c->log_path, 0, &err) ||
	    k1_output_open(&c->log_out, 0644, &err))
		return cli_fail("--log %s", err.msg);
	if ((fd = dup(c->log_out.fd)) < 0 || !(c->log = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		k1_output_abort(&c->log_out);
		return cli_fail("--log %s: %s", c->log_path, strerror(errno));
	}
	return 0;
}

/* The capture ends (q, a verdict, a signal): the log goes in place. */
static void log_close(struct console *c)
{
	struct k1_error err = {0};

	if (!c->log)
		return;
	if (fclose(c->log))
		cli_warn("--log %s: %s", c->log_path, strerror(errno));
	c->log = NULL;
	if (k1_output_commit(&c->log_out, &err))
		cli_warn("--log %s", err.msg);
}

/* ---- the device ---- */

static int pick_device(char *out, size_t n)
{
	struct k1_error err = {0};
	char **v;
	size_t cnt;

	if (k1_serial_list(&v, &cnt, &err))
		return cli_fail_err(&err);
	if (cnt == 1)
		snprintf(out, n, "%s", v[0]);
	if (cnt == 0)
		cli_fail("no USB serial adapter found (nothing in /dev/serial/by-id): name the "
			 "port, e.g. k1fw console /dev/ttyUSB0");
	if (cnt > 1) {
		cli_fail("%zu USB serial adapters: name the one on the board's UART0:", cnt);
		for (size_t i = 0; i < cnt; i++)
			fprintf(stderr, "  %s\n", v[i]);
	}
	k1_serial_list_free(v, cnt);
	return cnt == 1 ? 0 : EXIT_USAGE;
}

/* Keys to the board: the escape key then q quits, escape twice sends one. */
static bool keys(struct console *c, const unsigned char *k, size_t n, unsigned char esc,
		 bool *pending)
{
	unsigned char out[1024];
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (*pending) {
			*pending = false;
			if (k[i] == 'q' || k[i] == 'Q' || k[i] == ('q' & 0x1f))
				return true;
			if (k[i] != esc && o < sizeof(out))
				out[o++] = esc;
		} else if (k[i] == esc) {
			*pending = true;
			continue;
		}
		if (o < sizeof(out))
			out[o++] = k[i];
	}
	for (size_t w = 0; w < o;) {
		ssize_t r = write(c->tty, out + w, o - w);
		if (r > 0) {
			w += (size_t)r;
		} else if (r < 0 && errno == EAGAIN) {
			struct pollfd p = {c->tty, POLLOUT, 0};
			if (poll(&p, 1, 200) <= 0)
				break; /* the board does not take keys: drop them */
		} else {
			break;
		}
	}
	return false;
}

enum end { END_QUIT, END_GONE, END_TIMEOUT, END_VERDICT, END_SIGNAL };

static enum end loop(struct console *c, unsigned char esc, bool exit_on_verdict, double timeout,
		     double hang_after)
{
	double start = now();
	bool pending = false;
	unsigned char buf[4096];

	while (!stop_flag) {
		struct pollfd p[2] = {{c->tty, POLLIN, 0}, {c->in, POLLIN, 0}};
		int np = c->in_eof ? 1 : 2, r;

		if (winch_flag) {
			winch_flag = 0;
			status_teardown(c);
			status_setup(c);
			status_draw(c);
		}
		r = poll(p, (nfds_t)np, 200);
		if (r < 0 && errno != EINTR)
			return END_GONE;
		if (r > 0 && (p[0].revents & POLLIN)) {
			ssize_t n = read(c->tty, buf, sizeof(buf));
			if (n > 0) {
				if (!c->json && fwrite(buf, 1, (size_t)n, stdout))
					fflush(stdout);
				k1_bootlog_feed(c->bl, buf, (size_t)n);
				update_status(c, false);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				return END_GONE;
			}
		} else if (r > 0 && (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
			return END_GONE;
		}
		if (np == 2 && r > 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(c->in, buf, sizeof(buf));
			if (n <= 0)
				c->in_eof = true; /* no more keys; the board is still read */
			else if (keys(c, buf, (size_t)n, esc, &pending))
				return END_QUIT;
		}
		update_status(c, false);
		if (exit_on_verdict) {
			struct k1_bootlog_report rep;
			bool quiet = now() - c->last_line >= hang_after && c->bl->nlines;
			k1_bootlog_report(c->bl, quiet, &rep);
			if (rep.boots == 1 || (rep.boots == 0 && quiet))
				return END_VERDICT;
		}
		if (timeout > 0 && now() - start >= timeout)
			return END_TIMEOUT;
	}
	return END_SIGNAL;
}

static int finish(struct console *c, enum end e, const char *dev)
{
	static const char *const reasons[] = {"quit", "gone", "timeout", "verdict", "signal"};
	struct k1_bootlog_report r;
	bool quiet;
	int rc;

	k1_bootlog_flush(c->bl);
	quiet = e == END_GONE || e == END_VERDICT || e == END_TIMEOUT;
	k1_bootlog_report(c->bl, quiet && c->bl->nlines, &r);
	k1_bootlog_status(&r, c->status, sizeof(c->status));
	rc = e == END_GONE                          ? EXIT_CHECK_FAILED
	     : e == END_VERDICT || e == END_TIMEOUT ? bootlog_report_exit(&r)
						    : EXIT_OK;
	if (c->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:o}", "event", "end", "reason", reasons[e],
				      "status", c->status, "report", bootlog_report_json(&r));
		json_event(j);
	} else {
		fprintf(stderr, "\r\nk1fw console: %s%s; %s\n", e == END_GONE ? dev : "",
			e == END_GONE ? " went away (adapter unplugged, or the board's side closed)"
			: e == END_TIMEOUT ? "timeout"
					   : "done",
			c->status);
		if (c->log_path)
			fprintf(stderr, "k1fw console: the details: k1fw doctor --log %s\n",
				c->log_path);
	}
	return rc;
}

static int parse_secs(const char *opt, const char *s, double *v)
{
	char *end;
	*v = strtod(s, &end);
	if (*end || *v <= 0 || *v > 86400)
		return cli_fail("%s: expected seconds (0 < S <= 86400), got '%s'", opt, s);
	return 0;
}

static int run(int argc, char **argv)
{
	enum { O_SERIAL = 256, O_LOG, O_JSON, O_ESCAPE, O_VERDICT, O_TIMEOUT, O_HANG };
	static const struct option opts[] = {
		{"serial", required_argument, NULL, O_SERIAL},
		{"log", required_argument, NULL, O_LOG},
		{"json", no_argument, NULL, O_JSON},
		{"escape", required_argument, NULL, O_ESCAPE},
		{"exit-on-verdict", no_argument, NULL, O_VERDICT},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"hang-after", required_argument, NULL, O_HANG},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_serial_opts so = {115200, 8, 'N', 1, false};
	struct console c = {.tty = -1, .in = STDIN_FILENO};
	struct k1_error err = {0};
	struct termios saved;
	struct sigaction sa;
	char dev[4200], lock[4300] = "";
	unsigned char esc = 0x1d; /* Ctrl-] */
	bool exit_on_verdict = false, raw = false;
	double timeout = 0, hang_after = 3;
	int opt, rc;
	enum end e;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case O_SERIAL:
			if (k1_serial_parse(optarg, &so, &err))
				return cli_fail_err(&err);
			break;
		case O_LOG:
			c.log_path = optarg;
			break;
		case O_JSON:
			c.json = true;
			break;
		case O_ESCAPE:
			if (strlen(optarg) != 1 ||
			    !((optarg[0] | 0x20) >= 'a' && (optarg[0] | 0x20) <= 'z'))
				return cli_fail(
					"--escape: expected a letter (Ctrl-LETTER), got '%s'",
					optarg);
			esc = (unsigned char)(optarg[0] & 0x1f);
			break;
		case O_VERDICT:
			exit_on_verdict = true;
			break;
		case O_TIMEOUT:
			if (parse_secs("--timeout", optarg, &timeout))
				return EXIT_USAGE;
			break;
		case O_HANG:
			if (parse_secs("--hang-after", optarg, &hang_after))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option(argv);
		}
	}
	if (argc - optind > 1)
		return cli_fail("unexpected argument '%s'", argv[optind + 1]);
	if (optind < argc)
		snprintf(dev, sizeof(dev), "%s", argv[optind]);
	else if ((rc = pick_device(dev, sizeof(dev))))
		return rc;
	if (k1_serial_lock(dev, lock, sizeof(lock), &err))
		return cli_fail_err(&err);
	if (k1_serial_open(dev, &so, &c.tty, &err)) {
		k1_serial_unlock(lock);
		return cli_fail_err(&err);
	}
	if (!(c.bl = malloc(sizeof(*c.bl)))) {
		rc = cli_fail("out of memory");
		goto out;
	}
	k1_bootlog_init(c.bl);
	c.bl->on_line = on_line;
	c.bl->on_line_ctx = &c;
	if ((rc = log_open(&c)))
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (c.json)
		json_event(json_pack("{s:s, s:s, s:I, s:s}", "event", "start", "device", dev,
				     "speed", (json_int_t)so.baud, "frame",
				     (char[]){(char)('0' + so.data_bits), so.parity,
					      (char)('0' + so.stop_bits), 0}));
	else
		fprintf(stderr, "k1fw console: %s at %u %d%c%d; Ctrl-%c then q quits\r\n", dev,
			so.baud, so.data_bits, so.parity, so.stop_bits, esc + '@');
	raw = isatty(c.in) && !k1_tty_raw(c.in, &saved);
	c.status_line = !c.json && isatty(STDOUT_FILENO);
	status_setup(&c);
	c.last_line = now();
	c.hang_after = hang_after;
	update_status(&c, true);
	e = loop(&c, esc, exit_on_verdict, timeout, hang_after);
	status_teardown(&c);
	if (raw)
		tcsetattr(c.in, TCSANOW, &saved);
	rc = finish(&c, e, dev);
	log_close(&c);
out:
	free(c.bl);
	close(c.tty);
	k1_serial_unlock(lock);
	return rc;
}

const struct k1_command cmd_console = {
	"console", "a serial console for the board that says how far the boot gets", run};

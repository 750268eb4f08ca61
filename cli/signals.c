/* The program's one handler for SIGINT, SIGTERM and SIGHUP: it removes the
 * temporary files and folders the library registered (base/output.h), the
 * -d folder made for an output, prints the notes commands left (flash's
 * resume command), and exits 128 + the signal. A command that stops
 * cleanly on a signal (emulate) hands a flag instead. Only async-signal-
 * safe calls in the handler: unlink/rmdir, write, _exit. */
#include "command.h"

#include "base/output.h"

#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NOTES 64

/* Each note is written twice over (the handler reads the copy not being
 * written), so a signal never sees half a line. */
static struct note {
	volatile sig_atomic_t used, cur;
	char text[2][1400];
} notes[NOTES];

static volatile sig_atomic_t *stop_flag;
static volatile sig_atomic_t finished = -1; /* the command's exit status, once it returned */
static char made_dir[PATH_MAX];

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void on_signal(int sig)
{
	const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";

	if (stop_flag) {
		*stop_flag = 1;
		return;
	}
	if (finished >= 0) /* the work is done and in place: nothing to undo */
		_exit(finished);
	k1_output_remove_all();
	if (made_dir[0])
		rmdir(made_dir); /* only when still empty */
	put("k1fw: interrupted by ");
	put(name);
	put("; temporary files removed\n");
	for (int i = 0; i < NOTES; i++)
		if (notes[i].used && notes[i].text[notes[i].cur][0]) {
			put("k1fw: ");
			put(notes[i].text[notes[i].cur]);
			put("\n");
		}
	_exit(128 + sig);
}

void cli_signals_init(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: emulate's blocking calls see EINTR */
	sigfillset(&sa.sa_mask);   /* one handler run at a time */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		/* an ignored signal stays ignored (nohup, a background job of sh) */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

void cli_signals_finished(int status)
{
	fflush(stdout);
	fflush(stderr);
	finished = status;
}

void cli_signals_stop_flag(volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

void cli_signals_made_dir(const char *dir)
{
	snprintf(made_dir, sizeof(made_dir), "%s", dir ? dir : "");
}

void cli_undo_made_dir(void)
{
	if (made_dir[0])
		rmdir(made_dir);
	made_dir[0] = '\0';
}

int cli_note_open(void)
{
	for (int i = 0; i < NOTES; i++)
		if (__atomic_exchange_n(&notes[i].used, 1, __ATOMIC_ACQ_REL) == 0) {
			notes[i].text[0][0] = notes[i].text[1][0] = '\0';
			return i;
		}
	return -1;
}

void cli_note_set(int id, const char *fmt, ...)
{
	struct note *n;
	va_list ap;

	if (id < 0 || id >= NOTES)
		return;
	n = &notes[id];
	va_start(ap, fmt);
	vsnprintf(n->text[!n->cur], sizeof(n->text[0]), fmt, ap);
	va_end(ap);
	n->cur = !n->cur;
}

void cli_note_close(int id)
{
	if (id >= 0 && id < NOTES) {
		notes[id].text[notes[id].cur][0] = '\0';
		notes[id].used = 0;
	}
}

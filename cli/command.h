/* k1fw subcommands: one file each, listed in the table in main.c (git-style). */
#ifndef K1FW_COMMAND_H
#define K1FW_COMMAND_H

#include "base/error.h"
#include "base/output.h"

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Exit codes shared by every command. */
enum {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1, /* a verification found a problem */
	EXIT_USAGE = 2,        /* bad usage, unreadable or invalid input */
};

struct k1_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
};

/* Print "k1fw: <msg>" to stderr and return EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "k1fw: <err->msg>" and return EXIT_USAGE. */
int cli_fail_err(const struct k1_error *err);
/* Print "k1fw: warning: <msg>". */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when argv holds -h/--help before any "--"; the caller prints usage. */
bool cli_wants_help(int argc, char **argv);

/* A number or size as k1_size_parse (base/size.h) reads it: C notation
 * (0x.., 0.., decimal), an optional K/M/G unit (binary). Returns 0 or -1. */
int cli_parse_u64(const char *s, unsigned long long *out);

/* getopt's '?' (opterr is 0): one line naming the option. EXIT_USAGE. */
int cli_bad_option(char **argv);

/* The output -o OUT [-d DIR] (DIR/OUT; DIR is created as the vendor script
 * does, and removed again if the command fails while it is empty), checked
 * before anything is read: k1_output_init with flags, then each of the n
 * inputs (NULL entries skipped) must be another file. 0 or EXIT_USAGE
 * after printing. */
int cli_output(struct k1_output *out, const char *o, const char *dir, unsigned flags,
	       const char *const *inputs, size_t n);
/* Write data to out (mode 0644) and put it in place; 0 or EXIT_USAGE after
 * printing. */
int cli_write(struct k1_output *out, const void *data, size_t len);

/* Signals (signals.c): one handler for SIGINT, SIGTERM and SIGHUP removes
 * the library's temporary files and exits 128 + the signal. */
void cli_signals_init(void);
/* The command returned status: a signal from now on (during the exit, a
 * sanitizer's leak check) exits with it, quietly. */
void cli_signals_finished(int status);
/* From now on a signal only sets *flag (a server that stops cleanly). */
void cli_signals_stop_flag(volatile sig_atomic_t *flag);
/* The -d folder cli_output made: removed on a signal or failure if empty. */
void cli_signals_made_dir(const char *dir);
void cli_undo_made_dir(void);
/* Lines printed ("k1fw: TEXT") when a signal ends the program, e.g. the
 * command that resumes an interrupted flash. open gives an id (-1: none
 * left), set replaces the text (safe against the handler), close drops it. */
int cli_note_open(void);
void cli_note_set(int id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_note_close(int id);

/* 64 hex digits (a SHA-256) into out. Returns 0 or -1. */
int cli_parse_hex32(const char *s, uint8_t out[32]);

/* Print a JSON value as indented JSON to stdout. */
void cli_print_json(json_t *v);
/* Print a JSON object as aligned "key: value" lines and tables. */
void cli_print_human(json_t *v, int indent);

#endif

/* k1fw subcommands: one file each, listed in the table in main.c (git-style). */
#ifndef K1FW_COMMAND_H
#define K1FW_COMMAND_H

#include "base/error.h"

#include <jansson.h>
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

/* The output path for -o OUT with optional -d DIR (DIR/OUT, DIR created as
 * the vendor script does). Returns 0 or EXIT_USAGE after printing. */
int cli_output_path(char *out, size_t outsz, const char *o, const char *dir);

/* 64 hex digits (a SHA-256) into out. Returns 0 or -1. */
int cli_parse_hex32(const char *s, uint8_t out[32]);

/* Print a JSON value as indented JSON to stdout. */
void cli_print_json(json_t *v);
/* Print a JSON object as aligned "key: value" lines and tables. */
void cli_print_human(json_t *v, int indent);

#endif

/* Helpers shared by the command files: messages, numbers, output paths,
 * JSON and table printing. */
#include "base/size.h"
#include "command.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("k1fw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_fail_err(const struct k1_error *err)
{
	return cli_fail("%s", err->msg[0] ? err->msg : k1_strerror(err->code));
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;
	fputs("k1fw: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	}
	return false;
}

int cli_parse_u64(const char *s, unsigned long long *out)
{
	uint64_t v;

	if (k1_size_parse(s, &v))
		return -1;
	*out = v;
	return 0;
}

int cli_bad_option(char **argv)
{
	return cli_fail("%s: unknown option or missing value in '%s' (see 'k1fw %s --help')",
			argv[0], argv[optind - 1], argv[0]);
}

int cli_output(struct k1_output *out, const char *o, const char *dir, unsigned flags,
	       const char *const *inputs, size_t n)
{
	struct k1_error err = {0};
	char path[PATH_MAX];
	int len;

	if (!o)
		return cli_fail("missing -o OUT (the output file)");
	if (dir) {
		struct stat st;
		if (stat(dir, &st) < 0) {
			if (mkdir(dir, 0755) < 0)
				return cli_fail("%s: cannot create the output folder: %s", dir,
						strerror(errno));
			cli_signals_made_dir(dir);
		}
		len = snprintf(path, sizeof(path), "%s/%s", dir, o);
	} else {
		len = snprintf(path, sizeof(path), "%s", o);
	}
	if (len < 0 || (size_t)len >= sizeof(path))
		return cli_fail("%s: output path too long", o);
	if (k1_output_init(out, path, flags, &err))
		return cli_fail_err(&err);
	for (size_t i = 0; i < n; i++)
		if (k1_output_input(out, inputs[i], &err))
			return cli_fail_err(&err);
	return 0;
}

int cli_write(struct k1_output *out, const void *data, size_t len)
{
	struct k1_error err = {0};

	return k1_output_write(out, data, len, 0644, &err) ? cli_fail_err(&err) : 0;
}

void cli_print_json(json_t *v)
{
	json_dumpf(v, stdout,
		   JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII |
			   JSON_REAL_PRECISION(6));
	fputc('\n', stdout);
}

static void print_scalar(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), stdout);
		break;
	case JSON_INTEGER:
		printf("%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		printf("%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", stdout);
		break;
	case JSON_FALSE:
		fputs("no", stdout);
		break;
	case JSON_NULL:
		fputs("-", stdout);
		break;
	default: {
		char *s =
			json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		fputs(s ? s : "?", stdout);
		free(s);
	}
	}
}

static int scalar_width(json_t *v)
{
	char buf[64];
	switch (json_typeof(v)) {
	case JSON_STRING:
		return (int)strlen(json_string_value(v));
	case JSON_INTEGER:
		return snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	case JSON_TRUE:
		return 3;
	case JSON_FALSE:
		return 2;
	case JSON_NULL:
		return 1;
	default: {
		char *s =
			json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		int n = s ? (int)strlen(s) : 1;
		free(s);
		return n;
	}
	}
}

static bool is_table(json_t *arr)
{
	size_t i;
	json_t *row;

	if (!json_array_size(arr))
		return false;
	json_array_foreach(arr, i, row)
	{
		const char *k;
		json_t *cell;
		if (!json_is_object(row))
			return false;
		json_object_foreach(row, k, cell) if (json_is_object(cell) ||
						      json_is_array(cell)) return false;
	}
	return true;
}

/* An array of flat objects as a table: the columns are the keys of the
 * first row (rows follow one schema), each as wide as its widest cell. */
static void print_table(json_t *arr, int indent)
{
	json_t *first = json_array_get(arr, 0), *row, *cell;
	size_t ncol = json_object_size(first), i, c;
	int *w = calloc(ncol ? ncol : 1, sizeof(int));
	const char *k;

	if (!w)
		return;
	c = 0;
	json_object_foreach(first, k, cell) w[c++] = (int)strlen(k);
	json_array_foreach(arr, i, row)
	{
		c = 0;
		json_object_foreach(first, k, cell)
		{
			json_t *x = json_object_get(row, k);
			int n = x ? scalar_width(x) : 1;
			if (n > w[c])
				w[c] = n;
			c++;
		}
	}
	printf("%*s", indent, "");
	c = 0;
	json_object_foreach(first, k, cell)
	{
		if (c + 1 < ncol)
			printf("%-*s  ", w[c], k);
		else
			printf("%s\n", k);
		c++;
	}
	json_array_foreach(arr, i, row)
	{
		printf("%*s", indent, "");
		c = 0;
		json_object_foreach(first, k, cell)
		{
			json_t *x = json_object_get(row, k);
			int n = x ? scalar_width(x) : 1;
			if (x)
				print_scalar(x);
			else
				fputc('-', stdout);
			if (c + 1 < ncol) /* no trailing blanks after the last column */
				printf("%*s", w[c] - n + 2, "");
			c++;
		}
		fputc('\n', stdout);
	}
	free(w);
}

void cli_print_human(json_t *obj, int indent)
{
	const char *k;
	json_t *v;
	int width = 0;

	json_object_foreach(obj, k, v) if (!json_is_object(v) && !json_is_array(v) &&
					   (int)strlen(k) > width) width = (int)strlen(k);
	json_object_foreach(obj, k, v)
	{
		if (json_is_object(v)) {
			printf("%*s%s:\n", indent, "", k);
			cli_print_human(v, indent + 2);
		} else if (json_is_array(v) && is_table(v)) {
			printf("%*s%s:\n", indent, "", k);
			print_table(v, indent + 2);
		} else if (json_is_array(v)) {
			size_t i;
			json_t *e;
			printf("%*s%s:%s\n", indent, "", k, json_array_size(v) ? "" : " (none)");
			json_array_foreach(v, i, e)
			{
				if (json_is_object(e)) {
					printf("%*s[%zu]\n", indent + 2, "", i);
					cli_print_human(e, indent + 4);
				} else {
					printf("%*s", indent + 2, "");
					print_scalar(e);
					fputc('\n', stdout);
				}
			}
		} else {
			printf("%*s%-*s  ", indent, "", width + 1, k);
			print_scalar(v);
			fputc('\n', stdout);
		}
	}
}

int cli_parse_hex32(const char *s, uint8_t out[32])
{
	if (strlen(s) != 64)
		return -1;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* The console reader's conclusion for people (text) and scripts (JSON). */
#include "bootlog_report.h"
#include "command.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static json_t *version(const char *text, const char *kind)
{
	return json_pack("{s:s, s:s}", "text", text, "kind", kind ? kind : "unknown");
}

json_t *bootlog_report_json(const struct k1_bootlog_report *r)
{
	json_t *ev = json_array(), *warn = json_array(), *ver = json_object();
	json_t *boots = r->boots < 0 ? json_null() : json_boolean(r->boots);

	for (size_t i = 0; i < r->nevidence; i++)
		json_array_append_new(ev, json_pack("{s:I, s:s}", "line",
						    (json_int_t)r->evidence[i].line, "text",
						    r->evidence[i].text));
	for (size_t i = 0; i < r->nwarnings; i++)
		json_array_append_new(warn, json_string(r->warnings[i]));
	if (r->spl[0])
		json_object_set_new(ver, "spl", version(r->spl, r->spl_kind));
	if (r->opensbi[0])
		json_object_set_new(ver, "opensbi", version(r->opensbi, r->opensbi_kind));
	if (r->uboot[0])
		json_object_set_new(ver, "uboot", version(r->uboot, r->uboot_kind));
	if (r->kernel[0])
		json_object_set_new(ver, "kernel", json_pack("{s:s}", "text", r->kernel));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "soc",
			 str_or_null(r->soc), "board", str_or_null(r->board), "medium",
			 str_or_null(r->medium), "reached",
			 str_or_null(k1_log_stage_name(r->reached)), "boots", boots, "step",
			 str_or_null(r->step), "why", str_or_null(r->why), "fix",
			 str_or_null(r->fix), "evidence", ev, "warnings", warn, "versions", ver);
}

static void print_version(FILE *f, bool *first, const char *name, const char *text,
			  const char *kind)
{
	if (!text[0])
		return;
	fprintf(f, "%s%s %s%s%s%s", *first ? "" : ", ", name, text, kind ? " (" : "",
		kind ? kind : "", kind ? ")" : "");
	*first = false;
}

void bootlog_report_print(FILE *f, const struct k1_bootlog_report *r)
{
	bool first = true;

	fprintf(f, "soc:      %s\n", r->soc ? r->soc : "(not seen)");
	fprintf(f, "board:    %s\n", r->board[0] ? r->board : "(not named)");
	fprintf(f, "medium:   %s\n", r->medium[0] ? r->medium : "(not seen)");
	fprintf(f, "reached:  %s\n", r->reached ? k1_log_stage_name(r->reached) : "(nothing)");
	if (r->spl[0] || r->opensbi[0] || r->uboot[0] || r->kernel[0]) {
		fprintf(f, "versions: ");
		print_version(f, &first, "spl", r->spl, r->spl_kind);
		print_version(f, &first, "opensbi", r->opensbi, r->opensbi_kind);
		print_version(f, &first, "u-boot", r->uboot, r->uboot_kind);
		print_version(f, &first, "linux", r->kernel, NULL);
		fprintf(f, "\n");
	}
	if (r->boots == 1)
		fprintf(f, "verdict:  boots\n");
	else if (r->boots == 0)
		fprintf(f, "verdict:  does not boot: %s (%s)\n", r->brief, r->step);
	else
		fprintf(f, "verdict:  cannot tell%s%s\n", r->step[0] ? ": " : "", r->brief);
	if (r->why[0])
		fprintf(f, "why:      %s\n", r->why);
	if (r->fix[0])
		fprintf(f, "fix:      %s\n", r->fix);
	if (r->nevidence)
		fprintf(f, "evidence:\n");
	for (size_t i = 0; i < r->nevidence; i++)
		fprintf(f, "  line %zu: %s\n", r->evidence[i].line, r->evidence[i].text);
	if (r->nwarnings)
		fprintf(f, "warnings:\n");
	for (size_t i = 0; i < r->nwarnings; i++)
		fprintf(f, "  %s\n", r->warnings[i]);
}

int bootlog_report_exit(const struct k1_bootlog_report *r)
{
	return r->boots == 1 ? EXIT_OK : r->boots == 0 ? EXIT_CHECK_FAILED : EXIT_CANNOT_TELL;
}

int doctor_log(const char *path, bool json)
{
	bool std_in = !strcmp(path, "-");
	FILE *f = std_in ? stdin : fopen(path, "rb");
	struct k1_bootlog *b;
	struct k1_bootlog_report r;
	char buf[65536];
	size_t n;
	int rc;

	if (!f)
		return cli_fail("%s: cannot read the log: %s", path, strerror(errno));
	if (!(b = malloc(sizeof(*b)))) {
		if (!std_in)
			fclose(f);
		return cli_fail("out of memory");
	}
	k1_bootlog_init(b);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		k1_bootlog_feed(b, buf, n);
	if (ferror(f)) {
		rc = cli_fail("%s: cannot read the log: %s", std_in ? "stdin" : path,
			      strerror(errno));
		goto out;
	}
	k1_bootlog_flush(b);
	k1_bootlog_report(b, true, &r);
	if (json) {
		json_t *doc = bootlog_report_json(&r);
		cli_print_json(doc);
		json_decref(doc);
	} else {
		bootlog_report_print(stdout, &r);
	}
	rc = bootlog_report_exit(&r);
out:
	free(b);
	if (!std_in)
		fclose(f);
	return rc;
}

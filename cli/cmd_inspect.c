/* k1fw inspect: recognise each file by its content and describe it. */
#include "base/fileio.h"
#include "command.h"
#include "emu/bootfs_check.h"
#include "format/disk.h"
#include "format/format.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw inspect [--json] FILE...\n\n"
		   "Show what is inside K1 boot artefacts. The kind of each file is found\n"
		   "from its content, not its name:\n");
	for (size_t i = 0; k1_formats[i]; i++)
		fprintf(f, "  %-9s %s\n", k1_formats[i]->name, k1_formats[i]->summary);
	fprintf(f, "\n  --json    one JSON document: {\"files\": [{\"file\", \"format\", ...}]}\n"
		   "Exit status: 0 every file was read, 2 a file was unreadable or unknown.\n");
}

/* A disk image's bootfs partition as U-Boot reads it (emu/bootfs_check.c,
 * with the env area at 0x60000): NULL when there is no bootfs entry. */
static json_t *bootfs_section(const struct k1_input *in)
{
	const struct k1_gpt_entry *e;
	struct k1_bootfs_result r;
	struct k1_error err = {0};
	struct k1_disk d = {0};
	uint64_t off, len;
	json_t *o = NULL;

	if (k1_disk_open(in, &d, &err))
		return NULL;
	e = k1_gpt_find(&d.gpt, "bootfs");
	if (e && e->last_lba >= e->first_lba && e->first_lba * 512 < in->len) {
		off = e->first_lba * 512;
		len = (e->last_lba - e->first_lba + 1) * 512;
		if (len > in->len - off)
			len = in->len - off;
		k1_bootfs_check(in->data + off, (size_t)len,
				in->len >= K1_DISK_ENV_OFFSET + K1_DISK_ENV_SIZE
					? in->data + K1_DISK_ENV_OFFSET
					: NULL,
				K1_DISK_ENV_SIZE, false, NULL, NULL, &r);
		o = json_pack("{s:I, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s}", "partition",
			      (json_int_t)e->index, "filesystem", r.fs, "boots", r.boots, "method",
			      r.method, "kernel", r.kernel, "dtb", r.dtb, "initrd", r.initrd,
			      "step", r.step, "why", r.why);
	}
	k1_disk_close(&d);
	return o;
}

/* Describe one file into a new JSON object; NULL after printing an error. */
static json_t *inspect_one(const char *path)
{
	struct k1_error err = {0};
	struct k1_report r;
	json_t *out = NULL;

	if (k1_format_report(path, NULL, K1_REPORT_INSPECT, NULL, &r, &err))
		cli_fail_err(&err);
	else {
		out = json_incref(r.json);
		struct k1_mapped m;
		if (r.format == &k1_format_disk && !k1_map_file(path, &m, &err)) {
			struct k1_input in = {.path = path, .data = m.data, .len = m.len};
			json_t *b = bootfs_section(&in);
			if (b)
				json_object_set_new(out, "bootfs", b);
			k1_unmap_file(&m);
		}
	}
	k1_report_free(&r);
	return out;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int c, status = EXIT_OK;
	json_t *files;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return usage(stdout), EXIT_OK;
		else
			return cli_bad_option(argv);
	}
	if (optind >= argc)
		return cli_fail("missing FILE... (the files to describe)");
	files = json_array();
	for (int i = optind; i < argc; i++) {
		json_t *o = inspect_one(argv[i]);
		if (!o) {
			status = EXIT_USAGE;
			continue;
		}
		if (json) {
			json_array_append_new(files, o);
		} else {
			if (i > optind)
				fputc('\n', stdout);
			cli_print_human(o, 0);
			json_decref(o);
		}
	}
	if (json) {
		json_t *doc = json_pack("{s:o}", "files", files);
		cli_print_json(doc);
		json_decref(doc);
	} else {
		json_decref(files);
	}
	return status;
}

const struct k1_command cmd_inspect = {"inspect", "show what is inside K1 boot artefacts", run};

/* k1fw verify: run every integrity check on each file. */
#include "command.h"
#include "format/format.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw verify [--json] [--verbose] [--rotpk-hash HEX] FILE...\n\n"
		   "Check K1 boot artefacts (recognised by content): magics, CRCs, sizes,\n"
		   "signatures, FIT hashes, partition layouts. One line per failed check,\n"
		   "naming the offset or field, what was expected and what was found.\n\n"
		   "  --rotpk-hash HEX  the SHA-256 burnt into the efuses: the FSBL's ROTPK must "
		   "match\n"
		   "  --verbose         also list the checks that passed\n"
		   "  --json            {\"files\": [{\"file\", \"format\", \"ok\", \"checks\": "
		   "[...]}]}\n\n"
		   "Exit status: 0 all sound, 1 a check failed, 2 unreadable or unknown input.\n");
}

static json_t *checks_json(const struct k1_checks *c)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < c->count; i++)
		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:b, s:s}", "check", c->items[i].name,
						"where", c->items[i].where, "ok", c->items[i].ok,
						"message", c->items[i].message));
	return arr;
}

/* Verify one file; returns an exit status, adds a JSON entry when json. */
static int verify_one(const char *path, const struct k1_verify_opts *vo, bool verbose, json_t *json)
{
	struct k1_error err = {0};
	struct k1_report r;
	const struct k1_checks *checks = &r.checks;
	int status = EXIT_OK;

	if (k1_format_report(path, NULL, K1_REPORT_VERIFY, vo, &r, &err)) {
		status = cli_fail_err(&err);
	} else {
		const struct k1_format *fmt = r.format;
		size_t failed = k1_checks_failed(checks);
		status = failed ? EXIT_CHECK_FAILED : EXIT_OK;
		if (json) {
			json_array_append_new(json, json_pack("{s:s, s:s, s:b, s:o}", "file", path,
							      "format", fmt->name, "ok", !failed,
							      "checks", checks_json(checks)));
		} else {
			for (size_t i = 0; i < checks->count; i++) {
				const struct k1_check *ck = &checks->items[i];
				if (!ck->ok || verbose)
					printf("%s: %s %s%s%s: %s\n", path, ck->ok ? "ok" : "FAIL",
					       ck->name, ck->where[0] ? " @ " : "", ck->where,
					       ck->message);
			}
			printf("%s: %s: %s (%zu checks, %zu failed)\n", path, fmt->name,
			       failed ? "FAILED" : "ok", checks->count, failed);
		}
	}
	k1_report_free(&r);
	return status;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		{"rotpk-hash", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_verify_opts vo = {0};
	uint8_t rotpk[32];
	bool json = false, verbose = false;
	int c, status = EXIT_OK;
	json_t *files = NULL;

	while ((c = getopt_long(argc, argv, "jvr:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'r':
			if (cli_parse_hex32(optarg, rotpk))
				return cli_fail(
					"--rotpk-hash: expected 64 hex digits (SHA-256), got '%s'",
					optarg);
			vo.rotpk_hash = rotpk;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option(argv);
		}
	}
	if (optind >= argc)
		return cli_fail("missing FILE... (the files to check)");
	if (json)
		files = json_array();
	for (int i = optind; i < argc; i++) {
		int s = verify_one(argv[i], &vo, verbose, files);
		if (s > status)
			status = s;
	}
	if (json) {
		json_t *doc = json_pack("{s:b, s:o}", "ok", status == EXIT_OK, "files", files);
		cli_print_json(doc);
		json_decref(doc);
	}
	return status;
}

const struct k1_command cmd_verify = {"verify", "check K1 boot artefacts for every known defect",
				      run};

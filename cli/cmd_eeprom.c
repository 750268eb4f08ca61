/* k1fw eeprom: build, show and set the board EEPROM (identity and DDR
 * settings), as a file or on a board through the vendor's oem config. */
#include "base/fileio.h"
#include "command.h"
#include "flash/flash.h"
#include "flash/oem_config.h"
#include "format/eeprom.h"
#include "progress.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw eeprom build -o FILE [--size N] KEY=VALUE...\n"
		"       k1fw eeprom show (-s WHERE [--bundle DIR] | --file F) [--json] [KEY...]\n"
		"       k1fw eeprom set (-s WHERE [--bundle DIR] | --file F [-o OUT]) [--json]\n"
		"                       KEY=VALUE...\n\n"
		"The board EEPROM (ONIE TlvInfo, 256 bytes): the board's identity and the DDR\n"
		"settings the SPL trains with. A 2 GB BPI-F3 needs ddr_cs_num=1, or its SPL\n"
		"stops after its banner; product_name picks the u-boot.itb configuration and\n"
		"the kernel device tree.\n\n"
		"  build        write an image (CRC-32 TLV last) of the fields given, in order\n"
		"  show         the values: of a file, or of a board (oem config:read)\n"
		"  set          change values: of a file (CRC recomputed), or of a board\n"
		"               (oem config:write, flush, then read back)\n\n"
		"  -s WHERE     the board: usb, usb:PORTPATH, tcp:HOST[:PORT] (see k1fw flash).\n"
		"               In the SPL the EEPROM itself is read; U-Boot answers reads from\n"
		"               its environment. A board in the BootROM needs --bundle.\n"
		"  --bundle DIR a release (k1fw bundle): its factory/FSBL.bin is staged to\n"
		"               bring a board in the BootROM to its SPL\n"
		"  --file F     an image file instead of a board (set: rewritten in place,\n"
		"               or to -o OUT)\n"
		"  --size N     build: pad the image with 0xff to N bytes (256: a chip dump)\n"
		"  --timeout S, --io-timeout S   as k1fw flash (30, 120)\n"
		"  --json       data as JSON\n\n"
		"Keys (the vendor's oem config names; build takes any code as 0xNN=HEX):\n");
	for (size_t i = 0; i < k1_eeprom_key_count; i++) {
		const struct k1_eeprom_key *k = &k1_eeprom_keys[i];
		static const char *const kinds[] = {"text",   "MAC",  "number",
						    "number", "date", "hex bytes"};
		if (k->oem)
			fprintf(f, "  %-17s 0x%02x %-7s %s\n", k->name, k->code, kinds[k->kind],
				k->about);
	}
	fprintf(f, "\nExit status: 0 done, 1 the board refused or read back something else\n"
		   "(or a file is damaged), 2 usage error or an invalid key or value.\n");
}

struct args {
	const char *where, *bundle, *file, *out;
	unsigned long long size;
	bool json;
	unsigned wait_ms, io_ms;
	int nvals;
	char **vals;
};

static int secs(const char *opt, const char *s, unsigned *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || v <= 0 || v > 86400)
		return cli_fail("%s: expected seconds (0 < S <= 86400), got '%s'", opt, s);
	*ms = (unsigned)(v * 1000);
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	enum { O_BUNDLE = 256, O_FILE, O_SIZE, O_JSON, O_TIMEOUT, O_IO };
	static const struct option opts[] = {
		{"serial", required_argument, NULL, 's'},
		{"bundle", required_argument, NULL, O_BUNDLE},
		{"file", required_argument, NULL, O_FILE},
		{"output", required_argument, NULL, 'o'},
		{"size", required_argument, NULL, O_SIZE},
		{"json", no_argument, NULL, O_JSON},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"io-timeout", required_argument, NULL, O_IO},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	*a = (struct args){.wait_ms = 30000, .io_ms = 120000};
	while ((c = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->where = optarg;
			break;
		case O_BUNDLE:
			a->bundle = optarg;
			break;
		case O_FILE:
			a->file = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case O_SIZE:
			if (cli_parse_u64(optarg, &a->size) || a->size > K1_EEPROM_SIZE)
				return cli_fail(
					"--size: expected at most %u bytes (the EEPROM), got "
					"'%s'",
					K1_EEPROM_SIZE, optarg);
			break;
		case O_JSON:
			a->json = true;
			break;
		case O_TIMEOUT:
			if (secs("--timeout", optarg, &a->wait_ms))
				return EXIT_USAGE;
			break;
		case O_IO:
			if (secs("--io-timeout", optarg, &a->io_ms))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default: /* argv[0] is the subcommand */
			return cli_fail("eeprom %s: unknown option or missing value in '%s' (see "
					"'k1fw eeprom --help')",
					argv[0], argv[optind - 1]);
		}
	}
	a->nvals = argc - optind;
	a->vals = argv + optind;
	return 0;
}

/* ---- files ---- */

static int read_image(const char *path, struct k1_buf *buf, struct k1_eeprom *e)
{
	struct k1_error err = {0};

	if (k1_read_file(path, buf, &err))
		return cli_fail_err(&err); /* it names the file */
	if (k1_eeprom_parse(buf->data, buf->len, e, &err))
		return cli_fail("%s: %s", path, err.msg);
	return 0;
}

static int build(const struct args *a)
{
	struct k1_eeprom_field *f = calloc((size_t)a->nvals + 1, sizeof(*f));
	struct k1_buf img = K1_BUF_INIT;
	struct k1_error err = {0};
	int rc = EXIT_OK;

	if (!f)
		return cli_fail("out of memory");
	struct k1_output out;

	if (!a->out || a->where || a->file)
		rc = cli_fail("build: expected -o FILE and KEY=VALUE... (no -s, no --file)");
	else if (cli_output(&out, a->out, NULL, 0, NULL, 0))
		rc = EXIT_USAGE;
	for (int i = 0; !rc && i < a->nvals; i++)
		if (k1_eeprom_field_parse(a->vals[i], &f[i], &err))
			rc = cli_fail_err(&err);
	if (!rc && k1_eeprom_build(f, (size_t)a->nvals, (size_t)a->size, &img, &err))
		rc = cli_fail_err(&err);
	if (!rc && cli_write(&out, img.data, img.len))
		rc = EXIT_USAGE;
	if (!rc && !a->json)
		printf("%s: %zu bytes, %d fields and the CRC-32\n", a->out, img.len, a->nvals);
	k1_buf_free(&img);
	free(f);
	return rc;
}

/* No names given, or name among them. */
static bool wanted(const struct args *a, const char *name)
{
	for (int i = 0; i < a->nvals; i++)
		if (!strcmp(a->vals[i], name))
			return true;
	return !a->nvals;
}

static void print_values(const struct k1_eeprom *e, const struct args *a, const char *source)
{
	bool json = a->json;

	json_t *vals = json_object();
	char text[1100], code[8];

	for (size_t i = 0; i < e->count; i++) {
		const struct k1_tlv *t = &e->tlv[i];
		const struct k1_eeprom_key *k = k1_eeprom_key_by_code(t->type);
		if (t->type == K1_TLV_CODE_CRC32)
			continue;
		snprintf(code, sizeof(code), "0x%02x", t->type);
		if (!wanted(a, k ? k->name : code))
			continue;
		k1_eeprom_value_text(t->type, t->val, t->len, text, sizeof(text));
		if (json)
			json_object_set_new(vals, k ? k->name : code, json_string(text));
		else
			printf("%s=%s\n", k ? k->name : code, text);
	}
	if (json) {
		json_t *doc = json_pack("{s:s, s:o}", "source", source, "values", vals);
		cli_print_json(doc);
		json_decref(doc);
	} else {
		json_decref(vals);
	}
}

static bool damaged(const struct k1_eeprom *e)
{
	return !e->header_ok || e->bad_off || !e->crc_last || e->crc_stored != e->crc_computed;
}

static int show_file(const struct args *a)
{
	struct k1_buf buf = K1_BUF_INIT;
	struct k1_eeprom e;
	int rc = read_image(a->file, &buf, &e);

	if (!rc) {
		if (damaged(&e))
			cli_warn("%s: damaged (see k1fw verify): the board's U-Boot treats it as "
				 "empty",
				 a->file);
		print_values(&e, a, "file");
	}
	k1_buf_free(&buf);
	return rc;
}

static int set_file(const struct args *a)
{
	struct k1_eeprom_field *f = calloc(K1_TLV_MAX_FIELDS, sizeof(*f)), nf;
	struct k1_buf buf = K1_BUF_INIT, img = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_eeprom e;
	struct k1_output out;
	size_t n;
	int rc;

	if (!f)
		return cli_fail("out of memory");
	/* --file F alone edits F in place (through a temporary, renamed over
	 * it); -o OUT must be another file */
	if (a->out ? cli_output(&out, a->out, NULL, 0, &a->file, 1)
		   : cli_output(&out, a->file, NULL, 0, NULL, 0)) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = read_image(a->file, &buf, &e)))
		goto out;
	if (damaged(&e)) {
		fprintf(stderr,
			"k1fw: %s: damaged (header, TLVs or CRC-32: see k1fw verify): refusing to "
			"recompute the CRC over it; write a new image with k1fw eeprom build\n",
			a->file);
		rc = EXIT_CHECK_FAILED;
		goto out;
	}
	n = k1_eeprom_fields(&e, f);
	for (int i = 0; i < a->nvals; i++) {
		if (k1_eeprom_field_parse(a->vals[i], &nf, &err) ||
		    !(n = k1_eeprom_fields_set(f, n, &nf, nf.code, &err))) {
			rc = cli_fail_err(&err);
			goto out;
		}
	}
	/* keep a whole-chip dump whole */
	if (k1_eeprom_build(f, n, buf.len <= K1_EEPROM_SIZE ? buf.len : 0, &img, &err) ||
	    k1_eeprom_parse(img.data, img.len, &e, &err) || damaged(&e)) {
		rc = cli_fail("%s: %s", a->file, err.msg[0] ? err.msg : "rebuilt image damaged");
		goto out;
	}
	if (cli_write(&out, img.data, img.len)) {
		rc = EXIT_USAGE;
		goto out;
	}
	if (!a->json)
		printf("%s: %d value%s set, CRC-32 0x%08x\n", a->out ? a->out : a->file, a->nvals,
		       a->nvals == 1 ? "" : "s", e.crc_computed);
	struct args all = *a;
	all.nvals = 0;
	print_values(&e, &all, "file");
out:
	k1_buf_free(&buf);
	k1_buf_free(&img);
	free(f);
	return rc;
}

/* ---- boards ---- */

static int open_board(const struct args *a, struct k1_flash_session *s, struct progress *pr)
{
	struct k1_flash_opts o = {.bundle = a->bundle, .wait_ms = a->wait_ms, .io_ms = a->io_ms};
	struct k1_flash_status st;
	struct k1_target t;
	struct k1_error err = {0};
	int rc;

	if (k1_target_parse(a->where, &t, &err))
		return cli_fail_err(&err);
	progress_init(pr, a->json, false, a->where);
	rc = k1_flash_session_open(&o, &t, K1_STAGE_SPL, a->json ? NULL : progress_event, pr, s,
				   &st, &err);
	progress_finish(pr);
	if (!rc)
		return 0;
	fprintf(stderr, "k1fw: %s\n", err.msg);
	if (st.spl_lost)
		fprintf(stderr,
			"k1fw: the board did not come back after its SPL started: its SPL may stop "
			"before USB (a 2 GB board with ddr_cs_num 2?)\n");
	return rc == K1_EINVAL ? EXIT_USAGE : EXIT_CHECK_FAILED;
}

static const char *source_of(enum k1_stage s)
{
	return s == K1_STAGE_SPL ? "eeprom (read by the SPL)" : "u-boot environment";
}

static int show_board(const struct args *a)
{
	struct k1_flash_session s;
	struct progress pr;
	struct k1_error err = {0};
	char reply[K1_FB_RESPONSE_MAX + 1], text[600];
	json_t *vals = json_object(), *missing = json_array();
	int rc = EXIT_OK;

	for (int i = 0; i < a->nvals; i++) {
		const struct k1_eeprom_key *k = k1_eeprom_key_by_name(a->vals[i]);
		if (!k || !k->oem) {
			json_decref(vals);
			json_decref(missing);
			return cli_fail("%s: not an oem config key (see 'k1fw eeprom --help')",
					a->vals[i]);
		}
	}
	if ((rc = open_board(a, &s, &pr))) {
		json_decref(vals);
		json_decref(missing);
		return rc;
	}
	if (!a->json)
		printf("# the board is in %s: values from its %s\n", k1_stage_name(s.stage),
		       source_of(s.stage));
	for (size_t i = 0; i < k1_eeprom_key_count && !rc; i++) {
		const struct k1_eeprom_key *k = &k1_eeprom_keys[i];
		bool present, asked = !a->nvals;
		for (int j = 0; j < a->nvals; j++)
			asked |= !strcmp(a->vals[j], k->name);
		if (!k->oem || !asked)
			continue;
		if (k1_oem_read(&s.fb, k->name, reply, sizeof(reply), &present, &err)) {
			rc = EXIT_CHECK_FAILED;
			fprintf(stderr, "k1fw: %s\n", err.msg);
			break;
		}
		if (!present) {
			json_array_append_new(missing, json_string(k->name));
			if (!a->json)
				printf("# %s: not set (the board says: key NOT exist)\n", k->name);
			continue;
		}
		k1_oem_reply_text(k, s.stage, reply, text, sizeof(text));
		if (a->json)
			json_object_set_new(vals, k->name, json_string(text));
		else
			printf("%s=%s\n", k->name, text);
	}
	k1_flash_session_close(&s);
	if (a->json && !rc) {
		json_t *doc =
			json_pack("{s:s, s:s, s:o, s:o}", "stage", k1_stage_name(s.stage), "source",
				  source_of(s.stage), "values", vals, "missing", missing);
		cli_print_json(doc);
		json_decref(doc);
	} else {
		json_decref(vals);
		json_decref(missing);
	}
	return rc;
}

static const char *check_name(enum k1_oem_check c)
{
	return c == K1_OEM_CONFIRMED    ? "confirmed"
	       : c == K1_OEM_UP_TO_ZERO ? "confirmed up to a zero byte"
	       : c == K1_OEM_ENV_ONLY   ? "in U-Boot's environment"
					: "mismatch";
}

static int write_all(struct k1_flash_session *s, struct k1_oem_value *v, int n, json_t *rows,
		     bool json)
{
	struct k1_error err = {0};
	char reply[K1_FB_RESPONSE_MAX + 1], why[700];
	int rc = EXIT_OK;
	bool present;

	for (int i = 0; i < n; i++)
		if (k1_oem_write(&s->fb, &v[i], &err)) {
			fprintf(stderr,
				"k1fw: %s: the board refused it: %s (nothing flushed: the "
				"EEPROM is unchanged)\n",
				v[i].key->name, err.msg);
			return EXIT_CHECK_FAILED;
		}
	if (k1_oem_flush(&s->fb, &err)) {
		fprintf(stderr, "k1fw: flush: %s\n", err.msg);
		return EXIT_CHECK_FAILED;
	}
	for (int i = 0; i < n; i++) {
		enum k1_oem_check c = K1_OEM_MISMATCH;
		if (k1_oem_read(&s->fb, v[i].key->name, reply, sizeof(reply), &present, &err)) {
			fprintf(stderr, "k1fw: %s: read back: %s\n", v[i].key->name, err.msg);
			return EXIT_CHECK_FAILED;
		}
		if (!present)
			snprintf(why, sizeof(why), "the board says key NOT exist after the write");
		else
			c = k1_oem_confirm(&v[i], s->stage, reply, why, sizeof(why));
		if (c == K1_OEM_MISMATCH) {
			fprintf(stderr, "k1fw: %s=%s: read back: %s\n", v[i].key->name, v[i].text,
				why);
			rc = EXIT_CHECK_FAILED;
		}
		if (json)
			json_array_append_new(rows,
					      json_pack("{s:s, s:s, s:s, s:s}", "key",
							v[i].key->name, "value", v[i].text, "sent",
							v[i].wire, "check", check_name(c)));
		else if (c != K1_OEM_MISMATCH)
			printf("%s=%s: written, read back: %s\n", v[i].key->name, v[i].text,
			       check_name(c));
	}
	return rc;
}

static int set_board(const struct args *a)
{
	struct k1_oem_value *v = calloc((size_t)a->nvals + 1, sizeof(*v));
	struct k1_flash_session s;
	struct k1_error err = {0};
	struct progress pr;
	json_t *rows = json_array();
	int rc = EXIT_OK;

	if (!v)
		return cli_fail("out of memory");
	/* every value checked before the board is touched */
	for (int i = 0; i < a->nvals && !rc; i++)
		if (k1_oem_value_parse(a->vals[i], &v[i], &err))
			rc = cli_fail_err(&err);
	for (int i = 0; i < a->nvals && !rc; i++)
		for (int j = 0; j < i && !rc; j++)
			if (v[i].key == v[j].key)
				rc = cli_fail("%s: given twice", v[i].key->name);
	if (!rc && !(rc = open_board(a, &s, &pr))) {
		/* ... and for the stage the board is in, before the first write */
		for (int i = 0; i < a->nvals && !rc; i++)
			if (k1_oem_value_wire(&v[i], s.stage, &err))
				rc = cli_fail_err(&err);
		if (!rc)
			rc = write_all(&s, v, a->nvals, rows, a->json);
		if (!a->json && !rc)
			printf("%s\n",
			       s.stage == K1_STAGE_SPL
				       ? "the EEPROM now holds them; the SPL reads them at its "
					 "next start (reset the board)"
				       : "U-Boot wrote them to the EEPROM (its read-back is its "
					 "own environment: `k1fw eeprom show` in the SPL reads "
					 "the chip); they take effect at the next reset");
		if (a->json) {
			json_t *doc = json_pack("{s:s, s:b, s:o}", "stage", k1_stage_name(s.stage),
						"ok", rc == EXIT_OK, "written", rows);
			cli_print_json(doc);
			json_decref(doc);
			rows = NULL;
		}
		k1_flash_session_close(&s);
	}
	json_decref(rows);
	free(v);
	return rc;
}

static int run(int argc, char **argv)
{
	struct args a;
	const char *verb = argc > 1 ? argv[1] : "";
	int rc;

	if (!strcmp(verb, "-h") || !strcmp(verb, "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(verb, "build") && strcmp(verb, "show") && strcmp(verb, "set"))
		return cli_fail("eeprom: %s%s%s (expected build, show or set; see 'k1fw eeprom "
				"--help')",
				*verb ? "unknown subcommand '" : "missing SUBCOMMAND", verb,
				*verb ? "'" : "");
	if ((rc = parse_args(argc - 1, argv + 1, &a)))
		return rc < 0 ? EXIT_OK : rc;
	if (!strcmp(verb, "build"))
		return a.nvals ? build(&a) : cli_fail("build: expected KEY=VALUE...");
	if (!!a.where + !!a.file != 1)
		return cli_fail("%s: expected -s WHERE (a board) or --file F (an image)", verb);
	if (a.file && a.bundle)
		return cli_fail("--bundle: only with -s (a board)");
	if ((a.out || a.size) && !(a.file && !strcmp(verb, "set")))
		return cli_fail("-o and --size: only with build, or set --file");
	if (!strcmp(verb, "set") && !a.nvals)
		return cli_fail("set: expected KEY=VALUE...");
	if (!strcmp(verb, "show"))
		return a.file ? show_file(&a) : show_board(&a);
	return a.file ? set_file(&a) : set_board(&a);
}

const struct k1_command cmd_eeprom = {
	"eeprom", "the board EEPROM: identity and DDR settings (build, show, set)", run};

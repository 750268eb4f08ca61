/* k1fw fit: write fw_dynamic.itb and u-boot.itb, or set the RAM size in the
 * device trees of an existing FIT. The work is in lib/fit_build.c. */
#include "base/fileio.h"
#include "command.h"
#include "format/dtb.h"
#include "format/fit_build.h"
#include "format/format.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DTBS 256

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw fit opensbi --in fw_dynamic.bin -o fw_dynamic.itb [options]\n"
		   "       k1fw fit uboot --in u-boot-nodtb.bin --dtb [NAME=]BOARD.dtb... -o "
		   "u-boot.itb\n"
		   "       k1fw fit set-memory IN.itb --memory SIZE -o OUT.itb\n\n"
		   "Write the FIT images the K1 SPL loads, shaped as the vendor's (the same\n"
		   "bytes `mkimage -f` makes of the vendor .its), or rewrite the RAM size in\n"
		   "every device tree of a FIT. 'k1fw fit SUBCOMMAND --help' for options.\n");
}

static void usage_opensbi(FILE *f)
{
	fprintf(f, "usage: k1fw fit opensbi --in fw_dynamic.bin -o OUT [-d DIR] [--load ADDR]\n"
		   "                        [--entry ADDR] [--hash ALG]\n\n"
		   "fw_dynamic.itb: image 'opensbi' (firmware, os opensbi, riscv) with a hash,\n"
		   "configuration config_1 as default.\n\n"
		   "  --load ADDR   load address (default 0x0, the K1 OpenSBI's FW_TEXT_START)\n"
		   "  --entry ADDR  entry point (default: the load address)\n"
		   "  --hash ALG    crc32 (default), md5, sha1, sha256, sha384, sha512 or none\n\n"
		   "The FIT timestamp is $SOURCE_DATE_EPOCH, else the input's mtime.\n");
}

static void usage_uboot(FILE *f)
{
	fprintf(f,
		"usage: k1fw fit uboot --in u-boot-nodtb.bin --dtb [NAME=]FILE [--dtb ...]\n"
		"                      -o OUT [-d DIR] [--default BOARD] [--memory SIZE]\n"
		"                      [--load ADDR] [--entry ADDR] [--hash ALG]\n"
		"                      [--opensbi fw_dynamic.bin [--opensbi-load ADDR]]\n\n"
		"u-boot.itb: image 'uboot' (standalone, riscv) and per device tree an image\n"
		"fdt_N and a configuration conf_N described by the board name, which the\n"
		"SPL matches against the EEPROM product name (e.g. k1-x_deb1).\n"
		"With --opensbi, the mainline layout (U-Boot's binman.dtsi): images uboot,\n"
		"opensbi and fdt-N, configurations conf-N with firmware = opensbi, loadables =\n"
		"uboot and fdt = fdt-N, no hash nodes unless --hash; the opensbi partition is\n"
		"then unused.\n\n"
		"  --dtb [NAME=]FILE  a device tree; NAME defaults to the file name without .dtb\n"
		"  --default BOARD    the configuration used when no name matches (default: the\n"
		"                     first --dtb)\n"
		"  --memory SIZE      set the memory node of every device tree to SIZE of RAM\n"
		"                     (whole MiB, up to 16G; e.g. 4G)\n"
		"  --load ADDR        load address (default 0x200000, CONFIG_SYS_TEXT_BASE)\n"
		"  --entry ADDR       entry point (default: none, as the vendor's)\n"
		"  --hash ALG         crc32 (default; mainline: none), md5, sha1, sha256,\n"
		"                     sha384, sha512 or none\n"
		"  --opensbi FILE     fw_dynamic.bin: write the mainline one-FIT layout\n"
		"  --opensbi-load ADDR  its load address and entry (default 0x0)\n\n"
		"The FIT timestamp is $SOURCE_DATE_EPOCH, else the newest input mtime.\n");
}

static void usage_setmem(FILE *f)
{
	fprintf(f, "usage: k1fw fit set-memory IN.itb --memory SIZE -o OUT [-d DIR]\n\n"
		   "Rewrite the memory node of every flat_dt image to SIZE of K1 RAM (the first\n"
		   "2 GiB at 0x0, the rest at 0x100000000) and recompute the hashes. Embedded\n"
		   "and external (mkimage -E) data; signed FITs are refused.\n"
		   "Example: k1fw fit set-memory u-boot.itb --memory 16G -o u-boot-16g.itb\n");
}

/* The FIT timestamp (k1_fit_timestamp): SOURCE_DATE_EPOCH, else the inputs. */
static int timestamp(const char *const *paths, size_t n, uint32_t *out)
{
	struct k1_error err = {0};

	if (k1_fit_timestamp(getenv("SOURCE_DATE_EPOCH"), paths, n, out, &err))
		return cli_fail_err(&err);
	return 0;
}

static int parse_addr(const char *opt, const char *s, uint64_t *v)
{
	unsigned long long x;

	if (cli_parse_u64(s, &x))
		return cli_fail("%s: expected an address (0x.. or decimal), got '%s'", opt, s);
	*v = x;
	return 0;
}

static int parse_memory(const char *s, uint64_t *v)
{
	unsigned long long x;
	struct k1_error err = {0};

	if (cli_parse_u64(s, &x))
		return cli_fail("--memory: expected a size such as 4G or 8192M, got '%s'", s);
	if (k1_ram_size_check(x, &err))
		return cli_fail("--memory %s: %s", s, err.msg);
	*v = x;
	return 0;
}

/* Options the three subcommands share. */
enum { O_IN = 256, O_LOAD, O_ENTRY, O_HASH, O_DTB, O_DEFAULT, O_MEMORY, O_SBI, O_SBI_LOAD };

struct args {
	const char *in, *o, *dir, *hash, *dflt, *opensbi;
	struct k1_fit_opts fo;
	uint64_t opensbi_load;
	bool has_memory;
	uint64_t memory;
	const char *dtb[MAX_DTBS];
	size_t ndtb;
};

static const struct option long_opts[] = {
	{"in", required_argument, NULL, O_IN},
	{"output", required_argument, NULL, 'o'},
	{"load", required_argument, NULL, O_LOAD},
	{"entry", required_argument, NULL, O_ENTRY},
	{"hash", required_argument, NULL, O_HASH},
	{"dtb", required_argument, NULL, O_DTB},
	{"default", required_argument, NULL, O_DEFAULT},
	{"memory", required_argument, NULL, O_MEMORY},
	{"opensbi", required_argument, NULL, O_SBI},
	{"opensbi-load", required_argument, NULL, O_SBI_LOAD},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* Returns -1 to go on, else the exit status. allowed: the options the
 * subcommand takes, as O_* codes. */
static int parse(int argc, char **argv, struct args *a, const int *allowed, void (*help)(FILE *))
{
	int c;

	optind = 1;
	opterr = 0; /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "o:d:h", long_opts, NULL)) != -1) {
		bool ok = c == 'o' || c == 'd' || c == 'h';
		for (const int *p = allowed; *p && !ok; p++)
			ok = *p == c;
		if (c == '?')
			return cli_fail(
				"fit %s: unknown option or missing value in '%s' (see --help)",
				argv[0], argv[optind - 1]);
		if (!ok)
			return cli_fail("fit %s: option '%s' does not apply (see --help)", argv[0],
					argv[optind - 1]);
		switch (c) {
		case 'h':
			help(stdout);
			return EXIT_OK;
		case 'o':
			a->o = optarg;
			break;
		case 'd':
			a->dir = optarg;
			break;
		case O_IN:
			a->in = optarg;
			break;
		case O_HASH:
			a->fo.hash = optarg;
			break;
		case O_DEFAULT:
			a->dflt = optarg;
			break;
		case O_SBI:
			a->opensbi = optarg;
			break;
		case O_SBI_LOAD:
			if (parse_addr("--opensbi-load", optarg, &a->opensbi_load))
				return EXIT_USAGE;
			break;
		case O_LOAD:
			if (parse_addr("--load", optarg, &a->fo.load))
				return EXIT_USAGE;
			break;
		case O_ENTRY:
			if (parse_addr("--entry", optarg, &a->fo.entry))
				return EXIT_USAGE;
			a->fo.has_entry = true;
			break;
		case O_MEMORY:
			if (parse_memory(optarg, &a->memory))
				return EXIT_USAGE;
			a->has_memory = true;
			break;
		case O_DTB:
			if (a->ndtb == MAX_DTBS)
				return cli_fail("--dtb: at most %d device trees", MAX_DTBS);
			a->dtb[a->ndtb++] = optarg;
			break;
		}
	}
	if (a->fo.hash && strcmp(a->fo.hash, "none") && !k1_fit_hash_len(a->fo.hash))
		return cli_fail("--hash: expected crc32, md5, sha1, sha256, sha384, sha512 or "
				"none, got '%s'",
				a->fo.hash);
	return -1;
}

static int run_opensbi(int argc, char **argv)
{
	static const int allowed[] = {O_IN, O_LOAD, O_ENTRY, O_HASH, 0};
	struct args a = {.fo.load = K1_FIT_OPENSBI_LOAD};
	struct k1_buf in = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_output output;
	int rc = parse(argc, argv, &a, allowed, usage_opensbi);

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (!a.in)
		return cli_fail("missing --in fw_dynamic.bin");
	if (cli_output(&output, a.o, a.dir, 0, &a.in, 1))
		return EXIT_USAGE;
	if (timestamp(&a.in, 1, &a.fo.timestamp))
		return EXIT_USAGE;
	if (k1_read_file(a.in, &in, &err))
		return cli_fail_err(&err);
	if (k1_fit_build_opensbi(in.data, in.len, &a.fo, &out, &err))
		rc = cli_fail("%s: %s", a.in, err.msg);
	else
		rc = cli_write(&output, out.data, out.len) ? EXIT_USAGE : EXIT_OK;
	k1_buf_free(&in);
	k1_buf_free(&out);
	return rc;
}

/* Split "[NAME=]FILE": NAME defaults to FILE's base name without ".dtb". */
static void dtb_arg(const char *arg, char *name, size_t nsz, const char **file)
{
	const char *eq = strchr(arg, '='), *base;
	size_t n;

	if (eq) {
		n = (size_t)(eq - arg);
		*file = eq + 1;
	} else {
		base = strrchr(arg, '/');
		base = base ? base + 1 : arg;
		n = strlen(base);
		if (n > 4 && !strcmp(base + n - 4, ".dtb"))
			n -= 4;
		arg = base;
	}
	snprintf(name, nsz, "%.*s", (int)n, arg);
}

struct boards {
	char name[MAX_DTBS][128];
	struct k1_buf data[MAX_DTBS];
	struct k1_fit_dtb dtb[MAX_DTBS];
	size_t n;
};

static void boards_free(struct boards *b)
{
	for (size_t i = 0; i < b->n; i++)
		k1_buf_free(&b->data[i]);
	free(b);
}

/* Read, check and (with --memory) rewrite each device tree. */
static int read_boards(const struct args *a, struct boards *b)
{
	struct k1_error err = {0};

	for (size_t i = 0; i < a->ndtb; i++, b->n++) {
		const char *file = a->dtb[i];
		struct k1_buf raw = K1_BUF_INIT;

		dtb_arg(a->dtb[i], b->name[i], sizeof(b->name[i]), &file);
		if (!b->name[i][0] || !*file)
			return cli_fail(
				"--dtb '%s': expected [NAME=]FILE with both parts non-empty",
				a->dtb[i]);
		if (k1_read_file(file, &raw, &err))
			return cli_fail_err(&err);
		if (k1_dtb_check(raw.data, raw.len, &err) ||
		    (a->has_memory &&
		     k1_dtb_set_memory(raw.data, raw.len, a->memory, &b->data[i], &err))) {
			k1_buf_free(&raw);
			return cli_fail("%s: %s", file, err.msg);
		}
		if (a->has_memory)
			k1_buf_free(&raw);
		else
			b->data[i] = raw;
		b->dtb[i] = (struct k1_fit_dtb){b->name[i], b->data[i].data, b->data[i].len};
	}
	return 0;
}

static int default_index(const struct args *a, const struct boards *b, size_t *idx)
{
	*idx = 0;
	if (!a->dflt)
		return 0;
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->name[i], a->dflt)) {
			*idx = i;
			return 0;
		}
	return cli_fail("--default '%s': no --dtb has that board name", a->dflt);
}

static int run_uboot(int argc, char **argv)
{
	static const int allowed[] = {O_IN,      O_LOAD,   O_ENTRY, O_HASH,     O_DTB,
				      O_DEFAULT, O_MEMORY, O_SBI,   O_SBI_LOAD, 0};
	struct args a = {.fo.load = K1_FIT_UBOOT_LOAD, .opensbi_load = K1_FIT_OPENSBI_LOAD};
	struct k1_buf in = K1_BUF_INIT, sbi = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};
	const char *paths[MAX_DTBS + 2];
	struct k1_output output;
	size_t npaths;
	struct boards *b;
	size_t dflt = 0;
	int rc = parse(argc, argv, &a, allowed, usage_uboot);

	if (rc >= 0)
		return rc;
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (!a.in || !a.ndtb)
		return cli_fail("missing %s", !a.in ? "--in u-boot-nodtb.bin" : "--dtb BOARD.dtb");
	if (!a.opensbi && a.opensbi_load != K1_FIT_OPENSBI_LOAD)
		return cli_fail("--opensbi-load needs --opensbi fw_dynamic.bin");
	paths[0] = a.in;
	for (size_t i = 0; i < a.ndtb; i++) /* the file part of [NAME=]FILE */
		paths[i + 1] = strchr(a.dtb[i], '=') ? strchr(a.dtb[i], '=') + 1 : a.dtb[i];
	npaths = a.ndtb + 1;
	if (a.opensbi)
		paths[npaths++] = a.opensbi;
	if (cli_output(&output, a.o, a.dir, 0, paths, npaths))
		return EXIT_USAGE;
	b = calloc(1, sizeof(*b));
	if (!b)
		return cli_fail("out of memory");
	rc = read_boards(&a, b);
	if (!rc)
		rc = default_index(&a, b, &dflt);
	if (!rc && timestamp(paths, npaths, &a.fo.timestamp))
		rc = EXIT_USAGE;
	if (!rc &&
	    (k1_read_file(a.in, &in, &err) || (a.opensbi && k1_read_file(a.opensbi, &sbi, &err))))
		rc = cli_fail_err(&err);
	if (!rc && !a.opensbi &&
	    k1_fit_build_uboot(in.data, in.len, b->dtb, b->n, dflt, &a.fo, &out, &err))
		rc = cli_fail("%s: %s", a.in, err.msg);
	struct k1_fit_sbi fs = {sbi.data, sbi.len, a.opensbi_load, false, 0};
	if (!rc && a.opensbi &&
	    k1_fit_build_mainline(in.data, in.len, &fs, b->dtb, b->n, dflt, &a.fo, &out, &err))
		rc = cli_fail("%s: %s", a.in, err.msg);
	if (!rc && cli_write(&output, out.data, out.len))
		rc = EXIT_USAGE;
	boards_free(b);
	k1_buf_free(&in);
	k1_buf_free(&sbi);
	k1_buf_free(&out);
	return rc;
}

static int run_setmem(int argc, char **argv)
{
	static const int allowed[] = {O_MEMORY, 0};
	struct args a = {0};
	struct k1_buf in = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_output output;
	const char *src;
	int rc = parse(argc, argv, &a, allowed, usage_setmem);

	if (rc >= 0)
		return rc;
	if (optind >= argc)
		return cli_fail("missing IN.itb (the FIT to change)");
	if (optind + 1 < argc)
		return cli_fail("unexpected argument '%s'", argv[optind + 1]);
	if (!a.has_memory)
		return cli_fail("missing --memory SIZE");
	src = argv[optind];
	if (cli_output(&output, a.o, a.dir, 0, &src, 1))
		return EXIT_USAGE;
	if (k1_read_file(src, &in, &err))
		return cli_fail_err(&err);
	/* recomputing the hashes must not hide damage: only a sound FIT */
	struct k1_report r;
	int bad = k1_format_report(src, NULL, K1_REPORT_VERIFY | K1_REPORT_STRICT, NULL, &r, &err);
	k1_report_free(&r);
	if (bad)
		rc = cli_fail("%s: not a FIT that verifies (set-memory rewrites only those)",
			      err.msg);
	else if (k1_fit_set_memory(in.data, in.len, a.memory, &out, NULL, &err))
		rc = cli_fail("%s: %s", src, err.msg);
	else
		rc = cli_write(&output, out.data, out.len) ? EXIT_USAGE : EXIT_OK;
	k1_buf_free(&in);
	k1_buf_free(&out);
	return rc;
}

static int run(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} subs[] = {{"opensbi", run_opensbi}, {"uboot", run_uboot}, {"set-memory", run_setmem}};

	if (argc < 2)
		return cli_fail("fit: missing SUBCOMMAND (opensbi, uboot or set-memory; see 'k1fw "
				"fit --help')");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	return cli_fail("fit: unknown subcommand '%s' (expected opensbi, uboot or set-memory)",
			argv[1]);
}

const struct k1_command cmd_fit = {"fit", "write fw_dynamic.itb / u-boot.itb, set their RAM size",
				   run};

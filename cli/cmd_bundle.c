/* k1fw bundle: a complete, flashable release folder from the build outputs. */
#include "base/fileio.h"
#include "command.h"
#include "emu/bootfs_check.h"
#include "format/fit.h"
#include "release/bundle.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bootfs packed, read as U-Boot will read it with the release's env:
 * a warning (not a failure: the user may add files later) when it would
 * not boot Linux. */
static void warn_bootfs(const char *bootfs, const char *out)
{
	struct k1_mapped m = {0}, e = {0};
	struct k1_error err = {0};
	struct k1_bootfs_result r;
	char env[4200];

	if (k1_map_file(bootfs, &m, &err))
		return;
	snprintf(env, sizeof(env), "%s/env.bin", out);
	if (k1_map_file(env, &e, &err))
		e = (struct k1_mapped){0};
	k1_bootfs_check(m.data, m.len, e.data, e.len, false, NULL, NULL, &r);
	if (!r.boots)
		cli_warn("%s would not boot Linux with this release's U-Boot (%s): %s; fix: %s",
			 bootfs, r.step, r.why, r.fix);
	k1_unmap_file(&m);
	k1_unmap_file(&e);
}

/* A mainline u-boot.itb carries its own OpenSBI: a separate one is shipped
 * in the opensbi partition as asked, but the mainline SPL never reads it. */
static void warn_both_opensbi(const struct k1_bundle_inputs *in)
{
	struct k1_mapped m = {0};
	struct k1_error err = {0};

	if (!in->opensbi || !in->uboot || k1_map_file(in->uboot, &m, &err))
		return;
	if (k1_fit_carries_opensbi(m.data, m.len))
		cli_warn("%s carries OpenSBI (mainline layout): a mainline SPL will not use the "
			 "separate %s written to the opensbi partition",
			 in->uboot, in->opensbi);
	k1_unmap_file(&m);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw bundle --spl u-boot-spl.bin --keys KEYDIR [--opensbi "
		   "fw_dynamic.{bin,itb}]\n"
		   "                   (--uboot u-boot.itb | --uboot-bin u-boot-nodtb.bin --dtb "
		   "[NAME=]F.dtb...)\n"
		   "                   [--env env.txt|env.bin] [--bootfs IMG] [--rootfs IMG] -o "
		   "OUTDIR\n\n"
		   "Write a release folder in the vendor's layout, ready for fastboot, the\n"
		   "vendor's flashing tools and k1fw:\n"
		   "  factory/bootinfo_{emmc,sd,spinor,spinand}.bin  factory/FSBL.bin\n"
		   "  fw_dynamic.itb  u-boot.itb  env.bin  [bootfs.ext4  rootfs.ext4]\n"
		   "  partition_universal.json (GPT: eMMC, SD, SSD)  partition_2M.json (SPI NOR)\n"
		   "  SHA256SUMS (check a copy with `sha256sum -c SHA256SUMS`)\n\n"
		   "Every file is verified before OUTDIR appears; OUTDIR must not exist, and a\n"
		   "failure leaves nothing behind. FIT timestamps come from SOURCE_DATE_EPOCH,\n"
		   "else from the newest input, so the same inputs give the same bytes.\n"
		   "A dtb's board name is NAME, else its file name without .dtb; the first\n"
		   "--dtb is the default configuration. Without --env the environment is empty\n"
		   "(U-Boot then uses its built-in one).\n"
		   "A mainline u-boot.itb (k1fw fit uboot --opensbi) carries OpenSBI: --opensbi\n"
		   "is then not needed, and the tables leave the opensbi partition empty.\n");
}

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	printf("  %s\n", msg);
}

/* "NAME=FILE" or "FILE" (the name is the file's base name without .dtb,
 * kept in owned, which the caller frees). */
static void parse_dtb(char *arg, struct k1_bundle_dtb *d, char **owned)
{
	char *eq = strchr(arg, '=');
	if (eq) {
		*eq = '\0';
		d->name = arg;
		d->path = eq + 1;
		return;
	}
	d->path = arg;
	char *base = strrchr(arg, '/');
	base = strdup(base ? base + 1 : arg);
	if (base) {
		size_t n = strlen(base);
		if (n > 4 && !strcmp(base + n - 4, ".dtb"))
			base[n - 4] = '\0';
	}
	d->name = *owned = base;
}

static int run(int argc, char **argv)
{
	enum {
		O_SPL = 256,
		O_KEYS,
		O_OPENSBI,
		O_UBOOT,
		O_UBOOT_BIN,
		O_DTB,
		O_ENV,
		O_BOOTFS,
		O_ROOTFS
	};
	static const struct option opts[] = {
		{"spl", required_argument, NULL, O_SPL},
		{"keys", required_argument, NULL, O_KEYS},
		{"opensbi", required_argument, NULL, O_OPENSBI},
		{"uboot", required_argument, NULL, O_UBOOT},
		{"uboot-bin", required_argument, NULL, O_UBOOT_BIN},
		{"dtb", required_argument, NULL, O_DTB},
		{"env", required_argument, NULL, O_ENV},
		{"bootfs", required_argument, NULL, O_BOOTFS},
		{"rootfs", required_argument, NULL, O_ROOTFS},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_bundle_dtb dtbs[8];
	char *names[8] = {NULL};
	struct k1_bundle_inputs in = {.dtbs = dtbs};
	struct k1_error err = {0};
	const char *out = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_SPL:
			in.spl = optarg;
			break;
		case O_KEYS:
			in.keydir = optarg;
			break;
		case O_OPENSBI:
			in.opensbi = optarg;
			break;
		case O_UBOOT:
			in.uboot = optarg;
			break;
		case O_UBOOT_BIN:
			in.uboot_bin = optarg;
			break;
		case O_DTB:
			if (in.ndtbs == 8)
				return cli_fail("--dtb: at most 8 device trees");
			parse_dtb(optarg, &dtbs[in.ndtbs], &names[in.ndtbs]);
			in.ndtbs++;
			break;
		case O_ENV:
			in.env = optarg;
			break;
		case O_BOOTFS:
			in.bootfs = optarg;
			break;
		case O_ROOTFS:
			in.rootfs = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option(argv);
		}
	}
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (!out)
		return cli_fail("missing -o OUTDIR");
	if (!in.spl || !in.keydir)
		return cli_fail("missing %s", !in.spl ? "--spl" : "--keys");
	warn_both_opensbi(&in);
	if (k1_bundle_timestamp(&in, getenv("SOURCE_DATE_EPOCH"), &in.timestamp, &err))
		return cli_fail_err(&err);
	printf("building %s\n", out);
	int status = k1_bundle_write(out, &in, log_line, NULL, &err) ? cli_fail_err(&err) : EXIT_OK;
	if (status == EXIT_OK && in.bootfs)
		warn_bootfs(in.bootfs, out);
	if (status == EXIT_OK)
		printf("release ready: %s\n", out);
	for (int i = 0; i < 8; i++)
		free(names[i]);
	return status;
}

const struct k1_command cmd_bundle = {"bundle", "write a complete, verified release folder", run};

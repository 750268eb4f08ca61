/* k1fw flash: a whole BPI-F3 from a release folder, in one command. */
#include "command.h"
#include "console_watch.h"
#include "fastboot/usb.h"
#include "flash/flash.h"
#include "progress.h"
#include "release/release.h"

#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw flash --bundle DIR [-s usb[:PORTPATH] | -s tcp|udp:HOST[:PORT]]...\n"
		"                  [--all]"
		" [--media emmc|spinor|spinand|auto] [--only PART,...] [--dry-run]\n"
		"                  [--no-reboot] [--no-fs-skip] [--gzip] [--json] [--timeout S]\n"
		"                  [--io-timeout S] [--console DEVICE [--console-serial S]]\n"
		"                  [--emmc-spl-limit N]\n\n"
		"Flash a K1 board (BPI-F3) from a release folder (k1fw bundle, or an unpacked\n"
		"vendor release with factory/ and partition_*.json). The whole folder is\n"
		"verified first. The board's stage is found (BootROM, SPL, U-Boot); the FSBL\n"
		"and U-Boot are staged only when needed. Then the partition table is written\n"
		"(flash gpt for eMMC; flash mtd partition_<N>M.json, chosen by the flash size,\n"
		"for SPI NOR/NAND) and every partition of it that has an image, images larger\n"
		"than the board's max-download-size as Android sparse pieces. An ext2/3/4\n"
		"image goes as Android sparse of the blocks its bitmap marks in use: free\n"
		"blocks (a deleted file's bytes) are not sent and keep what the partition\n"
		"held, as with bmaptool.\n\n"
		"  --bundle DIR    the release folder, or a release zip (unpacked to $TMPDIR)\n"
		"  -s WHERE        usb (the only board), usb:1-2.3 (by port, see 'k1fw devices'),\n"
		"                  tcp:HOST[:PORT] (fastboot TCP, port 5554), udp:HOST[:PORT]\n"
		"                  (fastboot UDP, port 5554: U-Boot's `fastboot udp` over\n"
		"                  Ethernet); repeat -s to flash several boards in parallel\n"
		"  --all           every USB board with a fastboot interface, in parallel\n"
		"  --media M       auto (default: ask U-Boot getvar mtd-size/blk-size), emmc,\n"
		"                  spinor, spinand; a bootinfo for another media is refused\n"
		"  --only LIST     only these partitions (gpt/mtd = the table), e.g. to resume\n"
		"  --dry-run       print the equivalent fastboot commands, touch no board, and\n"
		"                  per partition the image's size, the bytes to send and why\n"
		"  --no-reboot     leave the board in U-Boot fastboot at the end\n"
		"  --no-fs-skip    send ext2/3/4 images whole (free blocks too), as fastboot\n"
		"  --gzip          send a partition as gzip slices when that is faster (35 MB/s\n"
		"                  link, 20 MB/s board writes assumed); only for a vendor U-Boot\n"
		"                  that inflates (v1.0.15, k1-bl-v2): the board cannot be asked,\n"
		"                  and 1.0beta or mainline U-Boot write the compressed bytes.\n"
		"                  Each slice inflates to at most max-download-size (the buffer\n"
		"                  U-Boot inflates into is taken to be as large); --dry-run\n"
		"                  assumes 256 MiB\n"
		"  --json          one JSON event per line on stdout\n"
		"  --timeout S     wait up to S seconds for a board to appear or come back (30)\n"
		"  --io-timeout S  wait up to S seconds for each reply or transfer (120)\n"
		"  --console DEV   read the board's serial console (DEV, e.g. /dev/ttyUSB0) while\n"
		"                  flashing; when a step fails, print what the board said (its\n"
		"                  last lines and doctor's reading of them) next to the error\n"
		"  --console-serial S  its speed and frame (115200,8N1)\n"
		"  --emmc-spl-limit N  the spl_size_limit of the eMMC bootinfo the board's\n"
		"                  U-Boot writes (vendor v1.0.15: 0x32100); a larger FSBL.bin\n"
		"                  is refused before anything is sent\n\n"
		"Vendor U-Boot: what its OKAY proves is printed as notes: fsbl is unverified\n"
		"(always OKAY), sparse writes are not read back, an env.bin that U-Boot only\n"
		"imports into RAM is said plainly; a file whose bytes 2-3 look like gzip to\n"
		"it is sent as an Android sparse image.\n\n"
		"Exit status: 0 flashed, 1 the board failed (FAIL reply, gone, timeout),\n"
		"2 usage error or a bundle that does not verify.\n");
}

struct flash_args {
	struct k1_flash_opts o;
	const char *bundle_arg;
	bool dry, json, all, zip;
	struct k1_target *targets;
	char **specs;
	size_t ntargets;
	struct console_watch *con; /* --console: the board's own words */
};

static void verify_log(void *ctx, const char *msg)
{
	struct flash_args *a = ctx;
	if (a->json) {
		json_t *j = json_pack("{s:s, s:s}", "event", "verified", "message", msg);
		progress_json_line(j);
	} else {
		printf("  %s\n", msg);
	}
}

/* Before a flash command: what it costs on the wire, as a comment. */
static void print_bytes(const struct flash_args *a, const struct k1_flash_plan *plan,
			const struct k1_flash_step *st)
{
	struct k1_flash_image im;
	struct k1_error err = {0};

	int rc = a->o.gzip && plan->media == K1_MEDIA_EMMC
			 ? k1_flash_gzip_estimate(st->path, st->part, a->o.fs_skip,
						  K1_FLASH_GZIP_DRY_BUF, &im, &err)
			 : k1_flash_image_estimate(st->path, a->o.fs_skip, &im, &err);
	if (rc)
		printf("# %s: %s\n", st->part, err.msg);
	else
		printf("# %s: %" PRIu64 " bytes, %" PRIu64 " to send (%s)\n", st->part, im.size,
		       im.send, im.why);
}

/* The plan as fastboot commands (spec §6): what a user would type. */
static void print_dry_run(const struct flash_args *a, const struct k1_flash_plan *plan)
{
	char s[200] = "";
	if (a->ntargets == 1 && a->specs[0])
		snprintf(s, sizeof(s), " -s %s", a->specs[0]);
	if (a->o.gzip && plan->media == K1_MEDIA_EMMC)
		printf("# %s (max-download-size taken as 256 MiB)\n", K1_FLASH_GZIP_ASSUMES);
	else if (a->o.gzip)
		printf("# %s\n", K1_FLASH_GZIP_EMMC_ONLY);
	if (a->zip) /* the unpacked folder is gone when this is read */
		printf("# unzip %s, then in the folder holding factory/:\n", a->bundle_arg);
	for (size_t i = 0; i < plan->count; i++) {
		const struct k1_flash_step *st = &plan->steps[i];
		const char *file = a->zip ? st->rel : st->path;
		switch (st->kind) {
		case K1_STEP_STAGE:
			printf("fastboot%s stage %s\n", s, file);
			break;
		case K1_STEP_CONTINUE:
			printf("fastboot%s continue\n", s);
			if (st->when == K1_STAGE_BROM)
				printf("sleep 1\n"); /* the vendor's "wait for uboot ready" */
			break;
		case K1_STEP_TABLE:
			printf("fastboot%s flash %s %s\n", s, st->part, file);
			break;
		case K1_STEP_FLASH:
			print_bytes(a, plan, st);
			printf("fastboot%s flash %s %s\n", s, st->part, file);
			break;
		case K1_STEP_REBOOT:
			printf("fastboot%s reboot\n", s);
			break;
		}
	}
}

/* Lost right after the SPL started: the classic 2 GB BPI-F3 with the
 * EEPROM's ddr_cs_num 2 (spec §6.1). The explanation and the command. */
static void ddr_hint(const char *bundle, const char *spec, char *why, size_t wn)
{
	snprintf(why, wn,
		 "the board was lost right after its SPL started: on a 2 GB board this is the "
		 "EEPROM's ddr_cs_num (2 instead of 1: the SPL trains a DDR chip select the "
		 "board does not have). Reset the board into USB download mode and run: "
		 "k1fw eeprom set --bundle %s%s%s ddr_cs_num=1",
		 bundle, spec ? " -s " : "", spec ? spec : "");
}

/* One board: its progress, and the resume line a signal would print. */
struct one {
	struct progress pr;
	struct k1_flash_status st;
	const struct flash_args *a;
	const char *spec;
	int note;
};

static void one_event(void *ctx, const struct k1_flash_event *ev)
{
	struct one *o = ctx;

	progress_resume_note(o->note, ev, &o->st, o->a->bundle_arg, o->spec, o->a->o.reboot, false);
	progress_event(&o->pr, ev);
}

static int run_one(struct flash_args *a, size_t i)
{
	struct k1_error err = {0};
	struct one one = {.a = a, .spec = a->specs[i], .note = cli_note_open()};
	struct k1_flash_status st;

	progress_init(&one.pr, a->json, isatty(STDOUT_FILENO), a->specs[i]);
	int rc = k1_flash_run(&a->o, &a->targets[i], one_event, &one, &one.st, &err);
	cli_note_close(one.note);
	st = one.st;
	progress_finish(&one.pr);
	if (!rc) {
		progress_done(&one.pr, true, NULL, NULL);
		if (!a->json && st.unverified)
			printf("%zu step%s unverified: vendor U-Boot's OKAY does not prove them "
			       "(see the notes)\n",
			       st.unverified, st.unverified == 1 ? "" : "s");
		if (!a->json && st.env_not_on_disk)
			fprintf(stderr, "k1fw: warning: env.bin is not on the board's disk: "
					"see the note on env (or gpt) above\n");
		return EXIT_OK;
	}
	char resume[1200] = "", why[1400], msg[sizeof(why) + sizeof(err.msg) + 4];
	if (st.spl_lost) { /* nothing was flashed: no resume command */
		ddr_hint(a->bundle_arg, a->specs[i], why, sizeof(why));
		snprintf(msg, sizeof(msg), "%s. %s", err.msg, why);
		progress_done(&one.pr, false, msg, NULL);
		if (!a->json)
			fprintf(stderr, "k1fw: %s\nk1fw: %s\n", err.msg, why);
		return EXIT_CHECK_FAILED;
	}
	if (st.resume_only[0])
		progress_resume_cmd(resume, sizeof(resume), a->bundle_arg, a->specs[i],
				    st.resume_only, a->o.reboot);
	progress_done(&one.pr, false, err.msg, resume);
	if (!a->json) {
		fprintf(stderr, "k1fw: %s\n", err.msg);
		if (a->con)
			console_watch_print(a->con, stderr);
		if (resume[0])
			fprintf(stderr, "k1fw: resume with: %s\n", resume);
	} else if (a->con) {
		progress_json_line(console_watch_json(a->con));
	}
	return rc == K1_EINVAL || rc == K1_ENOTSUP ? EXIT_USAGE : EXIT_CHECK_FAILED;
}

static void *board_thread(void *p)
{
	struct board_job *j = p;
	j->status = board_run(j);
	return NULL;
}

/* Several boards at once: one thread each, one status line each. */
static int run_many(struct flash_args *a)
{
	struct board_job *jobs = calloc(a->ntargets, sizeof(*jobs));
	struct board_screen scr;
	int status = EXIT_OK;

	if (!jobs)
		return cli_fail("out of memory");
	board_screen_init(&scr, a->ntargets, a->json, isatty(STDOUT_FILENO));
	for (size_t i = 0; i < a->ntargets; i++) {
		jobs[i] = (struct board_job){.opts = &a->o,
					     .target = a->targets[i],
					     .screen = &scr,
					     .line = i,
					     .bundle_arg = a->bundle_arg};
		k1_target_format(&a->targets[i], jobs[i].name, sizeof(jobs[i].name));
		board_screen_set(&scr, i, jobs[i].name, "waiting");
		if (pthread_create(&jobs[i].thread, NULL, board_thread, &jobs[i]))
			jobs[i].status = cli_fail("%s: cannot start a thread", jobs[i].name);
		else
			jobs[i].started = true;
	}
	for (size_t i = 0; i < a->ntargets; i++)
		if (jobs[i].started)
			pthread_join(jobs[i].thread, NULL);
	board_screen_finish(&scr);
	for (size_t i = 0; i < a->ntargets; i++) {
		if (jobs[i].status > status)
			status = jobs[i].status;
		if (jobs[i].status && !a->json)
			fprintf(stderr, "k1fw: %s: %s\n", jobs[i].name, jobs[i].err.msg);
		if (jobs[i].status && !a->json && jobs[i].resume[0])
			fprintf(stderr, "k1fw: %s: resume with: %s\n", jobs[i].name,
				jobs[i].resume);
	}
	free(jobs);
	return status;
}

static int add_target(struct flash_args *a, const char *spec)
{
	struct k1_error err = {0};
	struct k1_target *t = realloc(a->targets, (a->ntargets + 1) * sizeof(*t));
	char **s;
	if (!t)
		return cli_fail("out of memory");
	a->targets = t;
	if (!(s = realloc(a->specs, (a->ntargets + 1) * sizeof(*s))))
		return cli_fail("out of memory");
	a->specs = s;
	if (k1_target_parse(spec, &a->targets[a->ntargets], &err))
		return cli_fail_err(&err);
	a->specs[a->ntargets] = spec ? strdup(spec) : NULL;
	a->ntargets++;
	return 0;
}

static int add_all_usb(struct flash_args *a)
{
	struct k1_error err = {0};
	struct k1_usb_info *v;
	size_t n;
	int rc = 0;
	if (k1_usb_list(&v, &n, &err))
		return cli_fail_err(&err);
	if (n == 0) {
		free(v);
		return cli_fail(
			"--all: no USB board with a fastboot interface (see 'k1fw devices')");
	}
	for (size_t i = 0; i < n && !rc; i++) {
		char spec[48];
		snprintf(spec, sizeof(spec), "usb:%s", v[i].port_path);
		rc = add_target(a, spec);
	}
	free(v);
	return rc;
}

static int parse_secs(const char *opt, const char *s, unsigned *ms)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || v <= 0 || v > 86400)
		return cli_fail("%s: expected seconds (0 < S <= 86400), got '%s'", opt, s);
	*ms = (unsigned)(v * 1000);
	return 0;
}

static int run(int argc, char **argv)
{
	enum {
		O_BUNDLE = 256,
		O_MEDIA,
		O_ONLY,
		O_DRY,
		O_NOREBOOT,
		O_JSON,
		O_TIMEOUT,
		O_IO,
		O_ALL,
		O_CONSOLE,
		O_CONSOLE_SERIAL,
		O_NO_FS_SKIP,
		O_GZIP,
		O_SPL_LIMIT
	};
	static const struct option opts[] = {
		{"bundle", required_argument, NULL, O_BUNDLE},
		{"serial", required_argument, NULL, 's'},
		{"media", required_argument, NULL, O_MEDIA},
		{"only", required_argument, NULL, O_ONLY},
		{"dry-run", no_argument, NULL, O_DRY},
		{"no-reboot", no_argument, NULL, O_NOREBOOT},
		{"no-fs-skip", no_argument, NULL, O_NO_FS_SKIP},
		{"gzip", no_argument, NULL, O_GZIP},
		{"json", no_argument, NULL, O_JSON},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"io-timeout", required_argument, NULL, O_IO},
		{"all", no_argument, NULL, O_ALL},
		{"console", required_argument, NULL, O_CONSOLE},
		{"console-serial", required_argument, NULL, O_CONSOLE_SERIAL},
		{"emmc-spl-limit", required_argument, NULL, O_SPL_LIMIT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct flash_args a = {.o = {.media_auto = true,
				     .reboot = true,
				     .blk = true,
				     .fs_skip = true,
				     .wait_ms = 30000,
				     .io_ms = 120000}};
	struct k1_error err = {0};
	struct k1_flash_plan plan;
	struct k1_serial_opts cso = {115200, 8, 'N', 1, false};
	const char *console = NULL;
	struct k1_output scratch = {.fd = -1, .slot = -1};
	char unpacked[PATH_MAX];
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case O_BUNDLE:
			a.bundle_arg = a.o.bundle = optarg;
			break;
		case 's':
			rc = add_target(&a, optarg);
			break;
		case O_MEDIA:
			if (!strcmp(optarg, "auto")) {
				a.o.media_auto = true;
			} else if (k1_media_parse(optarg, &a.o.media) || a.o.media == K1_MEDIA_SD) {
				rc = cli_fail(
					"--media %s: expected emmc, spinor, spinand or auto%s",
					optarg,
					!strcmp(optarg, "sd") ? " (SD cards cannot be flashed over "
								"fastboot: k1fw image -o /dev/sdX "
								"writes the card)"
							      : "");
			} else {
				a.o.media_auto = false;
			}
			break;
		case O_ONLY:
			a.o.only = optarg;
			break;
		case O_DRY:
			a.dry = true;
			break;
		case O_NOREBOOT:
			a.o.reboot = false;
			break;
		case O_NO_FS_SKIP:
			a.o.fs_skip = false;
			break;
		case O_GZIP:
			a.o.gzip = true;
			break;
		case O_JSON:
			a.json = true;
			break;
		case O_TIMEOUT:
			rc = parse_secs("--timeout", optarg, &a.o.wait_ms);
			break;
		case O_IO:
			rc = parse_secs("--io-timeout", optarg, &a.o.io_ms);
			break;
		case O_ALL:
			a.all = true;
			break;
		case O_CONSOLE:
			console = optarg;
			break;
		case O_CONSOLE_SERIAL:
			if (k1_serial_parse(optarg, &cso, &err))
				rc = cli_fail_err(&err);
			break;
		case O_SPL_LIMIT: {
			unsigned long long v;
			if (cli_parse_u64(optarg, &v) || v < 0x1100 || v > 0x40000)
				rc = cli_fail(
					"--emmc-spl-limit: expected 0x1100 to 0x40000, got '%s'",
					optarg);
			else
				a.o.emmc_spl_limit = (uint32_t)v;
			break;
		}
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			rc = cli_bad_option(argv);
			break;
		}
		if (rc)
			goto out;
	}
	if (optind < argc) {
		rc = cli_fail("unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!a.o.bundle) {
		rc = cli_fail("missing --bundle DIR");
		goto out;
	}
	if (a.all && a.ntargets) {
		rc = cli_fail("--all flashes every USB board: leave out -s");
		goto out;
	}
	if (console && (a.ntargets > 1 || a.all)) {
		rc = cli_fail("--console watches one board: flash one target with it");
		goto out;
	}
	if (k1_release_is_zip(a.o.bundle)) { /* a vendor release as published */
		if (!a.json && !a.dry)
			printf("unpacking %s\n", a.o.bundle);
		if (k1_release_unzip(a.o.bundle, &scratch, unpacked, sizeof(unpacked), &err)) {
			rc = cli_fail_err(&err);
			goto out;
		}
		a.o.bundle = unpacked;
		a.zip = true;
	}
	/* --dry-run prints the command list and nothing else */
	if (!a.json && !a.dry)
		printf("verifying %s\n", a.o.bundle);
	/* a flash checks the big files' SHA-256 while it sends them */
	if (k1_bundle_verify(a.o.bundle, a.dry ? NULL : verify_log, &a,
			     a.dry ? NULL : &a.o.hash_ahead, &err)) {
		rc = cli_fail_err(&err);
		goto out;
	}
	{ /* the plan with the media given (auto: eMMC) catches missing files early */
		struct k1_flash_opts po = a.o;
		if (po.media_auto)
			po.media = K1_MEDIA_EMMC;
		if (k1_flash_plan_build(&po, &plan, &err)) {
			rc = cli_fail_err(&err);
			goto out;
		}
	}
	if (a.dry) {
		print_dry_run(&a, &plan);
		k1_flash_plan_free(&plan);
		goto out;
	}
	k1_flash_plan_free(&plan);
	if (a.all && (rc = add_all_usb(&a)))
		goto out;
	if (a.ntargets == 0 && (rc = add_target(&a, NULL)))
		goto out;
	if (console && (rc = console_watch_start(&a.con, console, &cso)))
		goto out;
	rc = a.ntargets == 1 && !a.all ? run_one(&a, 0) : run_many(&a);
out:
	console_watch_stop(a.con);
	k1_hash_ahead_free(a.o.hash_ahead);
	k1_output_abort(&scratch);
	for (size_t i = 0; i < a.ntargets; i++)
		free(a.specs[i]);
	free(a.specs);
	free(a.targets);
	return rc;
}

const struct k1_command cmd_flash = {"flash", "flash a board from a release folder (USB or TCP)",
				     run};

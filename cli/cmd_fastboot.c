/* k1fw fastboot: the protocol primitives for scripts, over USB, TCP or UDP. */
#include "command.h"
#include "fastboot/fastboot.h"
#include "flash/flash.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw fastboot [-s WHERE] [--timeout S] [--io-timeout S] COMMAND...\n\n"
		"One fastboot exchange with a board (USB, TCP or UDP), as the flasher does it:\n"
		"  getvar NAME        print NAME: VALUE (version-brom answers only in the "
		"BootROM)\n"
		"  stage FILE         download FILE for the next continue\n"
		"  continue           run what was staged (the board re-enumerates)\n"
		"  flash PART FILE    write FILE to PART; bigger than max-download-size: sparse "
		"pieces\n"
		"  erase PART\n"
		"  reboot [bootloader]\n"
		"  oem ARGS...        e.g. oem read:console, oem config:read product_name\n"
		"  stage-of           print the board's stage: brom, spl or u-boot\n\n"
		"  -s WHERE           usb, usb:PORTPATH, tcp:HOST[:PORT] or udp:HOST[:PORT] (see\n"
		"                     k1fw flash)\n"
		"  --timeout S        wait up to S seconds for the board to appear (30)\n"
		"  --io-timeout S     wait up to S seconds for each reply or transfer (120)\n\n"
		"INFO lines go to stderr as (bootloader) TEXT; a FAIL reply is printed verbatim.\n"
		"Exit status: 0 OKAY, 1 the board said FAIL or could not be reached, 2 usage.\n");
}

static void on_info(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "(bootloader) %s\n", msg);
}

static int secs(const char *s, unsigned *ms)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || v <= 0 || v > 86400)
		return cli_fail("expected seconds (0 < S <= 86400), got '%s'", s);
	*ms = (unsigned)(v * 1000);
	return 0;
}

static int need(int argc, int want, const char *what)
{
	return argc == want ? 0 : cli_fail("%s", what);
}

static int exchange(struct k1_fb *fb, int argc, char **argv, struct k1_error *err)
{
	const char *cmd = argv[0];
	char out[K1_FB_RESPONSE_MAX + 1], line[K1_FB_COMMAND_MAX + 2];
	uint64_t sent, max = 0;
	int rc;

	if (!strcmp(cmd, "getvar")) {
		if ((rc = k1_fb_getvar(fb, argv[1], out, sizeof(out), err)))
			return rc;
		printf("%s: %s\n", argv[1], out);
		return 0;
	}
	if (!strcmp(cmd, "stage-of")) {
		enum k1_stage st;
		if ((rc = k1_flash_detect_stage(fb, &st, err)))
			return rc;
		printf("%s\n", k1_stage_name(st));
		return 0;
	}
	if (!strcmp(cmd, "stage") || !strcmp(cmd, "flash")) {
		struct k1_error ignored;
		if (!k1_fb_getvar(fb, "max-download-size", out, sizeof(out), &ignored))
			max = k1_fb_parse_size(out);
		bool flash = !strcmp(cmd, "flash");
		return k1_flash_send_file(fb, flash ? "flash" : NULL, flash ? argv[1] : "",
					  argv[flash ? 2 : 1], max, NULL, NULL, &sent, err);
	}
	if (!strcmp(cmd, "continue"))
		return k1_fb_command(fb, "continue", NULL, 0, err);
	if (!strcmp(cmd, "erase")) {
		snprintf(line, sizeof(line), "erase:%s", argv[1]);
		return k1_fb_command(fb, line, NULL, 0, err);
	}
	if (!strcmp(cmd, "reboot"))
		return k1_fb_command(fb, argc > 1 ? "reboot-bootloader" : "reboot", NULL, 0, err);
	/* oem: the words joined by spaces, as fastboot does */
	size_t len = 0;
	for (int i = 0; i < argc; i++) {
		int n = snprintf(line + len, sizeof(line) - len, "%s%s", i ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - len)
			return k1_err(err, K1_EINVAL, "oem: command longer than %d bytes",
				      K1_FB_COMMAND_MAX);
		len += (size_t)n;
	}
	rc = k1_fb_command(fb, line, out, sizeof(out), err);
	if (!rc && out[0])
		printf("%s\n", out);
	return rc;
}

static int check_args(int argc, char **argv)
{
	const char *c = argv[0];
	if (!strcmp(c, "getvar") || !strcmp(c, "stage") || !strcmp(c, "erase"))
		return need(argc, 2, "expected one argument after the command");
	if (!strcmp(c, "flash"))
		return need(argc, 3, "flash: expected PART FILE");
	if (!strcmp(c, "continue") || !strcmp(c, "stage-of"))
		return need(argc, 1, "expected no argument after the command");
	if (!strcmp(c, "reboot"))
		return argc == 1 || (argc == 2 && !strcmp(argv[1], "bootloader"))
			       ? 0
			       : cli_fail("reboot: expected nothing or 'bootloader'");
	if (!strcmp(c, "oem"))
		return argc >= 2 ? 0 : cli_fail("oem: expected ARGS");
	return cli_fail("unknown fastboot command '%s' (see 'k1fw fastboot --help')", c);
}

static int run(int argc, char **argv)
{
	enum { O_TIMEOUT = 256, O_IO };
	static const struct option opts[] = {
		{"serial", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"io-timeout", required_argument, NULL, O_IO},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_target target;
	struct k1_error err = {0};
	struct k1_transport *t = NULL;
	const char *where = NULL;
	unsigned wait_ms = 30000, io_ms = 120000;
	int c;

	/* "+": stop at the first word, so `oem erase:emmc -x` reaches the board */
	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			where = optarg;
			break;
		case O_TIMEOUT:
			if (secs(optarg, &wait_ms))
				return EXIT_USAGE;
			break;
		case O_IO:
			if (secs(optarg, &io_ms))
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (check_args(argc - optind, argv + optind))
		return EXIT_USAGE;
	if (k1_target_parse(where, &target, &err))
		return cli_fail_err(&err);
	if (k1_flash_connect(&target, wait_ms, io_ms, &t, &err)) {
		fprintf(stderr, "k1fw: %s\n", err.msg);
		return EXIT_CHECK_FAILED;
	}
	struct k1_fb_events ev = {on_info, NULL, NULL};
	struct k1_fb fb = {t, &ev, 0};
	int rc = exchange(&fb, argc - optind, argv + optind, &err);
	k1_transport_close(t);
	if (rc) {
		fprintf(stderr, "k1fw: %s\n", err.msg);
		return rc == K1_EINVAL ? EXIT_USAGE : EXIT_CHECK_FAILED;
	}
	return EXIT_OK;
}

const struct k1_command cmd_fastboot = {
	"fastboot", "fastboot primitives: getvar, stage, continue, flash, erase, reboot", run};

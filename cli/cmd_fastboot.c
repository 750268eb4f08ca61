/* k1fw fastboot: the protocol primitives for scripts, over USB, TCP or UDP. */
#include "base/fileio.h"
#include "command.h"
#include "fastboot/fastboot.h"
#include "flash/flash.h"

#include <getopt.h>
#include <limits.h>
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

/* Each subcommand: how many words follow the verb (min..max; word, when set,
 * is the only one allowed), the one line told when they are wrong, and the
 * exchange with the board. */
struct verb {
	const char *name;
	int min, max;
	const char *word;
	const char *usage;
	int (*exchange)(struct k1_fb *fb, char **argv, struct k1_error *err);
};

static int fb_getvar(struct k1_fb *fb, char **argv, struct k1_error *err)
{
	char out[K1_FB_RESPONSE_MAX + 1];
	int rc = k1_fb_getvar(fb, argv[1], out, sizeof(out), err);

	if (!rc)
		printf("%s: %s\n", argv[1], out);
	return rc;
}

static int fb_stage_of(struct k1_fb *fb, char **argv, struct k1_error *err)
{
	enum k1_stage st;
	int rc = k1_flash_detect_stage(fb, &st, err);

	(void)argv;
	if (!rc)
		printf("%s\n", k1_stage_name(st));
	return rc;
}

/* stage FILE, flash PART FILE: in pieces of the board's max-download-size */
static int fb_send(struct k1_fb *fb, char **argv, struct k1_error *err)
{
	char out[K1_FB_RESPONSE_MAX + 1];
	struct k1_error ignored;
	bool flash = !strcmp(argv[0], "flash");
	uint64_t sent, max = 0;

	if (!k1_fb_getvar(fb, "max-download-size", out, sizeof(out), &ignored))
		max = k1_fb_parse_size(out);
	return k1_flash_send_file(fb, flash ? "flash" : NULL, flash ? argv[1] : "",
				  argv[flash ? 2 : 1], max, NULL, NULL, &sent, err);
}

static int fb_continue(struct k1_fb *fb, char **argv, struct k1_error *err)
{
	(void)argv;
	return k1_fb_command(fb, "continue", NULL, 0, err);
}

static int fb_erase(struct k1_fb *fb, char **argv, struct k1_error *err)
{
	char line[K1_FB_COMMAND_MAX + 2];

	snprintf(line, sizeof(line), "erase:%s", argv[1]);
	return k1_fb_command(fb, line, NULL, 0, err);
}

static int fb_reboot(struct k1_fb *fb, char **argv, struct k1_error *err)
{
	return k1_fb_command(fb, argv[1] ? "reboot-bootloader" : "reboot", NULL, 0, err);
}

/* oem: the words joined by spaces, as fastboot does */
static int fb_oem(struct k1_fb *fb, char **argv, struct k1_error *err)
{
	char out[K1_FB_RESPONSE_MAX + 1], line[K1_FB_COMMAND_MAX + 2];
	size_t len = 0;
	int rc;

	for (int i = 0; argv[i]; i++) {
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

static const struct verb verbs[] = {
	{"getvar", 1, 1, NULL, "expected one argument after the command", fb_getvar},
	{"stage", 1, 1, NULL, "expected one argument after the command", fb_send},
	{"erase", 1, 1, NULL, "expected one argument after the command", fb_erase},
	{"flash", 2, 2, NULL, "flash: expected PART FILE", fb_send},
	{"continue", 0, 0, NULL, "expected no argument after the command", fb_continue},
	{"stage-of", 0, 0, NULL, "expected no argument after the command", fb_stage_of},
	{"reboot", 0, 1, "bootloader", "reboot: expected nothing or 'bootloader'", fb_reboot},
	{"oem", 1, INT_MAX, NULL, "oem: expected ARGS", fb_oem},
};

/* The verb of argv[0] with the right number of words, or NULL (told). */
static const struct verb *find_verb(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		const struct verb *v = &verbs[i];
		if (strcmp(argv[0], v->name))
			continue;
		if (argc - 1 < v->min || argc - 1 > v->max ||
		    (v->word && argc > 1 && strcmp(argv[1], v->word))) {
			cli_fail("%s", v->usage);
			return NULL;
		}
		return v;
	}
	cli_fail("unknown fastboot command '%s' (see 'k1fw fastboot --help')", argv[0]);
	return NULL;
}

/* The file stage or flash sends, or NULL. */
static const char *send_file(int argc, char **argv)
{
	if (!strcmp(argv[0], "stage"))
		return argc > 1 ? argv[1] : NULL;
	return !strcmp(argv[0], "flash") && argc > 2 ? argv[2] : NULL;
}

/* Before any board is touched: the file is there and has bytes. */
static int check_file(const char *path)
{
	struct k1_mapped m;
	struct k1_error err = {0};
	size_t len;

	if (k1_map_file(path, &m, &err))
		return cli_fail_err(&err);
	len = m.len;
	k1_unmap_file(&m);
	return len ? 0 : cli_fail("%s: is empty: nothing to send", path);
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
	const struct verb *verb;
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
			return cli_bad_option(argv);
		}
	}
	if (optind >= argc)
		return cli_fail(
			"missing COMMAND (getvar, stage, continue, flash, erase, reboot, oem, "
			"stage-of; see 'k1fw fastboot --help')");
	if (!(verb = find_verb(argc - optind, argv + optind)))
		return EXIT_USAGE;
	if (k1_target_parse(where, &target, &err))
		return cli_fail_err(&err);
	const char *file = send_file(argc - optind, argv + optind);
	if (file && check_file(file))
		return EXIT_USAGE;
	if (k1_flash_connect(&target, wait_ms, io_ms, &t, &err)) {
		fprintf(stderr, "k1fw: %s\n", err.msg);
		return EXIT_CHECK_FAILED;
	}
	struct k1_fb_events ev = {on_info, NULL, NULL};
	struct k1_fb fb = {.t = t, .ev = &ev};
	int rc = verb->exchange(&fb, argv + optind, &err);
	k1_transport_close(t);
	if (rc) {
		fprintf(stderr, "k1fw: %s\n", err.msg);
		return rc == K1_EINVAL ? EXIT_USAGE : EXIT_CHECK_FAILED;
	}
	return EXIT_OK;
}

const struct k1_command cmd_fastboot = {
	"fastboot", "fastboot primitives: getvar, stage, continue, flash, erase, reboot", run};

/* k1fw emulate: a K1 board as a fastboot device on TCP or UDP. */
#include "base/serial.h"
#include "command.h"
#include "emu/emu_eeprom.h"
#include "emu/emu_server.h"
#include "format/ptable.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;

/* text in lines of at most 80 columns, indented */
static void wrap(FILE *f, const char *text, int indent)
{
	const char *p = text;

	while (*p) {
		int room = 80 - indent, n = (int)strlen(p);
		if (n > room) {
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			if (!n)
				n = room;
		}
		fprintf(f, "%*s%.*s\n", indent, "", n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw emulate --board DIR [--listen [tcp:|udp:]HOST:PORT] [--boot-select "
		"tf-emmc|\n"
		"                    tf-nand|tf-nor|tf] [--rotpk-hash HEX] [--max-download-size "
		"N]\n"
		"                    [--download-key] [--ram 2G|4G|8G|16G] [--exit-after-boot]\n"
		"                    [--ready-file F] [--uboot-version V] [--uboot-only]\n"
		"                    [--emmc-size N] [--boot-size N] [--nor-size N] [--nand-size "
		"N]\n"
		"                    [--reenum-ms MS] [--timeout-ms MS] [--udp-packet-size N]\n"
		"                    [--fault-drop-after N] [--fault-fail-cmd K]\n"
		"                    [--fault-stall-cmd K --fault-stall-ms MS]\n"
		"                    [--fault-drop-packet K]... [--fault-drop-reply K]...\n"
		"                    [--fault-dup-reply K]... [--console-pty LINK]\n\n"
		"An emulated K1 board (BPI-F3) speaking fastboot on the AOSP TCP or UDP "
		"transport:\n"
		"BootROM download mode (getvar version-brom, stage, continue), the SPL (stage\n"
		"u-boot.itb, continue), U-Boot fastboot (flash gpt|mtd, flash NAME, erase, oem\n"
		"erase, reboot), and `oem config:read|write|flush` on the board EEPROM in the SPL\n"
		"and U-Boot as the vendor's code answers it. Storage lives in DIR as plain files\n"
		"(emmc-boot0.img, emmc-boot1.img, emmc-user.img, spinor.img, spinand.img, sd.img\n"
		"if present), the EEPROM as eeprom.bin (a BPI-F3 identity with ddr_cs_num 2 when\n"
		"absent). The board's serial console goes to stdout, the emulator's log to\n"
		"stderr.\n\n"
		"  --listen [tcp:|udp:]HOST:PORT\n"
		"                         default tcp:127.0.0.1:5554 (port 0: any free port);\n"
		"                         udp: fastboot UDP, as U-Boot's `fastboot udp`\n"
		"  --boot-select PINS     what the BootROM tries after the SD card (tf-emmc)\n"
		"  --rotpk-hash HEX       a secure board: efuses hold this SHA-256 of the ROTPK\n"
		"  --max-download-size N  U-Boot's download buffer (default 0x10000000)\n"
		"  --download-key         the FDL key is held: power-on enters download mode\n"
		"  --ram SIZE             the board's RAM (4G): a 2G board needs ddr_cs_num 1\n"
		"                         in its EEPROM, or the SPL stops after its banner\n"
		"  --uboot-version V      the vendor U-Boot modelled (default " K1_EMU_UBOOT_DEFAULT
		"; see below)\n"
		"  --uboot-only           like the vendor's U-Boot sandbox: every power-on goes\n"
		"                         straight to U-Boot fastboot, whatever storage holds\n"
		"  --emmc-size N          eMMC user area when emmc-user.img is created (8G)\n"
		"  --boot-size N          eMMC boot0 and boot1 each (4M; 0: a card without them)\n"
		"  --nor-size N, --nand-size N  SPI NOR (4M), SPI NAND (256M); 0: none\n"
		"  --exit-after-boot      exit when a power-on boots the OS (0) or hangs (1)\n"
		"  --ready-file F         write \"HOST:PORT\" to F each time the device listens\n"
		"  --reenum-ms MS         how long the device is gone between stages (500)\n"
		"  --timeout-ms MS        host silence tolerated mid-command (30000)\n"
		"  --udp-packet-size N    UDP: the largest packet offered (512-65535, 1024)\n"
		"  --fault-drop-after N   drop the host after N bytes it sent (once): TCP closes\n"
		"                         the connection, UDP the port for a while\n"
		"  --fault-fail-cmd K     answer FAIL to the K-th command\n"
		"  --fault-stall-cmd K    wait --fault-stall-ms before answering the K-th "
		"command\n"
		"  --fault-drop-packet K  UDP: ignore the K-th datagram received (repeatable)\n"
		"  --fault-drop-reply K   UDP: do not send the K-th datagram (repeatable)\n"
		"  --fault-dup-reply K    UDP: send the K-th datagram twice (repeatable)\n"
		"  --console-pty LINK     also write the serial console to a pseudo-terminal, "
		"LINK\n"
		"                         a symlink to it: read it with k1fw console LINK\n\n"
		"Sizes take K, M or G; an existing storage file keeps its own size.\n\n"
		"Vendor U-Boot generations (--uboot-version): what flash env, flash gpt and\n"
		"flash bootinfo leave on the eMMC and how downloads are read differ:\n");
	for (size_t i = 0; k1_emu_uboot_at(i); i++) {
		const struct k1_emu_uboot *u = k1_emu_uboot_at(i);
		char line[400];
		snprintf(line, sizeof(line),
			 "%s: flash env %s; flash gpt %s the env; gzip %s; eMMC bootinfo limit "
			 "0x%x; too large: FAIL%s",
			 u->name,
			 u->env_flash == K1_EMU_ENV_RAW ? "writes raw"
			 : u->env_flash == K1_EMU_ENV_IMPORT_ZERO
				 ? "imports, disk copy zeroed"
				 : "imports, exports the merged env",
			 u->gpt_exports_env ? "exports" : "zeroes",
			 u->gzip ? "guessed" : "not read", u->spl_size_limit, u->too_large);
		wrap(f, line, 2);
		wrap(f, u->trees, 6);
	}
	fprintf(f, "\nStops on SIGINT/SIGTERM (exit 0). Exit 2 on bad usage or storage errors.\n");
}

/* --emmc-size etc.: bytes, a multiple of 512. */
static int dev_size(const char *opt, const char *s, bool zero_ok, uint64_t *out)
{
	bool rest = false;
	uint64_t v;

	if (k1_ptable_parse_size(s, &v, &rest) || rest || v % 512 || (!v && !zero_ok) ||
	    v > (1ull << 40))
		return cli_fail("%s: expected a size in bytes, K, M or G (a multiple of 512%s, "
				"at most 1T), got '%s'",
				opt, zero_ok ? "" : ", not 0", s);
	*out = v;
	return 0;
}

struct ctx {
	struct k1_output ready; /* --ready-file; ready.name[0] when given */
	bool udp;
	int pty; /* the console's pseudo-terminal master, or -1 */
};

/* A UART sends CR LF; a reader that is not there loses what does not fit. */
static void pty_write(int fd, const char *line)
{
	char drain[512];

	while (read(fd, drain, sizeof(drain)) > 0) /* keys typed at the board */
		;
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\r\n", 2) < 0)
		return;
}

static void console(void *vctx, const char *line)
{
	struct ctx *c = vctx;

	printf("%s\n", line);
	fflush(stdout);
	if (c && c->pty >= 0)
		pty_write(c->pty, line);
}

static void log_line(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "k1fw emulate: %s\n", msg);
}

static void ready(void *vctx, const char *host, int port)
{
	struct ctx *c = vctx;
	char text[300];
	struct k1_error e;

	snprintf(text, sizeof(text), "%s:%d\n", host, port);
	fprintf(stderr, "k1fw emulate: listening on %s:%s:%d\n", c->udp ? "udp" : "tcp", host,
		port);
	if (c->ready.name[0] && k1_output_write(&c->ready, text, strlen(text), 0644, &e))
		fprintf(stderr, "k1fw emulate: %s\n", e.msg);
}

/* --ready-file is rewritten each time the board listens: never one of the
 * board's storage files. */
static int ready_output(struct k1_output *o, const char *path, const char *board)
{
	struct k1_error err = {0};

	if (k1_output_init(o, path, 0, &err))
		return cli_fail_err(&err);
	for (int d = 0; d <= K1_DEV_COUNT; d++) { /* the devices, then the EEPROM */
		char f[4200];
		snprintf(f, sizeof(f), "%s/%s", board,
			 d < K1_DEV_COUNT ? k1_emu_dev_file((enum k1_emu_dev)d)
					  : K1_EMU_EEPROM_FILE);
		if (k1_output_input(o, f, &err))
			return cli_fail_err(&err);
	}
	return 0;
}

/* [tcp:|udp:]HOST:PORT */
static int parse_listen(const char *s, char *host, size_t hn, int *port, bool *udp)
{
	*udp = !strncmp(s, "udp:", 4);
	if (*udp || !strncmp(s, "tcp:", 4))
		s += 4;
	const char *colon = strrchr(s, ':');
	unsigned long long p;

	if (!colon || colon == s || (size_t)(colon - s) >= hn || cli_parse_u64(colon + 1, &p) ||
	    p > 65535)
		return -1;
	snprintf(host, hn, "%.*s", (int)(colon - s), s);
	*port = (int)p;
	return 0;
}

static int num(const char *opt, const char *s, unsigned long long max, unsigned long long *v)
{
	if (cli_parse_u64(s, v) || *v > max)
		return cli_fail("%s: expected a number up to %llu, got '%s'", opt, max, s);
	return 0;
}

/* One more datagram number for a UDP fault list. */
static int add_fault(const char *opt, const char *s, unsigned long *list, size_t *n)
{
	unsigned long long v;

	if (num(opt, s, 1ull << 40, &v))
		return -1;
	if (!v)
		return cli_fail("%s: datagrams are counted from 1, got '%s'", opt, s);
	if (*n == K1_FBUDP_MAX_FAULTS)
		return cli_fail("%s: at most %d times", opt, K1_FBUDP_MAX_FAULTS);
	list[(*n)++] = (unsigned long)v;
	return 0;
}

static int run(int argc, char **argv)
{
	enum {
		O_UBOOT_VERSION = 300,
		O_UBOOT_ONLY,
		O_EMMC_SIZE,
		O_BOOT_SIZE,
		O_NOR_SIZE,
		O_NAND_SIZE
	};
	static const struct option opts[] = {
		{"board", required_argument, NULL, 'B'},
		{"listen", required_argument, NULL, 'l'},
		{"boot-select", required_argument, NULL, 'b'},
		{"rotpk-hash", required_argument, NULL, 'r'},
		{"max-download-size", required_argument, NULL, 'm'},
		{"download-key", no_argument, NULL, 'k'},
		{"ram", required_argument, NULL, 'M'},
		{"exit-after-boot", no_argument, NULL, 'x'},
		{"ready-file", required_argument, NULL, 'R'},
		{"reenum-ms", required_argument, NULL, 'e'},
		{"timeout-ms", required_argument, NULL, 't'},
		{"fault-drop-after", required_argument, NULL, 'D'},
		{"fault-fail-cmd", required_argument, NULL, 'F'},
		{"fault-stall-cmd", required_argument, NULL, 'S'},
		{"fault-stall-ms", required_argument, NULL, 'T'},
		{"udp-packet-size", required_argument, NULL, 'P'},
		{"fault-drop-packet", required_argument, NULL, 'I'},
		{"fault-drop-reply", required_argument, NULL, 'O'},
		{"fault-dup-reply", required_argument, NULL, 'U'},
		{"console-pty", required_argument, NULL, 'Y'},
		{"uboot-version", required_argument, NULL, O_UBOOT_VERSION},
		{"uboot-only", no_argument, NULL, O_UBOOT_ONLY},
		{"emmc-size", required_argument, NULL, O_EMMC_SIZE},
		{"boot-size", required_argument, NULL, O_BOOT_SIZE},
		{"nor-size", required_argument, NULL, O_NOR_SIZE},
		{"nand-size", required_argument, NULL, O_NAND_SIZE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_emu_config cfg = {.sel = K1_BOOTSEL_EMMC};
	struct k1_emu_server_opts so = {.host = "127.0.0.1",
					.port = 5554,
					.reenum_ms = 500,
					.timeout_ms = 30000,
					.log = log_line,
					.ready = ready};
	static struct ctx c = {.pty = -1};
	const char *pty_link = NULL;
	char pty_name[128];
	static struct k1_emu_board b;
	const char *ready_file = NULL;
	uint64_t sizes[K1_DEV_COUNT];
	struct k1_error err = {0};
	const char *board = NULL;
	char host[256] = "127.0.0.1";
	unsigned long long v;
	int opt, rc;

	k1_emu_storage_defaults(sizes);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'B':
			board = optarg;
			break;
		case 'l':
			if (parse_listen(optarg, host, sizeof(host), &so.port, &so.udp))
				return cli_fail("--listen: expected [tcp:|udp:]HOST:PORT, got '%s'",
						optarg);
			break;
		case 'b':
			if (k1_bootsel_parse(optarg, &cfg.sel))
				return cli_fail(
					"--boot-select: expected tf-emmc, tf-nand, tf-nor or "
					"tf, got '%s'",
					optarg);
			break;
		case 'r':
			if (cli_parse_hex32(optarg, cfg.rotpk_hash))
				return cli_fail(
					"--rotpk-hash: expected 64 hex digits (SHA-256), got "
					"'%s'",
					optarg);
			cfg.secure = true;
			break;
		case 'm':
			if (num("--max-download-size", optarg, 0xFFFFFFFFull, &v) || !v)
				return EXIT_USAGE;
			cfg.max_download = (uint32_t)v;
			break;
		case 'k':
			cfg.download_key = true;
			break;
		case 'M':
			if (k1_ram_parse(optarg, &cfg.ram_gib))
				return cli_fail("--ram: expected 2G, 4G, 8G or 16G, got '%s'",
						optarg);
			break;
		case 'x':
			so.exit_after_boot = true;
			break;
		case 'R':
			ready_file = optarg;
			break;
		case 'e':
			if (num("--reenum-ms", optarg, 600000, &v))
				return EXIT_USAGE;
			so.reenum_ms = (int)v;
			break;
		case 't':
			if (num("--timeout-ms", optarg, 3600000, &v))
				return EXIT_USAGE;
			so.timeout_ms = (int)v;
			break;
		case 'D':
			if (num("--fault-drop-after", optarg, ~0ull, &v))
				return EXIT_USAGE;
			so.faults.drop_after = v;
			break;
		case 'F':
			if (num("--fault-fail-cmd", optarg, 1u << 30, &v))
				return EXIT_USAGE;
			so.faults.fail_cmd = (unsigned)v;
			break;
		case 'S':
			if (num("--fault-stall-cmd", optarg, 1u << 30, &v))
				return EXIT_USAGE;
			so.faults.stall_cmd = (unsigned)v;
			break;
		case 'T':
			if (num("--fault-stall-ms", optarg, 3600000, &v))
				return EXIT_USAGE;
			so.faults.stall_ms = (unsigned)v;
			break;
		case 'P':
			if (num("--udp-packet-size", optarg, 65535, &v))
				return EXIT_USAGE;
			if (v < K1_FBUDP_MIN_PACKET)
				return cli_fail("--udp-packet-size: expected %d to 65535, got '%s'",
						K1_FBUDP_MIN_PACKET, optarg);
			so.udp_packet = (uint16_t)v;
			break;
		case 'I':
			if (add_fault("--fault-drop-packet", optarg, so.faults.udp.drop_in,
				      &so.faults.udp.ndrop_in))
				return EXIT_USAGE;
			break;
		case 'O':
			if (add_fault("--fault-drop-reply", optarg, so.faults.udp.drop_out,
				      &so.faults.udp.ndrop_out))
				return EXIT_USAGE;
			break;
		case 'U':
			if (add_fault("--fault-dup-reply", optarg, so.faults.udp.dup_out,
				      &so.faults.udp.ndup_out))
				return EXIT_USAGE;
			break;
		case 'Y':
			pty_link = optarg;
			break;
		case O_UBOOT_VERSION:
			if (!(cfg.uboot = k1_emu_uboot_find(optarg))) {
				usage(stderr);
				return cli_fail(
					"--uboot-version: no generation '%s' (see the list above)",
					optarg);
			}
			break;
		case O_UBOOT_ONLY:
			cfg.uboot_only = true;
			break;
		case O_EMMC_SIZE:
			if (dev_size("--emmc-size", optarg, false, &sizes[K1_DEV_USER]))
				return EXIT_USAGE;
			break;
		case O_BOOT_SIZE:
			if (dev_size("--boot-size", optarg, true, &sizes[K1_DEV_BOOT0]))
				return EXIT_USAGE;
			sizes[K1_DEV_BOOT1] = sizes[K1_DEV_BOOT0];
			break;
		case O_NOR_SIZE:
			if (dev_size("--nor-size", optarg, true, &sizes[K1_DEV_NOR]))
				return EXIT_USAGE;
			break;
		case O_NAND_SIZE:
			if (dev_size("--nand-size", optarg, true, &sizes[K1_DEV_NAND]))
				return EXIT_USAGE;
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
	if (!board)
		return cli_fail("missing --board DIR (the board's storage folder)");
	so.host = host;
	c.udp = so.udp;
	so.ctx = &c;
	if (ready_file && (rc = ready_output(&c.ready, ready_file, board)))
		return rc;
	if (pty_link) {
		if (k1_pty_open(pty_link, &c.pty, pty_name, sizeof(pty_name), &err))
			return cli_fail_err(&err);
		fprintf(stderr, "k1fw emulate: serial console on %s (%s)\n", pty_name, pty_link);
	}
	/* a signal while the storage files are made removes the half-made one
	 * (cli_signals_init); from here on it stops the server instead */
	if (k1_emu_board_open(&b, board, &cfg, sizes, console, &c, &err)) {
		rc = cli_fail_err(&err);
		goto out;
	}
	cli_signals_stop_flag(&stop_flag);
	signal(SIGPIPE, SIG_IGN);
	k1_emu_power_on(&b);
	rc = k1_emu_serve(&b, &so, &stop_flag, &err);
	k1_emu_board_close(&b);
	if (rc == K1_EMU_STOPPED)
		fprintf(stderr, "k1fw emulate: stopped\n");
	rc = rc < 0 ? cli_fail_err(&err) : rc == K1_EMU_HUNG ? EXIT_CHECK_FAILED : EXIT_OK;
out:
	if (c.pty >= 0) {
		char target[128];
		ssize_t n = readlink(pty_link, target, sizeof(target) - 1);
		if (n > 0 && (target[n] = '\0', !strcmp(target, pty_name)))
			unlink(pty_link); /* ours, and the terminal is gone with us */
		close(c.pty);
	}
	return rc;
}

const struct k1_command cmd_emulate = {
	"emulate", "an emulated K1 board speaking fastboot over TCP or UDP", run};

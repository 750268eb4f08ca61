/* k1fw doctor: power a board's storage on in simulation and say where the
 * boot stops, why, and how to fix it; or read what a real board printed on
 * its serial console (--log, bootlog_report.c). */
#include "base/fileio.h"
#include "bootlog_report.h"
#include "command.h"
#include "emu/bootfs_check.h"
#include "emu/bootsim.h"
#include "emu/emu_storage.h"
#include "format/eeprom.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw doctor [--boot-select tf-emmc|tf-nand|tf-nor|tf] [--rotpk-hash HEX]\n"
		"                   [--ram 2G|4G|8G|16G] [--eeprom F] [--json]\n"
		"                   (--board DIR | --sd IMG | --emmc-boot0 F --emmc-user F\n"
		"                   [--emmc-boot1 F] | --nor F | --nand F)\n"
		"       k1fw doctor --log FILE|- [--json]\n"
		"       k1fw doctor --bootfs IMG [--env env.bin] [--mainline] [--json]\n\n"
		"Simulate a K1 power-on: the BootROM tries the SD card, then the medium the\n"
		"boot-select pins choose (default tf-emmc): bootinfo (magic, CRC, media), the\n"
		"FSBL at spl0 then spl1 (header, size, and ROTPK and signatures on a secure "
		"board),\n"
		"then the SPL trains DDR with the EEPROM's ddr_cs_num, loads uboot and opensbi\n"
		"(FITs) and boots the u-boot.itb configuration named by the EEPROM's\n"
		"product_name, U-Boot reads its environment and looks for a bootfs. Prints the\n"
		"serial console the board would print and a verdict: the first failing step,\n"
		"why, and how to fix it.\n\n"
		"  --board DIR       an emulator board folder (emmc-*.img, spinor.img, "
		"spinand.img,\n"
		"                    sd.img)\n"
		"  --rotpk-hash HEX  the board is secure: its efuses hold this SHA-256\n"
		"  --ram SIZE        the board's RAM (4G); 2 GB boards need ddr_cs_num 1\n"
		"  --eeprom F        the board EEPROM image (default: DIR/eeprom.bin with\n"
		"                    --board, where an absent file is the emulator's default\n"
		"                    BPI-F3 identity; none: the SPL's defaults)\n"
		"  --bootfs IMG      only U-Boot's part: would it boot Linux from this bootfs\n"
		"                    image (ext2/3/4 or FAT)? --env: the env partition's image\n"
		"                    (default: the vendor's default environment); --mainline:\n"
		"                    mainline U-Boot (distro boot: extlinux.conf, boot.scr)\n"
		"  --json            {\"boots\", \"outcome\", \"medium\", \"step\", \"why\", "
		"\"fix\",\n"
		"                    \"warnings\", \"spl\" (vendor, mainline or null: which\n"
		"                    U-Boot SPL the FSBL holds, by its banner), \"console\"}\n\n"
		"--log reads a captured serial console (UART0, 115200 8N1; any mix of BootROM,\n"
		"SPL, OpenSBI, U-Boot and Linux lines; CRLF, colour codes and terminal\n"
		"timestamps are fine) and says which SoC and board, the boot medium, how far\n"
		"the boot got, the versions, and for a failure the step, why, the fix and the\n"
		"lines that show it. --json: {\"soc\", \"board\", \"medium\", \"reached\",\n"
		"\"boots\", \"step\", \"why\", \"fix\", \"evidence\", \"warnings\", "
		"\"versions\"}.\n\n"
		"Exit status: 0 it boots, 1 it does not, 2 usage or unreadable input,\n"
		"3 (--log) the log ends without saying.\n");
}

static void collect(void *ctx, const char *line)
{
	json_t *arr = ctx;
	if (arr)
		json_array_append_new(arr, json_string(line));
	else
		printf("%s\n", line);
}

static const char *outcome_name(enum k1_boot_outcome o)
{
	return o == K1_BOOT_OK ? "boot" : o == K1_BOOT_DOWNLOAD ? "download-mode" : "hang";
}

/* The EEPROM the board has: --eeprom F, else DIR/eeprom.bin, else (a
 * board folder the emulator has not opened yet) its default identity. */
static int load_eeprom(const char *board, const char *file, struct k1_buf *chip)
{
	struct k1_error err = {0};
	char path[4200];
	FILE *t;

	if (!file && board) {
		snprintf(path, sizeof(path), "%s/eeprom.bin", board);
		if (!(t = fopen(path, "rb")))
			return k1_eeprom_default(chip, &err) ? cli_fail_err(&err) : 0;
		fclose(t);
		file = path;
	}
	if (file && k1_read_file(file, chip, &err))
		return cli_fail_err(&err);
	return 0;
}

static int report(const struct k1_bootsim_result *r, json_t *console, bool json)
{
	bool boots = r->outcome == K1_BOOT_OK;

	if (json) {
		json_t *doc = json_pack(
			"{s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "boots", boots, "outcome",
			outcome_name(r->outcome), "medium", r->medium, "step", r->step, "why",
			r->why, "fix", boots ? "" : r->fix, "warnings", (json_int_t)r->warnings,
			"spl", r->spl[0] ? json_string(r->spl) : json_null(), "console", console);
		cli_print_json(doc);
		json_decref(doc);
	} else if (boots) {
		if (r->spl[0])
			printf("spl: %s U-Boot SPL\n", r->spl);
		printf("verdict: boots from %s%s\n", r->medium,
		       r->warnings ? " (with warnings: see the console)" : "");
	} else {
		if (r->spl[0])
			printf("spl: %s U-Boot SPL\n", r->spl);
		printf("verdict: does not boot (%s): %s %s failed: %s\n",
		       r->outcome == K1_BOOT_DOWNLOAD ? "the BootROM enters USB download mode"
						      : "the board hangs",
		       r->medium, r->step, r->why);
		printf("fix: %s\n", r->fix);
	}
	return boots ? EXIT_OK : EXIT_CHECK_FAILED;
}

static int report_bootfs(const struct k1_bootfs_result *r, json_t *console, bool json)
{
	if (json) {
		json_t *doc =
			json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}",
				  "boots", r->boots, "filesystem", r->fs, "method", r->method,
				  "kernel", r->kernel, "dtb", r->dtb, "initrd", r->initrd, "step",
				  r->step, "why", r->why, "fix", r->boots ? "" : r->fix, "warnings",
				  (json_int_t)r->warnings, "console", console);
		cli_print_json(doc);
		json_decref(doc);
	} else if (r->boots) {
		printf("verdict: boots Linux (%s, %s): kernel %s; dtb %s; initrd %s%s\n", r->method,
		       r->fs, r->kernel, r->dtb, r->initrd,
		       r->warnings ? " (with warnings: see the console)" : "");
	} else {
		printf("verdict: U-Boot does not boot Linux: %s failed: %s\n", r->step, r->why);
		printf("fix: %s\n", r->fix);
	}
	return r->boots ? EXIT_OK : EXIT_CHECK_FAILED;
}

static int doctor_bootfs(const char *img, const char *env, bool mainline, bool json)
{
	struct k1_mapped m = {0}, e = {0};
	struct k1_error err = {0};
	struct k1_bootfs_result r;
	json_t *console = json ? json_array() : NULL;
	int status;

	if (k1_map_file(img, &m, &err) || (env && k1_map_file(env, &e, &err))) {
		k1_unmap_file(&m);
		json_decref(console);
		return cli_fail_err(&err);
	}
	k1_bootfs_check(m.data, m.len, env ? e.data : NULL, env ? e.len : 0, mainline, collect,
			console, &r);
	status = report_bootfs(&r, console, json);
	k1_unmap_file(&m);
	k1_unmap_file(&e);
	return status;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"board", required_argument, NULL, 'B'},
		{"sd", required_argument, NULL, 's'},
		{"emmc-boot0", required_argument, NULL, '0'},
		{"emmc-boot1", required_argument, NULL, '1'},
		{"emmc-user", required_argument, NULL, 'u'},
		{"nor", required_argument, NULL, 'n'},
		{"nand", required_argument, NULL, 'N'},
		{"boot-select", required_argument, NULL, 'b'},
		{"rotpk-hash", required_argument, NULL, 'r'},
		{"ram", required_argument, NULL, 'M'},
		{"eeprom", required_argument, NULL, 'E'},
		{"json", no_argument, NULL, 'j'},
		{"log", required_argument, NULL, 'L'},
		{"bootfs", required_argument, NULL, 'F'},
		{"env", required_argument, NULL, 'V'},
		{"mainline", no_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_bootsim_opts o = {.sel = K1_BOOTSEL_EMMC};
	struct k1_bootsim_result r;
	struct k1_emu_media mm;
	struct k1_error err = {0};
	const char *path[K1_DEV_COUNT] = {NULL}, *board = NULL, *log = NULL;
	const char *eeprom = NULL;
	struct k1_buf chip = K1_BUF_INIT;
	const char *bootfs = NULL, *env = NULL;
	bool mainline = false;
	uint8_t rotpk[32];
	bool json = false, any = false;
	json_t *console = NULL;
	int c, status;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'B':
			board = optarg;
			break;
		case 's':
			path[K1_DEV_SD] = optarg;
			any = true;
			break;
		case '0':
			path[K1_DEV_BOOT0] = optarg;
			any = true;
			break;
		case '1':
			path[K1_DEV_BOOT1] = optarg;
			any = true;
			break;
		case 'u':
			path[K1_DEV_USER] = optarg;
			any = true;
			break;
		case 'n':
			path[K1_DEV_NOR] = optarg;
			any = true;
			break;
		case 'N':
			path[K1_DEV_NAND] = optarg;
			any = true;
			break;
		case 'b':
			if (k1_bootsel_parse(optarg, &o.sel))
				return cli_fail(
					"--boot-select: expected tf-emmc, tf-nand, tf-nor or "
					"tf, got '%s'",
					optarg);
			break;
		case 'r':
			if (cli_parse_hex32(optarg, rotpk))
				return cli_fail(
					"--rotpk-hash: expected 64 hex digits (SHA-256), got "
					"'%s'",
					optarg);
			o.rotpk_hash = rotpk;
			break;
		case 'M':
			if (k1_ram_parse(optarg, &o.ram_gib))
				return cli_fail("--ram: expected 2G, 4G, 8G or 16G, got '%s'",
						optarg);
			break;
		case 'E':
			eeprom = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'L':
			log = optarg;
			break;
		case 'F':
			bootfs = optarg;
			break;
		case 'V':
			env = optarg;
			break;
		case 'W':
			mainline = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option(argv);
		}
	}
	if (log && optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (log && (board || any || bootfs))
		return cli_fail("--log reads a console log: leave out the storage options");
	if (log)
		return doctor_log(log, json);

	if (bootfs && optind == argc && !board && !any)
		return doctor_bootfs(bootfs, env, mainline, json);
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (!board && !any)
		return cli_fail("missing what to check: --board DIR, --sd IMG, --emmc-boot0 F "
				"--emmc-user F, --nor F, --nand F, --bootfs F or --log F");
	if (board && any)
		return cli_fail("--board DIR is a whole board: leave out --sd, --emmc-*, --nor "
				"and --nand");
	if (bootfs || env || mainline)
		return cli_fail("--bootfs, --env and --mainline check a boot filesystem alone: "
				"leave out the storage options");
	if (k1_emu_media_open(&mm, board, path, &err)) {
		k1_emu_media_close(&mm);
		return cli_fail_err(&err);
	}
	if ((status = load_eeprom(board, eeprom, &chip)) == 0) {
		o.eeprom = chip.len ? chip.data : NULL;
		o.eeprom_len = chip.len;
		if (json)
			console = json_array();
		k1_bootsim_run(&mm.media, &o, collect, console, &r);
		if (board && !strcmp(r.step, "spl.ddr"))
			snprintf(r.fix, sizeof(r.fix),
				 "set ddr_cs_num to 1 in the board EEPROM: k1fw eeprom set --file "
				 "%s/eeprom.bin ddr_cs_num=1 (a real board in USB download mode: "
				 "k1fw eeprom set -s WHERE --bundle RELEASE ddr_cs_num=1)",
				 board);
		status = report(&r, console, json);
	}
	k1_emu_media_close(&mm);
	k1_buf_free(&chip);
	return status;
}

const struct k1_command cmd_doctor = {"doctor",
				      "simulate power-on: where does the boot stop, "
				      "and why",
				      run};

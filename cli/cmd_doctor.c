/* k1fw doctor: power a board's storage on in simulation and say where the
 * boot stops, why, and how to fix it. */
#include "base/fileio.h"
#include "command.h"
#include "emu/bootfs_check.h"
#include "emu/bootsim.h"
#include "emu/emu_storage.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw doctor [--boot-select tf-emmc|tf-nand|tf-nor|tf] [--rotpk-hash HEX]\n"
		"                   [--json] (--board DIR | --sd IMG | --emmc-boot0 F --emmc-user "
		"F\n"
		"                   [--emmc-boot1 F] | --nor F | --nand F)\n"
		"       k1fw doctor --bootfs IMG [--env env.bin] [--mainline] [--json]\n\n"
		"Simulate a K1 power-on: the BootROM tries the SD card, then the medium the\n"
		"boot-select pins choose (default tf-emmc): bootinfo (magic, CRC, media), the\n"
		"FSBL at spl0 then spl1 (header, size, and ROTPK and signatures on a secure "
		"board),\n"
		"then the SPL loads uboot and opensbi (FITs), U-Boot reads its environment and\n"
		"looks for a bootfs. Prints the serial console the board would print and a\n"
		"verdict: the first failing step, why, and how to fix it.\n\n"
		"  --board DIR       an emulator board folder (emmc-*.img, spinor.img, "
		"spinand.img,\n"
		"                    sd.img)\n"
		"  --rotpk-hash HEX  the board is secure: its efuses hold this SHA-256\n"
		"  --bootfs IMG      only U-Boot's part: would it boot Linux from this bootfs\n"
		"                    image (ext2/3/4 or FAT)? --env: the env partition's image\n"
		"                    (default: the vendor's default environment); --mainline:\n"
		"                    mainline U-Boot (distro boot: extlinux.conf, boot.scr)\n"
		"  --json            {\"boots\", \"outcome\", \"medium\", \"step\", \"why\", "
		"\"fix\",\n"
		"                    \"warnings\", \"console\"}\n\n"
		"Exit status: 0 it boots, 1 it does not, 2 usage or unreadable input.\n");
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

struct files {
	const char *path[K1_DEV_COUNT];
	struct k1_mapped m[K1_DEV_COUNT];
};

static int load(struct files *f, const char *board, struct k1_board_media *b)
{
	struct k1_region *slot[K1_DEV_COUNT] = {&b->boot0, &b->boot1, &b->user,
						&b->nor,   &b->nand,  &b->sd};
	struct k1_error err = {0};
	char paths[K1_DEV_COUNT][4200];

	for (int d = 0; d < K1_DEV_COUNT; d++) {
		if (board && !f->path[d]) {
			snprintf(paths[d], sizeof(paths[d]), "%s/%s", board,
				 k1_emu_dev_file((enum k1_emu_dev)d));
			FILE *t = fopen(paths[d], "rb");
			if (!t)
				continue;
			fclose(t);
			f->path[d] = paths[d];
		}
		if (!f->path[d])
			continue;
		if (k1_map_file(f->path[d], &f->m[d], &err))
			return cli_fail_err(&err);
		*slot[d] = (struct k1_region){f->m[d].data, f->m[d].len};
		f->path[d] = NULL; /* paths[] is going out of scope */
	}
	return 0;
}

static int report(const struct k1_bootsim_result *r, json_t *console, bool json)
{
	bool boots = r->outcome == K1_BOOT_OK;

	if (json) {
		json_t *doc = json_pack("{s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "boots", boots,
					"outcome", outcome_name(r->outcome), "medium", r->medium,
					"step", r->step, "why", r->why, "fix", boots ? "" : r->fix,
					"warnings", (json_int_t)r->warnings, "console", console);
		cli_print_json(doc);
		json_decref(doc);
	} else if (boots) {
		printf("verdict: boots from %s%s\n", r->medium,
		       r->warnings ? " (with warnings: see the console)" : "");
	} else {
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
		{"json", no_argument, NULL, 'j'},
		{"bootfs", required_argument, NULL, 'F'},
		{"env", required_argument, NULL, 'E'},
		{"mainline", no_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct k1_bootsim_opts o = {.sel = K1_BOOTSEL_EMMC};
	struct k1_board_media b = {0};
	struct k1_bootsim_result r;
	struct files f = {0};
	const char *board = NULL, *bootfs = NULL, *env = NULL;
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
			f.path[K1_DEV_SD] = optarg;
			any = true;
			break;
		case '0':
			f.path[K1_DEV_BOOT0] = optarg;
			any = true;
			break;
		case '1':
			f.path[K1_DEV_BOOT1] = optarg;
			any = true;
			break;
		case 'u':
			f.path[K1_DEV_USER] = optarg;
			any = true;
			break;
		case 'n':
			f.path[K1_DEV_NOR] = optarg;
			any = true;
			break;
		case 'N':
			f.path[K1_DEV_NAND] = optarg;
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
		case 'j':
			json = true;
			break;
		case 'F':
			bootfs = optarg;
			break;
		case 'E':
			env = optarg;
			break;
		case 'M':
			mainline = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (bootfs && optind == argc && !board && !any)
		return doctor_bootfs(bootfs, env, mainline, json);
	if (optind < argc || (!board && !any) || bootfs || env || mainline) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((status = load(&f, board, &b)) == 0) {
		if (json)
			console = json_array();
		k1_bootsim_run(&b, &o, collect, console, &r);
		status = report(&r, console, json);
	}
	for (int d = 0; d < K1_DEV_COUNT; d++)
		k1_unmap_file(&f.m[d]);
	return status;
}

const struct k1_command cmd_doctor = {"doctor",
				      "simulate power-on: where does the boot stop, "
				      "and why",
				      run};

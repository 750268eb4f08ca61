/* k1fw bootinfo: write the 80-byte bootinfo for a medium. */
#include "command.h"
#include "format/bootinfo.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw bootinfo --media emmc|sd|spinor|spinand -o OUT [-d DIR] [field "
		"options]\n\n"
		"Write the 80-byte bootinfo the K1 BootROM reads at offset 0 of the boot\n"
		"medium. The defaults for each medium give the vendor's bootinfo_<media>.bin.\n\n"
		"  --media M          emmc, sd, spinor or spinand (required)\n"
		"  -o, --output OUT   output file; -d DIR puts it inside DIR\n"
		"  --spl0 OFF         offset of the first FSBL copy\n"
		"  --spl1 OFF         offset of the backup FSBL copy (0: none)\n"
		"  --spl-limit SIZE   largest FSBL.bin the BootROM may load "
		"(header+SPL+signature)\n"
		"  --page-size N  --block-size N  --total-size N   flash geometry\n"
		"Numbers take 0x.. and K/M/G suffixes. Example:\n"
		"  k1fw bootinfo --media sd -o bootinfo_sd.bin\n");
}

static int run(int argc, char **argv)
{
	enum { O_MEDIA = 256, O_SPL0, O_SPL1, O_LIMIT, O_PAGE, O_BLOCK, O_TOTAL };
	static const struct option opts[] = {
		{"media", required_argument, NULL, O_MEDIA},
		{"output", required_argument, NULL, 'o'},
		{"spl0", required_argument, NULL, O_SPL0},
		{"spl1", required_argument, NULL, O_SPL1},
		{"spl-limit", required_argument, NULL, O_LIMIT},
		{"page-size", required_argument, NULL, O_PAGE},
		{"block-size", required_argument, NULL, O_BLOCK},
		{"total-size", required_argument, NULL, O_TOTAL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct {
		int opt;
		unsigned long long v;
		bool set;
	} field[O_TOTAL - O_SPL0 + 1] = {0};
	const char *media_name = NULL, *o = NULL, *dir = NULL;
	static const char *const opt_of[][2] = {
		{"bootinfo.spl0_offset", "--spl0"},
		{"bootinfo.spl1_offset", "--spl1"},
		{"bootinfo.spl_size_limit", "--spl-limit"},
		{"bootinfo.geometry", "--page-size/--block-size"},
		{"bootinfo.total_size", "--total-size"},
	};
	struct k1_bootinfo bi;
	struct k1_error err = {0};
	struct k1_output out;
	enum k1_media media;
	uint8_t raw[K1_BOOTINFO_SIZE];
	int c;

	while ((c = getopt_long(argc, argv, "o:d:h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(stdout), EXIT_OK;
		if (c == 'o')
			o = optarg;
		else if (c == 'd')
			dir = optarg;
		else if (c == O_MEDIA)
			media_name = optarg;
		else if (c >= O_SPL0 && c <= O_TOTAL) {
			unsigned long long v;
			if (cli_parse_u64(optarg, &v) || v > 0xFFFFFFFFull)
				return cli_fail("--%s: expected a 32-bit number, got '%s'",
						opts[c - O_SPL0 + 2].name, optarg);
			field[c - O_SPL0].v = v;
			field[c - O_SPL0].set = true;
		} else
			return cli_bad_option(argv);
	}
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (!media_name)
		return cli_fail("missing --media (emmc, sd, spinor or spinand)");
	if (k1_media_parse(media_name, &media))
		return cli_fail("--media: expected emmc, sd, spinor or spinand, got '%s'",
				media_name);
	if (cli_output(&out, o, dir, 0, NULL, 0))
		return EXIT_USAGE;
	k1_bootinfo_defaults(media, &bi);
	uint32_t *dst[] = {&bi.spl0_offset, &bi.spl1_offset, &bi.spl_size_limit,
			   &bi.page_size,   &bi.block_size,  &bi.total_size};
	for (int i = 0; i <= O_TOTAL - O_SPL0; i++)
		if (field[i].set)
			*dst[i] = (uint32_t)field[i].v;
	if (k1_bootinfo_check(&bi, &err)) { /* never write what verify fails */
		const char *opt = "";
		for (size_t i = 0; i < sizeof(opt_of) / sizeof(opt_of[0]); i++)
			if (!strncmp(err.msg, opt_of[i][0], strlen(opt_of[i][0])))
				opt = opt_of[i][1];
		return cli_fail("%s%s%s", opt, *opt ? ": " : "",
				strchr(err.msg, ' ') ? strchr(err.msg, ' ') + 1 : err.msg);
	}
	k1_bootinfo_encode(&bi, raw);
	return cli_write(&out, raw, sizeof(raw)) ? EXIT_USAGE : EXIT_OK;
}

const struct k1_command cmd_bootinfo = {"bootinfo", "write the 80-byte bootinfo for a boot medium",
					run};

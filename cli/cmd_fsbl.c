/* k1fw fsbl: sign a U-Boot SPL into FSBL.bin without a recipe. */
#include "base/fileio.h"
#include "command.h"
#include "format/fsbl.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw fsbl --spl u-boot-spl.bin --keys KEYDIR -o FSBL.bin [-d DIR]\n"
		"                 [--spl-limit SIZE]\n\n"
		"Wrap the SPL in the K1's signed 4 KiB header (the vendor fsbl.json layout):\n"
		"ROTPK, key table, ROTPK hash, four OEM keys, signature0 by the ROTPK, then\n"
		"header1, the SPL padded to 32 bytes and signature1 by the spl key.\n\n"
		"  --keys KEYDIR     vendor key names: rsakeypair0_prv.key, spl_pubkey_prv.key,\n"
		"                    {uboot,kernel,rootfs}_pubkey_pub.key (or _prv.key)\n"
		"  --spl-limit SIZE  the bootinfo spl_size_limit, bounding the whole FSBL.bin\n"
		"                    (default 0x36000; for a mainline SPL, u-boot-spl-ddr.bin,\n"
		"                    0x32100: its SPL_SIZE_LIMIT 0x31000 + 0x1100 of header and\n"
		"                    signature; 0 disables the check)\n\n"
		"Examples:\n  k1fw fsbl --spl u-boot-spl.bin --keys configs/key -o FSBL.bin\n"
		"  k1fw fsbl --spl u-boot-spl-ddr.bin --keys configs/key -o FSBL.bin  # "
		"mainline\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"spl", required_argument, NULL, 's'},
		{"keys", required_argument, NULL, 'k'},
		{"output", required_argument, NULL, 'o'},
		{"spl-limit", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *spl = NULL, *keydir = NULL, *o = NULL, *dir = NULL;
	unsigned long long limit = 0;
	bool has_limit = false;
	struct k1_buf in = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_fsbl_keys keys;
	struct k1_error err = {0};
	struct k1_output output;
	const char *inputs[1 + 2 * K1_KEY_COUNT];
	char keyfiles[2 * K1_KEY_COUNT][4096];
	int c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "s:k:o:d:l:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			spl = optarg;
			break;
		case 'k':
			keydir = optarg;
			break;
		case 'o':
			o = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'l':
			if (cli_parse_u64(optarg, &limit) || limit > 0xFFFFFFFFull)
				return cli_fail("--spl-limit: expected a 32-bit size, got '%s'",
						optarg);
			has_limit = true;
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
	if (!spl || !keydir)
		return cli_fail("missing %s", !spl ? "--spl FILE" : "--keys KEYDIR");
	inputs[0] = spl; /* the SPL and every key file it may read */
	for (int i = 0; i < 2 * K1_KEY_COUNT; i++) {
		snprintf(keyfiles[i], sizeof(keyfiles[i]), "%s/%s_%s.key", keydir,
			 k1_key_file_stem[i / 2], i % 2 ? "pub" : "prv");
		inputs[i + 1] = keyfiles[i];
	}
	if (cli_output(&output, o, dir, 0, inputs, 1 + 2 * K1_KEY_COUNT))
		return EXIT_USAGE;
	if (k1_read_file(spl, &in, &err))
		return cli_fail_err(&err);
	if (k1_fsbl_keys_load(keydir, &keys, &err)) {
		k1_buf_free(&in);
		return cli_fail_err(&err);
	}
	if (!has_limit) /* what the SPL inside was built for */
		limit = k1_fsbl_default_limit(in.data, in.len);
	if (k1_fsbl_build(in.data, in.len, &keys, (uint32_t)limit, &out, &err))
		status = cli_fail("%s: %s%s", spl, err.msg,
				  !has_limit && limit == K1_FSBL_LIMIT_MAINLINE
					  ? " (a mainline SPL: SPL_SIZE_LIMIT 0x31000 in "
					    "spacemit_k1_defconfig; --spl-limit overrides)"
					  : "");
	else if (cli_write(&output, out.data, out.len))
		status = EXIT_USAGE;
	k1_fsbl_keys_free(&keys);
	k1_buf_free(&in);
	k1_buf_free(&out);
	return status;
}

const struct k1_command cmd_fsbl = {"fsbl", "sign a U-Boot SPL into FSBL.bin", run};

/* k1fw keygen: a fresh signing key set and its ROTPK hash. */
#include "command.h"
#include "format/keygen.h"

#include <getopt.h>
#include <stdio.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw keygen -o KEYDIR [--json]\n\n"
		   "Create a new RSA-2048 key set under the vendor's file names in KEYDIR:\n"
		   "rsakeypair0 (the ROTPK), spl_pubkey, uboot_pubkey, kernel_pubkey and\n"
		   "rootfs_pubkey, each as <name>_prv.key (mode 0600) and <name>_pub.key.\n"
		   "Existing keys are never overwritten. Prints the ROTPK hash (SHA-256 of\n"
		   "the ROTPK modulus), the value secure boot burns into the efuses - once.\n\n"
		   "Example:\n  k1fw keygen -o mykeys && k1fw fsbl --spl u-boot-spl.bin --keys "
		   "mykeys -o FSBL.bin\n");
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	struct k1_error err = {0};
	uint8_t hash[32];
	char hex[65];
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (c == 'o')
			dir = optarg;
		else if (c == 'j')
			json = true;
		else if (c == 'h')
			return usage(stdout), EXIT_OK;
		else
			return cli_bad_option(argv);
	}
	if (optind < argc)
		return cli_fail("unexpected argument '%s'", argv[optind]);
	if (!dir)
		return cli_fail("missing -o KEYDIR (the folder for the new keys)");
	if (k1_keygen(dir, hash, &err))
		return cli_fail_err(&err);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", hash[i]);
	if (json) {
		json_t *o = json_pack("{s:s, s:s}", "keydir", dir, "rotpk_hash", hex);
		cli_print_json(o);
		json_decref(o);
	} else {
		printf("keys written to %s\nrotpk_hash %s\n", dir, hex);
	}
	return EXIT_OK;
}

const struct k1_command cmd_keygen = {"keygen", "create a signing key set and print its ROTPK hash",
				      run};

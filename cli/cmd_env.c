/* k1fw env: a U-Boot environment image from text, as mkenvimage makes it. */
#include "base/fileio.h"
#include "command.h"
#include "format/env.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw env -i env.txt -o env.bin [-d DIR] [--size SIZE] [--redundant]\n\n"
		   "Write a binary U-Boot environment from text (one name=value per line;\n"
		   "blank lines and lines starting with # are skipped; a trailing \\ continues\n"
		   "the value on the next line). Byte for byte what `mkenvimage -s SIZE [-r]`\n"
		   "writes: CRC-32 of the data, [a flags byte,] the variables, 0xFF padding.\n\n"
		   "  -i FILE        the text environment ('-' reads standard input)\n"
		   "  -s, --size N   image size (default 0x4000, the K1's CONFIG_ENV_SIZE)\n"
		   "  -r, --redundant  the redundant layout (flags byte after the CRC)\n\n"
		   "Example:\n  k1fw env -i env_k1-x.txt -o env.bin && k1fw inspect env.bin\n");
}

static int read_input(const char *path, struct k1_buf *text, struct k1_error *err)
{
	if (strcmp(path, "-"))
		return k1_read_file(path, text, err);
	for (;;) {
		if (k1_buf_reserve(text, 4096))
			return k1_err(err, K1_ENOMEM, "out of memory");
		size_t n = fread(text->data + text->len, 1, 4096, stdin);
		text->len += n;
		if (n < 4096)
			return ferror(stdin) ? k1_err(err, K1_EIO, "standard input: read error")
					     : 0;
	}
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"input", required_argument, NULL, 'i'}, {"output", required_argument, NULL, 'o'},
		{"size", required_argument, NULL, 's'},  {"redundant", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	const char *in = NULL, *o = NULL, *dir = NULL;
	unsigned long long size = K1_ENV_SIZE;
	bool redundant = false;
	struct k1_buf text = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_error err = {0};
	struct k1_output output;
	int c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "i:o:d:s:rh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			in = optarg;
			break;
		case 'o':
			o = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 's':
			if (cli_parse_u64(optarg, &size) || size < 8 || size > (1ULL << 30))
				return cli_fail(
					"--size: expected a size from 8 bytes to 1G, got '%s'",
					optarg);
			break;
		case 'r':
			redundant = true;
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
	if (!in)
		return cli_fail("missing -i env.txt");
	if (cli_output(&output, o, dir, 0, &in, 1))
		return EXIT_USAGE;
	if (read_input(in, &text, &err))
		status = cli_fail_err(&err); /* it names the file */
	else if (k1_env_build((const char *)text.data, text.len, (size_t)size, redundant, &out,
			      &err))
		status = cli_fail("%s: %s", in, err.msg);
	else if (cli_write(&output, out.data, out.len))
		status = EXIT_USAGE;
	k1_buf_free(&text);
	k1_buf_free(&out);
	return status;
}

const struct k1_command cmd_env = {"env", "write a U-Boot environment image from text", run};

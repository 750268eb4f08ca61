/* k1fw build: run a vendor JSON recipe (build_binary_file.py language). */
#include "command.h"
#include "recipe/recipe.h"

#include <getopt.h>
#include <stdio.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: k1fw build -c RECIPE.json -o OUT [-d DIR]\n\n"
		"Build an image from a vendor recipe (the language of the vendor's\n"
		"build_binary_file.py: structure, file, pubkey, hash, signature items,\n"
		"evaluated twice so forward references resolve). Sources are read\n"
		"relative to the recipe's folder; nothing is written beside it.\n\n"
		"  -c RECIPE   the JSON recipe\n"
		"  -o OUT      the output file; with -d DIR it goes to DIR/OUT (DIR is created)\n\n"
		"Example:\n  k1fw build -c configs/fsbl.json -o FSBL.bin\n");
}

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	cli_warn("%s", msg);
}

/* Every file the recipe reads must be another file than the output. */
static int not_output(void *ctx, const char *path, struct k1_error *err)
{
	return k1_output_input(ctx, path, err);
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"output", required_argument, NULL, 'o'},
		{"dir", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *recipe = NULL, *o = NULL, *dir = NULL;
	struct k1_output output;
	struct k1_recipe_opts ro = {.warn = warn, .on_file = not_output, .file_ctx = &output};
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err = {0};
	int c, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "c:o:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			recipe = optarg;
			break;
		case 'o':
			o = optarg;
			break;
		case 'd':
			dir = optarg;
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
	if (!recipe)
		return cli_fail("missing -c RECIPE.json");
	if (cli_output(&output, o, dir, 0, &recipe, 1))
		return EXIT_USAGE;
	if (k1_recipe_build_file(recipe, &ro, &out, &err))
		status = cli_fail_err(&err);
	else if (cli_write(&output, out.data, out.len))
		status = EXIT_USAGE;
	k1_buf_free(&out);
	return status;
}

const struct k1_command cmd_build = {"build", "build an image from a vendor JSON recipe", run};

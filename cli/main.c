/* k1fw: the command table and dispatcher. */
#include "command.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct k1_command cmd_build, cmd_bootinfo, cmd_fsbl, cmd_keygen, cmd_inspect,
	cmd_verify, cmd_env, cmd_fit, cmd_bundle, cmd_image, cmd_flash, cmd_fastboot, cmd_devices,
	cmd_emulate, cmd_doctor, cmd_eeprom, cmd_console;

static const struct k1_command *const commands[] = {
	&cmd_build,    &cmd_bootinfo, &cmd_fsbl,   &cmd_keygen, &cmd_inspect, &cmd_verify,
	&cmd_env,      &cmd_fit,      &cmd_bundle, &cmd_image,  &cmd_flash,   &cmd_devices,
	&cmd_fastboot, &cmd_emulate,  &cmd_doctor, &cmd_eeprom, &cmd_console, NULL,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw <command> [options]\n"
		   "       k1fw help [COMMAND]\n"
		   "       k1fw --version\n\n"
		   "Build, check, assemble and flash SpacemiT K1 boot firmware.\n\n"
		   "commands:\n");
	for (size_t i = 0; commands[i]; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n'k1fw <command> --help' describes each command; 'k1fw help <command>'\n"
		   "opens its manual page (man k1fw-<command>).\n\n"
		   "  -h, --help  this list\n"
		   "  --version   print the version\n\n"
		   "Exit status: 0 ok, 1 a check failed, 2 usage or input error.\n");
}

static const struct k1_command *find(const char *name)
{
	for (size_t i = 0; commands[i]; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

/* k1fw help COMMAND: the manual page on a terminal when it is installed,
 * else the command's --help. */
static int help(const char *name)
{
	const struct k1_command *c = find(name);
	char page[64], cmd[128];

	if (!c) {
		fprintf(stderr, "k1fw: unknown command '%s' (see 'k1fw --help')\n", name);
		return EXIT_USAGE;
	}
	snprintf(page, sizeof(page), "k1fw-%s", c->name);
	snprintf(cmd, sizeof(cmd), "man -w %s >/dev/null 2>&1", page);
	if (isatty(STDOUT_FILENO) && system(cmd) == 0) {
		fflush(NULL);
		execlp("man", "man", page, (char *)NULL);
	}
	char *argv[] = {(char *)c->name, "--help", NULL};
	return c->run(2, argv);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc > 2)
		return help(argv[2]);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("k1fw %s\n"
		       "'k1fw --help' lists the commands; 'man k1fw' describes them.\n",
		       K1FW_VERSION);
		return EXIT_OK;
	}
	opterr = 0; /* each command says what is wrong in one line (cli_bad_option) */
	cli_signals_init();
	const struct k1_command *c = find(argv[1]);
	if (c) {
		int rc = c->run(argc - 1, argv + 1);
		if (rc != EXIT_OK)
			cli_undo_made_dir();
		cli_signals_finished(rc);
		return rc;
	}
	fprintf(stderr, "k1fw: unknown command '%s' (see 'k1fw --help')\n", argv[1]);
	return EXIT_USAGE;
}

/* k1fw: the command table and dispatcher. */
#include "command.h"

#include <stdio.h>
#include <string.h>

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
	fprintf(f, "usage: k1fw <command> [options]\n\n"
		   "Build, check, assemble and flash SpacemiT K1 boot firmware.\n\n"
		   "commands:\n");
	for (size_t i = 0; commands[i]; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\n'k1fw <command> --help' describes each command.\n"
		   "Exit status: 0 ok, 1 a check failed, 2 usage or input error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("k1fw %s\n", K1FW_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; commands[i]; i++)
		if (!strcmp(argv[1], commands[i]->name))
			return commands[i]->run(argc - 1, argv + 1);
	fprintf(stderr, "k1fw: unknown command '%s' (see 'k1fw --help')\n", argv[1]);
	return EXIT_USAGE;
}

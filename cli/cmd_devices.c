/* k1fw devices: the boards k1fw can reach, with their USB port paths, and
 * the network boards named with -s. */
#include "command.h"
#include "fastboot/fastboot.h"
#include "fastboot/usb.h"
#include "flash/flash.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: k1fw devices [--json] [-s tcp|udp:HOST[:PORT]]...\n\n"
		   "List every USB device with an Android fastboot interface (class FF/42/03):\n"
		   "its port path (the -s usb:PORTPATH that selects it), USB ids, serial and\n"
		   "product strings. Every BootROM reports the serial \"dfu-device\": tell boards\n"
		   "apart by port. Network boards cannot be discovered; each -s tcp:... or\n"
		   "-s udp:... is probed and listed with its stage (brom, spl, u-boot).\n\n"
		   "Exit status: 0 listed (even none), 2 usage or USB unavailable.\n");
}

static int probe_net(const char *spec, bool json, json_t *arr)
{
	struct k1_target t;
	struct k1_error err = {0};
	struct k1_transport *tr;
	enum k1_stage st = K1_STAGE_UNKNOWN;

	if (k1_target_parse(spec, &t, &err))
		return cli_fail_err(&err);
	if (t.kind != K1_TARGET_TCP && t.kind != K1_TARGET_UDP)
		return cli_fail(
			"-s %s: only tcp:HOST[:PORT] and udp:HOST[:PORT] are probed (USB is "
			"listed anyway)",
			spec);
	int rc = k1_transport_open(&t, 2000, &tr, &err);
	if (!rc) {
		struct k1_fb fb = {.t = tr};
		rc = k1_flash_detect_stage(&fb, &st, &err);
		k1_transport_close(tr);
	}
	char name[200];
	k1_target_format(&t, name, sizeof(name));
	if (json)
		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:s*}", "transport",
						t.kind == K1_TARGET_UDP ? "udp" : "tcp", "target",
						name, "stage", rc ? NULL : k1_stage_name(st)));
	else if (rc)
		printf("%-20s (not answering: %s)\n", name, err.msg);
	else
		printf("%-20s %s\n", name, k1_stage_name(st));
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"serial", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *net[16];
	size_t nnet = 0;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "js:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			if (nnet == 16)
				return cli_fail("-s: at most 16 addresses");
			net[nnet++] = optarg;
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

	struct k1_error err = {0};
	struct k1_usb_info *v = NULL;
	size_t n = 0;
	json_t *arr = json ? json_array() : NULL;
	if (k1_usb_list(&v, &n, &err)) {
		if (nnet == 0) {
			json_decref(arr);
			return cli_fail_err(&err);
		}
		cli_warn("%s", err.msg); /* network boards can still be listed */
	}
	for (size_t i = 0; i < n; i++) {
		char ids[16], path[40];
		snprintf(ids, sizeof(ids), "%04x:%04x", v[i].vid, v[i].pid);
		snprintf(path, sizeof(path), "usb:%s", v[i].port_path);
		if (json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}",
							     "transport", "usb", "target", path,
							     "id", ids, "serial", v[i].serial,
							     "product", v[i].product, "accessible",
							     v[i].accessible));
		else
			printf("%-20s %s  %-16s %s%s\n", path, ids,
			       v[i].serial[0] ? v[i].serial : "?", v[i].product,
			       v[i].accessible ? ""
					       : "  (no permission: install " K1_UDEV_RULE ")");
	}
	free(v);
	if (!json && n == 0 && nnet == 0)
		printf("no board found: no USB device with a fastboot interface (is the board in "
		       "download mode, and the cable a data cable?)\n");
	for (size_t i = 0; i < nnet; i++)
		if (probe_net(net[i], json, arr)) {
			json_decref(arr);
			return EXIT_USAGE;
		}
	if (json) {
		cli_print_json(arr);
		json_decref(arr);
	}
	return EXIT_OK;
}

const struct k1_command cmd_devices = {"devices",
				       "list boards on USB (with port paths), TCP and UDP", run};

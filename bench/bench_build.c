/* Time to build the five vendor artefacts (4 bootinfos + FSBL.bin) in
 * process, by recipe and by the typed builders. Prints figures; asserts
 * nothing about speed. The vendor script needs about 200 ms per artefact;
 * the target is under 2 ms. Usage: bench_build VENDOR_DIR [ROUNDS] */
#include "base/fileio.h"
#include "format/bootinfo.h"
#include "format/fsbl.h"
#include "recipe/recipe.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int die(const struct k1_error *err)
{
	fprintf(stderr, "bench_build: %s\n", err->msg);
	return 1;
}

int main(int argc, char **argv)
{
	static const char *recipes[] = {"bootinfo_emmc", "bootinfo_sd", "bootinfo_spinor",
					"bootinfo_spinand", "fsbl"};
	const char *v = argc > 1 ? argv[1] : "../shared/vendor";
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	struct k1_error err = {0};
	char path[4096];
	double t0, t_recipe, t_typed;

	if (rounds < 1)
		rounds = 1;
	t0 = now_ms();
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < 5; i++) {
			struct k1_buf out = K1_BUF_INIT;
			snprintf(path, sizeof(path), "%s/k1-x/configs/%s.json", v, recipes[i]);
			if (k1_recipe_build_file(path, NULL, &out, &err))
				return die(&err);
			k1_buf_free(&out);
		}
	t_recipe = (now_ms() - t0) / rounds;

	t0 = now_ms();
	for (int r = 0; r < rounds; r++) {
		struct k1_fsbl_keys keys;
		struct k1_buf spl = K1_BUF_INIT, out = K1_BUF_INIT;
		uint8_t raw[K1_BOOTINFO_SIZE];
		for (int m = 0; m < 4; m++) {
			struct k1_bootinfo bi;
			k1_bootinfo_defaults((enum k1_media)m, &bi);
			k1_bootinfo_encode(&bi, raw);
		}
		snprintf(path, sizeof(path), "%s/k1-x/configs/key", v);
		if (k1_fsbl_keys_load(path, &keys, &err))
			return die(&err);
		snprintf(path, sizeof(path), "%s/k1-x/u-boot-spl.bin", v);
		if (k1_read_file(path, &spl, &err) ||
		    k1_fsbl_build(spl.data, spl.len, &keys, 0x36000, &out, &err))
			return die(&err);
		k1_fsbl_keys_free(&keys);
		k1_buf_free(&spl);
		k1_buf_free(&out);
	}
	t_typed = (now_ms() - t0) / rounds;

	printf("build 5 vendor artefacts by recipe:       %8.3f ms  (%.3f ms per artefact)\n",
	       t_recipe, t_recipe / 5);
	printf("build 5 vendor artefacts, typed builders: %8.3f ms  (%.3f ms per artefact)\n",
	       t_typed, t_typed / 5);
	printf("target: < 2 ms per artefact (vendor script: ~200 ms)\n");
	return 0;
}

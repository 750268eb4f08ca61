/* libFuzzer: the k1fw image planner on arbitrary partition tables (the
 * first byte picks SD or eMMC, --force and a --size), then the GPT and the
 * genimage config of every plan it accepts. The release folder is a
 * minimal one made once in a temporary folder. Seed it with the tables of
 * tests/cli/test_image.sh. */
#include "format/bootinfo.h"
#include "image/image.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char dir[64];

static void put(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
}

static void setup(void)
{
	uint8_t bi[K1_BOOTINFO_SIZE], fsbl[8192] = {0}, blob[4096];
	struct k1_bootinfo b;
	char sub[128];

	snprintf(dir, sizeof(dir), "/tmp/k1fw-fuzz-image-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sub, sizeof(sub), "%s/factory", dir);
	mkdir(sub, 0755);
	k1_bootinfo_defaults(K1_MEDIA_SD, &b);
	k1_bootinfo_encode(&b, bi);
	put("factory/bootinfo_sd.bin", bi, sizeof(bi));
	memcpy(fsbl + 0x100, "AIHD", 4);
	put("factory/FSBL.bin", fsbl, sizeof(fsbl));
	memset(blob, 0x5A, sizeof(blob));
	put("env.bin", blob, sizeof(blob));
	put("fw_dynamic.itb", blob, sizeof(blob));
	put("u-boot.itb", blob, sizeof(blob));
	put("rootfs.ext4", blob, sizeof(blob));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k1_image_opts o = {0};
	struct k1_image_plan p;
	struct k1_error err;
	char table[128];

	if (!dir[0])
		setup();
	if (size < 1)
		return 0;
	snprintf(table, sizeof(table), "%s/t.json", dir);
	put("t.json", data + 1, size - 1);
	o.bundle = dir;
	o.table = table;
	o.media = data[0] & 1 ? K1_MEDIA_EMMC : K1_MEDIA_SD;
	o.force = data[0] & 2;
	o.size = data[0] & 4 ? 64u << 20 : 0;
	if (k1_image_plan(&o, &p, NULL, NULL, &err))
		return 0;
	if (p.disk_size <= (1u << 30)) {
		uint8_t *head = calloc(34, 512), *tail = calloc(33, 512);
		if (head && tail)
			k1_image_gpt(&p, head, tail, &err);
		free(head);
		free(tail);
	}
	struct k1_buf cfg = K1_BUF_INIT;
	k1_genimage_cfg(&p, "sd.img", &cfg, &err);
	k1_buf_free(&cfg);
	k1_image_plan_free(&p);
	return 0;
}

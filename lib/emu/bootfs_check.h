/* What U-Boot does with the bootfs partition: which files it loads, from
 * its environment (the env partition, else the vendor default), the
 * bootfs's env_k1-x.txt and the files present, and whether each is what it
 * must be. Two ways: the vendor convention (knl_name, dtb_name from
 * product_name, ramdisk_name; bootm) and distro boot (extlinux/
 * extlinux.conf, else boot.scr, in / or /boot/), which mainline U-Boot and
 * a vendor bootcmd that calls sysboot/bootflow use. */
#ifndef K1_BOOTFS_CHECK_H
#define K1_BOOTFS_CHECK_H

#include "emu/bootsim.h"

#include <stdbool.h>

struct k1_bootfs_result {
	bool boots;
	char fs[8];                              /* "ext4", "fat32", or "" when none was found */
	char method[24];                         /* "vendor", "extlinux", "boot.scr" */
	char kernel[320], dtb[320], initrd[320]; /* what would boot, with notes */
	char step[48];                           /* the first failure: "bootfs.kernel", ... */
	char why[640], fix[640];
	size_t warnings;
};

/* part: the bootfs partition's bytes. env/envlen: the raw environment area
 * (NULL or a bad CRC: the vendor default). distro: mainline U-Boot. Never
 * fails: the verdict is the result; console lines go to con (may be NULL). */
void k1_bootfs_check(const uint8_t *part, size_t len, const uint8_t *env, size_t envlen,
		     bool distro, k1_console_fn con, void *ctx, struct k1_bootfs_result *r);

#endif

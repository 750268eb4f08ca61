/* libFuzzer: the bootfs readers (FAT directly; ext2/3/4 through libext2fs)
 * and U-Boot's decision on arbitrary partition bytes, both ways (vendor
 * convention and distro boot). */
#include "emu/bootfs_check.h"
#include "format/bootfs_fs.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {"/extlinux/extlinux.conf", "Image.itb", "/a/b/../c.dtb",
					    "/", "boot/boot.scr"};
	struct k1_bootfs_result r;
	struct k1_error err;
	struct k1_fs *fs;
	uint8_t buf[256];

	if (!k1_fat_open(data, size, &fs, &err)) {
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			size_t got;
			uint64_t len;
			k1_fs_read(fs, paths[i], buf, sizeof(buf), &got, &len, &err);
		}
		k1_fs_close(fs);
	}
	k1_bootfs_check(data, size, NULL, 0, false, NULL, NULL, &r);
	k1_bootfs_check(data, size, NULL, 0, true, NULL, NULL, &r);
	return 0;
}

/* The emulated board's storage: one plain file per device in the board
 * folder (emmc-boot0.img, emmc-boot1.img, emmc-user.img (sparse),
 * spinor.img, spinand.img, sd.img when a card is in). */
#ifndef K1_EMU_STORAGE_H
#define K1_EMU_STORAGE_H

#include "base/error.h"
#include "base/fileio.h"
#include "emu/bootsim.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum k1_emu_dev {
	K1_DEV_BOOT0,
	K1_DEV_BOOT1,
	K1_DEV_USER,
	K1_DEV_NOR,
	K1_DEV_NAND,
	K1_DEV_SD,
	K1_DEV_COUNT,
};

struct k1_emu_storage {
	char dir[4000];
	uint64_t size[K1_DEV_COUNT]; /* 0: absent (only the SD card may be) */
};

/* A device's file name in the board folder: "emmc-boot0.img", ... */
const char *k1_emu_dev_file(enum k1_emu_dev d);

/* Default sizes: boot0/1 4 MiB, user 8 GiB, NOR 4 MiB, NAND 256 MiB. */
void k1_emu_storage_defaults(uint64_t size[K1_DEV_COUNT]);

/* Open the board folder (created when missing): every device file except
 * sd.img is created at size[] when absent (sparse, zero; NOR and NAND
 * erased to 0xFF); an existing file keeps its own size. */
int k1_emu_storage_open(struct k1_emu_storage *s, const char *dir,
			const uint64_t size[K1_DEV_COUNT], struct k1_error *err);

/* Write len bytes at off of device d; K1_ERANGE past its end. */
int k1_emu_write(const struct k1_emu_storage *s, enum k1_emu_dev d, uint64_t off, const void *data,
		 size_t len, struct k1_error *err);
/* Fill [off, off+len) with byte (erase). Zeros punch holes where possible. */
int k1_emu_fill(const struct k1_emu_storage *s, enum k1_emu_dev d, uint64_t off, uint64_t len,
		uint8_t byte, struct k1_error *err);
/* Read-only view of a device (k1_unmap_file); an absent SD is len 0. */
int k1_emu_map(const struct k1_emu_storage *s, enum k1_emu_dev d, struct k1_mapped *m,
	       struct k1_error *err);
/* pread len bytes at off. */
int k1_emu_read(const struct k1_emu_storage *s, enum k1_emu_dev d, uint64_t off, void *buf,
		size_t len, struct k1_error *err);

/* A board folder as the boot simulation sees it (the emulator's power-on and
 * `k1fw doctor`): each device file mapped read-only into its slot of media.
 * path[d], when set, is device d's file instead of DIR/<its file name>; dir
 * may be NULL (then only path[] counts); a dir that is not a folder is an
 * error, an empty one a blank board. A file absent from dir leaves its
 * slot empty; any other file that cannot be mapped is an error, which leaves
 * that slot empty and the others mapped. Close with k1_emu_media_close. */
struct k1_emu_media {
	struct k1_board_media media;
	struct k1_mapped m[K1_DEV_COUNT];
};
int k1_emu_media_open(struct k1_emu_media *mm, const char *dir,
		      const char *const path[K1_DEV_COUNT], struct k1_error *err);
void k1_emu_media_close(struct k1_emu_media *mm);

#endif

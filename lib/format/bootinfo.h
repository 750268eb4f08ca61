/* bootinfo: the 80-byte descriptor the K1 BootROM reads at offset 0 of the
 * boot medium (spec §2). */
#ifndef K1_BOOTINFO_H
#define K1_BOOTINFO_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_BOOTINFO_SIZE 80
#define K1_BOOTINFO_CRC_LEN 0x40 /* the CRC covers bytes 0x00-0x3F */
#define K1_BOOTINFO_MAGIC 0xB00714F0u
#define K1_BOOTINFO_VERSION 0x00010001u

enum k1_media { K1_MEDIA_EMMC, K1_MEDIA_SD, K1_MEDIA_SPINOR, K1_MEDIA_SPINAND };

struct k1_bootinfo {
	uint32_t magic;
	uint32_t version;
	char flash_type[4]; /* ASCII, NUL-padded: "eMMC", "SDC", "NORF", "NAND" */
	uint8_t mid;
	uint16_t did;
	uint32_t page_size;
	uint32_t block_size;
	uint32_t total_size;
	uint8_t multi_plane;
	uint32_t spl0_offset;
	uint32_t spl1_offset;
	uint32_t spl_size_limit; /* bounds the whole FSBL.bin (header + SPL + signature) */
	uint32_t partitiontable0_offset;
	uint32_t partitiontable1_offset;
	uint32_t crc32; /* as stored (decode) */
};

/* "emmc", "sd", "spinor", "spinand" <-> enum. */
int k1_media_parse(const char *name, enum k1_media *out);
const char *k1_media_name(enum k1_media m);
/* The media a flash_type names; -1 if none. */
int k1_bootinfo_media(const struct k1_bootinfo *bi);

/* The vendor's values for a medium (the golden bootinfo_<media>.bin). */
void k1_bootinfo_defaults(enum k1_media m, struct k1_bootinfo *bi);

/* 80 bytes with the CRC computed over bytes 0x00-0x3F. */
void k1_bootinfo_encode(const struct k1_bootinfo *bi, uint8_t out[K1_BOOTINFO_SIZE]);

/* The first problem `verify` would report in bi once encoded (offsets
 * overlapping, geometry, limits): K1_EINVAL "bootinfo.CHECK: message", so
 * that nothing is written that verify then fails. */
int k1_bootinfo_check(const struct k1_bootinfo *bi, struct k1_error *err);

/* Fields from raw bytes; K1_EINVAL when len < 80. Does not judge them. */
int k1_bootinfo_decode(const uint8_t *raw, size_t len, struct k1_bootinfo *bi,
		       struct k1_error *err);

uint32_t k1_bootinfo_crc(const uint8_t *raw);

#endif

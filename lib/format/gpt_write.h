/* A GUID Partition Table writer, as U-Boot's `gpt write` lays one out:
 * protective MBR, primary header at LBA 1 with 128 entries from LBA 2
 * (first usable LBA 34), backup entries and header at the end. The one
 * writer behind the emulator's `flash gpt` and `k1fw image`. */
#ifndef K1_GPT_WRITE_H
#define K1_GPT_WRITE_H

#include "base/error.h"
#include "format/gpt.h"

#include <stddef.h>
#include <stdint.h>

#define K1_GPT_NEW_ENTRIES 128
#define K1_GPT_BACKUP_SECTORS 33 /* 128 * 128-byte entries, then the header */
#define K1_GPT_PRIMARY_BYTES (K1_GPT_FIRST_LBA * K1_GPT_SECTOR)     /* LBA 0-33 */
#define K1_GPT_BACKUP_BYTES (K1_GPT_BACKUP_SECTORS * K1_GPT_SECTOR) /* the last 33 LBAs */

struct k1_gpt_new_part {
	const char *name; /* ASCII; k1_gpt_build keeps the first 36 characters */
	uint64_t first_lba, last_lba;
	uint8_t guid[16];
	const uint8_t *type_guid; /* NULL: basic data, what `gpt write` sets */
};

/* Whether the partitions fit a disk of `sectors` 512-byte sectors:
 * K1_ERANGE for a disk too small for a GPT or naming the partition when
 * one lies outside the usable LBAs or overlaps another, K1_EINVAL for more
 * than 128 entries or a missing or over-long name. */
int k1_gpt_check(const struct k1_gpt_new_part *parts, size_t n, uint64_t sectors,
		 struct k1_error *err);

/* Lay out the table for a disk of `sectors` sectors, the entries as given
 * (k1_gpt_check them first unless the caller has its own rules). primary
 * gets LBA 0-33 (only bytes 440-511 of LBA 0 are meaningful: the caller
 * keeps or puts back 0-439, where an SD card's bootinfo lives), backup the
 * last 33 LBAs. K1_ERANGE when the disk cannot hold a GPT, K1_EINVAL for
 * more than 128 entries or a missing name. */
int k1_gpt_build(const struct k1_gpt_new_part *parts, size_t n, uint64_t sectors,
		 const uint8_t disk_guid[16], uint8_t *primary, uint8_t *backup,
		 struct k1_error *err);

#endif

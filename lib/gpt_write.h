/* A GUID Partition Table writer, as U-Boot's `gpt write` lays one out:
 * protective MBR, primary header at LBA 1 with 128 entries from LBA 2
 * (first usable LBA 34), backup entries and header at the end. */
#ifndef K1_GPT_WRITE_H
#define K1_GPT_WRITE_H

#include "error.h"
#include "gpt.h"

#include <stddef.h>
#include <stdint.h>

#define K1_GPT_NEW_ENTRIES 128
#define K1_GPT_PRIMARY_BYTES (34 * K1_GPT_SECTOR) /* LBA 0-33 */
#define K1_GPT_BACKUP_BYTES (33 * K1_GPT_SECTOR)  /* the last 33 LBAs */

struct k1_gpt_new_part {
	const char *name; /* ASCII, at most 36 characters */
	uint64_t first_lba, last_lba;
	uint8_t guid[16];
};

/* Lay out the table for a disk of `sectors` 512-byte sectors with the
 * basic-data type for every entry. primary gets LBA 0-33 (only bytes
 * 440-511 of LBA 0 are meaningful: the caller keeps 0-439, where an SD
 * card's bootinfo lives), backup the last 33 LBAs. K1_ERANGE naming the
 * partition when one lies outside the usable LBAs or overlaps another,
 * K1_EINVAL for more than 128 entries or a bad name. */
int k1_gpt_build(const struct k1_gpt_new_part *parts, size_t n, uint64_t sectors,
		 const uint8_t disk_guid[16], uint8_t *primary, uint8_t *backup,
		 struct k1_error *err);

#endif

/* GUID Partition Table (UEFI 2.x §5.3) on 512-byte sectors: what an SD
 * card or eMMC user area carries (spec §5). A reader that checks every
 * field against the buffer it came from; the image writer reuses the
 * layout constants and helpers. */
#ifndef K1_GPT_H
#define K1_GPT_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_GPT_SECTOR 512
#define K1_GPT_FIRST_LBA 34 /* protective MBR + header + 128 entries */
#define K1_GPT_SIGNATURE "EFI PART"
#define K1_GPT_REVISION 0x00010000u
#define K1_GPT_HEADER_SIZE 92             /* the defined fields; the rest of the sector is zero */
#define K1_GPT_ENTRY_SIZE 128             /* the usual entry size (any 128 * 2^n is legal) */
#define K1_GPT_NAME_UNITS 36              /* UTF-16LE code units in an entry's name */
#define K1_GPT_NAME_MAX 109               /* UTF-8 bytes a converted name can need, with NUL */
#define K1_GPT_MAX_ENTRY_BYTES (1u << 20) /* refuse entry arrays larger than this */

/* Header field offsets inside its sector. */
enum {
	K1_GPT_OFF_SIGNATURE = 0,
	K1_GPT_OFF_REVISION = 8,
	K1_GPT_OFF_HEADER_SIZE = 12,
	K1_GPT_OFF_HEADER_CRC = 16,
	K1_GPT_OFF_MY_LBA = 24,
	K1_GPT_OFF_ALT_LBA = 32,
	K1_GPT_OFF_FIRST_USABLE = 40,
	K1_GPT_OFF_LAST_USABLE = 48,
	K1_GPT_OFF_DISK_GUID = 56,
	K1_GPT_OFF_ENTRIES_LBA = 72,
	K1_GPT_OFF_NUM_ENTRIES = 80,
	K1_GPT_OFF_ENTRY_SIZE = 84,
	K1_GPT_OFF_ENTRIES_CRC = 88,
};

/* Entry field offsets. */
enum {
	K1_GPT_ENT_TYPE = 0,
	K1_GPT_ENT_GUID = 16,
	K1_GPT_ENT_FIRST = 32,
	K1_GPT_ENT_LAST = 40,
	K1_GPT_ENT_ATTR = 48,
	K1_GPT_ENT_NAME = 56,
};

struct k1_gpt_header {
	uint64_t lba; /* where it was read */
	uint32_t revision, header_size, header_crc, header_crc_computed;
	uint64_t my_lba, alt_lba, first_usable, last_usable, entries_lba;
	uint8_t disk_guid[16];
	uint32_t num_entries, entry_size, entries_crc, entries_crc_computed;
	bool entries_in_file; /* the entry array lies inside the buffer */
};

struct k1_gpt_entry {
	uint32_t index; /* 1-based slot number, as Linux numbers partitions */
	uint8_t type_guid[16], guid[16];
	uint64_t first_lba, last_lba, attributes;
	char name[K1_GPT_NAME_MAX]; /* UTF-8; invalid UTF-16 becomes U+FFFD */
};

struct k1_gpt {
	struct k1_gpt_header hdr;
	struct k1_gpt_entry *entries; /* the used slots (non-zero type GUID), in slot order */
	size_t count;
};

/* Decode the header in sector `lba` of disk[0..len). K1_EINVAL when the
 * sector is outside the buffer, lacks "EFI PART", or its sizes are unusable
 * (header_size outside 92..512, entry_size not 128 * 2^n, entry array over
 * 1 MiB). CRCs are computed, not judged. */
int k1_gpt_read_header(const uint8_t *disk, size_t len, uint64_t lba, struct k1_gpt_header *h,
		       struct k1_error *err);

/* The header at `lba` and its used entries (allocated: k1_gpt_free). The
 * entry array must lie inside the buffer. */
int k1_gpt_read(const uint8_t *disk, size_t len, uint64_t lba, struct k1_gpt *gpt,
		struct k1_error *err);
void k1_gpt_free(struct k1_gpt *gpt);

/* The first used entry named exactly `name`, or NULL. */
const struct k1_gpt_entry *k1_gpt_find(const struct k1_gpt *gpt, const char *name);

/* "0FC63DAF-8483-4772-8E79-3D69D8477DE4" (mixed-endian as UEFI stores it). */
void k1_gpt_guid_str(const uint8_t guid[16], char out[37]);
/* The reverse: the 36-character form (either case) to the stored bytes;
 * -1 when s is not one. */
int k1_gpt_guid_parse(const char *s, uint8_t g[16]);
/* A version 4 (RFC 4122) GUID from 16 random or hashed bytes. */
void k1_gpt_guid_v4(uint8_t g[16], const uint8_t bytes[16]);
/* A short name for well-known partition types ("linux", "basic-data",
 * "efi-system", ...), or NULL. */
const char *k1_gpt_type_name(const uint8_t guid[16]);

/* UTF-16LE (units code units, stops at the first NUL) to UTF-8 in out
 * (outsz >= 1). Invalid surrogates become U+FFFD. */
void k1_gpt_name_utf8(const uint8_t *utf16, size_t units, char *out, size_t outsz);

/* CRC-32 of the header sector's first header_size bytes with the CRC field
 * taken as zero. The caller has checked header_size <= 512. */
uint32_t k1_gpt_header_crc(const uint8_t *sector, uint32_t header_size);

#endif

/* GPT reader and the GUID helpers (gpt.h): `k1fw inspect`, `verify` and the
 * emulator read tables with it; gpt_write.c and k1fw image reuse its layout
 * constants, header CRC and GUID encoding. */
#include "format/gpt.h"
#include "base/bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

uint32_t k1_gpt_header_crc(const uint8_t *sector, uint32_t header_size)
{
	static const uint8_t zero[4];
	uLong crc = crc32(0L, sector, K1_GPT_OFF_HEADER_CRC);

	crc = crc32(crc, zero, 4);
	return (uint32_t)crc32(crc, sector + K1_GPT_OFF_HEADER_CRC + 4,
			       header_size - K1_GPT_OFF_HEADER_CRC - 4);
}

/* UEFI allows entry sizes of 128 * 2^n; bigger than a sector is unheard of. */
static bool entry_size_ok(uint32_t sz)
{
	return sz >= K1_GPT_ENTRY_SIZE && sz <= K1_GPT_SECTOR * 8 && !(sz & (sz - 1));
}

static void decode_header(const uint8_t *s, uint64_t lba, struct k1_gpt_header *h)
{
	memset(h, 0, sizeof(*h));
	h->lba = lba;
	h->revision = k1_le32(s + K1_GPT_OFF_REVISION);
	h->header_size = k1_le32(s + K1_GPT_OFF_HEADER_SIZE);
	h->header_crc = k1_le32(s + K1_GPT_OFF_HEADER_CRC);
	h->my_lba = k1_le64(s + K1_GPT_OFF_MY_LBA);
	h->alt_lba = k1_le64(s + K1_GPT_OFF_ALT_LBA);
	h->first_usable = k1_le64(s + K1_GPT_OFF_FIRST_USABLE);
	h->last_usable = k1_le64(s + K1_GPT_OFF_LAST_USABLE);
	memcpy(h->disk_guid, s + K1_GPT_OFF_DISK_GUID, 16);
	h->entries_lba = k1_le64(s + K1_GPT_OFF_ENTRIES_LBA);
	h->num_entries = k1_le32(s + K1_GPT_OFF_NUM_ENTRIES);
	h->entry_size = k1_le32(s + K1_GPT_OFF_ENTRY_SIZE);
	h->entries_crc = k1_le32(s + K1_GPT_OFF_ENTRIES_CRC);
}

int k1_gpt_read_header(const uint8_t *disk, size_t len, uint64_t lba, struct k1_gpt_header *h,
		       struct k1_error *err)
{
	uint64_t off, bytes;
	const uint8_t *s;

	if (lba >= len / K1_GPT_SECTOR)
		return k1_err(err, K1_EINVAL, "GPT header at LBA %llu is past the end (%zu bytes)",
			      (unsigned long long)lba, len);
	off = lba * K1_GPT_SECTOR;
	s = disk + off;
	if (memcmp(s, K1_GPT_SIGNATURE, 8))
		return k1_err(err, K1_EINVAL, "no GPT header at 0x%llx: expected \"EFI PART\"",
			      (unsigned long long)off);
	decode_header(s, lba, h);
	if (h->header_size < K1_GPT_HEADER_SIZE || h->header_size > K1_GPT_SECTOR)
		return k1_err(err, K1_EINVAL,
			      "GPT header at 0x%llx: header_size %u, expected 92..512",
			      (unsigned long long)off, h->header_size);
	if (!entry_size_ok(h->entry_size))
		return k1_err(err, K1_EINVAL,
			      "GPT header at 0x%llx: entry size %u, expected 128 * 2^n up to 4096",
			      (unsigned long long)off, h->entry_size);
	bytes = (uint64_t)h->num_entries * h->entry_size;
	if (bytes > K1_GPT_MAX_ENTRY_BYTES)
		return k1_err(err, K1_EINVAL,
			      "GPT header at 0x%llx: %u entries of %u bytes, more than 1 MiB",
			      (unsigned long long)off, h->num_entries, h->entry_size);
	h->header_crc_computed = k1_gpt_header_crc(s, h->header_size);
	/* entries_lba is untrusted: compare without overflowing */
	h->entries_in_file = h->entries_lba < len / K1_GPT_SECTOR &&
			     bytes <= len - h->entries_lba * K1_GPT_SECTOR;
	if (h->entries_in_file)
		h->entries_crc_computed =
			(uint32_t)crc32(0L, disk + h->entries_lba * K1_GPT_SECTOR, (uInt)bytes);
	return 0;
}

static void decode_entry(const uint8_t *e, uint32_t index, struct k1_gpt_entry *out)
{
	out->index = index;
	memcpy(out->type_guid, e + K1_GPT_ENT_TYPE, 16);
	memcpy(out->guid, e + K1_GPT_ENT_GUID, 16);
	out->first_lba = k1_le64(e + K1_GPT_ENT_FIRST);
	out->last_lba = k1_le64(e + K1_GPT_ENT_LAST);
	out->attributes = k1_le64(e + K1_GPT_ENT_ATTR);
	k1_gpt_name_utf8(e + K1_GPT_ENT_NAME, K1_GPT_NAME_UNITS, out->name, sizeof(out->name));
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int k1_gpt_read(const uint8_t *disk, size_t len, uint64_t lba, struct k1_gpt *gpt,
		struct k1_error *err)
{
	const uint8_t *arr;
	int rc;

	memset(gpt, 0, sizeof(*gpt));
	if ((rc = k1_gpt_read_header(disk, len, lba, &gpt->hdr, err)))
		return rc;
	if (!gpt->hdr.entries_in_file)
		return k1_err(err, K1_EINVAL,
			      "GPT entry array at LBA %llu (%u x %u bytes) is past the end "
			      "(%zu bytes)",
			      (unsigned long long)gpt->hdr.entries_lba, gpt->hdr.num_entries,
			      gpt->hdr.entry_size, len);
	arr = disk + gpt->hdr.entries_lba * K1_GPT_SECTOR;
	if (gpt->hdr.num_entries) {
		gpt->entries = calloc(gpt->hdr.num_entries, sizeof(*gpt->entries));
		if (!gpt->entries)
			return k1_err(err, K1_ENOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < gpt->hdr.num_entries; i++) {
		const uint8_t *e = arr + (size_t)i * gpt->hdr.entry_size;
		if (!is_zero(e + K1_GPT_ENT_TYPE, 16))
			decode_entry(e, i + 1, &gpt->entries[gpt->count++]);
	}
	return 0;
}

void k1_gpt_free(struct k1_gpt *gpt)
{
	free(gpt->entries);
	gpt->entries = NULL;
	gpt->count = 0;
}

const struct k1_gpt_entry *k1_gpt_find(const struct k1_gpt *gpt, const char *name)
{
	for (size_t i = 0; i < gpt->count; i++)
		if (!strcmp(gpt->entries[i].name, name))
			return &gpt->entries[i];
	return NULL;
}

void k1_gpt_guid_str(const uint8_t g[16], char out[37])
{
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12],
		 g[13], g[14], g[15]);
}

int k1_gpt_guid_parse(const char *s, uint8_t g[16])
{
	static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	uint8_t raw[16];
	int n = 0;

	for (const char *p = s; *p; p++) {
		unsigned v;
		if (*p == '-' && (p - s == 8 || p - s == 13 || p - s == 18 || p - s == 23))
			continue;
		if (n == 16 || sscanf(p, "%2x", &v) != 1 || !p[1] || p[1] == '-')
			return -1;
		raw[n++] = (uint8_t)v;
		p++;
	}
	if (n != 16 || strlen(s) != 36)
		return -1;
	for (int i = 0; i < 16; i++)
		g[i] = raw[order[i]];
	return 0;
}

void k1_gpt_guid_v4(uint8_t g[16], const uint8_t bytes[16])
{
	memcpy(g, bytes, 16);
	g[7] = (uint8_t)((g[7] & 0x0F) | 0x40); /* version 4 (data3 is little-endian) */
	g[8] = (uint8_t)((g[8] & 0x3F) | 0x80); /* RFC 4122 variant */
}

const char *k1_gpt_type_name(const uint8_t guid[16])
{
	static const struct {
		const char *guid, *name;
	} types[] = {
		{"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "basic-data"},
		{"0FC63DAF-8483-4772-8E79-3D69D8477DE4", "linux"},
		{"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "efi-system"},
		{"BC13C2FF-59E6-4262-A352-B275FD6F7172", "xbootldr"},
		{"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "linux-swap"},
		{"72EC70A6-CF74-40E6-BD49-4BDA08E8F224", "linux-root-riscv64"},
	};
	char s[37];

	k1_gpt_guid_str(guid, s);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(s, types[i].guid))
			return types[i].name;
	return NULL;
}

/* Append code point cp as UTF-8 if it fits (keeping room for the NUL). */
static size_t put_utf8(char *out, size_t pos, size_t outsz, uint32_t cp)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xC0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xE0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (pos + n >= outsz)
		return pos;
	memcpy(out + pos, b, n);
	return pos + n;
}

void k1_gpt_name_utf8(const uint8_t *utf16, size_t units, char *out, size_t outsz)
{
	size_t pos = 0;

	for (size_t i = 0; i < units; i++) {
		uint32_t cp = k1_le16(utf16 + 2 * i);
		if (!cp)
			break;
		if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < units) {
			uint32_t lo = k1_le16(utf16 + 2 * (i + 1));
			if (lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i++;
			} else {
				cp = 0xFFFD;
			}
		} else if (cp >= 0xD800 && cp < 0xE000) {
			cp = 0xFFFD;
		}
		if (cp < 0x20 || cp == 0x7F)
			cp = '?'; /* keep names printable on a terminal */
		pos = put_utf8(out, pos, outsz, cp);
	}
	out[pos] = '\0';
}

/* GPT writer (UEFI 2.x §5.3), U-Boot `gpt write` layout; the field
 * offsets and the header CRC are gpt.h's, shared with the reader. */
#include "format/gpt_write.h"
#include "base/bytes.h"

#include <string.h>
#include <zlib.h>

/* EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, as stored (mixed-endian) */
static const uint8_t basic_data[16] = {0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
				       0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7};

/* The usable LBAs of a disk of `sectors` sectors holding n entries. */
static int usable(size_t n, uint64_t sectors, uint64_t *first, uint64_t *last, struct k1_error *err)
{
	if (sectors < K1_GPT_FIRST_LBA + K1_GPT_BACKUP_SECTORS + 1)
		return k1_err(err, K1_ERANGE, "a %llu-sector disk cannot hold a GPT",
			      (unsigned long long)sectors);
	if (n > K1_GPT_NEW_ENTRIES)
		return k1_err(err, K1_EINVAL, "%zu partitions: a GPT holds at most %d", n,
			      K1_GPT_NEW_ENTRIES);
	*first = K1_GPT_FIRST_LBA;
	*last = sectors - K1_GPT_BACKUP_SECTORS - 1;
	return 0;
}

int k1_gpt_check(const struct k1_gpt_new_part *p, size_t n, uint64_t sectors, struct k1_error *err)
{
	uint64_t first = 0, last = 0;
	int rc;

	if ((rc = usable(n, sectors, &first, &last, err)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!p[i].name || strlen(p[i].name) > K1_GPT_NAME_UNITS)
			return k1_err(err, K1_EINVAL,
				      "partition %zu: name missing or over %d "
				      "characters",
				      i + 1, K1_GPT_NAME_UNITS);
		if (p[i].first_lba < first || p[i].last_lba > last ||
		    p[i].first_lba > p[i].last_lba)
			return k1_err(err, K1_ERANGE,
				      "partition \"%s\" (LBA %llu-%llu) is outside the usable LBAs "
				      "%llu-%llu",
				      p[i].name, (unsigned long long)p[i].first_lba,
				      (unsigned long long)p[i].last_lba, (unsigned long long)first,
				      (unsigned long long)last);
		for (size_t j = 0; j < i; j++)
			if (p[i].first_lba <= p[j].last_lba && p[j].first_lba <= p[i].last_lba)
				return k1_err(err, K1_ERANGE,
					      "partition \"%s\" (LBA %llu-%llu) overlaps \"%s\" "
					      "(LBA %llu-%llu)",
					      p[i].name, (unsigned long long)p[i].first_lba,
					      (unsigned long long)p[i].last_lba, p[j].name,
					      (unsigned long long)p[j].first_lba,
					      (unsigned long long)p[j].last_lba);
	}
	return 0;
}

static void put_entries(const struct k1_gpt_new_part *p, size_t n, uint8_t *ents)
{
	memset(ents, 0, K1_GPT_NEW_ENTRIES * K1_GPT_ENTRY_SIZE);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = ents + i * K1_GPT_ENTRY_SIZE;
		memcpy(e + K1_GPT_ENT_TYPE, p[i].type_guid ? p[i].type_guid : basic_data, 16);
		memcpy(e + K1_GPT_ENT_GUID, p[i].guid, 16);
		k1_put_le64(e + K1_GPT_ENT_FIRST, p[i].first_lba);
		k1_put_le64(e + K1_GPT_ENT_LAST, p[i].last_lba);
		for (size_t k = 0; p[i].name[k] && k < K1_GPT_NAME_UNITS; k++)
			k1_put_le16(e + K1_GPT_ENT_NAME + 2 * k, (uint8_t)p[i].name[k]);
	}
}

static void put_header(uint8_t *h, uint64_t my, uint64_t alt, uint64_t first, uint64_t last,
		       uint64_t ents_lba, const uint8_t guid[16], uint32_t ents_crc)
{
	memset(h, 0, K1_GPT_SECTOR);
	memcpy(h + K1_GPT_OFF_SIGNATURE, K1_GPT_SIGNATURE, 8);
	k1_put_le32(h + K1_GPT_OFF_REVISION, K1_GPT_REVISION);
	k1_put_le32(h + K1_GPT_OFF_HEADER_SIZE, K1_GPT_HEADER_SIZE);
	k1_put_le64(h + K1_GPT_OFF_MY_LBA, my);
	k1_put_le64(h + K1_GPT_OFF_ALT_LBA, alt);
	k1_put_le64(h + K1_GPT_OFF_FIRST_USABLE, first);
	k1_put_le64(h + K1_GPT_OFF_LAST_USABLE, last);
	memcpy(h + K1_GPT_OFF_DISK_GUID, guid, 16);
	k1_put_le64(h + K1_GPT_OFF_ENTRIES_LBA, ents_lba);
	k1_put_le32(h + K1_GPT_OFF_NUM_ENTRIES, K1_GPT_NEW_ENTRIES);
	k1_put_le32(h + K1_GPT_OFF_ENTRY_SIZE, K1_GPT_ENTRY_SIZE);
	k1_put_le32(h + K1_GPT_OFF_ENTRIES_CRC, ents_crc);
	k1_put_le32(h + K1_GPT_OFF_HEADER_CRC, k1_gpt_header_crc(h, K1_GPT_HEADER_SIZE));
}

/* One 0xEE record from LBA 1 over the disk (capped); s is zero. */
static void put_mbr(uint8_t *s, uint64_t sectors)
{
	uint8_t *e = s + 446;

	e[1] = 0x00, e[2] = 0x02, e[3] = 0x00; /* CHS of LBA 1 */
	e[4] = 0xEE;
	e[5] = e[6] = e[7] = 0xFF;
	k1_put_le32(e + 8, 1);
	k1_put_le32(e + 12, sectors - 1 > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)(sectors - 1));
	s[510] = 0x55, s[511] = 0xAA;
}

int k1_gpt_build(const struct k1_gpt_new_part *parts, size_t n, uint64_t sectors,
		 const uint8_t disk_guid[16], uint8_t *primary, uint8_t *backup,
		 struct k1_error *err)
{
	uint64_t first = 0, last = 0, alt = sectors - 1;
	uint32_t crc;
	int rc;

	if ((rc = usable(n, sectors, &first, &last, err)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if (!parts[i].name)
			return k1_err(err, K1_EINVAL, "partition %zu: no name", i + 1);
	memset(primary, 0, K1_GPT_PRIMARY_BYTES);
	put_mbr(primary, sectors);
	put_entries(parts, n, primary + 2 * K1_GPT_SECTOR);
	crc = (uint32_t)crc32(0L, primary + 2 * K1_GPT_SECTOR,
			      K1_GPT_NEW_ENTRIES * K1_GPT_ENTRY_SIZE);
	put_header(primary + K1_GPT_SECTOR, 1, alt, first, last, 2, disk_guid, crc);
	memcpy(backup, primary + 2 * K1_GPT_SECTOR, K1_GPT_NEW_ENTRIES * K1_GPT_ENTRY_SIZE);
	put_header(backup + (K1_GPT_BACKUP_SECTORS - 1) * K1_GPT_SECTOR, alt, 1, first, last,
		   sectors - K1_GPT_BACKUP_SECTORS, disk_guid, crc);
	return 0;
}

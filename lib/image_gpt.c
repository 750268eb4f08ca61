/* The GPT k1fw image writes, laid out as U-Boot's `gpt write` does (spec
 * §5, research §4.4): sector 0 keeps bytes 0-439 (the SD bootinfo) and
 * holds one protective 0xEE record; 128 entries at LBA 2, first usable LBA
 * 34, the backup entries and header in the last 33 sectors. */
#include "bytes.h"
#include "gpt.h"
#include "image.h"

#include <string.h>
#include <zlib.h>

#define SECTOR 512u

static void put_entry(uint8_t *e, const struct k1_image_part *ip)
{
	const char *n = ip->tp->name;

	memcpy(e + K1_GPT_ENT_TYPE, ip->type_guid, 16);
	memcpy(e + K1_GPT_ENT_GUID, ip->guid, 16);
	k1_put_le64(e + K1_GPT_ENT_FIRST, ip->offset / SECTOR);
	k1_put_le64(e + K1_GPT_ENT_LAST, (ip->offset + ip->size + SECTOR - 1) / SECTOR - 1);
	/* names are ASCII in every K1 table; other bytes are kept as code units */
	for (size_t i = 0; n[i] && i < K1_GPT_NAME_UNITS; i++)
		k1_put_le16(e + K1_GPT_ENT_NAME + 2 * i, (uint8_t)n[i]);
}

static void put_header(uint8_t *h, const struct k1_image_plan *p, uint64_t my, uint64_t alt,
                       uint64_t entries, uint32_t entries_crc)
{
	uint64_t total = p->disk_size / SECTOR;

	memcpy(h, K1_GPT_SIGNATURE, 8);
	k1_put_le32(h + K1_GPT_OFF_REVISION, K1_GPT_REVISION);
	k1_put_le32(h + K1_GPT_OFF_HEADER_SIZE, K1_GPT_HEADER_SIZE);
	k1_put_le64(h + K1_GPT_OFF_MY_LBA, my);
	k1_put_le64(h + K1_GPT_OFF_ALT_LBA, alt);
	k1_put_le64(h + K1_GPT_OFF_FIRST_USABLE, K1_GPT_FIRST_LBA);
	k1_put_le64(h + K1_GPT_OFF_LAST_USABLE, total - K1_IMAGE_GPT_SECTORS - 1);
	memcpy(h + K1_GPT_OFF_DISK_GUID, p->disk_guid, 16);
	k1_put_le64(h + K1_GPT_OFF_ENTRIES_LBA, entries);
	k1_put_le32(h + K1_GPT_OFF_NUM_ENTRIES, K1_IMAGE_GPT_ENTRIES);
	k1_put_le32(h + K1_GPT_OFF_ENTRY_SIZE, K1_GPT_ENTRY_SIZE);
	k1_put_le32(h + K1_GPT_OFF_ENTRIES_CRC, entries_crc);
	k1_put_le32(h + K1_GPT_OFF_HEADER_CRC, k1_gpt_header_crc(h, K1_GPT_HEADER_SIZE));
}

void k1_image_gpt(const struct k1_image_plan *p, uint8_t *lba0, uint8_t *primary, uint8_t *backup)
{
	uint64_t total = p->disk_size / SECTOR;
	uint8_t *ents = primary + SECTOR, *mbr = lba0 + 446;
	size_t slot = 0;
	uint32_t crc;

	memset(lba0, 0, SECTOR);
	memset(primary, 0, K1_IMAGE_GPT_SECTORS * SECTOR);
	if (p->media == K1_MEDIA_SD)
		memcpy(lba0, p->lba0, sizeof(p->lba0));
	/* protective MBR: one 0xEE record from LBA 1 over the disk (capped) */
	mbr[1] = 0x00, mbr[2] = 0x02, mbr[3] = 0x00; /* CHS 0/0/2 */
	mbr[4] = 0xEE;
	mbr[5] = mbr[6] = mbr[7] = 0xFF;
	k1_put_le32(mbr + 8, 1);
	k1_put_le32(mbr + 12, total - 1 > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)(total - 1));
	lba0[510] = 0x55;
	lba0[511] = 0xAA;

	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].in_gpt)
			put_entry(ents + K1_GPT_ENTRY_SIZE * slot++, &p->parts[i]);
	crc = (uint32_t)crc32(0L, ents, K1_IMAGE_GPT_ENTRIES * K1_GPT_ENTRY_SIZE);
	put_header(primary, p, 1, total - 1, 2, crc);

	/* backup: entries first, header in the very last sector */
	memset(backup, 0, K1_IMAGE_GPT_SECTORS * SECTOR);
	memcpy(backup, ents, (K1_IMAGE_GPT_SECTORS - 1) * SECTOR);
	put_header(backup + (K1_IMAGE_GPT_SECTORS - 1) * SECTOR, p, total - 1, 1,
	           total - K1_IMAGE_GPT_SECTORS, crc);
}

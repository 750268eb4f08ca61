/* The GPT k1fw image writes (spec §5, research §4.4): the plan's entries
 * handed to gpt_write.c, the writer the emulator's `flash gpt` uses too,
 * so both lay a table out as U-Boot's `gpt write` does. The plan has
 * checked the layout (or --force overrode its refusals), so the entries
 * go in as they are; sector 0 keeps the SD bootinfo in bytes 0-439. */
#include "image/image.h"

#include <string.h>

#define SECTOR 512u

int k1_image_gpt(const struct k1_image_plan *p, uint8_t *primary, uint8_t *backup,
		 struct k1_error *err)
{
	struct k1_gpt_new_part parts[K1_GPT_NEW_ENTRIES];
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < p->nparts && n < K1_GPT_NEW_ENTRIES; i++) {
		const struct k1_image_part *ip = &p->parts[i];
		if (!ip->in_gpt)
			continue;
		parts[n] = (struct k1_gpt_new_part){
			.name = ip->tp->name,
			.first_lba = ip->offset / SECTOR,
			.last_lba = (ip->offset + ip->size + SECTOR - 1) / SECTOR - 1,
			.type_guid = ip->type_guid,
		};
		memcpy(parts[n++].guid, ip->guid, 16);
	}
	rc = k1_gpt_build(parts, n, p->disk_size / SECTOR, p->disk_guid, primary, backup, err);
	if (!rc && p->media == K1_MEDIA_SD)
		memcpy(primary, p->lba0, sizeof(p->lba0));
	return rc;
}

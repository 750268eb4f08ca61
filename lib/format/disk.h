/* Raw disk images (SD card, eMMC user area): internal view shared by the
 * disk inspector (disk.c) and verifier (disk_verify.c). Public access is
 * through k1_format_disk (format.h). */
#ifndef K1_DISK_H
#define K1_DISK_H

#include "format/bootinfo.h"
#include "format/format.h"
#include "format/gpt.h"

#include <stdbool.h>
#include <stdint.h>

#define K1_DISK_ENV_OFFSET 0x60000u /* CONFIG_ENV_OFFSET (spec §7) */
#define K1_DISK_ENV_SIZE 0x4000u    /* CONFIG_ENV_SIZE */
/* Raw sectors the BPI vendor SPL falls back to without a GPT (research §5.4). */
#define K1_DISK_RAW_OPENSBI_LBA 0x500u
#define K1_DISK_RAW_UBOOT_LBA 0x800u

struct k1_mbr_entry {
	uint8_t boot, type;
	uint32_t first_lba, sectors;
};

enum k1_disk_table { K1_DISK_NONE, K1_DISK_MBR, K1_DISK_GPT, K1_DISK_GPT_BACKUP };

struct k1_disk {
	const struct k1_input *in;
	uint64_t sectors;
	bool has_bootinfo; /* the bootinfo magic at byte 0 */
	struct k1_bootinfo bi;
	bool mbr_sig; /* 0x55AA at 510 */
	struct k1_mbr_entry mbr[4];
	/* The primary header at LBA 1 and the backup at primary.alt_lba (or the
	 * last sector when the primary is unreadable), each with the reason it
	 * could not be read. */
	bool primary_ok, backup_ok;
	struct k1_gpt_header primary, backup;
	char primary_err[1024], backup_err[1024];
	enum k1_disk_table table;
	struct k1_gpt gpt; /* the entries the SPL would use */
};

int k1_disk_open(const struct k1_input *in, struct k1_disk *d, struct k1_error *err);
void k1_disk_close(struct k1_disk *d);

/* A GPT header whose CRCs, self-LBA and entries all check out. */
bool k1_disk_header_sound(const struct k1_gpt_header *h, uint64_t lba);

/* Words for what lies at off (for "found ..." messages), into buf. */
const char *k1_disk_describe(const struct k1_disk *d, uint64_t off, char *buf, size_t bufsz);

/* Where the SPL finds `name` ("opensbi", "uboot"): the GPT partition of
 * that exact name, else (no GPT) the BPI raw-sector fallback. Returns false
 * when there is none; *raw tells which rule applied. */
bool k1_disk_fit_region(const struct k1_disk *d, const char *name, uint64_t *off, uint64_t *len,
			bool *raw);

int k1_disk_verify(const struct k1_input *in, const struct k1_verify_opts *opts,
		   struct k1_checks *c, struct k1_error *err);

#endif

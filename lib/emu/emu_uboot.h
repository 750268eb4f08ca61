/* The vendor U-Boot generations the emulator models (`k1fw emulate
 * --uboot-version`): where they differ in what `flash env`, `flash gpt`
 * and `flash bootinfo` leave on the eMMC, whether a download that looks
 * like gzip is inflated, and the FAIL text for a file larger than its
 * partition. Read from the vendor trees named in each entry; the default
 * one was run (../shared/vendor/uboot-sandbox, spec §6.1). */
#ifndef K1_EMU_UBOOT_H
#define K1_EMU_UBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum k1_emu_env_flash {
	K1_EMU_ENV_RAW,         /* flash env: a raw write to the GPT "env" partition */
	K1_EMU_ENV_IMPORT_ZERO, /* imported into RAM, the env area on disk zeroed */
	K1_EMU_ENV_EXPORT,      /* imported into RAM, the merged env exported to disk */
};

struct k1_emu_uboot {
	const char *name;  /* the --uboot-version value */
	const char *trees; /* the vendor code this follows */
	enum k1_emu_env_flash env_flash;
	bool gpt_exports_env;    /* flash gpt writes the exported env (else zeroes 16 KiB) */
	bool gzip;               /* byte 2 == 8 and byte 3 & 0xE0 == 0: inflated */
	bool size_counts_offset; /* the too-large check adds the gzip chunk offset */
	const char *too_large;   /* FAIL text for an image larger than its partition */
	uint32_t spl_size_limit; /* of the eMMC bootinfo it writes: SPL_SIZE_LIMIT + 0x1100 */
};

#define K1_EMU_UBOOT_DEFAULT "1.0.15"

/* The generation named name, or NULL. */
const struct k1_emu_uboot *k1_emu_uboot_find(const char *name);
/* The i-th generation (NULL past the last), for --help and the README. */
const struct k1_emu_uboot *k1_emu_uboot_at(size_t i);

#endif

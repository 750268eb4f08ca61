/* The vendor U-Boot generations (emu_uboot.h). */
#include "emu/emu_uboot.h"

#include <string.h>

#define FAIL_TOO_LARGE "download_bytes is greater than part size"

static const struct k1_emu_uboot versions[] = {
	{"1.0.15",
	 "milkv-jupiter/uboot-2022.10 v1.0rc1 to v1.0.15, BPI-SINOVOIP/pi-u-boot v2022.10-k1 "
	 "(run: ../shared/vendor/uboot-sandbox)",
	 K1_EMU_ENV_RAW, false, true, false, FAIL_TOO_LARGE, 0x31000 + 0x1100},
	{"k1-bl-v2",
	 "spacemit-com uboot-2022.10 later trees (eshattow/spacemit-com-uboot-2022.10 3b308533, "
	 "vhaudiquet/deb-u-boot-spacemit 740e2dbf)",
	 K1_EMU_ENV_RAW, false, true, true, "Write exceed partition size!", 0x31000 + 0x1100},
	{"1.0beta", "milkv-jupiter/uboot-2022.10 v1.0beta3.1, v1.0beta4", K1_EMU_ENV_RAW, false,
	 false, false, FAIL_TOO_LARGE, 0x34F00 + 0x1100},
	{"1.0alpha2",
	 "milkv-jupiter/uboot-2022.10 v1.0alpha2, spacemit-com early 2024 "
	 "(eshattow/spacemit-com-uboot-2022.10 1f2a15f4)",
	 K1_EMU_ENV_EXPORT, true, false, false, FAIL_TOO_LARGE, 0x33000 + 0x1100},
	{"import-zero",
	 "fastboot_oem_flash_env() + _clear_env_part() of v1.0beta3.1 to v1.0.15 as if fb_mmc.c "
	 "called it (those trees comment the call out; research §6 describes it as active)",
	 K1_EMU_ENV_IMPORT_ZERO, false, true, false, FAIL_TOO_LARGE, 0x31000 + 0x1100},
};

const struct k1_emu_uboot *k1_emu_uboot_find(const char *name)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (!strcmp(versions[i].name, name))
			return &versions[i];
	return NULL;
}

const struct k1_emu_uboot *k1_emu_uboot_at(size_t i)
{
	return i < sizeof(versions) / sizeof(versions[0]) ? &versions[i] : NULL;
}

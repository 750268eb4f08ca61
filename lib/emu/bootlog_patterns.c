/* Every console line k1fw knows, one row each: what it proves (a stage, the
 * medium, a version, the board), or the failure it shows with its step,
 * cause and fix. Adding a pattern is adding a row; its sample is checked
 * by tests/unit/test_bootlog.c. Samples are real lines (tests/data/logs/
 * README.md names their sources) except where marked "emulator" (lines
 * `k1fw emulate` and `k1fw doctor --board` print) or "constructed" (a
 * documented message no public log was found for).
 *
 * Matching is case-insensitive on the line with timestamps removed and
 * blanks collapsed. A HARMLESS row ends the search for its line; the
 * others all apply. FAIL rows stand unless a later line proves a later
 * stage (or, in the BootROM, that it moved on to another medium). */
#include "emu/bootlog.h"

#define S(x) K1_LOG_##x

/* said by two rows each (two lines of one message) */
#define SD_WHY                                                                                     \
	"the SD card did not answer the BootROM (ERROR: CMD8, sd f!): no card in the slot, or a "  \
	"card it cannot talk to"
#define SD_FIX                                                                                     \
	"to boot from SD: reseat the card, try another card, power the board with 12 V; without "  \
	"a "                                                                                       \
	"card this is normal and the BootROM goes on to the medium the boot switches select"
#define RT_WHY                                                                                     \
	"this is the console of the K1's real-time core (RT-Thread/ESOS on R_UART0), not the "     \
	"main console: the adapter is on the wrong pins, so this log cannot say how Linux boots"
#define RT_FIX                                                                                     \
	"move the adapter to UART0 (BPI-F3: GND pin 6, TX pin 8, RX pin 10 of the 26-pin header; " \
	"other boards: the 3-pin debug header) at 115200 8N1"

/* clang-format off */
const struct k1_log_pattern k1_log_patterns[] = {
/* ---- harmless: known lines that look alarming ---- */
{"uboot.no_fdt_addr", K1_LOGK_HARMLESS, K1_LOGM_CONTAINS, "No FDT memory address configured",
 S(UBOOT), 0, 0, 0, 0, 0, 0, 0,
 "No FDT memory address configured. Please configure"},
{"uboot.fdt_addr_hint", K1_LOGK_HARMLESS, K1_LOGM_CONTAINS, "the FDT address via \"fdt addr",
 S(UBOOT), 0, 0, 0, 0, 0, 0, 0,
 "the FDT address via \"fdt addr <address>\" command."},
{"uboot.aborting", K1_LOGK_HARMLESS, K1_LOGM_EXACT, "Aborting!", S(UBOOT), 0, 0, 0, 0, 0, 0, 0,
 "Aborting!"},
{"uboot.fastboot_key", K1_LOGK_HARMLESS, K1_LOGM_CONTAINS, "Failed to get fastboot key config",
 S(UBOOT), 0, 0, 0, 0, 0, 0, 0, "Failed to get fastboot key config: -19"},
{"uboot.husb239", K1_LOGK_HARMLESS, K1_LOGM_CONTAINS, "Failed to probe HUSB239", S(UBOOT), 0, 0,
 0, 0, 0, 0, 0, "Failed to probe HUSB239: -19"},
{"uboot.efi_free", K1_LOGK_HARMLESS, K1_LOGM_CONTAINS, "efi_free_pool: illegal free", S(KERNEL), 0,
 0, 0, 0, 0, 0, 0, "efi_free_pool: illegal free 0x0000000076dbd040"},
{"uboot.tlv_missing", K1_LOGK_HARMLESS, K1_LOGM_PREFIX, "Cannot find TLV data:", S(UBOOT), 0, 0, 0,
 0, 0, 0, 0, "Cannot find TLV data: manufacture_date"},
{"uboot.pcie_phy", K1_LOGK_HARMLESS, K1_LOGM_CONTAINS, "Unable to get phy", S(UBOOT), 0, 0, 0, 0,
 0, 0, 0, "pcie_dw_k1x pcie@ca400000: Unable to get phy0"},

/* ---- the BootROM ---- */
{"brom.sys", K1_LOGK_RESTART, K1_LOGM_PREFIX, "sys: 0x", S(BROM), 0, K1_LOGX_SOC, "k1-family", 0, 0, 0, 0,
 "sys: 0x200"},
{"brom.try_sd", K1_LOGK_RESTART, K1_LOGM_EXACT, "try sd...", S(BROM), 0, K1_LOGX_SOC, "k1-family", 0, 0,
 0, 0, "try sd..."},
{"brom.bm0", K1_LOGK_STAGE, K1_LOGM_EXACT, "bm:0", S(BROM), K1_LOGF_MEDIUM, 0, "emmc", 0, 0, 0, 0,
 "bm:0"},
{"brom.bm1", K1_LOGK_STAGE, K1_LOGM_EXACT, "bm:1", S(BROM), K1_LOGF_MEDIUM, 0, "nor", 0, 0, 0, 0,
 "bm:1"},
{"brom.bm2", K1_LOGK_STAGE, K1_LOGM_EXACT, "bm:2", S(BROM), K1_LOGF_MEDIUM, 0, "nand", 0, 0, 0, 0,
 "bm:2"},
{"brom.bm3", K1_LOGK_STAGE, K1_LOGM_EXACT, "bm:3", S(BROM), K1_LOGF_MEDIUM, 0, "sd", 0, 0, 0, 0,
 "bm:3"},
/* a Milk-V Jupiter booting from SPI NOR prints bm:4 then the flash's JEDEC id */
{"brom.bm4", K1_LOGK_STAGE, K1_LOGM_EXACT, "bm:4", S(BROM), K1_LOGF_MEDIUM, 0, "nor", 0, 0, 0, 0,
 "bm:4"},
{"brom.nor_id", K1_LOGK_STAGE, K1_LOGM_PREFIX, "nor m:", S(BROM), 0, 0, 0, 0, 0, 0, 0,
 "nor m:0xc8 d:0x4017"},
{"brom.jump", K1_LOGK_STAGE, K1_LOGM_EXACT, "j...", S(BROM), K1_LOGF_IF_LAST | K1_LOGF_JUMP, 0, 0,
 "fsbl.start", "the FSBL does not start",
 "the BootROM accepted the FSBL on %M and jumped to it (j...), and nothing came after: the SPL "
 "inside does not run (a damaged or foreign SPL), or the console stops at another baud rate",
 "write the vendor FSBL.bin again (k1fw flash --bundle DIR), or stage it over USB to test "
 "(fastboot stage factory/FSBL.bin; fastboot continue) and watch the console",
 "j..."},
{"brom.sd_cmd8", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "ERROR: CMD8", S(BROM), 0, 0, 0, "sd.card",
 "no SD card answered",
 SD_WHY, SD_FIX,
 "ERROR:   CMD8"},
{"brom.sd_fail", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "ERROR: sd f!", S(BROM), 0, 0, 0, "sd.card",
 "no SD card answered",
 SD_WHY, SD_FIX,
 "ERROR:   sd f! l:76"},
{"brom.bootinfo_magic", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "invalid bootinfo magic code", S(BROM), 0,
 0, 0, "bootinfo.magic", "%M has no bootinfo",
 "%M has no bootinfo at offset 0 (the magic 0xB00714F0 is missing): it was never flashed, or "
 "was erased",
 "flash the board (k1fw flash --bundle DIR), or write the medium's bootinfo_*.bin at offset 0 "
 "(eMMC: of the boot0 partition)",
 "ERROR:   emmc: invalid bootinfo magic code:0x0"},
{"brom.bootinfo_crc", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "invalid bootinfo crc", S(BROM), 0, 0, 0,
 "bootinfo.crc", "%M bootinfo is damaged",
 "the bootinfo on %M is damaged: its CRC-32 at 0x40 does not match bytes 0x00-0x3f",
 "write the medium's bootinfo_*.bin again (fastboot flash bootinfo factory/bootinfo_emmc.bin, "
 "or k1fw flash)",
 "ERROR:   emmc: invalid bootinfo crc:0x1d2c3b4a"}, /* emulator */
{"brom.bootinfo_media", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "invalid flash type", S(BROM), 0, 0, 0,
 "bootinfo.media", "%M bootinfo is for another medium",
 "the bootinfo on %M describes another kind of medium (flash_type)",
 "write the bootinfo made for this medium (bootinfo_emmc.bin, bootinfo_sd.bin, "
 "bootinfo_spinor.bin, bootinfo_spinand.bin)",
 "ERROR:   nor: invalid flash type NAND"}, /* emulator */
{"brom.bootinfo_image", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "invalid bootinfo image", S(BROM),
 K1_LOGF_GENERIC, 0, 0, "bootinfo", "%M bootinfo rejected",
 "the BootROM rejected the bootinfo on %M", "flash the board (k1fw flash --bundle DIR)",
 "ERROR:   invalid bootinfo image."},
{"brom.fsbl_header", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "no FSBL header", S(BROM), 0, 0, 0,
 "fsbl.header", "no FSBL on %M",
 "the BootROM found no FSBL header (\"AIHD\") where the bootinfo on %M points",
 "write factory/FSBL.bin at the bootinfo's spl0 offset (fastboot flash fsbl FSBL.bin)",
 "ERROR:   emmc: spl0 fsbl at 0x200: no FSBL header (\"AIHD\" at +0x100): found zeros"},
 /* emulator */
{"brom.fsbl_size", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "over the bootinfo spl_size_limit", S(BROM), 0,
 0, 0, "fsbl.size", "FSBL on %M too large",
 "the FSBL on %M is larger than the bootinfo's spl_size_limit, so the BootROM will not load it",
 "build a smaller SPL (the whole FSBL.bin must fit spl_size_limit)",
 "ERROR:   emmc: spl0 fsbl at 0x200: FSBL is 0x40000 bytes, over the bootinfo "
 "spl_size_limit 0x36000"}, /* emulator */
{"brom.fsbl_rotpk", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "ROTPK does not match the efuse", S(BROM), 0,
 0, 0, "fsbl.rotpk", "FSBL signed by another key",
 "secure board: the FSBL on %M is signed with a key whose hash is not the one in the efuses",
 "sign the FSBL with the ROTPK burnt into this board's efuses (k1fw fsbl --keys DIR)",
 "ERROR:   emmc: spl0 fsbl at 0x200: secure board: the FSBL's ROTPK does not match the efuse "
 "hash (hash differs)"}, /* emulator */
{"brom.fsbl_signature", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "secure board: fsbl.", S(BROM), 0, 0, 0,
 "fsbl.signature", "FSBL signature bad",
 "secure board: a signature of the FSBL on %M does not verify",
 "re-sign FSBL.bin with its keys (k1fw fsbl)",
 "ERROR:   emmc: spl0 fsbl at 0x200: secure board: fsbl.signature0 @ 0x80: does not "
 "verify"}, /* emulator */
{"brom.fsbl_image", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "invalid fsbl image", S(BROM), K1_LOGF_GENERIC,
 0, 0, "fsbl", "no usable FSBL on %M", "the BootROM found no usable FSBL on %M",
 "write factory/FSBL.bin (k1fw flash --bundle DIR)", "ERROR:   invalid fsbl image."},
{"brom.download_key", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "download key held", S(DOWNLOAD), 0, 0, 0,
 "brom.download_key", "download key held",
 "the download (FDL) key was held at reset: the BootROM enters USB download mode on purpose",
 "release the FDL key and reset to boot from storage, or flash now (k1fw flash --bundle DIR)",
 "(download key held at reset)"}, /* emulator */
{"brom.download", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "entering download mode", S(DOWNLOAD),
 K1_LOGF_GENERIC, 0, 0, "brom.download", "no bootable medium",
 "no medium had a valid bootinfo and FSBL: the BootROM waits in USB download mode (fastboot)",
 "flash the board (k1fw flash --bundle DIR); the lines before this one say what each medium "
 "lacked",
 "ERROR:   entering download mode."},
{"brom.usb_handler", K1_LOGK_STAGE, K1_LOGM_CONTAINS, "ROM: usb download handler", S(DOWNLOAD), 0,
 K1_LOGX_SOC, "k1-family", 0, 0, 0, 0, "ROM: usb download handler"},
{"brom.usb_init", K1_LOGK_STAGE, K1_LOGM_PREFIX, "usb2d_initialize", S(DOWNLOAD), 0, 0, 0, 0, 0, 0,
 0, "usb2d_initialize : enter"},
{"brom.usb_command", K1_LOGK_STAGE, K1_LOGM_PREFIX, "fastboot_handle_command:", S(DOWNLOAD), 0,
 K1_LOGX_SOC, "k1-family", 0, 0, 0, 0, "fastboot_handle_command: version-brom"},
{"brom.usb_refused", K1_LOGK_FAIL, K1_LOGM_PREFIX, "ERROR: usb:", S(DOWNLOAD), 0, 0, 0, "usb.fsbl",
 "staged FSBL refused",
 "the BootROM refused the FSBL staged over USB (the line says why)",
 "stage a valid, correctly signed FSBL.bin (k1fw verify FSBL.bin)",
 "ERROR:   usb: fsbl.size: FSBL is 0x40000 bytes, over the bootinfo spl_size_limit "
 "0x36000"}, /* emulator */

/* ---- the host's side, mixed into a log or alone ---- */
{"host.dfu_device", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "DFU download", S(DOWNLOAD),
 K1_LOGF_GENERIC, K1_LOGX_SOC, "k1-family", "brom.download", "download mode (seen from the host)",
 "the host sees the BootROM's USB download device (fastboot devices: dfu-device, DFU "
 "download): the board sits in BootROM download mode, because the FDL key was held or no "
 "medium had a bootable FSBL",
 "if the FDL key was not held, flash the board (k1fw flash --bundle DIR); 'k1fw console' shows "
 "the BootROM's reason on the serial console",
 "dfu-device       DFU download"},
{"host.minicom", K1_LOGK_HOST, K1_LOGM_PREFIX, "Welcome to minicom", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "Welcome to minicom 2.8"},
{"host.minicom_help", K1_LOGK_HOST, K1_LOGM_PREFIX, "Press CTRL-A Z for help", S(NONE), 0, 0, 0, 0,
 0, 0, 0, "Press CTRL-A Z for help on special keys"},
{"host.minicom_port", K1_LOGK_HOST, K1_LOGM_PREFIX, "Port /dev/", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "Port /dev/ttyUSB1, 11:39:46"},
{"host.tio", K1_LOGK_HOST, K1_LOGM_PREFIX, "tio v", S(NONE), 0, 0, 0, 0, 0, 0, 0, "tio v2.7"},
{"host.picocom", K1_LOGK_HOST, K1_LOGM_PREFIX, "picocom v", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "picocom v3.1"},
{"host.k1fw_console", K1_LOGK_HOST, K1_LOGM_PREFIX, "k1fw console:", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "k1fw console: /dev/ttyUSB0 at 115200 8N1, Ctrl-] q quits"},
{"host.prompt", K1_LOGK_HOST, K1_LOGM_PREFIX, "$ ", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "$ fastboot devices"},
{"host.sending", K1_LOGK_HOST, K1_LOGM_PREFIX, "Sending '", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "Sending 'Z:\\k1\\output\\k1-x_deb1.dtb' (32 KB)      OKAY [  0.004s]"},
{"host.writing", K1_LOGK_HOST, K1_LOGM_PREFIX, "Writing '", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "Writing 'bootfs'                                   OKAY [  1.204s]"},
{"host.finished", K1_LOGK_HOST, K1_LOGM_PREFIX, "Finished. Total time", S(NONE), 0, 0, 0, 0, 0, 0,
 0, "Finished. Total time: 0.054s"},
{"host.waiting", K1_LOGK_HOST, K1_LOGM_PREFIX, "< waiting for", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "< waiting for any device >"},
{"host.error", K1_LOGK_HOST, K1_LOGM_PREFIX, "fastboot: error:", S(NONE), 0, 0, 0, 0, 0, 0, 0,
 "fastboot: error: Command failed"},

/* ---- the FSBL (U-Boot SPL) ---- */
{"spl.banner", K1_LOGK_STAGE, K1_LOGM_PREFIX, "U-Boot SPL ", S(SPL), K1_LOGF_IF_LAST, K1_LOGX_SPL,
 0, "spl.ddr", "SPL hangs after its banner (DDR?)",
 "the SPL printed its banner and nothing after: it hangs initialising DDR; on a 2 GB board the "
 "EEPROM's ddr_cs_num must be 1",
 "on a 2 GB board: in download mode (FDL key) set ddr_cs_num to 1 in the EEPROM (TitanFlasher, "
 "or fastboot oem config:write ddr_cs_num@eeprom:1 then oem config:flush); if the log was cut "
 "short, capture longer",
 "U-Boot SPL 2022.10spacemit (May 25 2024 - 04:01:33 +0000)"},
{"spl.fit_config", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Boot from fit configuration ", S(SPL), 0,
 K1_LOGX_BOARD, 0, 0, 0, 0, 0, "Boot from fit configuration k1-x_deb1"},
{"spl.hash_opensbi", K1_LOGK_STAGE, K1_LOGM_CONTAINS, "Checking hash(es) for Image opensbi",
 S(SPL), 0, 0, 0, 0, 0, 0, 0, "## Checking hash(es) for Image opensbi ... crc32+ OK"},
{"spl.mmc_read", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "mmc block read error", S(SPL), 0, 0, 0,
 "spl.mmc_read", "SPL cannot read %M",
 "the SPL's reads of %M fail (mmc block read error) and it finds nothing to start: the card or "
 "eMMC does not answer reads, or the partition table points past its end",
 "write the card again and verify it, try another card, check the image's table (k1fw inspect "
 "sd.img)",
 "mmc_load_image_raw_sector: mmc block read error"},
{"spl.boot_device", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "Unsupported Boot Device", S(SPL), 0, 0, 0,
 "spl.boot_device", "mainline SPL: unsupported boot device",
 "the mainline SPL does not support the medium the BootROM started it from (%M): it reads only "
 "the devices its defconfig enables",
 "boot the mainline SPL from a medium it supports (see its defconfig), or use the vendor "
 "FSBL.bin for this medium",
 "SPL: Unsupported Boot Device!"}, /* constructed (common/spl/spl.c) */
{"spl.all_failed", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "failed to boot from all boot devices", S(SPL),
 K1_LOGF_GENERIC, 0, 0, "spl.load", "SPL found nothing to start",
 "the SPL found no U-Boot/OpenSBI it could load on %M",
 "write the uboot and opensbi partitions (k1fw flash --bundle DIR)",
 "SPL: failed to boot from all boot devices"}, /* constructed (common/spl/spl.c) */
{"spl.reset_board", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "### ERROR ### Please RESET the board", S(SPL),
 K1_LOGF_GENERIC, 0, 0, "spl.load", "SPL stopped",
 "the SPL stopped (### ERROR ### Please RESET the board ###)",
 "read the SPL lines above; write the uboot and opensbi partitions (k1fw flash --bundle DIR)",
 "### ERROR ### Please RESET the board ###"},
{"spl.no_gpt", K1_LOGK_FAIL, K1_LOGM_PREFIX, "spl: no GPT on", S(SPL), 0, 0, 0,
 "spl.partition_table", "no partition table on %M",
 "the SPL finds no valid GPT on %M, so it cannot find uboot and opensbi",
 "write the partition table (fastboot flash gpt partition_universal.json, or a GPT in the SD "
 "image)",
 "spl: no GPT on emmc"}, /* emulator */
{"spl.no_partition", K1_LOGK_FAIL, K1_LOGM_PREFIX, "spl: no partition", S(SPL), 0, 0, 0,
 "spl.partition", "SPL finds no uboot/opensbi partition",
 "the SPL finds neither the partition it loads by name (uboot, opensbi) nor the one at its "
 "fallback index",
 "add partitions named exactly uboot and opensbi and flash u-boot.itb and fw_dynamic.itb "
 "into them",
 "spl: no partition \"uboot\" (nor partition 2) on emmc"}, /* emulator */
{"spl.bad_uboot", K1_LOGK_FAIL, K1_LOGM_PREFIX, "spl: uboot: bad FIT", S(SPL), 0, 0, 0, "spl.uboot",
 "u-boot.itb is damaged", "the uboot partition does not hold a valid FIT (u-boot.itb)",
 "flash a valid u-boot.itb into the uboot partition (k1fw verify u-boot.itb first)",
 "spl: uboot: bad FIT: not a FIT (no FDT magic d00dfeed at its start)"}, /* emulator */
{"spl.bad_opensbi", K1_LOGK_FAIL, K1_LOGM_PREFIX, "spl: opensbi: bad FIT", S(SPL), 0, 0, 0,
 "spl.opensbi", "fw_dynamic.itb is damaged",
 "the opensbi partition does not hold a valid FIT (fw_dynamic.itb)",
 "flash a valid fw_dynamic.itb into the opensbi partition (k1fw verify fw_dynamic.itb first)",
 "spl: opensbi: bad FIT: not a FIT (no FDT magic d00dfeed at its start)"}, /* emulator */
{"spl.staged_bad", K1_LOGK_FAIL, K1_LOGM_PREFIX, "spl: staged image:", S(SPL), 0, 0, 0,
 "spl.staged", "staged u-boot.itb refused",
 "the SPL refused the u-boot.itb staged over USB (the line says why)",
 "stage a valid u-boot.itb (k1fw verify u-boot.itb)",
 "spl: staged image: not a FIT (no FDT magic d00dfeed at its start)"}, /* emulator */

/* ---- OpenSBI ---- */
{"opensbi.banner", K1_LOGK_STAGE, K1_LOGM_PREFIX, "OpenSBI v", S(OPENSBI), 0, K1_LOGX_OPENSBI, 0,
 0, 0, 0, 0, "OpenSBI v1.9-OpenWrt-r35721-486b4a4b3ede"},
{"opensbi.emulated", K1_LOGK_STAGE, K1_LOGM_PREFIX, "OpenSBI (fw_dynamic)", S(OPENSBI), 0, 0, 0, 0,
 0, 0, 0, "OpenSBI (fw_dynamic) -> U-Boot"}, /* emulator */
{"opensbi.platform", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Platform Name :", S(OPENSBI), 0,
 K1_LOGX_BOARD, 0, 0, 0, 0, 0, "Platform Name               : ky x1 orangepi-rv2 board"},

/* ---- U-Boot ---- */
{"uboot.banner", K1_LOGK_STAGE, K1_LOGM_PREFIX, "U-Boot 20", S(UBOOT), 0, K1_LOGX_UBOOT, 0, 0, 0, 0,
 0, "U-Boot 2022.10 SpacemiT (Feb 03 2025 - 09:03:22 -0500)"},
{"uboot.model", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Model: ", S(UBOOT), 0, K1_LOGX_BOARD, 0, 0, 0, 0, 0,
 "Model: spacemit k1-x deb1 board"},
{"uboot.env", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Loading Environment from ", S(UBOOT), 0, 0, 0, 0, 0,
 0, 0, "Loading Environment from SPIFlash... SF: Detected gd25q64 with page size 256 Bytes"},
{"uboot.env_crc", K1_LOGK_WARN, K1_LOGM_CONTAINS, "bad CRC, using default environment", S(UBOOT),
 0, 0, 0, "uboot.env", 0,
 "U-Boot's saved environment has a bad CRC (never saved, or erased): it uses its built-in "
 "default, which is fine unless you changed variables",
 "nothing to do; 'env save' at the prompt stores one",
 "*** Warning - bad CRC, using default environment"},
{"uboot.product", K1_LOGK_STAGE, K1_LOGM_PREFIX, "product_name: ", S(UBOOT), 0, K1_LOGX_BOARD, 0, 0,
 0, 0, 0, "product_name: k1-x_MUSE-Pi-Pro"},
{"uboot.autoboot", K1_LOGK_STAGE, K1_LOGM_CONTAINS, "to stop autoboot", S(UBOOT), 0, 0, 0, 0, 0, 0,
 0, "Hit any key to stop autoboot:  0"},
{"uboot.autoboot_vendor", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Autoboot in ", S(UBOOT), 0, 0, 0, 0, 0, 0,
 0, "Autoboot in 0 seconds"},
{"uboot.command", K1_LOGK_STAGE, K1_LOGM_PREFIX, "=> ", S(UBOOT), 0, 0, 0, 0, 0, 0, 0,
 "=> mmc info"}, /* someone works at the prompt: not a verdict */
{"uboot.prompt", K1_LOGK_STAGE, K1_LOGM_EXACT, "=>", S(UBOOT), K1_LOGF_IF_LAST, 0, 0,
 "uboot.prompt", "U-Boot prompt",
 "U-Boot stopped at its prompt (=>): autoboot was interrupted, or bootcmd found nothing to boot",
 "type 'boot' at the prompt and read what it says; put an OS on bootfs (env_k1-x.txt, the "
 "kernel, the dtb)",
 "=> "},
{"uboot.bad_image_magic", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "Bad Linux RISCV Image magic", S(UBOOT),
 0, 0, 0, "uboot.kernel", "U-Boot finds no kernel",
 "U-Boot finds no kernel to start: what it loaded is not a RISC-V Linux Image (the kernel file "
 "is missing from bootfs or has another name; the 'Failed to load' lines name it)",
 "put the kernel, dtb and initramfs that env_k1-x.txt names on the bootfs partition (at the "
 "prompt: ls mmc 0:5)",
 "Bad Linux RISCV Image magic!"},
{"uboot.load_failed", K1_LOGK_FAIL, K1_LOGM_PREFIX, "Failed to load '", S(UBOOT), 0, 0, 0,
 "uboot.bootfs_file", "a bootfs file is missing",
 "U-Boot could not load a file from bootfs (the line names it)",
 "put the file on the bootfs partition, or fix its name in env_k1-x.txt",
 "Failed to load 'Image.itb'"},
{"uboot.default_config", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "boot failed by default config",
 S(UBOOT), K1_LOGF_GENERIC, 0, 0, "uboot.bootcmd", "U-Boot's default boot failed",
 "the vendor U-Boot's default boot from bootfs (env_k1-x.txt, kernel, dtb, initramfs) failed",
 "check that bootfs holds what env_k1-x.txt names; the lines before this one say which file",
 "########### boot failed by default config, check your boot config #############"},
{"uboot.nand_boot", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "\"nand_boot\" not defined", S(UBOOT), 0, 0, 0,
 "uboot.bootcmd", "U-Boot finds no medium with an OS",
 "U-Boot found no SD card, eMMC or NVMe to boot from and fell through to nand_boot, which the "
 "vendor environment does not define",
 "put an OS on a medium U-Boot tries (an SD card, eMMC or NVMe); 'MMC: no card present' "
 "above means the slot was empty",
 "## Error: \"nand_boot\" not defined"},
{"uboot.distro_none", K1_LOGK_FAIL, K1_LOGM_EXACT, "No more bootdevs", S(UBOOT), 0, 0, 0,
 "uboot.distro", "distro boot found nothing",
 "U-Boot's standard boot scanned every device and found nothing bootable (no extlinux.conf, "
 "boot.scr or EFI loader)",
 "put /boot/extlinux/extlinux.conf (or boot.scr) on a partition U-Boot scans",
 "No more bootdevs"}, /* constructed (boot/bootflow.c) */
{"uboot.no_bootfs", K1_LOGK_FAIL, K1_LOGM_PREFIX, "** No partition bootfs on", S(UBOOT), 0, 0, 0,
 "uboot.bootfs", "no bootfs partition",
 "U-Boot starts but finds no partition named \"bootfs\" to load Linux from; it stops at its "
 "prompt",
 "add a \"bootfs\" partition to the table and flash bootfs.ext4 (fastboot flash bootfs "
 "bootfs.ext4)",
 "** No partition bootfs on emmc **"}, /* emulator */
{"uboot.wrong_format", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "Wrong Image Format for", S(UBOOT), 0, 0, 0,
 "uboot.kernel", "kernel image format wrong",
 "U-Boot loaded a kernel image it cannot start (wrong format for the boot command)",
 "put a kernel of the format bootcmd expects (booti: Image; bootm: FIT/uImage) on bootfs",
 "Wrong Image Format for bootm command"},

/* ---- Linux ---- */
{"kernel.starting", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Starting kernel", S(KERNEL), K1_LOGF_IF_LAST, 0,
 0, "kernel.start", "kernel silent after start",
 "U-Boot started the kernel and nothing came after: past the bootloader, the kernel prints on "
 "another console (console=/earlycon= in bootargs) or hangs at once",
 "check bootargs (console=ttyS0,115200 earlycon=sbi) and that the dtb matches the board",
 "Starting kernel ..."},
{"kernel.version", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Linux version ", S(KERNEL), 0, K1_LOGX_KERNEL, 0,
 0, 0, 0, 0, "[    0.000000] Linux version 6.6.63-k1-spacemit-66y ..."},
{"kernel.machine", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Machine model: ", S(KERNEL), 0, K1_LOGX_BOARD, 0,
 0, 0, 0, 0, "[    0.000000] Machine model: Banana Pi BPI-F3"},
{"kernel.rootfs", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "Unable to mount root fs", S(KERNEL), 0, 0, 0,
 "kernel.rootfs", "Linux cannot mount its root",
 "past the bootloader: Linux started but cannot mount its root filesystem (root= in bootargs, "
 "a missing rootfs partition or driver)",
 "check root= in bootargs (env_k1-x.txt) and the rootfs partition",
 "[    7.620629] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"},
{"kernel.no_rootdev", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "Gave up waiting for root", S(KERNEL), 0, 0,
 0, "kernel.rootfs", "Linux cannot find its root",
 "past the bootloader: the initramfs gave up waiting for the root device",
 "check root= in bootargs and that the rootfs partition exists",
 "Gave up waiting for root file system device.  Common problems:"},
{"kernel.panic", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "Kernel panic - not syncing", S(KERNEL),
 K1_LOGF_GENERIC, 0, 0, "kernel.panic", "Linux panicked",
 "past the bootloader: Linux started and panicked (the line says why)",
 "read the panic reason; the boot firmware did its job",
 "---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100 ]---"},
{"kernel.rcu_stall", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "detected stalls on CPUs", S(KERNEL), 0, 0, 0,
 "kernel.stall", "Linux stalls",
 "past the bootloader: Linux started and then stalled (RCU stall): a kernel, driver or "
 "firmware problem in Linux, not the boot firmware",
 "try the vendor kernel and dtb for this board; the lines before the stall name the driver",
 "[   25.042161] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"},
{"kernel.init", K1_LOGK_STAGE, K1_LOGM_CONTAINS, "as init process", S(OS), 0, 0, 0, 0, 0, 0, 0,
 "[    3.014917] Run /init as init process"},
{"os.systemd", K1_LOGK_STAGE, K1_LOGM_CONTAINS, "systemd[1]:", S(OS), 0, 0, 0, 0, 0, 0, 0,
 "[   16.813399] systemd[1]: Inserted module 'autofs4'"},
{"os.target", K1_LOGK_STAGE, K1_LOGM_CONTAINS, "Reached target", S(OS), 0, 0, 0, 0, 0, 0, 0,
 "[  OK  ] Reached target remote-fs.target - Remote File Systems."},
{"os.login", K1_LOGK_STAGE, K1_LOGM_CONTAINS, " login:", S(OS), 0, 0, 0, 0, 0, 0, 0,
 "deepin-riscv64-k1 login: root"},
{"os.welcome", K1_LOGK_STAGE, K1_LOGM_PREFIX, "Welcome to ", S(OS), 0, 0, 0, 0, 0, 0, 0,
 "Welcome to Bianbu 3.0 (GNU/Linux 6.6.63 riscv64)"},

/* ---- which SoC: lines only a K1 prints, and other chips ---- */
{"soc.k1x", K1_LOGK_FACT, K1_LOGM_CONTAINS, "k1-x", S(NONE), 0, K1_LOGX_SOC, "k1", 0, 0, 0, 0,
 "Boot from fit configuration k1-x_deb1"},
{"soc.k1_spacemit", K1_LOGK_FACT, K1_LOGM_CONTAINS, "k1-spacemit", S(NONE), 0, K1_LOGX_SOC, "k1",
 0, 0, 0, 0, "[    0.000000] Linux version 6.6.63-k1-spacemit-66y ..."},
{"soc.spacemit_k1", K1_LOGK_FACT, K1_LOGM_CONTAINS, "spacemit k1", S(NONE), 0, K1_LOGX_SOC, "k1", 0,
 0, 0, 0, "Model: spacemit k1-x deb1 board"},
{"soc.ky_x1", K1_LOGK_FACT, K1_LOGM_CONTAINS, "ky x1", S(NONE), 0, K1_LOGX_SOC, "k1", 0, 0, 0, 0,
 "Platform Name : ky x1 orangepi-r2s board"},
{"soc.x1_board", K1_LOGK_FACT, K1_LOGM_CONTAINS, "x1_orangepi", S(NONE), 0, K1_LOGX_SOC, "k1", 0, 0,
 0, 0, "Boot from fit configuration x1_orangepi-rv2"},
{"soc.spl_vendor", K1_LOGK_FACT, K1_LOGM_CONTAINS, "2022.10spacemit", S(NONE), 0, K1_LOGX_SOC, "k1",
 0, 0, 0, 0, "U-Boot 2022.10spacemit (Jun 06 2024 - 09:32:38 +0800)"},
{"soc.spl_spacemit", K1_LOGK_FACT, K1_LOGM_CONTAINS, "2022.10 SpacemiT", S(NONE), 0, K1_LOGX_SOC,
 "k1", 0, 0, 0, 0, "U-Boot SPL 2022.10 SpacemiT (Feb 03 2025 - 09:03:22 -0500)"},
{"soc.spl_ky", K1_LOGK_FACT, K1_LOGM_CONTAINS, "2022.10ky", S(NONE), 0, K1_LOGX_SOC, "k1", 0, 0, 0,
 0, "U-Boot SPL 2022.10ky (Feb 17 2025 - 21:36:44 +0800)"},
{"soc.bpi_f3", K1_LOGK_FACT, K1_LOGM_CONTAINS, "BPI-F3", S(NONE), 0, K1_LOGX_SOC, "k1", 0, 0, 0, 0,
 "[    0.000000] Machine model: Banana Pi BPI-F3"},
{"soc.jupiter", K1_LOGK_FACT, K1_LOGM_CONTAINS, "Milk-V Jupiter", S(NONE), 0, K1_LOGX_SOC, "k1", 0,
 0, 0, 0, "Model: Milk-V Jupiter"},
{"soc.emulator", K1_LOGK_FACT, K1_LOGM_CONTAINS, "(k1fw emulate)", S(NONE), 0, K1_LOGX_SOC, "k1", 0,
 0, 0, 0, "U-Boot SPL 2022.10 (k1fw emulate)"},

/* ---- not the main console, or not a K1 ---- */
{"console.rtthread", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "Thread Operating System", S(NONE),
 K1_LOGF_UNKNOWN, 0, 0, "console.wrong_uart", "wrong UART (RT-Thread core)",
 RT_WHY, RT_FIX,
 "- RT -     Thread Operating System"},
{"console.rtthread_team", K1_LOGK_FAIL, K1_LOGM_CONTAINS, "by rt-thread team", S(NONE),
 K1_LOGF_UNKNOWN, 0, 0, "console.wrong_uart", "wrong UART (RT-Thread core)",
 RT_WHY, RT_FIX,
 "2006 - 2021 Copyright by rt-thread team"},
{"chip.k3", K1_LOGK_CHIP, K1_LOGM_CONTAINS, "spacemit k3", S(NONE), 0, K1_LOGX_SOC, "k3", 0, "SpacemiT K3", 0, 0,
 "[   0.900] Model: spacemit k3 pico itx board"},
{"chip.allwinner", K1_LOGK_CHIP, K1_LOGM_CONTAINS, "Allwinner", S(NONE), 0, K1_LOGX_SOC,
 "allwinner", 0, "Allwinner SoC", 0, 0, "CPU:   Allwinner A83T (SUN8I 1673)"},
{"chip.rockchip", K1_LOGK_CHIP, K1_LOGM_CONTAINS, "Rockchip rk", S(NONE), 0, K1_LOGX_SOC,
 "rockchip", 0, "Rockchip SoC", 0, 0, "SoC: Rockchip rk3399"},
{"chip.starfive", K1_LOGK_CHIP, K1_LOGM_CONTAINS, "StarFive", S(NONE), 0, K1_LOGX_SOC, "starfive",
 0, "StarFive SoC", 0, 0, "Platform Name             : StarFive VisionFive V2"},
{"chip.thead", K1_LOGK_CHIP, K1_LOGM_CONTAINS, "th1520", S(NONE), 0, K1_LOGX_SOC, "th1520",
 0, "T-Head TH1520", 0, 0, "Retrieving file: /dtbs/linux-image-6.6.119-th1520/thead/th1520-lichee-pi-4a-16g.dtb"},

/* ---- boots that repeat: the cause by the stage each one ends at ---- */
{"loop.brom", K1_LOGK_LOOP, K1_LOGM_EXACT, 0, S(BROM), 0, 0, 0, "brom.reset_loop",
 "resets in the BootROM",
 "the board resets again and again before any FSBL runs (the same BootROM lines repeat): the "
 "power supply sags or a reset is held",
 "power the board from a 12 V supply that gives enough current, unplug USB devices and HATs, "
 "check the reset button and the boot switches",
 0},
{"loop.spl", K1_LOGK_LOOP, K1_LOGM_EXACT, 0, S(SPL), 0, 0, 0, "spl.reset_loop",
 "resets in the SPL",
 "the board resets again and again in the SPL (DDR training fails or a watchdog fires)",
 "on a 2 GB board set the EEPROM's ddr_cs_num to 1; check the power supply (12 V)", 0},
{"loop.uboot", K1_LOGK_LOOP, K1_LOGM_EXACT, 0, S(UBOOT), 0, 0, 0, "uboot.reset_loop",
 "resets in U-Boot",
 "the board resets again and again in U-Boot (a watchdog fires or bootcmd resets)",
 "interrupt autoboot and check bootcmd and the power supply", 0},
{"loop.kernel", K1_LOGK_LOOP, K1_LOGM_EXACT, 0, S(KERNEL), 0, 0, 0, "kernel.reset_loop",
 "Linux resets",
 "past the bootloader: Linux starts and the board resets, again and again",
 "read the last kernel lines before each reset; try the vendor kernel and dtb", 0},
{"loop.any", K1_LOGK_LOOP, K1_LOGM_EXACT, 0, S(NONE), 0, 0, 0, "reset_loop", "resets repeatedly",
 "the board resets again and again, each boot ending at the same point",
 "check the power supply (12 V) and read the last line before each reset", 0},
};
/* clang-format on */

const size_t k1_log_npatterns = sizeof(k1_log_patterns) / sizeof(k1_log_patterns[0]);

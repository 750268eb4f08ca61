/* Power-on simulation of a K1 board (spec §1, research §7.3, §9): the
 * BootROM tries the SD card, then the medium the boot-select pins choose;
 * on each it reads the bootinfo (magic, CRC, media) and the FSBL at
 * spl0_offset, then spl1_offset (header, size limit, and ROTPK and
 * signatures when the board is secure). The first FSBL that passes runs:
 * the SPL loads `uboot` and `opensbi` (GPT name, else partition 2 and 1)
 * as FITs, U-Boot reads its environment and looks for a bootfs. The
 * console lines the board would print go to a callback; the result names
 * the first step that failed, why, and how to fix it. `k1fw doctor` and
 * the emulator share it. */
#ifndef K1_BOOTSIM_H
#define K1_BOOTSIM_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* BPI-F3 SW1 (spec §1): what follows the SD card. */
enum k1_bootsel { K1_BOOTSEL_EMMC, K1_BOOTSEL_NAND, K1_BOOTSEL_NOR, K1_BOOTSEL_TF };

int k1_bootsel_parse(const char *s, enum k1_bootsel *out); /* "tf-emmc", ... */

struct k1_region {
	const uint8_t *data; /* NULL or len 0: absent (an SD slot without card) or empty */
	size_t len;
};

struct k1_board_media {
	struct k1_region sd, boot0, boot1, user, nor, nand;
};

struct k1_bootsim_opts {
	enum k1_bootsel sel;
	const uint8_t *rotpk_hash; /* 32 bytes: a secure board's efuses; NULL: not secure */
	const uint8_t *eeprom;     /* the board EEPROM's bytes; NULL: none (SPL defaults) */
	size_t eeprom_len;
	unsigned ram_gib; /* the board's RAM: 2, 4, 8 or 16 GiB; 0: 4 */
};

enum k1_boot_outcome {
	K1_BOOT_OK,       /* U-Boot finds a bootfs: the OS would start */
	K1_BOOT_DOWNLOAD, /* no medium had a usable FSBL: USB download mode */
	K1_BOOT_HANG,     /* an FSBL ran but the SPL or U-Boot stopped */
};

struct k1_bootsim_result {
	enum k1_boot_outcome outcome;
	char medium[16]; /* "sd", "emmc", "nor", "nand": where it booted or failed */
	char step[48];   /* the first failing step, e.g. "bootinfo.crc", "spl.uboot" */
	char why[640];
	char fix[640];
	size_t warnings; /* non-fatal findings (printed on the console) */
	char spl[16];    /* the SPL that ran: "vendor", "mainline", or "" (no banner) */
};

typedef void (*k1_console_fn)(void *ctx, const char *line);

/* Simulate power-on. Never fails on bad storage (that is the result);
 * the console callback may be NULL. */
void k1_bootsim_run(const struct k1_board_media *b, const struct k1_bootsim_opts *o,
		    k1_console_fn con, void *ctx, struct k1_bootsim_result *r);

/* The BootROM's check of an FSBL in memory (a medium's slot, or an image
 * staged over USB): header, size against limit, ROTPK and signatures when
 * rotpk_hash is set. 0 when it would run, else K1_EINVAL with r->step,
 * why and fix set. */
int k1_bootsim_check_fsbl(const uint8_t *data, size_t len, uint32_t limit,
			  const uint8_t *rotpk_hash, struct k1_bootsim_result *r);

/* The SPL's check of a staged or stored u-boot.itb / fw_dynamic.itb: a FIT
 * whose hashes and references verify. 0, or K1_EINVAL with the reason in err. */
int k1_bootsim_check_fit(const uint8_t *data, size_t len, struct k1_error *err);

/* The SPL's DDR setup from the EEPROM (bootsim_board.c): ddr_cs_num must
 * match the board's RAM (2 GB boards have one chip select). 0, or
 * K1_EINVAL with a HANG verdict in r (step "spl.ddr"). */
int k1_bootsim_ddr(const struct k1_bootsim_opts *o, const char *medium, k1_console_fn con,
		   void *ctx, struct k1_bootsim_result *r);
/* The u-boot.itb configuration the SPL boots for the EEPROM's
 * product_name: the one whose description equals it, else the FIT's
 * default (a warning), else none (K1_EINVAL, step "spl.fit_config"). Its
 * name and description into conf/desc (may be NULL). */
int k1_bootsim_fit_config(const uint8_t *fit, size_t len, const struct k1_bootsim_opts *o,
			  const char *medium, char *conf, size_t conflen, k1_console_fn con,
			  void *ctx, struct k1_bootsim_result *r);
/* U-Boot's board_late_init and the EEPROM: warnings for an EEPROM it
 * will rewrite (no valid TlvInfo, or no usable MAC pair). */
void k1_bootsim_uboot_eeprom(const struct k1_bootsim_opts *o, k1_console_fn con, void *ctx,
			     struct k1_bootsim_result *r);
/* "2G", "4G", "8G", "16G" (or with "B"/"iB") into GiB. */
int k1_ram_parse(const char *s, unsigned *gib);

/* Internal, shared by bootsim.c and bootsim_spl.c. */
void k1_bootsim_say(k1_console_fn con, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void k1_bootsim_fail(struct k1_bootsim_result *r, const char *medium, const char *step,
		     const char *fix, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* fsbl: the FSBL the BootROM runs (its SPL tells vendor from mainline). */
void k1_bootsim_spl(const struct k1_board_media *b, const struct k1_bootsim_opts *o,
		    const char *medium, const struct k1_region *fsbl, k1_console_fn con, void *ctx,
		    struct k1_bootsim_result *r);

#endif

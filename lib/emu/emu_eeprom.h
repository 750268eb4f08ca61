/* The emulated board's EEPROM (a 256-byte 24c02, spec §6.1): kept as
 * eeprom.bin in the board folder (the default BPI-F3 identity when
 * absent), and `oem config read|write|flush` answered as the vendor's
 * fb_spacemit.c does in each stage: the SPL reads the chip itself and
 * stores values with k1x-tlvinfo.c's encoder; U-Boot answers reads from
 * its environment and writes through its `tlv_eeprom` command line. */
#ifndef K1_EMU_EEPROM_H
#define K1_EMU_EEPROM_H

#include "base/error.h"
#include "format/eeprom.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_EMU_EEPROM_FILE "eeprom.bin"

struct k1_emu_board;
struct k1_emu_reply;

struct k1_emu_env_var {
	char key[24];
	char value[80];
};

struct k1_emu_eeprom {
	char path[4200];
	/* the in-RAM copy a stage's oem config writes edit until flush (the
	 * SPL's tlvinfo_eeprom, U-Boot's tlv_eeprom buffer), read on first use */
	uint8_t buf[K1_TLV_HEADER_LEN + K1_TLV_TOTAL_MAX];
	bool buf_read;
	/* U-Boot's environment variables that `oem config read` answers from */
	struct k1_emu_env_var env[24];
	size_t nenv;
	bool ddr_dead; /* this SPL run's DDR training failed: downloads never complete */
};

/* Open DIR/eeprom.bin, writing the default identity when it is absent. */
int k1_emu_eeprom_open(struct k1_emu_eeprom *ee, const char *dir, struct k1_error *err);
/* The chip's 256 bytes (a shorter file reads as erased 0xFF after its end). */
int k1_emu_eeprom_load(const struct k1_emu_eeprom *ee, uint8_t chip[K1_EEPROM_SIZE],
		       struct k1_error *err);

/* A stage starts: RAM state is gone. Entering U-Boot also runs the
 * vendor's board_late_init: the environment from the EEPROM, and a random
 * FE:FE:FE MAC (with ethsize 2) written to an EEPROM that has no usable
 * pair of them. */
void k1_emu_eeprom_stage(struct k1_emu_board *b);

/* `oem config` (pkt: the whole command as received, for the vendor's
 * "oem config:" spelling). */
void k1_emu_oem_config(struct k1_emu_board *b, const char *pkt, size_t len,
		       struct k1_emu_reply *rep);

#endif

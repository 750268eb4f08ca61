/* The board EEPROM over fastboot: the vendor's `oem config:read KEY`,
 * `oem config:write KEY@eeprom:VALUE`, `oem config:flush`
 * (drivers/fastboot/fb_spacemit.c, spec §6.1), host side. The vendor's
 * encoders differ by stage, so a value is sent in the text form that
 * stage's encoder turns into the intended bytes (or refused when it has
 * none): the SPL (k1x-tlvinfo.c) stores ddr_type and ddr_datarate as
 * space-separated decimal bytes; U-Boot (cmd/tlv_eeprom.c) takes
 * ddr_datarate as a number but passes every value through its command
 * line, where a blank splits it and ';' starts another command. Reads:
 * the SPL answers with the EEPROM's raw bytes (up to the first zero
 * byte), U-Boot with its environment (which a write sets). */
#ifndef K1_OEM_CONFIG_H
#define K1_OEM_CONFIG_H

#include "base/error.h"
#include "fastboot/fastboot.h"
#include "flash/flash.h"
#include "format/eeprom.h"

#include <stdbool.h>
#include <stddef.h>

struct k1_oem_value {
	const struct k1_eeprom_key *key;
	struct k1_eeprom_field field; /* the bytes that must land in the EEPROM */
	char text[300];               /* the value as given */
	char wire[64];                /* what `oem config:write` carries for the stage */
};

/* KEY=VALUE: one of the 15 oem config keys and a valid value. K1_EINVAL
 * naming what is wrong. */
int k1_oem_value_parse(const char *assign, struct k1_oem_value *v, struct k1_error *err);

/* The wire form for the board's stage (SPL or U-Boot); K1_EINVAL when the
 * vendor's oem config there cannot store the value, saying why and where
 * it can. */
int k1_oem_value_wire(struct k1_oem_value *v, enum k1_stage stage, struct k1_error *err);

/* `oem config:read KEY`: 0 with the reply bytes in out (NUL-ended) and
 * *present; "key NOT exist" is *present false. Other FAIL replies:
 * K1_EFAIL, the board's text in err ("unrecognized command" explained). */
int k1_oem_read(struct k1_fb *fb, const char *key, char *out, size_t outsz, bool *present,
		struct k1_error *err);
int k1_oem_write(struct k1_fb *fb, const struct k1_oem_value *v, struct k1_error *err);
int k1_oem_flush(struct k1_fb *fb, struct k1_error *err);

enum k1_oem_check {
	K1_OEM_CONFIRMED,  /* the SPL read back exactly the bytes written */
	K1_OEM_UP_TO_ZERO, /* the same up to a zero byte, where the SPL's reply ends */
	K1_OEM_ENV_ONLY,   /* U-Boot answered from its environment: the command, not the chip */
	K1_OEM_MISMATCH,   /* something else came back */
};
/* Compare the read-back of v in stage with what was written; why says
 * what was found when it differs. */
enum k1_oem_check k1_oem_confirm(const struct k1_oem_value *v, enum k1_stage stage,
				 const char *reply, char *why, size_t whylen);

/* A read reply as text (the SPL's bytes decoded for key k). */
void k1_oem_reply_text(const struct k1_eeprom_key *k, enum k1_stage stage, const char *reply,
		       char *out, size_t outsz);

#endif

/* The K1 board EEPROM (spec §6.1): ONIE TlvInfo as the vendor's U-Boot
 * reads and writes it (cmd/tlv_eeprom.c, board/spacemit/k1-x/k1x-tlvinfo.c,
 * k1x-i2c-eeprom.c): the header "TlvInfo\0", version 1 and the big-endian
 * length of what follows, then TLVs (type, length, value), the CRC-32 TLV
 * 0xFE (value big-endian, over everything before it) last. The chip is a
 * 256-byte 24c02; the SPL reads ddr_cs_num, ddr_type, ddr_datarate and
 * product_name from it before DDR is up. */
#ifndef K1_EEPROM_H
#define K1_EEPROM_H

#include "base/buf.h"
#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_EEPROM_SIZE 256u    /* atmel,24c02: EEPROM_SIZE in k1x-tlvinfo.c */
#define K1_TLV_HEADER_LEN 11u  /* signature 8, version 1, total length 2 */
#define K1_TLV_TOTAL_MAX 2037u /* U-Boot's TLV_INFO_MAX_LEN 2048 minus the header */
#define K1_TLV_CODE_CRC32 0xFEu
#define K1_TLV_MAX_FIELDS 128u

enum k1_eeprom_kind {
	K1_EEV_STRING, /* text, stored as its bytes (no NUL) */
	K1_EEV_MAC,    /* "AA:BB:CC:DD:EE:FF", stored as 6 bytes */
	K1_EEV_U8,     /* a decimal number, one byte */
	K1_EEV_U16,    /* a decimal number, two bytes big-endian */
	K1_EEV_DATE,   /* "MM/DD/YYYY hh:mm:ss", stored as those 19 characters */
	K1_EEV_HEX,    /* bytes, written as hex digits */
};

struct k1_eeprom_key {
	const char *name; /* the vendor's `oem config` key, or the ONIE name */
	uint8_t code;
	enum k1_eeprom_kind kind;
	bool oem;          /* one of the 15 keys `oem config` reads and writes */
	uint8_t max_len;   /* strings: the longest value (oem config's max_len) */
	uint16_t min, max; /* numbers: the values the board accepts */
	const char *about; /* what reads it, for --help and messages */
};

/* The known keys: the 15 of `oem config` first, then the other ONIE codes. */
extern const struct k1_eeprom_key k1_eeprom_keys[];
extern const size_t k1_eeprom_key_count;
const struct k1_eeprom_key *k1_eeprom_key_by_name(const char *name);
const struct k1_eeprom_key *k1_eeprom_key_by_code(uint8_t code);

/* One TLV of an image: pointers into it. */
struct k1_tlv {
	uint8_t type, len;
	size_t off; /* of the type byte */
	const uint8_t *val;
};

struct k1_eeprom {
	size_t size;    /* bytes given (a dump may hold padding after the image) */
	bool header_ok; /* "TlvInfo\0" and version 1 */
	uint8_t version;
	uint16_t total; /* the header's length of what follows */
	size_t end;     /* where the TLVs end: 11 + total, cut at size */
	struct k1_tlv tlv[K1_TLV_MAX_FIELDS];
	size_t count;
	size_t bad_off;    /* where the TLV walk stopped early (0: it did not) */
	char bad_why[120]; /* why */
	bool crc_last;     /* the last TLV is 0xFE, 4 bytes, ending at 11 + total */
	uint32_t crc_stored, crc_computed;
};

/* Parse an image. K1_EINVAL only when it has no TlvInfo header at all;
 * everything else (length, walk, CRC) is recorded for the checks. */
int k1_eeprom_parse(const uint8_t *data, size_t len, struct k1_eeprom *out, struct k1_error *err);

/* The TLV of a code (the first, as the vendor's lookup), or NULL. */
const struct k1_tlv *k1_eeprom_find(const struct k1_eeprom *e, uint8_t code);

/* The CRC the CRC TLV must hold for an image of `len` bytes (CRC TLV
 * included): CRC-32 of all but its last 4 bytes. */
uint32_t k1_eeprom_crc(const uint8_t *image, size_t len);

/* A field to build. */
struct k1_eeprom_field {
	uint8_t code, len;
	uint8_t val[255];
};

/* "KEY=VALUE" (a known key, its value in the form `oem config` takes) or
 * "0xNN=HEX" (any code, its bytes as hex digits) into a field, checked as
 * k1_eeprom_check_value does. K1_EINVAL naming what is wrong. */
int k1_eeprom_field_parse(const char *assign, struct k1_eeprom_field *f, struct k1_error *err);
/* VALUE for key k into f (f->code set). */
int k1_eeprom_encode(const struct k1_eeprom_key *k, const char *value, struct k1_eeprom_field *f,
		     struct k1_error *err);

/* NULL when the stored bytes are a good value for key k, else why (into
 * why). Unknown codes (k NULL) are always good. */
const char *k1_eeprom_check_value(const struct k1_eeprom_key *k, const uint8_t *val, size_t len,
				  char *why, size_t whylen);

/* The text form of a value: what `oem config` would take (strings as
 * they are, non-printable bytes as \xNN; MAC; numbers in decimal; unknown
 * codes and wrong lengths as hex digits). */
void k1_eeprom_value_text(uint8_t code, const uint8_t *val, size_t len, char *out, size_t outsz);

/* An image from fields in order, the CRC TLV last, padded with 0xFF to
 * pad_to bytes when pad_to is larger (a whole-chip dump). K1_ERANGE when it
 * does not fit K1_EEPROM_SIZE; K1_EINVAL for a CRC field or a duplicate. */
int k1_eeprom_build(const struct k1_eeprom_field *f, size_t n, size_t pad_to, struct k1_buf *out,
		    struct k1_error *err);

/* The fields of a parsed image (CRC left out), in order, into out[]
 * (K1_TLV_MAX_FIELDS). */
size_t k1_eeprom_fields(const struct k1_eeprom *e, struct k1_eeprom_field *out);

/* What the vendor's `set` does to a field list: delete the code, then
 * append the new value at the end (f NULL: delete only). Returns the new
 * count, or 0 with K1_ERANGE in err when the list is full. */
size_t k1_eeprom_fields_set(struct k1_eeprom_field *list, size_t n, const struct k1_eeprom_field *f,
			    uint8_t code, struct k1_error *err);

/* The default identity of an emulated BPI-F3 (4 GB: ddr_cs_num 2) as a
 * K1_EEPROM_SIZE image padded with 0xFF. */
int k1_eeprom_default(struct k1_buf *out, struct k1_error *err);

/* What the SPL takes from an image (k1x-i2c-eeprom.c, spl.c): it reads
 * the TLVs when the header is sound and 11 + total fits the chip, without
 * checking the CRC. cs_num 0 and datarate 0 mean "not set" (the SPL's
 * device tree then says cs-num 2, datarate 2400); product_name "" means
 * the default "k1-x_deb1". */
struct k1_eeprom_spl {
	bool readable; /* header sound and fits the chip */
	uint32_t cs_num;
	uint32_t datarate;
	char ddr_type[32];
	char product_name[64];
};
void k1_eeprom_spl_view(const uint8_t *data, size_t len, struct k1_eeprom_spl *out);

#define K1_SPL_DEFAULT_CS_NUM 2u /* arch/riscv/dts/k1-x_spl.dts ddr cs-num */
#define K1_SPL_DEFAULT_PRODUCT "k1-x_deb1"

/* The configuration name the SPL looks for: product_name (default
 * k1-x_deb1), "k1_" rewritten to "k1-x_" (board_fit_config_name_match). */
void k1_eeprom_fit_name(const char *product_name, char *out, size_t outsz);

#endif

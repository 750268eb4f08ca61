/* libFuzzer: the board EEPROM reader (probe, parse, inspect, verify, what
 * the SPL reads) on arbitrary bytes; the same bytes as KEY=VALUE lines for
 * the value parser, the builder (whose output must parse back with a good
 * CRC) and the oem config wire forms and read-back decoding. */
#include "flash/oem_config.h"
#include "format/eeprom.h"
#include "format/format.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void lines(const uint8_t *data, size_t size)
{
	struct k1_eeprom_field f[8];
	struct k1_error err;
	size_t n = 0, start = 0;
	char line[400];

	for (size_t i = 0; i <= size && n < 8; i++) {
		if (i < size && data[i] != '\n')
			continue;
		size_t len = i - start < sizeof(line) - 1 ? i - start : sizeof(line) - 1;
		memcpy(line, data + start, len);
		line[len] = '\0';
		start = i + 1;
		if (memchr(line, '\0', len))
			continue;
		struct k1_oem_value v;
		if (!k1_oem_value_parse(line, &v, &err)) {
			char text[300];
			k1_oem_value_wire(&v, K1_STAGE_SPL, &err);
			k1_oem_value_wire(&v, K1_STAGE_UBOOT, &err);
			k1_oem_confirm(&v, K1_STAGE_SPL, v.text, text, sizeof(text));
			k1_oem_reply_text(v.key, K1_STAGE_SPL, v.text, text, sizeof(text));
		}
		if (!k1_eeprom_field_parse(line, &f[n], &err))
			n++;
	}
	struct k1_buf out = K1_BUF_INIT;
	if (!k1_eeprom_build(f, n, size & 0xFF, &out, &err)) {
		struct k1_eeprom e;
		if (k1_eeprom_parse(out.data, out.len, &e, &err) || !e.crc_last ||
		    e.crc_stored != e.crc_computed || e.bad_off)
			abort(); /* what k1fw builds must read back sound */
	}
	k1_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct k1_format *f = &k1_format_eeprom;
	struct k1_input in = {"fuzz", data, size};
	struct k1_error err;
	struct k1_checks c = {0};
	struct k1_eeprom e;
	struct k1_eeprom_spl s;
	json_t *j = NULL;

	lines(data, size);
	k1_eeprom_spl_view(data, size, &s);
	if (!k1_eeprom_parse(data, size, &e, &err)) {
		static struct k1_eeprom_field fields[K1_TLV_MAX_FIELDS];
		size_t n = k1_eeprom_fields(&e, fields);
		struct k1_buf out = K1_BUF_INIT;
		n = k1_eeprom_fields_set(fields, n, NULL, 0x41, &err);
		k1_eeprom_build(fields, n, 0, &out, &err);
		k1_buf_free(&out);
	}
	if (!f->probe(data, size))
		return 0;
	if (!f->inspect(&in, &j, &err))
		json_decref(j);
	f->verify(&in, NULL, &c, &err);
	k1_checks_free(&c);
	return 0;
}

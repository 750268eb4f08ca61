/* The board EEPROM in the format table: probe, inspect (fields by name),
 * verify (header, lengths, CRC, values). */
#include "format/eeprom.h"
#include "format/format.h"

#include <stdio.h>
#include <string.h>

static int probe(const uint8_t *data, size_t len)
{
	return len >= K1_TLV_HEADER_LEN && !memcmp(data, "TlvInfo", 8);
}

static json_t *field_json(const struct k1_tlv *t)
{
	const struct k1_eeprom_key *k = k1_eeprom_key_by_code(t->type);
	char code[8], off[16], text[1100];

	snprintf(code, sizeof(code), "0x%02x", t->type);
	snprintf(off, sizeof(off), "0x%zx", t->off);
	k1_eeprom_value_text(t->type, t->val, t->len, text, sizeof(text));
	return json_pack("{s:s, s:s, s:s, s:i, s:s}", "offset", off, "code", code, "name",
			 k                              ? k->name
			 : t->type == K1_TLV_CODE_CRC32 ? "crc32"
							: "unknown",
			 "length", t->len, "value", text);
}

/* What the vendor SPL makes of the image: DDR settings and the FIT
 * configuration it looks for. */
static json_t *spl_json(const struct k1_input *in)
{
	struct k1_eeprom_spl s;
	char fit[80], rate[48];

	k1_eeprom_spl_view(in->data, in->len, &s);
	k1_eeprom_fit_name(s.product_name, fit, sizeof(fit));
	if (s.datarate)
		snprintf(rate, sizeof(rate), "%u", s.datarate);
	else
		snprintf(rate, sizeof(rate), "2400 (not set: the SPL's device tree)");
	return json_pack("{s:b, s:I, s:s, s:s, s:s}", "reads_it", s.readable, "ddr_cs_num",
			 (json_int_t)(s.cs_num ? s.cs_num : K1_SPL_DEFAULT_CS_NUM), "ddr_type",
			 s.ddr_type[0] ? s.ddr_type : "LPDDR4X (not set: the SPL's device tree)",
			 "ddr_datarate", rate, "fit_configuration", fit);
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct k1_eeprom e;
	char stored[16], computed[16];
	json_t *o, *fields, *values;

	if (k1_eeprom_parse(in->data, in->len, &e, err))
		return k1_err_prefix(err, "%s", in->path ? in->path : "eeprom");
	snprintf(stored, sizeof(stored), "0x%08x", e.crc_stored);
	snprintf(computed, sizeof(computed), "0x%08x", e.crc_computed);
	fields = json_array();
	values = json_object();
	for (size_t i = 0; i < e.count; i++) {
		json_t *f = field_json(&e.tlv[i]);
		const char *name = json_string_value(json_object_get(f, "name"));
		if (e.tlv[i].type != K1_TLV_CODE_CRC32)
			json_object_set(values,
					strcmp(name, "unknown")
						? name
						: json_string_value(json_object_get(f, "code")),
					json_object_get(f, "value"));
		json_array_append_new(fields, f);
	}
	o = json_pack("{s:i, s:i, s:I, s:i, s:s, s:s, s:b}", "version", e.version, "total_length",
		      e.total, "image_size", (json_int_t)(K1_TLV_HEADER_LEN + e.total),
		      "eeprom_size", K1_EEPROM_SIZE, "crc32", e.crc_last ? stored : "none",
		      "crc32_computed", e.crc_last ? computed : "none", "crc_ok",
		      e.crc_last && e.crc_stored == e.crc_computed);
	if (o) {
		json_object_set_new(o, "values", values);
		json_object_set_new(o, "spl", spl_json(in));
		json_object_set_new(o, "fields", fields);
	} else {
		json_decref(values);
		json_decref(fields);
	}
	*out = o;
	return o ? 0 : k1_err(err, K1_ENOMEM, "out of memory");
}

static void check_lengths(const struct k1_eeprom *e, struct k1_checks *c)
{
	size_t image = K1_TLV_HEADER_LEN + e->total;
	char w[32];

	k1_check_add(c, e->header_ok, "eeprom.header", k1_check_off(c, 8, w, sizeof(w)),
		     "expected \"TlvInfo\\0\" version 1, found version %u", e->version);
	k1_check_add(c, image <= e->size && e->total <= K1_TLV_TOTAL_MAX, "eeprom.total_length",
		     k1_check_off(c, 9, w, sizeof(w)),
		     "expected the TLVs (%u bytes after the header) within the %zu bytes given "
		     "and at most %u, found %s",
		     e->total, e->size, K1_TLV_TOTAL_MAX,
		     image > e->size               ? "them running past the end"
		     : e->total > K1_TLV_TOTAL_MAX ? "more than U-Boot accepts"
						   : "them in place");
	k1_check_add(c, image <= K1_EEPROM_SIZE, "eeprom.size", "total_length",
		     "expected the image (%zu bytes) to fit the K1's 256-byte EEPROM (24c02)%s",
		     image,
		     image <= K1_EEPROM_SIZE ? ""
					     : ": the SPL ignores a longer image (then "
					       "ddr_cs_num is 2 and product_name k1-x_deb1)");
}

static void check_tlvs(const struct k1_eeprom *e, struct k1_checks *c)
{
	char w[32];
	size_t dups = 0;

	k1_check_add(c, !e->bad_off, "eeprom.tlv",
		     k1_check_off(c, e->bad_off ? e->bad_off : K1_TLV_HEADER_LEN, w, sizeof(w)),
		     "expected TLVs up to the total length, found %s",
		     e->bad_off ? e->bad_why : "them all well formed");
	k1_check_add(c, e->crc_last, "eeprom.crc_last",
		     k1_check_off(c, K1_TLV_HEADER_LEN + (e->total >= 6 ? e->total - 6u : 0u), w,
				  sizeof(w)),
		     "expected the CRC-32 TLV (0xfe, 4 bytes) to end the image, found %s",
		     e->crc_last ? "it" : "none (U-Boot then treats the EEPROM as empty)");
	if (e->crc_last)
		k1_check_add(c, e->crc_stored == e->crc_computed, "eeprom.crc32",
			     k1_check_off(c, K1_TLV_HEADER_LEN + e->total - 4u, w, sizeof(w)),
			     "expected 0x%08x (CRC-32 of bytes 0x0-0x%x), found 0x%08x%s",
			     e->crc_computed, K1_TLV_HEADER_LEN + e->total - 5u, e->crc_stored,
			     e->crc_stored == e->crc_computed
				     ? ""
				     : " (U-Boot and the SPL's oem config then start from an empty "
				       "EEPROM; the SPL's DDR setup still reads it)");
	for (size_t i = 0; i < e->count; i++)
		for (size_t j = 0; j < i; j++)
			if (e->tlv[j].type == e->tlv[i].type && ++dups <= 8)
				k1_check_add(c, false, "eeprom.duplicate",
					     k1_check_off(c, e->tlv[i].off, w, sizeof(w)),
					     "expected each type once, found 0x%02x again (the "
					     "board reads the first, at 0x%zx)",
					     e->tlv[i].type, e->tlv[j].off);
	if (!dups)
		k1_check_add(c, true, "eeprom.duplicate", "fields",
			     "expected each type once, found no duplicates");
	for (size_t i = 0; i < e->count; i++)
		if (e->tlv[i].len == 0)
			k1_check_add(c, false, "eeprom.spl_scan",
				     k1_check_off(c, e->tlv[i].off, w, sizeof(w)),
				     "type 0x%02x has length 0: the SPL's scan stops there and "
				     "does not see the fields after it",
				     e->tlv[i].type);
}

static void check_values(const struct k1_eeprom *e, struct k1_checks *c)
{
	char w[32], why[200], name[48], text[600];

	for (size_t i = 0; i < e->count; i++) {
		const struct k1_tlv *t = &e->tlv[i];
		const struct k1_eeprom_key *k = k1_eeprom_key_by_code(t->type);

		if (!k)
			continue;
		snprintf(name, sizeof(name), "eeprom.%s", k->name);
		k1_eeprom_value_text(t->type, t->val, t->len, text, sizeof(text));
		if (k1_eeprom_check_value(k, t->val, t->len, why, sizeof(why)))
			k1_check_add(c, false, name, k1_check_off(c, t->off, w, sizeof(w)), "%s",
				     why);
		else
			k1_check_add(c, true, name, k1_check_off(c, t->off, w, sizeof(w)),
				     "expected a valid %s, found %s", k->name, text);
	}
	if (!k1_eeprom_find(e, 0x41))
		k1_check_add(c, true, "eeprom.ddr_cs_num", "fields",
			     "not set: the SPL uses its device tree's cs-num 2 (2 GB boards need "
			     "ddr_cs_num=1)");
}

static int verify(const struct k1_input *in, const struct k1_verify_opts *opts, struct k1_checks *c,
		  struct k1_error *err)
{
	struct k1_eeprom e;

	(void)opts;
	if (k1_eeprom_parse(in->data, in->len, &e, err))
		return k1_err_prefix(err, "%s", in->path ? in->path : "eeprom");
	check_lengths(&e, c);
	check_tlvs(&e, c);
	check_values(&e, c);
	return 0;
}

const struct k1_format k1_format_eeprom = {
	.name = "eeprom",
	.summary = "board EEPROM (ONIE TlvInfo: identity, DDR settings)",
	.probe = probe,
	.inspect = inspect,
	.verify = verify,
};

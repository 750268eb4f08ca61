/* The K1 board EEPROM: parse, value encodings, build (eeprom.h). */
#include "format/eeprom.h"
#include "base/bytes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The vendor's oem config keys (drivers/fastboot/fb_spacemit.c config_info,
 * include/tlv_eeprom.h, include/configs/k1-x.h), then the other ONIE codes
 * U-Boot's tlv_eeprom names. */
const struct k1_eeprom_key k1_eeprom_keys[] = {
	{"product_name", 0x21, K1_EEV_STRING, true, 32, 0, 0,
	 "picks the u-boot.itb configuration and the kernel's <name>.dtb"},
	{"part#", 0x22, K1_EEV_STRING, true, 32, 0, 0, "part number"},
	{"serial#", 0x23, K1_EEV_STRING, true, 32, 0, 0, "U-Boot's serial#"},
	{"ethaddr", 0x24, K1_EEV_MAC, true, 17, 0, 0, "the first MAC address"},
	{"manufacture_date", 0x25, K1_EEV_DATE, true, 19, 0, 0, "MM/DD/YYYY hh:mm:ss"},
	{"device_version", 0x26, K1_EEV_U8, true, 3, 0, 255, "board revision"},
	{"ethsize", 0x2A, K1_EEV_U16, true, 6, 0, 65535, "how many MAC addresses"},
	{"manufacturer", 0x2B, K1_EEV_STRING, true, 32, 0, 0, "manufacturer"},
	{"sdk_version", 0x40, K1_EEV_U8, true, 3, 0, 255, "vendor SDK version"},
	{"ddr_cs_num", 0x41, K1_EEV_U8, true, 3, 1, 2,
	 "DDR chip selects the SPL trains: 1 on 2 GB boards, 2 on larger ones"},
	{"ddr_type", 0x42, K1_EEV_STRING, true, 31, 0, 0,
	 "the SPL's DDR type (LPDDR4, else LPDDR4X timings)"},
	{"ddr_datarate", 0x43, K1_EEV_U16, true, 5, 600, 3200, "DDR MT/s the SPL sets"},
	{"pmic_type", 0x80, K1_EEV_U8, true, 3, 0, 255, "PMIC model"},
	{"eeprom_i2c_index", 0x81, K1_EEV_U8, true, 3, 0, 255, "I2C bus of this EEPROM"},
	{"eeprom_pin_group", 0x82, K1_EEV_U8, true, 3, 0, 255, "pin group of that bus"},
	{"label_revision", 0x27, K1_EEV_STRING, false, 255, 0, 0, "ONIE"},
	{"platform_name", 0x28, K1_EEV_STRING, false, 255, 0, 0, "ONIE"},
	{"onie_version", 0x29, K1_EEV_STRING, false, 255, 0, 0, "ONIE"},
	{"country_code", 0x2C, K1_EEV_STRING, false, 255, 0, 0, "ONIE"},
	{"vendor_name", 0x2D, K1_EEV_STRING, false, 255, 0, 0, "ONIE"},
	{"diag_version", 0x2E, K1_EEV_STRING, false, 255, 0, 0, "ONIE"},
	{"service_tag", 0x2F, K1_EEV_STRING, false, 255, 0, 0, "ONIE"},
	{"vendor_extension", 0xFD, K1_EEV_HEX, false, 255, 0, 0, "ONIE"},
};
const size_t k1_eeprom_key_count = sizeof(k1_eeprom_keys) / sizeof(k1_eeprom_keys[0]);

/* DDR rates of the SPL's table (drivers/ddr/spacemit/k1x/ddr_freq.c); it
 * rounds anything else down to one of these. */
static const uint16_t ddr_rates[] = {600, 800, 1066, 1200, 1600, 2400, 3200};

const struct k1_eeprom_key *k1_eeprom_key_by_name(const char *name)
{
	for (size_t i = 0; i < k1_eeprom_key_count; i++)
		if (!strcmp(k1_eeprom_keys[i].name, name))
			return &k1_eeprom_keys[i];
	return NULL;
}

const struct k1_eeprom_key *k1_eeprom_key_by_code(uint8_t code)
{
	for (size_t i = 0; i < k1_eeprom_key_count; i++)
		if (k1_eeprom_keys[i].code == code)
			return &k1_eeprom_keys[i];
	return NULL;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t k1_eeprom_crc(const uint8_t *image, size_t len)
{
	return len < 4 ? 0 : (uint32_t)crc32_z(0L, image, len - 4);
}

/* ---- parsing ---- */

int k1_eeprom_parse(const uint8_t *d, size_t len, struct k1_eeprom *e, struct k1_error *err)
{
	size_t off, image;

	memset(e, 0, sizeof(*e));
	if (len < K1_TLV_HEADER_LEN || memcmp(d, "TlvInfo", 8))
		return k1_err(err, K1_EINVAL,
			      "not a TlvInfo EEPROM image: expected \"TlvInfo\\0\" and a version "
			      "and length (11 bytes) at offset 0");
	e->size = len;
	e->version = d[8];
	e->header_ok = e->version == 1;
	e->total = be16(d + 9);
	image = K1_TLV_HEADER_LEN + e->total;
	e->end = image < len ? image : len;
	for (off = K1_TLV_HEADER_LEN; off < e->end; off += 2u + d[off + 1]) {
		if (off + 2 > e->end) {
			snprintf(e->bad_why, sizeof(e->bad_why),
				 "a TLV header (type, length) runs past the end of the data");
			break;
		}
		if (d[off] == 0x00 || d[off] == 0xFF) {
			snprintf(e->bad_why, sizeof(e->bad_why),
				 "reserved type 0x%02x: the vendor's walk stops here", d[off]);
			break;
		}
		if (off + 2 + d[off + 1] > e->end) {
			snprintf(e->bad_why, sizeof(e->bad_why),
				 "TLV 0x%02x of %u bytes runs past the end of the data (0x%zx)",
				 d[off], d[off + 1], e->end);
			break;
		}
		if (e->count == K1_TLV_MAX_FIELDS) {
			snprintf(e->bad_why, sizeof(e->bad_why), "more than %u TLVs",
				 K1_TLV_MAX_FIELDS);
			break;
		}
		e->tlv[e->count++] = (struct k1_tlv){d[off], d[off + 1], off, d + off + 2};
	}
	if (off < e->end)
		e->bad_off = off;
	/* as the vendor's is_checksum_valid: the 6 bytes before the end */
	if (image <= len && e->total >= 6 && d[image - 6] == K1_TLV_CODE_CRC32 &&
	    d[image - 5] == 4) {
		e->crc_last = true;
		e->crc_stored = k1_be32(d + image - 4);
		e->crc_computed = k1_eeprom_crc(d, image);
	}
	return 0;
}

const struct k1_tlv *k1_eeprom_find(const struct k1_eeprom *e, uint8_t code)
{
	for (size_t i = 0; i < e->count; i++)
		if (e->tlv[i].type == code)
			return &e->tlv[i];
	return NULL;
}

/* ---- values ---- */

static bool valid_mac(const uint8_t *m)
{
	static const uint8_t zero[6], ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	return !(m[0] & 1) && memcmp(m, zero, 6) && memcmp(m, ones, 6);
}

static bool two_digits(const char *p, int lo, int hi)
{
	return isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
	       (p[0] - '0') * 10 + (p[1] - '0') >= lo && (p[0] - '0') * 10 + (p[1] - '0') <= hi;
}

/* MM/DD/YYYY hh:mm:ss (the vendor checks the punctuation and digits; the
 * ranges are checked here too). */
static bool valid_date(const char *s, size_t n)
{
	if (n != 19 || s[2] != '/' || s[5] != '/' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
		return false;
	for (int i = 6; i < 10; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return two_digits(s, 1, 12) && two_digits(s + 3, 1, 31) && two_digits(s + 11, 0, 23) &&
	       two_digits(s + 14, 0, 59) && two_digits(s + 17, 0, 59);
}

static bool rate_known(unsigned v)
{
	for (size_t i = 0; i < sizeof(ddr_rates) / sizeof(ddr_rates[0]); i++)
		if (ddr_rates[i] == v)
			return true;
	return false;
}

const char *k1_eeprom_check_value(const struct k1_eeprom_key *k, const uint8_t *v, size_t n,
				  char *why, size_t wn)
{
	unsigned num;

	if (!k)
		return NULL;
	switch (k->kind) {
	case K1_EEV_STRING:
		if (n == 0) {
			snprintf(why, wn,
				 "empty: a zero-length TLV ends the SPL's scan of the EEPROM (keys "
				 "after it are invisible to it)");
			return why;
		}
		if (n > k->max_len) {
			snprintf(why, wn, "%zu bytes, the vendor takes at most %u", n, k->max_len);
			return why;
		}
		for (size_t i = 0; i < n; i++)
			if (v[i] < 0x20 || v[i] > 0x7e) {
				snprintf(why, wn,
					 "byte 0x%02x at +%zu: expected printable ASCII text", v[i],
					 i);
				return why;
			}
		return NULL;
	case K1_EEV_MAC:
		if (n != 6)
			snprintf(why, wn, "%zu bytes, a MAC address is 6", n);
		else if (!valid_mac(v))
			snprintf(why, wn,
				 "%02X:%02X:%02X:%02X:%02X:%02X is not a usable MAC address (zero, "
				 "broadcast or multicast)",
				 v[0], v[1], v[2], v[3], v[4], v[5]);
		else
			return NULL;
		return why;
	case K1_EEV_U8:
	case K1_EEV_U16:
		if (n != (k->kind == K1_EEV_U8 ? 1u : 2u)) {
			snprintf(why, wn, "%zu bytes, expected %u", n,
				 k->kind == K1_EEV_U8 ? 1 : 2);
			return why;
		}
		num = k->kind == K1_EEV_U8 ? v[0] : be16(v);
		if (num < k->min || num > k->max)
			snprintf(why, wn, "%u, expected %u..%u", num, k->min, k->max);
		else if (k->code == 0x43 && !rate_known(num))
			snprintf(why, wn,
				 "%u MT/s is not a rate of the SPL's table (600, 800, 1066, 1200, "
				 "1600, 2400, 3200): it would round it down",
				 num);
		else
			return NULL;
		if (k->code == 0x41)
			snprintf(why + strlen(why), wn - strlen(why),
				 " (1 on 2 GB boards, 2 on larger ones)");
		return why;
	case K1_EEV_DATE:
		if (valid_date((const char *)v, n))
			return NULL;
		snprintf(why, wn, "'%.*s' is not a date MM/DD/YYYY hh:mm:ss",
			 (int)(n > 40 ? 40 : n), (const char *)v);
		return why;
	case K1_EEV_HEX:
		return NULL;
	}
	return NULL;
}

void k1_eeprom_value_text(uint8_t code, const uint8_t *v, size_t n, char *out, size_t outsz)
{
	const struct k1_eeprom_key *k = k1_eeprom_key_by_code(code);
	enum k1_eeprom_kind kind = k ? k->kind : K1_EEV_HEX;
	size_t o = 0;

	out[0] = '\0';
	/* a number or MAC of the wrong length: its bytes */
	if ((kind == K1_EEV_MAC && n != 6) || (kind == K1_EEV_U8 && n != 1) ||
	    (kind == K1_EEV_U16 && n != 2))
		kind = K1_EEV_HEX;
	switch (kind) {
	case K1_EEV_MAC:
		snprintf(out, outsz, "%02X:%02X:%02X:%02X:%02X:%02X", v[0], v[1], v[2], v[3], v[4],
			 v[5]);
		break;
	case K1_EEV_U8:
	case K1_EEV_U16:
		snprintf(out, outsz, "%u", kind == K1_EEV_U8 ? v[0] : be16(v));
		break;
	case K1_EEV_STRING:
	case K1_EEV_DATE:
		for (size_t i = 0; i < n && o + 5 < outsz; i++)
			o += (size_t)(v[i] >= 0x20 && v[i] < 0x7f && v[i] != '\\'
					      ? snprintf(out + o, outsz - o, "%c", v[i])
					      : snprintf(out + o, outsz - o, "\\x%02x", v[i]));
		break;
	case K1_EEV_HEX:
		for (size_t i = 0; i < n && o + 3 < outsz; i++, o += 2)
			k1_hex(v + i, 1, out + o);
		break;
	}
}

/* ---- text to bytes ---- */

static int parse_num(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	*out = strtoul(s, &end, 0);
	return *end || *out > 0xFFFFFF ? -1 : 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

int k1_eeprom_encode(const struct k1_eeprom_key *k, const char *s, struct k1_eeprom_field *f,
		     struct k1_error *err)
{
	size_t n = strlen(s);
	unsigned long num;
	char why[200];

	memset(f, 0, sizeof(*f));
	f->code = k->code;
	switch (k->kind) {
	case K1_EEV_STRING:
	case K1_EEV_DATE:
		if (n > 255)
			return k1_err(err, K1_EINVAL, "%s: %zu characters, at most 255 fit a TLV",
				      k->name, n);
		memcpy(f->val, s, n);
		f->len = (uint8_t)n;
		break;
	case K1_EEV_MAC:
		for (size_t i = 0; i < 17 && n == 17; i++)
			if (i % 3 == 2 ? s[i] != ':' : hexval(s[i]) < 0)
				n = 0;
		if (n != 17)
			return k1_err(err, K1_EINVAL,
				      "%s: '%s' is not a MAC address (expected XX:XX:XX:XX:XX:XX)",
				      k->name, s);
		for (int i = 0; i < 6; i++)
			f->val[i] = (uint8_t)(hexval(s[3 * i]) << 4 | hexval(s[3 * i + 1]));
		f->len = 6;
		break;
	case K1_EEV_U8:
	case K1_EEV_U16:
		if (parse_num(s, &num) || num > (k->kind == K1_EEV_U8 ? 255u : 65535u))
			return k1_err(err, K1_EINVAL, "%s: '%s': expected a number %u..%u", k->name,
				      s, k->min, k->max);
		if (k->kind == K1_EEV_U8) {
			f->val[0] = (uint8_t)num;
			f->len = 1;
		} else {
			f->val[0] = (uint8_t)(num >> 8);
			f->val[1] = (uint8_t)num;
			f->len = 2;
		}
		break;
	case K1_EEV_HEX:
		if (n % 2 || n == 0 || n > 510)
			return k1_err(err, K1_EINVAL,
				      "%s: '%s': expected 1 to 255 bytes as pairs of hex digits",
				      k->name, s);
		for (size_t i = 0; i < n; i += 2) {
			if (hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
				return k1_err(err, K1_EINVAL,
					      "%s: '%s': expected pairs of hex digits", k->name, s);
			f->val[i / 2] = (uint8_t)(hexval(s[i]) << 4 | hexval(s[i + 1]));
		}
		f->len = (uint8_t)(n / 2);
		break;
	}
	if (k1_eeprom_check_value(k, f->val, f->len, why, sizeof(why)))
		return k1_err(err, K1_EINVAL, "%s=%s: %s", k->name, s, why);
	return 0;
}

int k1_eeprom_field_parse(const char *assign, struct k1_eeprom_field *f, struct k1_error *err)
{
	const char *eq = strchr(assign, '=');
	char name[40];
	const struct k1_eeprom_key *k;

	if (!eq || eq == assign || (size_t)(eq - assign) >= sizeof(name))
		return k1_err(err, K1_EINVAL, "'%s': expected KEY=VALUE", assign);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - assign), assign);
	if (!strncmp(name, "0x", 2) || !strncmp(name, "0X", 2)) {
		char *end;
		unsigned long code = strtoul(name + 2, &end, 16);
		struct k1_eeprom_key raw = {name, 0, K1_EEV_HEX, false, 255, 0, 0, ""};
		int rc;
		char why[200];

		if (*end || end == name + 2 || code > 0xFF)
			return k1_err(err, K1_EINVAL, "'%s': expected a type code 0x01..0xfd",
				      name);
		if (code == 0 || code == 0xFF || code == K1_TLV_CODE_CRC32)
			return k1_err(
				err, K1_EINVAL, "%s: %s", name,
				code == K1_TLV_CODE_CRC32
					? "the CRC-32 TLV is computed, not given"
					: "0x00 and 0xff are reserved (the vendor's walk stops "
					  "at them)");
		raw.code = (uint8_t)code;
		if ((rc = k1_eeprom_encode(&raw, eq + 1, f, err)))
			return rc;
		k = k1_eeprom_key_by_code(f->code);
		if (k1_eeprom_check_value(k, f->val, f->len, why, sizeof(why)))
			return k1_err(err, K1_EINVAL, "%s (%s): %s", name, k->name, why);
		return 0;
	}
	if (!(k = k1_eeprom_key_by_name(name)))
		return k1_err(err, K1_EINVAL,
			      "%s: not a key of the K1 EEPROM (see 'k1fw eeprom --help'; any code "
			      "as 0xNN=HEX)",
			      name);
	return k1_eeprom_encode(k, eq + 1, f, err);
}

/* ---- building ---- */

int k1_eeprom_build(const struct k1_eeprom_field *f, size_t n, size_t pad_to, struct k1_buf *out,
		    struct k1_error *err)
{
	size_t size = K1_TLV_HEADER_LEN + 6, start = out->len;
	uint8_t hdr[K1_TLV_HEADER_LEN] = "TlvInfo", crc[6] = {K1_TLV_CODE_CRC32, 4};

	for (size_t i = 0; i < n; i++) {
		if (f[i].code == K1_TLV_CODE_CRC32 || f[i].code == 0 || f[i].code == 0xFF)
			return k1_err(err, K1_EINVAL, "type 0x%02x: %s", f[i].code,
				      f[i].code == K1_TLV_CODE_CRC32 ? "the CRC is computed"
								     : "reserved");
		for (size_t j = 0; j < i; j++)
			if (f[j].code == f[i].code)
				return k1_err(err, K1_EINVAL,
					      "type 0x%02x given twice (the board reads only "
					      "the first)",
					      f[i].code);
		size += 2u + f[i].len;
	}
	if (size > K1_EEPROM_SIZE)
		return k1_err(err, K1_ERANGE,
			      "the image is %zu bytes, the K1 EEPROM (24c02) holds %u: the SPL "
			      "would ignore it",
			      size, K1_EEPROM_SIZE);
	if (pad_to > K1_EEPROM_SIZE)
		return k1_err(err, K1_ERANGE, "padding to %zu bytes: the EEPROM holds %u", pad_to,
			      K1_EEPROM_SIZE);
	hdr[8] = 1;
	hdr[9] = (uint8_t)((size - K1_TLV_HEADER_LEN) >> 8);
	hdr[10] = (uint8_t)(size - K1_TLV_HEADER_LEN);
	if (k1_buf_append(out, hdr, sizeof(hdr)))
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (k1_buf_append(out, &f[i].code, 1) || k1_buf_append(out, &f[i].len, 1) ||
		    k1_buf_append(out, f[i].val, f[i].len))
			goto oom;
	if (k1_buf_append(out, crc, 6))
		goto oom;
	uint32_t c = k1_eeprom_crc(out->data + start, size);
	for (int i = 0; i < 4; i++)
		out->data[out->len - 4 + (size_t)i] = (uint8_t)(c >> (24 - 8 * i));
	if (pad_to > size && k1_buf_fill(out, 0xFF, pad_to - size))
		goto oom;
	return 0;
oom:
	out->len = start;
	return k1_err(err, K1_ENOMEM, "out of memory");
}

size_t k1_eeprom_fields(const struct k1_eeprom *e, struct k1_eeprom_field *out)
{
	size_t n = 0;

	for (size_t i = 0; i < e->count; i++) {
		if (e->tlv[i].type == K1_TLV_CODE_CRC32)
			continue;
		out[n].code = e->tlv[i].type;
		out[n].len = e->tlv[i].len;
		memcpy(out[n].val, e->tlv[i].val, e->tlv[i].len);
		n++;
	}
	return n;
}

size_t k1_eeprom_fields_set(struct k1_eeprom_field *list, size_t n, const struct k1_eeprom_field *f,
			    uint8_t code, struct k1_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].code == code) {
			memmove(&list[i], &list[i + 1], (n - i - 1) * sizeof(*list));
			n--;
			break;
		}
	if (!f)
		return n;
	if (n == K1_TLV_MAX_FIELDS) {
		k1_err(err, K1_ERANGE, "more than %u TLVs", K1_TLV_MAX_FIELDS);
		return 0;
	}
	list[n] = *f;
	return n + 1;
}

int k1_eeprom_default(struct k1_buf *out, struct k1_error *err)
{
	static const char *const identity[] = {
		"product_name=k1-x_deb1",
		"ethaddr=FE:FE:FE:4B:31:46",
		"ethsize=2",
		"manufacture_date=01/16/2023 11:02:20",
		"manufacturer=spacemit",
		"device_version=1",
		"sdk_version=1",
		"ddr_cs_num=2",
	};
	struct k1_eeprom_field f[8];
	int rc;

	for (size_t i = 0; i < 8; i++)
		if ((rc = k1_eeprom_field_parse(identity[i], &f[i], err)))
			return rc;
	return k1_eeprom_build(f, 8, K1_EEPROM_SIZE, out, err);
}

/* ---- what the SPL sees ---- */

void k1_eeprom_spl_view(const uint8_t *d, size_t len, struct k1_eeprom_spl *s)
{
	uint8_t chip[K1_EEPROM_SIZE] = {0};
	unsigned seen = 0;
	size_t total;

	memset(s, 0, sizeof(*s));
	/* init_tlv_data: the header must be "TlvInfo\0" v1 and fit the chip,
	 * else the buffer stays zero */
	if (len < K1_TLV_HEADER_LEN || memcmp(d, "TlvInfo", 8) || d[8] != 1)
		return;
	total = K1_TLV_HEADER_LEN + be16(d + 9);
	if (total > K1_EEPROM_SIZE || total > len)
		return;
	s->readable = true;
	memcpy(chip, d, total);
	/* spacemit_eeprom_read: the first TLV of each type, walking to a zero
	 * length, no CRC check */
	for (size_t i = K1_TLV_HEADER_LEN; i + 1 < K1_EEPROM_SIZE; i += 2u + chip[i + 1]) {
		uint8_t type = chip[i], n = chip[i + 1];
		const uint8_t *v = chip + i + 2;
		size_t avail = K1_EEPROM_SIZE - i - 2;

		if (n == 0)
			break;
		if (n > avail)
			n = (uint8_t)avail;
		if (type == 0x41 && !(seen & 1)) {
			/* copied over a u32 that holds 1: one byte replaces its low byte */
			for (int b = 0; b < (n < 4 ? n : 4); b++)
				s->cs_num |= (uint32_t)v[b] << (8 * b);
			seen |= 1;
		} else if (type == 0x43 && !(seen & 2)) {
			/* copied into a zero u32, then be16_to_cpu of its low half */
			s->datarate = n >= 2 ? be16(v) : (uint32_t)v[0] << 8;
			seen |= 2;
		} else if (type == 0x42 && !(seen & 4)) {
			memcpy(s->ddr_type, v,
			       n < sizeof(s->ddr_type) ? n : sizeof(s->ddr_type) - 1);
			seen |= 4;
		} else if (type == 0x21 && !(seen & 8)) {
			memcpy(s->product_name, v,
			       n < sizeof(s->product_name) ? n : sizeof(s->product_name) - 1);
			seen |= 8;
		}
	}
}

void k1_eeprom_fit_name(const char *product_name, char *out, size_t outsz)
{
	const char *p = product_name && *product_name ? product_name : K1_SPL_DEFAULT_PRODUCT;

	if (!strncmp(p, "k1_", 3))
		snprintf(out, outsz, "k1-x_%s", p + 3);
	else
		snprintf(out, outsz, "%s", p);
}

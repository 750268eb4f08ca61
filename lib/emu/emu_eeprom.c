/* `oem config` and the EEPROM side effects of the vendor's SPL and U-Boot
 * (drivers/fastboot/fb_spacemit.c, board/spacemit/k1-x/k1x-tlvinfo.c for
 * the SPL, cmd/tlv_eeprom.c and board/spacemit/k1-x/k1x.c for U-Boot,
 * milkv-jupiter/uboot-2022.10 v1.0.15). Quirks kept on purpose: a value
 * the encoder rejects deletes the key and still answers OKAY; U-Boot
 * passes the value through its command line (a space splits it) and
 * answers reads from its environment; the SPL answers with the raw
 * bytes; a malformed write dereferences NULL (the board stops). */
#include "emu/emu_eeprom.h"
#include "base/bytes.h"
#include "base/fileio.h"
#include "base/output.h"
#include "emu/emu_board.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPL_ROOM (K1_EEPROM_SIZE - K1_TLV_HEADER_LEN) /* EEPROM_SIZE_MAX_TLV_LEN */

static void say(struct k1_emu_board *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct k1_emu_board *b, const char *fmt, ...)
{
	char line[300];
	va_list ap;

	if (!b->con)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	b->con(b->con_ctx, line);
}

int k1_emu_eeprom_open(struct k1_emu_eeprom *ee, const char *dir, struct k1_error *err)
{
	struct k1_buf img = K1_BUF_INIT;
	FILE *f;
	int rc;

	memset(ee, 0, sizeof(*ee));
	if ((rc = k1_path_join(ee->path, sizeof(ee->path), dir, K1_EMU_EEPROM_FILE, err)))
		return rc;
	if ((f = fopen(ee->path, "rb"))) {
		fclose(f);
		return 0;
	}
	if (!(rc = k1_eeprom_default(&img, err)))
		rc = k1_output_replace(ee->path, img.data, img.len, 0644, err);
	k1_buf_free(&img);
	return rc;
}

int k1_emu_eeprom_load(const struct k1_emu_eeprom *ee, uint8_t chip[K1_EEPROM_SIZE],
		       struct k1_error *err)
{
	struct k1_buf b = K1_BUF_INIT;
	int rc = k1_read_file(ee->path, &b, err);

	memset(chip, 0xFF, K1_EEPROM_SIZE);
	if (!rc)
		memcpy(chip, b.data, b.len < K1_EEPROM_SIZE ? b.len : K1_EEPROM_SIZE);
	k1_buf_free(&b);
	return rc;
}

/* An I2C write from offset 0: a 24c02 has one address byte, so bytes past
 * 256 wrap to its start. */
static int chip_write(struct k1_emu_board *b, const uint8_t *data, size_t len)
{
	uint8_t chip[K1_EEPROM_SIZE];
	struct k1_error e = {0};

	if (k1_emu_eeprom_load(&b->ee, chip, &e))
		return -1;
	for (size_t i = 0; i < len; i++)
		chip[i % K1_EEPROM_SIZE] = data[i];
	if (k1_output_replace(b->ee.path, chip, sizeof(chip), 0644, &e)) {
		say(b, "eeprom: %s", e.msg);
		return -1;
	}
	return 0;
}

/* ---- the vendor's in-RAM TlvInfo buffer ---- */

static uint16_t total_of(const uint8_t *buf)
{
	return (uint16_t)(buf[9] << 8 | buf[10]);
}

static bool buf_valid(const uint8_t *buf, size_t cap)
{
	struct k1_eeprom e;
	size_t n = K1_TLV_HEADER_LEN + total_of(buf);

	return n <= cap && !k1_eeprom_parse(buf, n, &e, NULL) && e.header_ok &&
	       e.total <= K1_TLV_TOTAL_MAX && e.crc_last && e.crc_stored == e.crc_computed;
}

/* update_crc: a CRC TLV at the end (added when missing), recomputed. */
static void update_crc(uint8_t *buf)
{
	struct k1_eeprom e;
	size_t n = K1_TLV_HEADER_LEN + total_of(buf);

	k1_eeprom_parse(buf, n, &e, NULL);
	if (!e.crc_last) {
		if (total_of(buf) + 6u > K1_TLV_TOTAL_MAX)
			return;
		buf[n] = K1_TLV_CODE_CRC32;
		buf[n + 1] = 4;
		n += 6;
		buf[9] = (uint8_t)((n - K1_TLV_HEADER_LEN) >> 8);
		buf[10] = (uint8_t)(n - K1_TLV_HEADER_LEN);
	}
	uint32_t c = k1_eeprom_crc(buf, n);
	for (int i = 0; i < 4; i++)
		buf[n - 4 + (size_t)i] = (uint8_t)(c >> (24 - 8 * i));
}

static void reset_buf(uint8_t *buf)
{
	memcpy(buf, "TlvInfo\0\x01\x00\x00", K1_TLV_HEADER_LEN);
	update_crc(buf);
}

/* read_tlvinfo_from_eeprom / read_eeprom: the chip, or an empty TlvInfo
 * when its header or CRC is bad. */
static void read_chip(struct k1_emu_board *b, uint8_t *buf, size_t cap)
{
	uint8_t chip[K1_EEPROM_SIZE];
	struct k1_error e;

	memset(buf, 0, cap);
	if (!k1_emu_eeprom_load(&b->ee, chip, &e))
		memcpy(buf, chip, sizeof(chip));
	if (!buf_valid(buf, sizeof(chip)))
		reset_buf(buf);
}

static void ensure_buf(struct k1_emu_board *b)
{
	if (!b->ee.buf_read) {
		read_chip(b, b->ee.buf, sizeof(b->ee.buf));
		b->ee.buf_read = true;
	}
}

/* The TLV of code in a valid buffer: its offset, or 0. */
static size_t find_tlv(const uint8_t *buf, uint8_t code)
{
	size_t end = K1_TLV_HEADER_LEN + total_of(buf);

	for (size_t i = K1_TLV_HEADER_LEN; i + 2 <= end; i += 2u + buf[i + 1]) {
		if (buf[i] == 0x00 || buf[i] == 0xFF)
			return 0;
		if (buf[i] == code)
			return i;
	}
	return 0;
}

/* tlvinfo_delete_tlv: the following TLVs move forward. */
static void delete_tlv(uint8_t *buf, uint8_t code)
{
	size_t i = find_tlv(buf, code), end = K1_TLV_HEADER_LEN + total_of(buf), n;

	if (!i)
		return;
	n = 2u + buf[i + 1];
	memmove(buf + i, buf + i + n, end - i - n);
	buf[9] = (uint8_t)((end - n - K1_TLV_HEADER_LEN) >> 8);
	buf[10] = (uint8_t)(end - n - K1_TLV_HEADER_LEN);
	update_crc(buf);
}

/* ---- the vendor's encoders (tlvinfo_add_tlv) ---- */

static bool onie_string(uint8_t code)
{
	return (code >= 0x21 && code <= 0x23) || (code >= 0x27 && code <= 0x29) ||
	       (code >= 0x2B && code <= 0x2F);
}

/* set_bytes: decimal (C radix) numbers separated by space, tab, ',' or
 * ';'; a trailing separator still counts a byte (left 0 here). */
static bool set_bytes(const char *s, uint8_t *out, size_t *n)
{
	const char *p = s;
	size_t i;

	for (i = 0; i < 255 && *p; i++) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == ';')
			p++;
		if (*p) {
			char *end;
			unsigned long v;
			if (!isdigit((unsigned char)*p))
				return false;
			v = strtoul(p, &end, 0);
			p = end;
			if (v >= 256)
				return false;
			out[i] = (uint8_t)v;
		} else {
			out[i] = 0;
		}
	}
	if (i == 255 && *p)
		return false;
	*n = i;
	return true;
}

static bool set_mac(const char *s, uint8_t *out)
{
	struct k1_eeprom_field f;
	const struct k1_eeprom_key *k = k1_eeprom_key_by_code(0x24);

	if (k1_eeprom_encode(k, s, &f, NULL))
		return false;
	memcpy(out, f.val, 6);
	return true;
}

static bool set_date(const char *s)
{
	if (strlen(s) != 19)
		return false;
	for (int i = 0; i < 19; i++) {
		char want = i == 2 || i == 5 ? '/' : i == 10 ? ' ' : i == 13 || i == 16 ? ':' : 0;
		if (want ? s[i] != want : !isdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Encode as the stage's tlvinfo_add_tlv does and append; false when it
 * refuses (the key stays deleted). */
static bool add_tlv(uint8_t *buf, uint8_t code, const char *s, bool spl)
{
	uint8_t data[256];
	size_t n = 0, end = K1_TLV_HEADER_LEN + total_of(buf);
	unsigned long v;

	if (onie_string(code)) {
		n = strlen(s) < 256 ? strlen(s) : 256;
		memcpy(data, s, n);
	} else if (code == 0x26) {
		if ((v = strtoul(s, NULL, 0)) >= 256)
			return false;
		data[0] = (uint8_t)v, n = 1;
	} else if (code == 0x2A || (code == 0x43 && !spl)) {
		if ((v = strtoul(s, NULL, 0)) >= 65536)
			return false;
		data[0] = (uint8_t)(v >> 8), data[1] = (uint8_t)v, n = 2;
	} else if (code == 0x25) {
		if (!set_date(s))
			return false;
		memcpy(data, s, 19), n = 19;
	} else if (code == 0x24) {
		if (!set_mac(s, data))
			return false;
		n = 6;
	} else if (code == K1_TLV_CODE_CRC32 || !set_bytes(s, data, &n)) {
		return false;
	}
	if (n > 255 || total_of(buf) + 2u + n > (spl ? SPL_ROOM : K1_TLV_TOTAL_MAX))
		return false;
	/* over the CRC TLV, which update_crc puts back after it */
	if (end >= K1_TLV_HEADER_LEN + 6 && buf[end - 6] == K1_TLV_CODE_CRC32)
		end -= 6;
	buf[end] = code;
	buf[end + 1] = (uint8_t)n;
	memcpy(buf + end + 2, data, n);
	end += 2 + n;
	buf[9] = (uint8_t)((end - K1_TLV_HEADER_LEN) >> 8);
	buf[10] = (uint8_t)(end - K1_TLV_HEADER_LEN);
	update_crc(buf);
	return true;
}

/* write_tlvinfo_to_eeprom / prog_eeprom: the header and TLVs only. */
static int program(struct k1_emu_board *b)
{
	update_crc(b->ee.buf);
	return chip_write(b, b->ee.buf, K1_TLV_HEADER_LEN + total_of(b->ee.buf));
}

/* ---- U-Boot: the command line and the environment ---- */

static const char *env_get(struct k1_emu_board *b, const char *key)
{
	for (size_t i = 0; i < b->ee.nenv; i++)
		if (!strcmp(b->ee.env[i].key, key))
			return b->ee.env[i].value;
	return NULL;
}

static void env_set(struct k1_emu_board *b, const char *key, const char *value)
{
	struct k1_emu_env_var *v = NULL;

	for (size_t i = 0; i < b->ee.nenv && !v; i++)
		if (!strcmp(b->ee.env[i].key, key))
			v = &b->ee.env[i];
	if (!v && b->ee.nenv < sizeof(b->ee.env) / sizeof(b->ee.env[0]))
		v = &b->ee.env[b->ee.nenv++];
	if (!v)
		return;
	snprintf(v->key, sizeof(v->key), "%s", key);
	snprintf(v->value, sizeof(v->value), "%s", value);
}

/* run_commandf("tlv_eeprom set 0x%x %s"): the shell splits the value at
 * blanks (more than one word: a usage message, nothing set) and ends the
 * command at ';'. */
static void uboot_tlv_set(struct k1_emu_board *b, uint8_t code, const char *value)
{
	char word[128];
	const char *p = value;
	int words = 0;
	size_t n = 0;

	ensure_buf(b);
	word[0] = '\0';
	while (*p && *p != ';') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == ';')
			break;
		words++;
		for (n = 0; *p && *p != ' ' && *p != '\t' && *p != ';'; p++)
			if (words == 1 && n + 1 < sizeof(word))
				word[n++] = *p;
		if (words == 1)
			word[n] = '\0';
	}
	if (*p == ';')
		say(b, "(the rest after ';' would run as another U-Boot command: ignored here)");
	if (words > 1) {
		say(b, "Usage: tlv_eeprom set <type_code> <string_value> (the value is %d words)",
		    words);
		return;
	}
	delete_tlv(b->ee.buf, code);
	if (words == 1 && !add_tlv(b->ee.buf, code, word, false))
		say(b, "ERROR: tlv_eeprom set 0x%x: value '%s' refused (the field is now deleted)",
		    code, word);
}

/* board_late_init's view: the default environment, then the EEPROM. */
static void uboot_env(struct k1_emu_board *b)
{
	static const char *const defaults[][2] = {
		{"product_name", "k1-x_deb1"},
		{"serial#", "0123456789ABCDEF"},
		{"manufacturer", "spacemit"},
		{"manufacture_date", "01/16/2023 11:02:20"},
		{"device_version", "1"},
		{"sdk_version", "1"},
		{"pmic_type", "0"},
		{"eeprom_i2c_index", "2"},
		{"eeprom_pin_group", "0"},
	};
	static const uint8_t refresh[] = {0x21, 0x22, 0x23, 0x25, 0x2B, 0x26, 0x40};
	uint8_t chip[2 * K1_EEPROM_SIZE];
	char text[300];

	b->ee.nenv = 0;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		env_set(b, defaults[i][0], defaults[i][1]);
	read_chip(b, chip, sizeof(chip));
	for (size_t i = 0; i < sizeof(refresh); i++) {
		size_t at = find_tlv(chip, refresh[i]);
		const struct k1_eeprom_key *k = k1_eeprom_key_by_code(refresh[i]);
		if (!at)
			continue;
		if (refresh[i] == 0x26 || refresh[i] == 0x40) {
			int num = 0;
			for (int j = 0; j < chip[at + 1] && j < 4; j++)
				num = num << 8 | chip[at + 2 + j];
			snprintf(text, sizeof(text), "%d", num);
		} else {
			snprintf(text, sizeof(text), "%.*s", chip[at + 1],
				 (const char *)chip + at + 2);
		}
		env_set(b, k->name, text);
	}
}

/* set_env_ethaddr: ethaddr and eth1addr from the EEPROM (ethsize of them),
 * else a random FE:FE:FE MAC and ethsize 2 written to it. */
static void uboot_mac(struct k1_emu_board *b)
{
	uint8_t chip[2 * K1_EEPROM_SIZE], mac[6] = {0};
	size_t at, count = 1;
	char text[32];

	read_chip(b, chip, sizeof(chip));
	if ((at = find_tlv(chip, 0x2A)) && chip[at + 1] >= 2)
		count = (size_t)(chip[at + 2] << 8 | chip[at + 3]);
	if ((at = find_tlv(chip, 0x24)) && chip[at + 1] >= 6)
		memcpy(mac, chip + at + 2, 6);
	bool valid = !(mac[0] & 1) && memcmp(mac, "\0\0\0\0\0\0", 6) &&
		     memcmp(mac, "\xff\xff\xff\xff\xff\xff", 6);
	if (valid && count >= 1) {
		snprintf(text, sizeof(text), "%02X:%02X:%02X:%02X:%02X:%02X", mac[0], mac[1],
			 mac[2], mac[3], mac[4], mac[5]);
		env_set(b, "ethaddr", text);
	}
	if (valid && count >= 2)
		return;
	/* net_random_ethaddr: deterministic here, from what the chip holds */
	uint32_t r = k1_eeprom_crc(chip, sizeof(chip));
	snprintf(text, sizeof(text), "fe:fe:fe:%02x:%02x:%02x", (r >> 16) & 0xff, (r >> 8) & 0xff,
		 r & 0xff);
	env_set(b, "ethaddr", text);
	say(b, "no usable MAC pair in the EEPROM: writing ethaddr %s and ethsize 2 to it", text);
	uboot_tlv_set(b, 0x24, text);
	uboot_tlv_set(b, 0x2A, "2");
	say(b, program(b) ? "Programming failed." : "Programming passed.");
}

void k1_emu_eeprom_stage(struct k1_emu_board *b)
{
	b->ee.buf_read = false;
	b->ee.ddr_dead = false;
	if (b->stage != K1_EMU_STAGE_UBOOT)
		return;
	uboot_env(b);
	uboot_mac(b);
}

/* ---- oem config ---- */

/* fb_spacemit.c config_info: key, code, longest value text */
static const struct {
	const char *key;
	uint8_t code, max_len;
} config_info[] = {
	{"product_name", 0x21, 32},  {"part#", 0x22, 32},           {"serial#", 0x23, 32},
	{"ethaddr", 0x24, 17},       {"ethsize", 0x2A, 6},          {"manufacture_date", 0x25, 19},
	{"device_version", 0x26, 3}, {"manufacturer", 0x2B, 32},    {"sdk_version", 0x40, 3},
	{"ddr_cs_num", 0x41, 3},     {"ddr_datarate", 0x43, 5},     {"ddr_type", 0x42, 32},
	{"pmic_type", 0x80, 3},      {"eeprom_i2c_index", 0x81, 3}, {"eeprom_pin_group", 0x82, 3},
};

static int info_of(const char *key)
{
	for (size_t i = 0; i < sizeof(config_info) / sizeof(config_info[0]); i++)
		if (!strcmp(config_info[i].key, key))
			return (int)i;
	return -1;
}

/* The vendor code dereferences NULL here: the board stops answering. */
static void crash(struct k1_emu_board *b, const char *what, struct k1_emu_reply *rep)
{
	say(b, "oem config: %s: the vendor's code dereferences NULL here; the board stops", what);
	rep->final[0] = '\0';
	b->leave = true;
	b->next = K1_EMU_STAGE_HANG;
	b->power_cycle = false;
}

static void okay_raw(struct k1_emu_reply *rep, const uint8_t *v, size_t n)
{
	size_t i;

	memcpy(rep->final, "OKAY", 4);
	for (i = 0; i < n && i < 60 && v[i]; i++)
		rep->final[4 + i] = (char)v[i];
	rep->final[4 + i] = '\0';
}

static void do_read(struct k1_emu_board *b, const char *key, struct k1_emu_reply *rep)
{
	int i = info_of(key);

	if (i < 0) {
		k1_fb_reply(rep->final, "FAIL", "key NOT exist");
		return;
	}
	if (b->stage == K1_EMU_STAGE_SPL) { /* get_tlvinfo_from_eeprom: the chip itself */
		uint8_t buf[2 * K1_EEPROM_SIZE];
		size_t at;
		read_chip(b, buf, sizeof(buf));
		if ((at = find_tlv(buf, config_info[i].code)))
			okay_raw(rep, buf + at + 2, buf[at + 1]);
		else
			k1_fb_reply(rep->final, "FAIL", "key NOT exist");
		return;
	}
	const char *v = env_get(b, key);
	if (v)
		k1_fb_reply(rep->final, "OKAY", "%s", v);
	else
		k1_fb_reply(rep->final, "FAIL", "key NOT exist");
}

static void do_write(struct k1_emu_board *b, char *config, struct k1_emu_reply *rep)
{
	char *dest = config, *value = strchr(config, ':'), *at;
	int i;

	if (value)
		*value++ = '\0';
	if (!(at = strchr(dest, '@')))
		return crash(b, "write without KEY@DEST", rep);
	*at = '\0';
	dest = at + 1;
	if (strcmp(dest, "eeprom")) {
		k1_fb_reply(rep->final, "FAIL", "%s",
			    strcmp(dest, "efuse") ? "NOT support destination"
						  : "NOT support destination (efuse writes are "
						    "not emulated)");
		return;
	}
	i = info_of(config);
	if (i >= 0 && !value)
		return crash(b, "write without ':VALUE'", rep);
	if (i < 0 || strlen(value) > config_info[i].max_len) {
		k1_fb_reply(rep->final, "FAIL", "NOT exist");
		return;
	}
	if (b->stage == K1_EMU_STAGE_SPL) { /* set_val_to_tlvinfo */
		ensure_buf(b);
		delete_tlv(b->ee.buf, config_info[i].code);
		if (!add_tlv(b->ee.buf, config_info[i].code, value, true))
			say(b, "tlvinfo: value '%s' for %s refused (the field is now deleted)",
			    value, config);
	} else {
		uboot_tlv_set(b, config_info[i].code, value);
	}
	env_set(b, config, value);
	k1_fb_reply(rep->final, "OKAY", "%s", "");
}

void k1_emu_oem_config(struct k1_emu_board *b, const char *pkt, size_t len,
		       struct k1_emu_reply *rep)
{
	char param[K1_FB_CMD_MAX + 1], *op, *config;

	/* the command is matched up to the first ':' ("oem config read x",
	 * as Debian's fastboot sends it, is unknown to U-Boot) */
	if (len < 11 || memcmp(pkt, "oem config:", 11)) {
		k1_fb_reply(rep->final, "FAIL", "unrecognized command");
		return;
	}
	snprintf(param, sizeof(param), "%.*s", (int)(len - 11), pkt + 11);
	op = param;
	config = strchr(param, ' ');
	if (config)
		*config++ = '\0';
	if (!strcmp(op, "read")) {
		if (!config)
			return crash(b, "read without a key", rep);
		do_read(b, config, rep);
	} else if (!strcmp(op, "write")) {
		if (!config)
			return crash(b, "write without a key", rep);
		do_write(b, config, rep);
	} else if (!strcmp(op, "flush")) {
		int rc;
		ensure_buf(b);
		rc = program(b);
		if (b->stage != K1_EMU_STAGE_SPL) /* "tlv_eeprom write": run_command says 0 */
			say(b, rc ? "Programming failed." : "Programming passed.");
		if (rc && b->stage == K1_EMU_STAGE_SPL)
			k1_fb_reply(rep->final, "FAIL", "write fail");
		else
			k1_fb_reply(rep->final, "OKAY", "%s", "");
	} else {
		k1_fb_reply(rep->final, "FAIL", "NOT support");
	}
}

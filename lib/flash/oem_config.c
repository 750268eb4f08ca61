/* oem config, host side (oem_config.h). */
#include "flash/oem_config.h"

#include <stdio.h>
#include <string.h>

#define CMD_WRITE "oem config:write "
#define CMD_READ "oem config:read "

int k1_oem_value_parse(const char *assign, struct k1_oem_value *v, struct k1_error *err)
{
	const char *eq = strchr(assign, '=');
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = k1_eeprom_field_parse(assign, &v->field, err)))
		return rc;
	v->key = k1_eeprom_key_by_code(v->field.code);
	if (!v->key || !v->key->oem || strncmp(assign, v->key->name, strlen(v->key->name)))
		return k1_err(err, K1_EINVAL,
			      "%.*s: the vendor's oem config writes only its 15 named keys (see "
			      "'k1fw eeprom --help')",
			      (int)(eq - assign), assign);
	snprintf(v->text, sizeof(v->text), "%s", eq + 1);
	return 0;
}

/* The ONIE string codes both encoders copy as text. */
static bool text_code(uint8_t code)
{
	return (code >= 0x21 && code <= 0x23) || (code >= 0x27 && code <= 0x29) ||
	       (code >= 0x2B && code <= 0x2F);
}

/* A word U-Boot's command line passes through unchanged. */
static bool shell_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("_.:/+,=@%-", *s)))
			return false;
	return true;
}

/* config_info's max_len: the longest value text the vendor takes. */
static size_t oem_max(const struct k1_eeprom_key *k)
{
	return k->code == 0x42 ? 32 : k->max_len;
}

/* Bytes as set_bytes parses them: decimal numbers separated by blanks. */
static int decimal_bytes(const struct k1_eeprom_field *f, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < f->len; i++) {
		int n = snprintf(out + o, outsz - o, "%s%u", i ? " " : "", f->val[i]);
		if (n < 0 || (size_t)n >= outsz - o)
			return -1;
		o += (size_t)n;
	}
	return 0;
}

int k1_oem_value_wire(struct k1_oem_value *v, enum k1_stage stage, struct k1_error *err)
{
	const struct k1_eeprom_key *k = v->key;
	const struct k1_eeprom_field *f = &v->field;
	bool spl = stage == K1_STAGE_SPL;
	char wire[320];

	if (stage != K1_STAGE_SPL && stage != K1_STAGE_UBOOT)
		return k1_err(err, K1_EINVAL,
			      "the board in %s has no oem config (SPL or U-Boot do)",
			      k1_stage_name(stage));
	if (k->kind == K1_EEV_U8 || k->kind == K1_EEV_U16) {
		unsigned num =
			k->kind == K1_EEV_U8 ? f->val[0] : (unsigned)(f->val[0] << 8 | f->val[1]);
		if (k->code == 0x43 && spl)
			snprintf(wire, sizeof(wire), "%u %u", f->val[0], f->val[1]);
		else
			snprintf(wire, sizeof(wire), "%u", num);
	} else if (k->kind == K1_EEV_STRING && !text_code(k->code)) {
		/* ddr_type: both encoders take decimal bytes, not text */
		if (!spl && f->len != 1)
			return k1_err(err, K1_EINVAL,
				      "%s=%s: U-Boot's oem config stores %s as decimal bytes given "
				      "on its command line, where a blank splits them: write it in "
				      "the SPL (the board in USB download mode, with --bundle)",
				      k->name, v->text, k->name);
		decimal_bytes(f, wire, sizeof(wire));
	} else {
		snprintf(wire, sizeof(wire), "%s", v->text);
	}
	if (!spl && !shell_safe(wire))
		return k1_err(err, K1_EINVAL,
			      "%s=%s: U-Boot's oem config runs `tlv_eeprom set` on its command "
			      "line, which splits the value at blanks and ends it at ';' (the "
			      "field would be lost or another command run): write it in the SPL "
			      "(the board in USB download mode, with --bundle)",
			      k->name, v->text);
	if (strlen(wire) > oem_max(k))
		return k1_err(err, K1_EINVAL,
			      "%s=%s: the vendor's oem config takes at most %zu characters for %s, "
			      "this is '%s' (%zu)%s",
			      k->name, v->text, oem_max(k), k->name, wire, strlen(wire),
			      spl && k->code == 0x43 ? ": write it from U-Boot, which takes the "
						       "number"
						     : "");
	if (strlen(CMD_WRITE) + strlen(k->name) + strlen("@eeprom:") + strlen(wire) >
	    K1_FB_COMMAND_MAX)
		return k1_err(err, K1_EINVAL,
			      "%s=%s: `" CMD_WRITE "%s@eeprom:%s` is longer than the %d bytes of a "
			      "fastboot command",
			      k->name, v->text, k->name, wire, K1_FB_COMMAND_MAX);
	memcpy(v->wire, wire, strlen(wire) + 1); /* at most 32 characters, checked above */
	return 0;
}

/* The board's text of a FAIL (k1_fb_command: "CMD: FAILED (remote: 'TEXT')"). */
static const char *board_text(const struct k1_error *err)
{
	const char *p = strstr(err->msg, "(remote: '");
	return p ? p + 10 : err->msg;
}

static int command(struct k1_fb *fb, const char *cmd, char *out, size_t outsz, struct k1_error *err)
{
	int rc = k1_fb_command(fb, cmd, out, outsz, err);

	if (rc == K1_EFAIL && strstr(err->msg, "unrecognized command"))
		k1_err_prefix(err, "this board's fastboot has no oem config (vendor option "
				   "FASTBOOT_CMD_OEM_CONFIG_ACCESS is off)");
	return rc;
}

int k1_oem_read(struct k1_fb *fb, const char *key, char *out, size_t outsz, bool *present,
		struct k1_error *err)
{
	char cmd[K1_FB_COMMAND_MAX + 1];
	int rc;

	*present = false;
	out[0] = '\0';
	if ((size_t)snprintf(cmd, sizeof(cmd), CMD_READ "%s", key) >= sizeof(cmd))
		return k1_err(err, K1_EINVAL, "%s: key too long", key);
	rc = command(fb, cmd, out, outsz, err);
	if (rc == K1_EFAIL && !strncmp(board_text(err), "key NOT exist", 13))
		return 0;
	*present = rc == 0;
	return rc;
}

int k1_oem_write(struct k1_fb *fb, const struct k1_oem_value *v, struct k1_error *err)
{
	char cmd[K1_FB_COMMAND_MAX + 1];

	if ((size_t)snprintf(cmd, sizeof(cmd), CMD_WRITE "%s@eeprom:%s", v->key->name, v->wire) >=
	    sizeof(cmd))
		return k1_err(err, K1_EINVAL, "%s: command too long", v->key->name);
	return command(fb, cmd, NULL, 0, err);
}

int k1_oem_flush(struct k1_fb *fb, struct k1_error *err)
{
	return command(fb, "oem config:flush", NULL, 0, err);
}

static void hex(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o + 3 < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%02x", p[i]);
}

enum k1_oem_check k1_oem_confirm(const struct k1_oem_value *v, enum k1_stage stage,
				 const char *reply, char *why, size_t wn)
{
	const struct k1_eeprom_field *f = &v->field;
	size_t n = strlen(reply), zero = 0;
	char want[600], got[600];

	if (stage != K1_STAGE_SPL) {
		if (!strcmp(reply, v->wire))
			return K1_OEM_ENV_ONLY;
		snprintf(why, wn, "U-Boot's environment says '%s', '%s' was written", reply,
			 v->wire);
		return K1_OEM_MISMATCH;
	}
	while (zero < f->len && f->val[zero])
		zero++;
	if (n == f->len && !memcmp(reply, f->val, n))
		return K1_OEM_CONFIRMED;
	if (zero < f->len && n == zero && !memcmp(reply, f->val, n))
		return K1_OEM_UP_TO_ZERO;
	hex(f->val, f->len, want, sizeof(want));
	hex((const uint8_t *)reply, n, got, sizeof(got));
	snprintf(why, wn, "the EEPROM holds %s%s, %s was written", n ? got : "nothing",
		 n ? " (hex)" : "", want);
	return K1_OEM_MISMATCH;
}

void k1_oem_reply_text(const struct k1_eeprom_key *k, enum k1_stage stage, const char *reply,
		       char *out, size_t outsz)
{
	size_t n = strlen(reply);
	const uint8_t *r = (const uint8_t *)reply;

	if (stage != K1_STAGE_SPL || !k) {
		snprintf(out, outsz, "%s", reply);
		return;
	}
	/* the SPL's raw bytes end at the first zero byte: the missing ones are 0 */
	if ((k->kind == K1_EEV_U8 && n <= 1) || (k->kind == K1_EEV_U16 && n == 2)) {
		k1_eeprom_value_text(k->code, r, n, out, outsz);
		if (!n)
			snprintf(out, outsz, "0");
	} else if (k->kind == K1_EEV_U16 && n == 1) {
		snprintf(out, outsz, "%u", r[0] << 8);
	} else if (k->kind == K1_EEV_U16 && n == 0) {
		snprintf(out, outsz,
			 "? (below 256: its high byte is 0, where the SPL's reply ends)");
	} else if (k->kind == K1_EEV_MAC && n != 6) {
		char h[40];
		hex(r, n, h, sizeof(h));
		snprintf(out, outsz, "%s? (a zero byte after %zu bytes ends the SPL's reply)", h,
			 n);
	} else {
		k1_eeprom_value_text(k->code, r, n, out, outsz);
	}
}

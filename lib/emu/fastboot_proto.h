/* The fastboot command language (AOSP protocol 0.4, spec §6, research
 * §8.1) as the device side reads it: one command packet in, replies out.
 * Pure functions on bytes, so the emulator, its tests and the fuzzer share
 * them; no I/O here. */
#ifndef K1_FASTBOOT_PROTO_H
#define K1_FASTBOOT_PROTO_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

#define K1_FB_CMD_MAX 64   /* U-Boot FASTBOOT_COMMAND_LEN - 1; protocol 0.4 */
#define K1_FB_REPLY_MAX 64 /* U-Boot FASTBOOT_RESPONSE_LEN - 1: kind + text */

enum k1_fb_kind {
	K1_FB_GETVAR,
	K1_FB_DOWNLOAD,
	K1_FB_UPLOAD,
	K1_FB_FLASH,
	K1_FB_ERASE,
	K1_FB_BOOT,
	K1_FB_CONTINUE,
	K1_FB_REBOOT,
	K1_FB_REBOOT_BOOTLOADER,
	K1_FB_SET_ACTIVE,
	K1_FB_OEM,
	K1_FB_UNKNOWN, /* well formed, but no such command */
};

struct k1_fb_cmd {
	enum k1_fb_kind kind;
	char name[K1_FB_CMD_MAX + 1]; /* the verb as sent ("getvar", "oem erase", ...) */
	char arg[K1_FB_CMD_MAX + 1];  /* after the first ':' (oem: after the verb's ':' or ' ') */
	uint32_t size;                /* download: the 8-hex-digit length */
};

/* Parse one command packet of len bytes (not NUL-terminated). K1_EINVAL
 * with a reason short enough for a FAIL reply when it is empty, longer
 * than K1_FB_CMD_MAX, holds a byte outside printable ASCII, or a download
 * size is not 1-8 hex digits. An unknown verb is not an error: kind
 * K1_FB_UNKNOWN. As U-Boot, the verb ends at the first ':'; "oem" takes
 * "oem VERB:ARGS" (vendor) and "oem VERB ARGS" (AOSP client). */
int k1_fb_parse(const uint8_t *pkt, size_t len, struct k1_fb_cmd *cmd, struct k1_error *err);

/* A reply packet "<kind><text>" into out (K1_FB_REPLY_MAX + 1 bytes),
 * text cut to fit and made printable; kind is "OKAY", "FAIL", "INFO",
 * "DATA" or "TEXT". Returns its length. */
size_t k1_fb_reply(char *out, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

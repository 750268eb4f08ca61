/* The running U-Boot environment of the emulated board (RAM): loaded from
 * the env area at power-on (spec §7) or the built-in default when its CRC
 * is bad, changed by `flash env` on the import generations, `oem env` and
 * downloads (filesize), written back by the export generation. */
#include "base/bytes.h"
#include "emu/emu_board.h"
#include "format/disk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A few of k1-x.h's CONFIG_EXTRA_ENV_SETTINGS / BOOTENV_DEVICE_CONFIG and
 * CONFIG_ENV_VARS_UBOOT_CONFIG (milkv-jupiter v1.0.15). */
static const char *const builtin_env[] = {
	"board=k1-x",
	"board_name=k1-x",
	"device_version=1",
	"manufacturer=spacemit",
	"product_name=k1-x_deb1",
	"sdk_version=1",
	"serial#=0123456789ABCDEF",
	"vendor=spacemit",
};

void k1_emu_env_free(struct k1_emu_board *b)
{
	for (size_t i = 0; i < b->nenv; i++) {
		free(b->env[i].name);
		free(b->env[i].value);
	}
	free(b->env);
	b->env = NULL;
	b->nenv = 0;
}

const char *k1_emu_env_get(const struct k1_emu_board *b, const char *name)
{
	for (size_t i = 0; i < b->nenv; i++)
		if (!strcmp(b->env[i].name, name))
			return b->env[i].value;
	return NULL;
}

static int set_n(struct k1_emu_board *b, const char *name, size_t nlen, const char *value,
		 size_t vlen)
{
	for (size_t i = 0; i < b->nenv; i++)
		if (strlen(b->env[i].name) == nlen && !memcmp(b->env[i].name, name, nlen)) {
			free(b->env[i].value);
			if (!value) { /* delete */
				free(b->env[i].name);
				b->env[i] = b->env[--b->nenv];
				return 0;
			}
			return (b->env[i].value = strndup(value, vlen)) ? 0 : K1_ENOMEM;
		}
	if (!value)
		return 0;
	struct k1_emu_envvar *e = realloc(b->env, (b->nenv + 1) * sizeof(*e));
	if (!e)
		return K1_ENOMEM;
	b->env = e;
	e[b->nenv].name = strndup(name, nlen);
	e[b->nenv].value = strndup(value, vlen);
	if (!e[b->nenv].name || !e[b->nenv].value) {
		free(e[b->nenv].name);
		free(e[b->nenv].value);
		return K1_ENOMEM;
	}
	b->nenv++;
	return 0;
}

int k1_emu_env_set(struct k1_emu_board *b, const char *name, const char *value)
{
	return set_n(b, name, strlen(name), value, value ? strlen(value) : 0);
}

int k1_emu_env_setf(struct k1_emu_board *b, const char *name, const char *fmt, ...)
{
	char v[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	return k1_emu_env_set(b, name, v);
}

/* himport_r(): "name=value" entries split by sep; "name" or "name="
 * deletes, '#' lines (text) are comments. */
static void import_entries(struct k1_emu_board *b, const char *p, size_t len, char sep)
{
	const char *end = p + len;

	while (p < end && *p) {
		const char *e = memchr(p, sep, (size_t)(end - p));
		const char *stop = e ? e : end;
		const char *nul = memchr(p, '\0', (size_t)(stop - p));
		if (nul)
			stop = nul;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (stop > p && !(sep == '\n' && *p == '#')) {
			if (eq && eq + 1 < stop)
				set_n(b, p, (size_t)(eq - p), eq + 1, (size_t)(stop - eq - 1));
			else
				set_n(b, p, (size_t)((eq ? eq : stop) - p), NULL, 0);
		}
		if (nul || !e)
			break;
		p = e + 1;
	}
}

/* `env import -c ADDR 0x4000` (CRC-checked binary), else `env import -t
 * ADDR` (text up to the first NUL): the buffer holds at least 0x4000
 * bytes. Text import takes anything, as U-Boot's does. */
void k1_emu_env_import(struct k1_emu_board *b, const uint8_t *buf)
{
	if ((uint32_t)crc32(0L, buf + 4, K1_DISK_ENV_SIZE - 4) == k1_le32(buf))
		import_entries(b, (const char *)buf + 4, K1_DISK_ENV_SIZE - 4, '\0');
	else
		import_entries(b, (const char *)buf, K1_DISK_ENV_SIZE, '\n');
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct k1_emu_envvar *)x)->name,
		      ((const struct k1_emu_envvar *)y)->name);
}

/* `env export -c -s 0x4000`: CRC, entries sorted by name, NUL-separated,
 * zero padding. K1_ERANGE when they do not fit. */
int k1_emu_env_export(struct k1_emu_board *b, uint8_t out[K1_DISK_ENV_SIZE])
{
	size_t pos = 4;

	qsort(b->env, b->nenv, sizeof(*b->env), by_name);
	memset(out, 0, K1_DISK_ENV_SIZE);
	for (size_t i = 0; i < b->nenv; i++) {
		int n = snprintf((char *)out + pos, K1_DISK_ENV_SIZE - pos, "%s=%s", b->env[i].name,
				 b->env[i].value);
		if (n < 0 || pos + (size_t)n + 2 > K1_DISK_ENV_SIZE)
			return K1_ERANGE;
		pos += (size_t)n + 1;
	}
	k1_put_le32(out, (uint32_t)crc32(0L, out + 4, K1_DISK_ENV_SIZE - 4));
	return 0;
}

/* env_relocate() at power-on: the env area if its CRC is good, else the
 * built-in default ("*** Warning - bad CRC, using default environment"). */
void k1_emu_env_load(struct k1_emu_board *b, enum k1_emu_dev dev)
{
	uint8_t buf[K1_DISK_ENV_SIZE];
	struct k1_error e;

	k1_emu_env_free(b);
	if (!k1_emu_read(&b->st, dev, K1_DISK_ENV_OFFSET, buf, sizeof(buf), &e) &&
	    (uint32_t)crc32(0L, buf + 4, sizeof(buf) - 4) == k1_le32(buf)) {
		import_entries(b, (const char *)buf + 4, sizeof(buf) - 4, '\0');
		return;
	}
	for (size_t i = 0; i < sizeof(builtin_env) / sizeof(builtin_env[0]); i++) {
		const char *eq = strchr(builtin_env[i], '=');
		set_n(b, builtin_env[i], (size_t)(eq - builtin_env[i]), eq + 1, strlen(eq + 1));
	}
}

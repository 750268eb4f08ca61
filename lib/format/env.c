/* U-Boot environment images: parse, build (mkenvimage-exact), probe,
 * inspect and verify. */
#include "format/env.h"
#include "base/bytes.h"
#include "format/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ENV_MAX_FILE (16u << 20) /* larger than any plausible CONFIG_ENV_SIZE */
#define ENV_MAX_VARS 65536u      /* kept for listing; a 16 KiB env holds ~5000 */
#define ENV_MAX_REPORTS 16u      /* failed entries listed one by one */

static uint32_t crc_from(const uint8_t *data, size_t len, size_t off)
{
	return (uint32_t)crc32_z(0L, data + off, len - off);
}

/* ---- the look of "name=value\0" data, for probe and layout guessing ---- */

static bool name_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '=';
}

static bool value_char(uint8_t c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

/* Length of a well-formed "name=value\0" entry at d (NUL included), or 0. */
static size_t entry_len(const uint8_t *d, size_t n)
{
	size_t i = 0;

	while (i < n && name_char(d[i]))
		i++;
	if (i == 0 || i >= n || d[i] != '=')
		return 0;
	for (i++; i < n && d[i] && value_char(d[i]); i++)
		;
	return i < n && d[i] == 0 ? i + 1 : 0;
}

/* Two well-formed entries, or one followed by the terminating NUL: text
 * that is an environment even when its CRC is wrong. Binary headers with
 * a corrupted magic do not start with "name=". */
static bool looks_like_vars(const uint8_t *d, size_t n)
{
	size_t a = entry_len(d, n), b;

	if (!a)
		return false;
	if (a < n && d[a] == 0)
		return true;
	b = entry_len(d + a, n - a);
	return b != 0;
}

int k1_env_probe(const uint8_t *data, size_t len)
{
	uint32_t stored;

	if (len < 6 || len > ENV_MAX_FILE)
		return 0;
	stored = k1_le32(data);
	if (crc_from(data, len, 4) == stored || crc_from(data, len, 5) == stored)
		return 1;
	return looks_like_vars(data + 4, len - 4) || looks_like_vars(data + 5, len - 5);
}

/* ---- parsing ---- */

static enum k1_env_layout guess_layout(const uint8_t *data, size_t len, bool *matched)
{
	uint32_t stored = k1_le32(data);

	*matched = true;
	if (crc_from(data, len, 4) == stored)
		return K1_ENV_PLAIN;
	if (len >= 6 && crc_from(data, len, 5) == stored)
		return K1_ENV_REDUNDANT;
	*matched = false;
	/* plain data starts with a name; redundant data with the flags byte */
	if (!looks_like_vars(data + 4, len - 4) && len >= 6 && looks_like_vars(data + 5, len - 5))
		return K1_ENV_REDUNDANT;
	return K1_ENV_PLAIN;
}

static int add_var(struct k1_env *env, const uint8_t *data, size_t start, size_t end,
		   bool terminated)
{
	const uint8_t *eq = memchr(data + start, '=', end - start);
	struct k1_env_var *v;

	if (env->count == ENV_MAX_VARS)
		return 0;
	if (env->count == env->vars_cap) {
		size_t cap = env->vars_cap ? env->vars_cap * 2 : 16;
		v = realloc(env->vars, cap * sizeof(*v));
		if (!v)
			return K1_ENOMEM;
		env->vars = v;
		env->vars_cap = cap;
	}
	v = &env->vars[env->count++];
	v->name = (const char *)data + start;
	v->name_len = eq ? (size_t)(eq - (data + start)) : end - start;
	v->value = eq ? (const char *)eq + 1 : NULL;
	v->value_len = eq ? end - (size_t)(eq + 1 - data) : 0;
	v->offset = start;
	v->terminated = terminated;
	return 0;
}

/* Walk the entries from data_off to the empty one that ends the list. */
static int parse_entries(const uint8_t *data, size_t len, struct k1_env *env)
{
	size_t p = env->data_off;

	while (p < len) {
		const uint8_t *nul;
		size_t end;

		if (data[p] == 0) {
			env->terminated = true;
			p++;
			break;
		}
		nul = memchr(data + p, 0, len - p);
		end = nul ? (size_t)(nul - data) : len;
		if (add_var(env, data, p, end, nul != NULL))
			return K1_ENOMEM;
		p = nul ? end + 1 : len;
	}
	env->used = p - env->data_off;
	for (size_t i = p; i < len; i++)
		if (data[i] != 0xFF && data[i] != 0) {
			env->garbage_off = i;
			break;
		}
	return 0;
}

int k1_env_parse(const uint8_t *data, size_t len, enum k1_env_layout layout, struct k1_env *out,
		 struct k1_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len < 6)
		return k1_err(err, K1_EINVAL,
			      "environment too short: %zu bytes, expected at least 6 "
			      "(CRC-32, then the data)",
			      len);
	out->size = len;
	if (layout == K1_ENV_AUTO) {
		out->layout = guess_layout(data, len, &out->crc_matched);
	} else {
		out->layout = layout;
		out->crc_matched = true;
	}
	out->data_off = out->layout == K1_ENV_REDUNDANT ? 5 : 4;
	out->flags = out->layout == K1_ENV_REDUNDANT ? data[4] : 0;
	out->crc_stored = k1_le32(data);
	out->crc_computed = crc_from(data, len, out->data_off);
	out->crc_ok = out->crc_stored == out->crc_computed;
	if (parse_entries(data, len, out)) {
		k1_env_free(out);
		return k1_err(err, K1_ENOMEM, "out of memory");
	}
	return 0;
}

void k1_env_free(struct k1_env *env)
{
	free(env->vars);
	env->vars = NULL;
	env->count = env->vars_cap = 0;
}

/* ---- building: a port of U-Boot's tools/mkenvimage.c (2023.01) ---- */

static bool line_start(const uint8_t *t, size_t fp)
{
	return fp == 0 || t[fp - 1] == '\n';
}

/* After the data area filled up, only blank lines and comments may remain. */
static bool rest_is_empty(const uint8_t *t, size_t fp, size_t n)
{
	for (; fp < n; fp++) {
		if (t[fp] == '\n')
			continue;
		if (line_start(t, fp) && t[fp] == '#') {
			while (++fp < n && t[fp] != '\n')
				;
			continue;
		}
		return false;
	}
	return true;
}

/* Text -> "name=value\0...\0" in envp[envsize]; returns the bytes used or 0
 * when it does not fit. mkenvimage's quirks kept: a '#' only starts a
 * comment at a line start, and the newline after a comment is consumed. */
static size_t convert_text(const uint8_t *t, size_t n, uint8_t *envp, size_t envsize)
{
	size_t fp, ep = 0;
	uint8_t prev;

	for (fp = 0; fp < n && ep < envsize - 1; fp++) {
		if (t[fp] == '\n') {
			if (line_start(t, fp))
				continue; /* blank line */
			if (t[fp - 1] == '\\' && ep > 0)
				envp[ep - 1] = '\n'; /* "\<newline>": newline in the value */
			else
				envp[ep++] = '\0';
		} else if (line_start(t, fp) && t[fp] == '#') {
			while (++fp < n && t[fp] != '\n')
				;
		} else {
			envp[ep++] = t[fp];
		}
	}
	if (!rest_is_empty(t, fp, n))
		return 0;
	/* mkenvimage looks at the byte before the data when nothing was
	 * written; that byte is zero there, so an empty text gives one NUL */
	prev = ep ? envp[ep - 1] : 0;
	if (prev != 0) {
		envp[ep++] = '\0';
		if (ep >= envsize)
			return 0;
	}
	envp[ep] = '\0';
	return ep + 1;
}

int k1_env_build(const char *text, size_t textlen, size_t env_size, bool redundant,
		 struct k1_buf *out, struct k1_error *err)
{
	size_t hdr = redundant ? 5 : 4, envsize;
	uint8_t *img;

	if (env_size < hdr + 2 || env_size > ENV_MAX_FILE)
		return k1_err(err, K1_EINVAL, "environment size %zu: expected %zu..%u bytes",
			      env_size, hdr + 2, ENV_MAX_FILE);
	envsize = env_size - hdr;
	img = malloc(env_size);
	if (!img)
		return k1_err(err, K1_ENOMEM, "out of memory");
	memset(img, 0, hdr);
	memset(img + hdr, 0xFF, envsize);
	if (!convert_text((const uint8_t *)text, textlen, img + hdr, envsize)) {
		free(img);
		return k1_err(err, K1_ERANGE,
			      "environment text does not fit in %zu bytes (%zu for the data)",
			      env_size, envsize);
	}
	k1_put_le32(img, (uint32_t)crc32_z(0L, img + hdr, envsize));
	if (redundant)
		img[4] = 1; /* ENV_REDUND_ACTIVE, as mkenvimage -r */
	if (k1_buf_append(out, img, env_size)) {
		free(img);
		return k1_err(err, K1_ENOMEM, "out of memory");
	}
	free(img);
	return 0;
}

/* ---- inspect ---- */

/* A JSON string for bytes that may not be UTF-8: invalid bytes become
 * "\xNN" so the text stays readable and the output valid. */
static json_t *bytes_string(const char *p, size_t n)
{
	json_t *s = json_stringn(p, n);
	char *buf, *q;

	if (s)
		return s;
	buf = malloc(n * 4 + 1);
	if (!buf)
		return NULL;
	q = buf;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
			q += sprintf(q, "\\x%02x", c);
		else
			*q++ = (char)c;
	}
	s = json_stringn(buf, (size_t)(q - buf));
	free(buf);
	return s;
}

static json_t *vars_json(const struct k1_env *env)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < env->count; i++) {
		const struct k1_env_var *v = &env->vars[i];
		json_t *row = json_object();
		json_object_set_new(row, "name", bytes_string(v->name, v->name_len));
		json_object_set_new(row, "value",
				    v->value ? bytes_string(v->value, v->value_len) : json_null());
		json_array_append_new(arr, row);
	}
	return arr;
}

static const char *layout_name(enum k1_env_layout l)
{
	return l == K1_ENV_REDUNDANT ? "redundant" : "plain";
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct k1_env env;
	char stored[16], computed[16];
	json_t *o;

	if (k1_env_parse(in->data, in->len, K1_ENV_AUTO, &env, err))
		return k1_err_prefix(err, "%s", in->path ? in->path : "env");
	snprintf(stored, sizeof(stored), "0x%08x", env.crc_stored);
	snprintf(computed, sizeof(computed), "0x%08x", env.crc_computed);
	o = json_pack("{s:s, s:s, s:s, s:b}", "layout", layout_name(env.layout), "crc32", stored,
		      "crc32_computed", computed, "crc_ok", env.crc_ok);
	if (o && env.layout == K1_ENV_REDUNDANT)
		json_object_set_new(o, "flags", json_integer(env.flags));
	if (o) {
		json_object_set_new(o, "data_offset", json_integer((json_int_t)env.data_off));
		json_object_set_new(o, "used", json_integer((json_int_t)env.used));
		json_object_set_new(o, "free",
				    json_integer((json_int_t)(env.size - env.data_off - env.used)));
		json_object_set_new(o, "terminated", json_boolean(env.terminated));
		json_object_set_new(o, "count", json_integer((json_int_t)env.count));
		json_object_set_new(o, "variables", vars_json(&env));
	}
	k1_env_free(&env);
	*out = o;
	return o ? 0 : k1_err(err, K1_ENOMEM, "out of memory");
}

/* ---- verify ---- */

static void check_entries(const struct k1_env *env, struct k1_checks *c)
{
	size_t bad = 0;
	char w[32];

	for (size_t i = 0; i < env->count; i++) {
		const struct k1_env_var *v = &env->vars[i];
		const char *why = !v->terminated ? "runs to the end of the image without a NUL"
				  : !v->value    ? "has no '='"
				  : !v->name_len ? "has an empty name"
						 : NULL;
		if (!why)
			continue;
		if (++bad <= ENV_MAX_REPORTS)
			k1_check_add(c, false, "env.entry",
				     k1_check_off(c, v->offset, w, sizeof(w)),
				     "expected name=value, found an entry of %zu bytes that %s",
				     v->name_len + (v->value ? v->value_len + 1 : 0), why);
	}
	if (bad > ENV_MAX_REPORTS)
		k1_check_add(c, false, "env.entry", "variables", "%zu more malformed entries",
			     bad - ENV_MAX_REPORTS);
	if (!bad)
		k1_check_add(c, true, "env.entry", "variables",
			     "expected name=value entries, found %zu, all well formed", env->count);
}

static int cmp_var(const void *a, const void *b)
{
	const struct k1_env_var *x = *(const struct k1_env_var *const *)a;
	const struct k1_env_var *y = *(const struct k1_env_var *const *)b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int r = memcmp(x->name, y->name, n);

	if (r)
		return r;
	return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

/* U-Boot keeps the last of two entries with one name: a sign of a bad
 * merge of text files. */
static int check_duplicates(const struct k1_env *env, struct k1_checks *c)
{
	const struct k1_env_var **s = malloc((env->count + 1) * sizeof(*s));
	size_t dups = 0;
	char w[32];

	if (!s)
		return K1_ENOMEM;
	for (size_t i = 0; i < env->count; i++)
		s[i] = &env->vars[i];
	qsort(s, env->count, sizeof(*s), cmp_var);
	for (size_t i = 1; i < env->count; i++) {
		if (!s[i]->value || !s[i - 1]->value || cmp_var(&s[i - 1], &s[i]))
			continue;
		if (++dups <= ENV_MAX_REPORTS)
			k1_check_add(c, false, "env.duplicate",
				     k1_check_off(c, s[i]->offset, w, sizeof(w)),
				     "expected each name once, found '%.*s' again (U-Boot keeps "
				     "the last one)",
				     (int)(s[i]->name_len > 64 ? 64 : s[i]->name_len), s[i]->name);
	}
	if (!dups)
		k1_check_add(c, true, "env.duplicate", "variables",
			     "expected each name once, found no duplicates");
	free(s);
	return 0;
}

static void check_header(const struct k1_env *env, struct k1_checks *c)
{
	char w[32];

	k1_check_add(c, env->crc_ok, "env.crc32", k1_check_off(c, 0, w, sizeof(w)),
		     "expected 0x%08x (CRC-32 of bytes 0x%zx-0x%zx, %s layout), found 0x%08x",
		     env->crc_computed, env->data_off, env->size - 1, layout_name(env->layout),
		     env->crc_stored);
	k1_check_add(c, env->size == K1_ENV_SIZE, "env.k1_size", "size",
		     "expected 0x%x bytes (K1 CONFIG_ENV_SIZE: U-Boot checks the CRC over "
		     "that many), found 0x%zx",
		     K1_ENV_SIZE, env->size);
	k1_check_add(c, env->layout == K1_ENV_PLAIN, "env.k1_layout",
		     k1_check_off(c, 4, w, sizeof(w)),
		     "expected the plain layout (K1 U-Boot has no redundant environment), "
		     "found %s%s",
		     layout_name(env->layout),
		     env->layout == K1_ENV_REDUNDANT ? " (a flags byte at 4: U-Boot would read it "
						       "as data and reject the CRC)"
						     : "");
}

static int verify(const struct k1_input *in, const struct k1_verify_opts *opts, struct k1_checks *c,
		  struct k1_error *err)
{
	struct k1_env env;
	char w[32];
	int rc;

	(void)opts;
	if (k1_env_parse(in->data, in->len, K1_ENV_AUTO, &env, err))
		return k1_err_prefix(err, "%s", in->path ? in->path : "env");
	check_header(&env, c);
	check_entries(&env, c);
	rc = check_duplicates(&env, c);
	k1_check_add(
		c, env.terminated, "env.terminator",
		k1_check_off(c, env.data_off + env.used - (env.terminated ? 1 : 0), w, sizeof(w)),
		"expected the list to end with an empty entry (two NULs)%s",
		env.terminated ? "" : ", found none before the end of the image");
	if (env.terminated && env.garbage_off)
		k1_check_add(c, false, "env.padding",
			     k1_check_off(c, env.garbage_off, w, sizeof(w)),
			     "expected only 0xff (or 0x00) padding after the list, found 0x%02x",
			     in->data[env.garbage_off]);
	else if (env.terminated)
		k1_check_add(
			c, true, "env.padding",
			k1_check_off(c, env.data_off + env.used, w, sizeof(w)),
			"expected only 0xff (or 0x00) padding after the list, found clean padding");
	k1_env_free(&env);
	return rc ? k1_err(err, K1_ENOMEM, "out of memory") : 0;
}

static int probe(const uint8_t *data, size_t len)
{
	return k1_env_probe(data, len);
}

const struct k1_format k1_format_env = {
	.name = "env",
	.summary = "U-Boot environment image (CRC-32 + name=value list)",
	.probe = probe,
	.inspect = inspect,
	.verify = verify,
};

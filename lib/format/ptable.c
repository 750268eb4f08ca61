/* Partition-table JSON: parse, resolve (k1fw's byte layout, the vendor
 * U-Boot's KiB rule, U-Boot `gpt write` placement). The format handler
 * (inspect, verify) is in ptable_check.c. */
#include "format/ptable.h"
#include "base/size.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- size strings ---- */

int k1_ptable_parse_size(const char *s, uint64_t *bytes, bool *rest)
{
	*rest = false;
	*bytes = 0;
	if (s && !strcmp(s, "-")) {
		*rest = true;
		return 0;
	}
	return k1_size_parse(s, bytes);
}

uint64_t k1_ptable_vendor_kib(const char *s)
{
	const char *unit, *end;
	uint64_t n;

	if (!s || !*s || s[0] == '-')
		return 0;
	unit = strpbrk(s, "KMG");
	if (!unit || k1_size_number(s, &n, &end, true))
		return 0;
	switch (*unit) {
	case 'M':
		return n > UINT64_MAX >> 10 ? UINT64_MAX : n << 10;
	case 'G':
		return n > UINT64_MAX >> 20 ? UINT64_MAX : n << 20;
	}
	return n;
}

/* ---- JSON fields ---- */

static void problem(struct k1_ptable_part *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct k1_ptable_part *p, const char *fmt, ...)
{
	va_list ap;

	if (p->problem[0])
		return; /* the first one is the one to fix */
	va_start(ap, fmt);
	vsnprintf(p->problem, sizeof(p->problem), fmt, ap);
	va_end(ap);
}

/* A copy of a string member; NULL when absent, null or empty. Other types
 * are a problem, except integers for offset/size (kept as decimal text). */
static int member_str(json_t *obj, const char *key, struct k1_ptable_part *p, char **out)
{
	json_t *v = json_object_get(obj, key);
	char num[32];
	const char *s = NULL;

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		s = json_string_value(v);
	} else if (json_is_integer(v) && json_integer_value(v) >= 0) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		s = num;
		problem(p, "%s is a number: the vendor U-Boot reads only strings (write \"%s\")",
			key, num);
	} else {
		problem(p, "%s: expected a string", key);
		return 0;
	}
	if (!*s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : K1_ENOMEM;
}

static void parse_hidden(json_t *obj, struct k1_ptable_part *p)
{
	json_t *v = json_object_get(obj, "hidden");

	if (!v || json_is_false(v) || json_is_null(v))
		return;
	if (json_is_true(v) || (json_is_string(v) && !strcmp(json_string_value(v), "true")))
		p->hidden = true;
	else if (!json_is_string(v) || strcmp(json_string_value(v), "false"))
		problem(p, "hidden: expected true or false");
}

/* One "(start;end)" of a holes string; *s is moved past it. */
static int parse_hole(const char **s, struct k1_extent *h)
{
	uint64_t v[2];
	const char *p = *s;
	bool rest;

	if (*p++ != '"' || *p++ != '(')
		return K1_EINVAL;
	for (int i = 0; i < 2; i++) {
		char num[40];
		size_t n = strcspn(p, i ? ")" : ";");
		if (n == 0 || n >= sizeof(num) || p[n] != (i ? ')' : ';'))
			return K1_EINVAL;
		memcpy(num, p, n);
		num[n] = '\0';
		if (k1_ptable_parse_size(num, &v[i], &rest) || rest)
			return K1_EINVAL;
		p += n + 1;
	}
	if (*p++ != '"')
		return K1_EINVAL;
	h->start = v[0];
	h->end = v[1];
	*s = p;
	return 0;
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* genimage syntax, pasted verbatim by gen_imgcfg: {"(80;512)", ...}. */
static int parse_holes(struct k1_ptable_part *p)
{
	const char *s = skip_ws(p->holes_str);
	struct k1_extent h, *n;

	if (*s++ != '{')
		return K1_EINVAL;
	for (s = skip_ws(s); *s != '}'; s = skip_ws(s)) {
		if (parse_hole(&s, &h) || h.start >= h.end)
			return K1_EINVAL;
		n = realloc(p->holes, (p->nholes + 1) * sizeof(*n));
		if (!n)
			return K1_ENOMEM;
		p->holes = n;
		p->holes[p->nholes++] = h;
		s = skip_ws(s);
		if (*s == ',')
			s++;
		else if (*s != '}')
			return K1_EINVAL;
	}
	return *skip_ws(s + 1) ? K1_EINVAL : 0;
}

static int parse_part(json_t *obj, enum k1_ptable_kind kind, struct k1_ptable_part *p)
{
	static const char *const keys[] = {"name",  "offset",   "size", "image",
					   "holes", "compress", "type", "comment"};
	char **dst[] = {&p->name,      &p->offset_str, &p->size_str, &p->image,
			&p->holes_str, &p->compress,   &p->type,     &p->comment};
	int rc;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (member_str(obj, keys[i], p, dst[i]))
			return K1_ENOMEM;
	if (!p->name)
		problem(p, "no name: expected a non-empty string");
	if (!p->size_str)
		problem(p, "no size: expected e.g. \"256K\" or \"-\"");
	parse_hidden(obj, p);
	if (p->holes_str && (rc = parse_holes(p))) {
		if (rc == K1_ENOMEM)
			return rc;
		problem(p, "holes '%s': expected {\"(START;END)\", ...} with START < END",
			p->holes_str);
	}
	p->bootinfo = p->name && !strncmp(p->name, "bootinfo", 8);
	p->in_table =
		kind == K1_PTABLE_MTD || (kind == K1_PTABLE_GPT && !p->hidden && !p->bootinfo);
	return 0;
}

/* ---- resolution ---- */

/* k1fw's layout: byte units; a missing offset continues after the
 * previous entry (unknown after a '-' one). */
static void resolve_bytes(struct k1_ptable *pt)
{
	uint64_t cur = 0;
	bool known = true;

	for (size_t i = 0; i < pt->count; i++) {
		struct k1_ptable_part *p = &pt->parts[i];
		bool rest;

		if (p->offset_str) {
			p->offset_known =
				!k1_ptable_parse_size(p->offset_str, &p->offset, &rest) && !rest;
			if (!p->offset_known)
				problem(p,
					"offset '%s': expected a number with an optional unit "
					"B, K, M or G",
					p->offset_str);
		} else {
			p->offset = cur;
			p->offset_known = known;
			if (!known)
				problem(p, "no offset, and the partition before it has no end "
					   "(size '-' or unreadable)");
		}
		if (p->size_str) {
			p->size_known = !k1_ptable_parse_size(p->size_str, &p->size, &p->rest);
			if (!p->size_known)
				problem(p,
					"size '%s': expected a number with an optional unit "
					"B, K, M or G, or '-'",
					p->size_str);
		}
		known = p->offset_known && p->size_known && !p->rest &&
			p->size <= UINT64_MAX - p->offset;
		if (p->offset_known && p->size_known && !p->rest && !known)
			problem(p, "offset + size overflows 64 bits");
		cur = known ? p->offset + p->size : 0;
		for (size_t h = 0; h < p->nholes && known; h++)
			if (p->holes[h].end > p->size)
				problem(p, "hole (%llu;%llu) ends after the partition (%llu bytes)",
					(unsigned long long)p->holes[h].start,
					(unsigned long long)p->holes[h].end,
					(unsigned long long)p->size);
	}
}

/* fb_spacemit.c: `if (off > 0 && off < cur) FAIL; if (off > 0) cur = off;
 * entry = cur; cur += size` in KiB. */
static void resolve_vendor(struct k1_ptable *pt)
{
	uint64_t cur = 0;

	for (size_t i = 0; i < pt->count; i++) {
		struct k1_ptable_part *p = &pt->parts[i];
		uint64_t off = k1_ptable_vendor_kib(p->offset_str);
		uint64_t size = k1_ptable_vendor_kib(p->size_str);

		p->vendor_backwards = off > 0 && off < cur;
		if (off > 0)
			cur = off;
		p->vendor_offset = cur > UINT64_MAX >> 10 ? UINT64_MAX : cur << 10;
		cur = size > UINT64_MAX - cur ? UINT64_MAX : cur + size;
	}
}

/* U-Boot `gpt write` on the entries fb_spacemit passes (start= only when
 * the table gives an offset; 0 means "after the previous one"). */
static void resolve_gpt(struct k1_ptable *pt)
{
	uint64_t lba = K1_GPT_FIRST_LBA;
	bool known = true;

	if (pt->kind != K1_PTABLE_GPT)
		return;
	for (size_t i = 0; i < pt->count; i++) {
		struct k1_ptable_part *p = &pt->parts[i];
		uint64_t start = 0;
		bool rest;

		if (!p->in_table)
			continue;
		if (p->offset_str && k1_ptable_parse_size(p->offset_str, &start, &rest))
			known = false;
		p->gpt_known = start ? true : known;
		p->gpt_offset = start ? start / K1_SECTOR * K1_SECTOR : lba * K1_SECTOR;
		known = p->gpt_known && p->size_known && !p->rest &&
			p->size / K1_SECTOR <= UINT64_MAX / K1_SECTOR - p->gpt_offset / K1_SECTOR;
		lba = known ? p->gpt_offset / K1_SECTOR + p->size / K1_SECTOR : 0;
	}
}

static bool detect_device_map(const struct k1_ptable *pt)
{
	if (pt->count < 2)
		return false;
	for (size_t i = 0; i < pt->count; i++) {
		const struct k1_ptable_part *p = &pt->parts[i];
		if (!p->offset_str || !p->offset_known || p->offset || !p->rest)
			return false;
	}
	return true;
}

/* ---- the whole table ---- */

static char *str_member(json_t *root, const char *key)
{
	json_t *v = json_object_get(root, key);
	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int parse_root(json_t *root, const char *name, struct k1_ptable *out, struct k1_error *err)
{
	json_t *parts = json_object_get(root, "partitions"), *obj;
	size_t i;

	if (!json_is_array(parts))
		return k1_err(err, K1_EINVAL, "%s: expected a \"partitions\" array", name);
	if (json_array_size(parts) > K1_PTABLE_MAX)
		return k1_err(err, K1_EINVAL, "%s: %zu partitions, more than %d", name,
			      json_array_size(parts), K1_PTABLE_MAX);
	out->version = str_member(root, "version");
	out->format = str_member(root, "format");
	/* U-Boot compares 3 characters (strncmp) */
	out->kind = out->format && !strncmp(out->format, "gpt", 3)   ? K1_PTABLE_GPT
		    : out->format && !strncmp(out->format, "mtd", 3) ? K1_PTABLE_MTD
								     : K1_PTABLE_UNKNOWN;
	out->parts = calloc(json_array_size(parts) + 1, sizeof(*out->parts));
	if (!out->parts)
		return k1_err(err, K1_ENOMEM, "out of memory");
	json_array_foreach(parts, i, obj)
	{
		if (!json_is_object(obj))
			return k1_err(err, K1_EINVAL, "%s: partitions[%zu]: expected an object",
				      name, i);
		out->count++;
		if (parse_part(obj, out->kind, &out->parts[i]))
			return k1_err(err, K1_ENOMEM, "out of memory");
	}
	return 0;
}

int k1_ptable_parse(const char *text, size_t len, const char *name, struct k1_ptable *out,
		    struct k1_error *err)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!name)
		name = "partition table";
	root = json_loadb(text, len, 0, &jerr);
	if (!root)
		return k1_err(err, K1_EINVAL, "%s: line %d: %s", name, jerr.line, jerr.text);
	rc = json_is_object(root) ? parse_root(root, name, out, err)
				  : k1_err(err, K1_EINVAL, "%s: expected a JSON object", name);
	json_decref(root);
	if (rc) {
		k1_ptable_free(out);
		return rc;
	}
	resolve_bytes(out);
	resolve_vendor(out);
	resolve_gpt(out);
	out->device_map = detect_device_map(out);
	for (size_t i = 0; i < out->count; i++)
		out->problems += out->parts[i].problem[0] != '\0';
	return 0;
}

void k1_ptable_free(struct k1_ptable *pt)
{
	for (size_t i = 0; pt->parts && i < pt->count; i++) {
		struct k1_ptable_part *p = &pt->parts[i];
		free(p->name);
		free(p->offset_str);
		free(p->size_str);
		free(p->image);
		free(p->holes_str);
		free(p->compress);
		free(p->type);
		free(p->comment);
		free(p->holes);
	}
	free(pt->parts);
	free(pt->version);
	free(pt->format);
	memset(pt, 0, sizeof(*pt));
}

const struct k1_ptable_part *k1_ptable_find(const struct k1_ptable *pt, const char *name)
{
	for (size_t i = 0; i < pt->count; i++)
		if (pt->parts[i].name && !strcmp(pt->parts[i].name, name))
			return &pt->parts[i];
	return NULL;
}

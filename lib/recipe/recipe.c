/* The vendor recipe language (build_binary_file.py), spec §4, research §3.
 *
 * Like the vendor script, the recipe is evaluated twice with one registry
 * (name -> bytes) kept across the passes, and the second pass is the
 * output; so forward references see first-pass values. Unlike it, anything
 * the script would silently mangle (a value wider than its field, a missing
 * file, a key it would generate) is an error naming the recipe, the item
 * path and the problem; and nothing is ever written.
 *
 * This file holds the context, the registry, sources, item attributes and
 * the recipe walk; recipe_crypto.c the file/pubkey/hash/signature items,
 * recipe_struct.c the structure item. */
#include "recipe/recipe_ctx.h"

#include "base/crypto.h"
#include "base/fileio.h"

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

const char *rcp_show(struct qbuf *b, struct k1_str s, bool quoted)
{
	size_t i, n = 0;

	if (quoted)
		b->s[n++] = '"';
	for (i = 0; i < s.n && n < sizeof(b->s) - 8; i++) {
		unsigned char ch = (unsigned char)s.p[i];
		if (ch < 0x20 || ch == 0x7F || (quoted && (ch == '"' || ch == '\\')))
			n += (size_t)snprintf(b->s + n, 5,
					      ch == '"' || ch == '\\' ? "\\%c" : "\\x%02x", ch);
		else
			b->s[n++] = (char)ch;
	}
	if (i < s.n) {
		while (n > 1 && ((unsigned char)b->s[n - 1] & 0xC0) == 0x80)
			n--; /* do not cut a UTF-8 character in half */
		if (n > 1 && (unsigned char)b->s[n - 1] >= 0xC0)
			n--;
		memcpy(b->s + n, "...", 3);
		n += 3;
	}
	if (quoted)
		b->s[n++] = '"';
	b->s[n] = '\0';
	return b->s;
}

const char *rcp_quote(struct qbuf *b, struct k1_str s)
{
	return rcp_show(b, s, true);
}

const char *rcp_quotez(struct qbuf *b, const char *s)
{
	return rcp_quote(b, k1_str_of(s));
}

int rcp_fail(struct ctx *c, int code, const char *fmt, ...)
{
	char msg[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->pathlen)
		return k1_err(c->err, code, "%s: %s: %s", c->recipe, c->path, msg);
	return k1_err(c->err, code, "%s: %s", c->recipe, msg);
}

/* Re-raise an error from a lower layer with the recipe context. */
int rcp_fail_wrap(struct ctx *c, int code, const char *what)
{
	char inner[sizeof(c->err->msg)];

	snprintf(inner, sizeof(inner), "%s", c->err ? c->err->msg : "");
	return rcp_fail(c, code, "%s: %s", what, inner);
}

size_t rcp_path_push(struct ctx *c, const char *fmt, ...)
{
	size_t old = c->pathlen, room = sizeof(c->path) - old;
	va_list ap;
	int n = 0;

	if (room > 2) {
		if (old)
			c->path[old + n++] = ' ';
		va_start(ap, fmt);
		vsnprintf(c->path + old + n, room - (size_t)n, fmt, ap);
		va_end(ap);
		c->pathlen = old + strlen(c->path + old);
	}
	return old;
}

void rcp_path_pop(struct ctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

int rcp_check_size(struct ctx *c, size_t len)
{
	if (len > c->max_size)
		return rcp_fail(c, K1_ERANGE, "%zu bytes: larger than the %zu-byte limit", len,
				c->max_size);
	return 0;
}

int rcp_nomem(struct ctx *c)
{
	return rcp_fail(c, K1_ENOMEM, "out of memory");
}

/* ---- the registry ---- */

struct entry *rcp_reg_find(struct ctx *c, struct k1_str name)
{
	size_t i;

	for (i = 0; i < c->nreg; i++)
		if (k1_str_eq(name, c->reg[i].name))
			return &c->reg[i];
	return NULL;
}

/* Register (or replace) name: a copy of data, and key (owned from now). */
int rcp_reg_put(struct ctx *c, struct k1_str name, const struct k1_buf *data, struct k1_key *key)
{
	struct entry *e = rcp_reg_find(c, name);

	if (!e) {
		if (c->nreg == c->capreg) {
			size_t cap = c->capreg ? 2 * c->capreg : 16;
			struct entry *r = realloc(c->reg, cap * sizeof(*r));
			if (!r) {
				k1_key_free(key);
				return rcp_nomem(c);
			}
			c->reg = r;
			c->capreg = cap;
		}
		e = &c->reg[c->nreg];
		memset(e, 0, sizeof(*e));
		e->name = strndup(name.p, name.n);
		if (!e->name) {
			k1_key_free(key);
			return rcp_nomem(c);
		}
		c->nreg++;
	}
	e->data.len = 0;
	k1_key_free(e->key);
	e->key = key;
	e->fresh = c->pass == 2;
	if (data && k1_buf_append(&e->data, data->data, data->len))
		return rcp_nomem(c);
	return 0;
}

static void reg_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nreg; i++) {
		free(c->reg[i].name);
		k1_buf_free(&c->reg[i].data);
		k1_key_free(c->reg[i].key);
	}
	free(c->reg);
	for (i = 0; i < c->nrefs; i++) {
		free(c->refs[i].name);
		free(c->refs[i].where);
	}
	free(c->refs);
}

static int note_fwdref(struct ctx *c, const struct entry *e, bool length_only)
{
	struct fwdref *r;
	size_t dlen;

	for (size_t i = 0; i < c->nrefs; i++)
		if (!strcmp(c->refs[i].name, e->name) && !strcmp(c->refs[i].where, c->path))
			return 0; /* "a + a": one warning is enough */
	if (c->nrefs == c->caprefs) {
		size_t cap = c->caprefs ? 2 * c->caprefs : 8;
		struct fwdref *p = realloc(c->refs, cap * sizeof(*p));
		if (!p)
			return rcp_nomem(c);
		c->refs = p;
		c->caprefs = cap;
	}
	r = &c->refs[c->nrefs];
	memset(r, 0, sizeof(*r));
	r->name = strdup(e->name);
	r->where = strdup(c->path);
	if (!r->name || !r->where) {
		free(r->name);
		free(r->where);
		return rcp_nomem(c);
	}
	c->nrefs++;
	r->len = e->data.len;
	r->length_only = length_only;
	if (!length_only &&
	    k1_digest("sha256", e->data.data, e->data.len, r->digest, &dlen, c->err))
		return rcp_fail_wrap(c, K1_ECRYPTO, "digest");
	return 0;
}

/* Look name up as an item's bytes: 1 found (*out set), 0 not registered,
 * < 0 error. Second-pass uses of first-pass values are remembered. */
int rcp_reg_data(struct ctx *c, struct k1_str name, bool length_only, const struct entry **out)
{
	struct entry *e = rcp_reg_find(c, name);
	struct qbuf q;

	if (!e)
		return 0;
	if (e->key)
		return rcp_fail(c, K1_EINVAL, "%s is the key of a pubkey item, not an item's bytes",
				rcp_quote(&q, name));
	if (c->pass == 2 && !e->fresh) {
		int rc = note_fwdref(c, e, length_only);
		if (rc)
			return rc;
	}
	*out = e;
	return 1;
}

static void warn_fwdrefs(struct ctx *c)
{
	char msg[1200];
	struct qbuf q;
	size_t i;

	for (i = 0; i < c->nrefs && c->opts && c->opts->warn; i++) {
		const struct fwdref *r = &c->refs[i];
		const struct entry *e = rcp_reg_find(c, k1_str_of(r->name));
		uint8_t d[64];
		size_t dlen;

		if (!e || e->key)
			continue;
		if (e->data.len == r->len &&
		    (r->length_only ||
		     (!k1_digest("sha256", e->data.data, e->data.len, d, &dlen, NULL) &&
		      !memcmp(d, r->digest, dlen))))
			continue;
		snprintf(msg, sizeof(msg),
			 "%s: %s: forward reference to %s took its first-pass value (%zu bytes), "
			 "which differs from its final value (%zu bytes); the vendor script builds "
			 "the same bytes",
			 c->recipe, r->where, rcp_quotez(&q, r->name), r->len, e->data.len);
		c->opts->warn(c->opts->warn_ctx, msg);
	}
}

/* ---- sources: registered names first, else files beside the recipe ---- */

/* 1 read, 0 no such regular file, < 0 error. */
static int read_source_file(struct ctx *c, struct k1_str tok, struct k1_buf *data)
{
	char name[4096], path[4096];
	struct qbuf q;
	struct stat st;

	if (tok.n >= sizeof(name))
		return rcp_fail(c, K1_ERANGE, "source %s: name too long", rcp_quote(&q, tok));
	memcpy(name, tok.p, tok.n);
	name[tok.n] = '\0';
	if (k1_path_join(path, sizeof(path), c->base_dir, name, c->err))
		return rcp_fail_wrap(c, K1_ERANGE, "source");
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if ((uint64_t)st.st_size > c->max_size)
		return rcp_fail(c, K1_ERANGE,
				"source %s: %lld bytes, larger than the %zu-byte limit", path,
				(long long)st.st_size, c->max_size);
	if (c->opts && c->opts->on_file && c->opts->on_file(c->opts->file_ctx, path, c->err))
		return K1_EINVAL;
	if (k1_read_file(path, data, c->err))
		return rcp_fail_wrap(c, K1_EIO, "source");
	return 1;
}

int rcp_collect_sources(struct ctx *c, const char *source, struct k1_buf *data)
{
	struct k1_split sp;
	struct k1_str tok;
	struct qbuf q, q2;

	if (!source)
		return 0;
	k1_split_init(&sp, k1_str_of(source));
	while (k1_split_next(&sp, '+', &tok)) {
		const struct entry *e;
		int rc;

		if (!tok.n)
			return rcp_fail(c, K1_EINVAL, "source %s has an empty name",
					rcp_quotez(&q, source));
		rc = rcp_reg_data(c, tok, false, &e);
		if (rc == 1 && k1_buf_append(data, e->data.data, e->data.len))
			return rcp_nomem(c);
		if (rc == 0)
			rc = read_source_file(c, tok, data);
		if (rc < 0)
			return rc;
		if (rc == 0 && c->pass == 2)
			return rcp_fail(c, K1_EIO, "source %s: no item or file named %s (in %s)",
					rcp_quotez(&q, source), rcp_quote(&q2, tok), c->base_dir);
		if ((rc = rcp_check_size(c, data->len)) != 0)
			return rc;
	}
	return 0;
}

/* ---- item attributes ---- */

static bool in_list(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(key, *list))
			return true;
	return false;
}

/* "name, source, align" for messages, into buf (64 bytes). */
static const char *allowed_list(const char *const *list, char *buf)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *list; list++)
		n += (size_t)snprintf(buf + n, 64 - n, "%s%s", n ? ", " : "", *list);
	return buf;
}

static int attr_value(struct ctx *c, struct attrs *a, const char *key, json_t *v)
{
	const char **slot = !strcmp(key, "name")        ? &a->name
			    : !strcmp(key, "algorithm") ? &a->algorithm
			    : !strcmp(key, "source")    ? &a->source
			    : !strcmp(key, "key")       ? &a->key
							: NULL;

	if (slot) {
		if (!json_is_string(v))
			return rcp_fail(c, K1_EINVAL, "%s must be a string", key);
		*slot = json_string_value(v);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return rcp_fail(c, K1_EINVAL, "align must be a non-negative integer");
	if ((uint64_t)json_integer_value(v) > c->max_size)
		return rcp_fail(c, K1_ERANGE, "align %lld is larger than the %zu-byte limit",
				(long long)json_integer_value(v), c->max_size);
	a->align = (size_t)json_integer_value(v);
	return 0;
}

int rcp_parse_attrs(struct ctx *c, json_t *spec, const char *const *allowed, struct attrs *a)
{
	const char *key;
	json_t *v;
	struct qbuf q;
	char list[64];

	if (!json_is_object(spec))
		return rcp_fail(c, K1_EINVAL, "must be an object of attributes");
	json_object_foreach(spec, key, v)
	{
		int rc;

		if (key[0] == '_')
			continue;
		if (!in_list(key, allowed))
			return rcp_fail(c, K1_EINVAL, "unknown attribute %s (allowed: %s)",
					rcp_quotez(&q, key), allowed_list(allowed, list));
		if ((rc = attr_value(c, a, key, v)) != 0)
			return rc;
	}
	return 0;
}

/* Align, register under the item's name, append to the output. */
int rcp_finish_item(struct ctx *c, const struct attrs *a, struct k1_buf *data, struct k1_buf *out)
{
	int rc;

	if (k1_buf_align(data, a->align))
		return rcp_nomem(c);
	if ((rc = rcp_check_size(c, data->len)) != 0 ||
	    (rc = rcp_reg_put(c, k1_str_of(a->name), data, NULL)) != 0)
		return rc;
	if (k1_buf_append(out, data->data, data->len))
		return rcp_nomem(c);
	return 0;
}

/* ---- items, modules, the recipe ---- */

static const struct item_type {
	const char *name;
	int (*build)(struct ctx *c, json_t *spec, struct k1_buf *out);
} item_types[] = {
	{"structure", rcp_build_structure}, {"file", rcp_build_file},
	{"pubkey", rcp_build_pubkey},       {"hash", rcp_build_hash},
	{"signature", rcp_build_signature},
};

/* An item object: every key (in order) is an item type to build. */
int rcp_run_item(struct ctx *c, json_t *obj, struct k1_buf *out)
{
	const char *key;
	json_t *v;
	struct qbuf q;

	json_object_foreach(obj, key, v)
	{
		const struct item_type *t = NULL;
		size_t i, old;
		int rc;

		if (key[0] == '_')
			continue;
		for (i = 0; i < sizeof(item_types) / sizeof(item_types[0]); i++)
			if (!strcmp(key, item_types[i].name))
				t = &item_types[i];
		if (!t)
			return rcp_fail(
				c, K1_EINVAL,
				"unknown item type %s (structure, file, pubkey, hash or signature)",
				rcp_quotez(&q, key));
		old = t->build == rcp_build_structure ? c->pathlen : rcp_path_push(c, "%s", key);
		rc = t->build(c, v, out);
		rcp_path_pop(c, old);
		if (rc)
			return rc;
	}
	return 0;
}

static int check_module(struct ctx *c, json_t *m, json_t **data, const char **name)
{
	const char *key;
	json_t *v;
	struct qbuf q;

	if (!json_is_object(m))
		return rcp_fail(c, K1_EINVAL, "must be an object with \"module\" and \"data\"");
	json_object_foreach(m, key, v)
	{
		if (key[0] != '_' && strcmp(key, "module") && strcmp(key, "data"))
			return rcp_fail(c, K1_EINVAL, "unknown key %s (module, data)",
					rcp_quotez(&q, key));
	}
	v = json_object_get(m, "module");
	if (!json_is_string(v))
		return rcp_fail(c, K1_EINVAL, "\"module\" must be present and a string");
	*name = json_string_value(v);
	*data = json_object_get(m, "data");
	if (!json_is_array(*data))
		return rcp_fail(c, K1_EINVAL, "module %s: \"data\" must be present and a list",
				rcp_quotez(&q, *name));
	return 0;
}

static int run_module(struct ctx *c, size_t index, json_t *m, struct k1_buf *out)
{
	const char *name = "";
	json_t *data = NULL, *item;
	struct qbuf q;
	size_t j, old = rcp_path_push(c, "image[%zu]", index), old2;
	int rc = check_module(c, m, &data, &name);

	if (!rc)
		rcp_path_push(c, "(%s)", rcp_show(&q, k1_str_of(name), false));
	json_array_foreach(data, j, item)
	{
		if (rc)
			break;
		old2 = rcp_path_push(c, "data[%zu]", j);
		if (!json_is_object(item))
			rc = rcp_fail(c, K1_EINVAL,
				      "must be an item object such as {\"structure\": [...]}");
		else if ((rc = rcp_run_item(c, item, out)) == 0)
			rc = rcp_check_size(c, out->len);
		rcp_path_pop(c, old2);
	}
	rcp_path_pop(c, old);
	return rc;
}

static int run_pass(struct ctx *c, json_t *image, struct k1_buf *out)
{
	size_t i;
	json_t *m;
	int rc;

	json_array_foreach(image, i, m)
	{
		if ((rc = run_module(c, i, m, out)) != 0)
			return rc;
	}
	return 0;
}

static int check_top(struct ctx *c, json_t *root, json_t **image)
{
	const char *key;
	json_t *v;
	struct qbuf q;

	if (!json_is_object(root))
		return rcp_fail(c, K1_EINVAL, "the recipe must be a JSON object");
	json_object_foreach(root, key, v)
	{
		if (key[0] != '_' && strcmp(key, "info") && strcmp(key, "image"))
			return rcp_fail(c, K1_EINVAL, "unknown top-level key %s (info, image)",
					rcp_quotez(&q, key));
	}
	v = json_object_get(root, "info");
	if (v && !json_is_object(v))
		return rcp_fail(c, K1_EINVAL, "\"info\" must be an object");
	*image = json_object_get(root, "image");
	if (!*image)
		return rcp_fail(c, K1_EINVAL, "no \"image\" list");
	if (!json_is_array(*image))
		return rcp_fail(c, K1_EINVAL, "\"image\" must be a list of modules");
	return 0;
}

static int build(struct ctx *c, json_t *root, struct k1_buf *out)
{
	struct k1_buf scratch = K1_BUF_INIT, result = K1_BUF_INIT;
	json_t *image = NULL;
	int rc = check_top(c, root, &image);

	if (!rc) {
		c->pass = 1;
		rc = run_pass(c, image, &scratch);
	}
	if (!rc) {
		c->pass = 2;
		rc = run_pass(c, image, &result);
	}
	if (!rc) {
		warn_fwdrefs(c);
		if (k1_buf_append(out, result.data, result.len))
			rc = rcp_nomem(c);
	}
	k1_buf_free(&scratch);
	k1_buf_free(&result);
	return rc;
}

int k1_recipe_build_text(const char *text, size_t len, const char *name, const char *base_dir,
			 const struct k1_recipe_opts *opts, struct k1_buf *out,
			 struct k1_error *err)
{
	struct ctx c;
	json_error_t je;
	json_t *root;
	int rc;

	memset(&c, 0, sizeof(c));
	c.recipe = name ? name : "recipe";
	c.base_dir = base_dir ? base_dir : ".";
	c.opts = opts;
	c.max_size = opts && opts->max_size ? opts->max_size : K1_RECIPE_MAX_SIZE;
	c.err = err;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return k1_err(err, K1_EINVAL, "%s:%d:%d: malformed JSON: %s", c.recipe, je.line,
			      je.column, je.text);
	rc = build(&c, root, out);
	reg_free(&c);
	json_decref(root);
	return rc;
}

int k1_recipe_build_file(const char *path, const struct k1_recipe_opts *opts, struct k1_buf *out,
			 struct k1_error *err)
{
	struct k1_buf text = K1_BUF_INIT;
	char dir[4096];
	int rc;

	if ((rc = k1_read_file(path, &text, err)) != 0)
		return rc;
	k1_dirname(dir, sizeof(dir), path);
	rc = k1_recipe_build_text((const char *)text.data, text.len, path, dir, opts, out, err);
	k1_buf_free(&text);
	return rc;
}

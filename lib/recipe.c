/* The vendor recipe language (build_binary_file.py), spec §4, research §3.
 *
 * Like the vendor script, the recipe is evaluated twice with one registry
 * (name -> bytes) kept across the passes, and the second pass is the
 * output; so forward references see first-pass values. Unlike it, anything
 * the script would silently mangle (a value wider than its field, a missing
 * file, a key it would generate) is an error naming the recipe, the item
 * path and the problem; and nothing is ever written. */
#include "recipe.h"

#include "crypto.h"
#include "fileio.h"
#include "recipe_value.h"

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* One registry entry: an item's bytes, or (key != NULL) the key a pubkey
 * item registers as "<name>_key" for signature items. */
struct entry {
	char *name;
	struct k1_buf data;
	struct k1_key *key;
	bool fresh; /* (re)built during the second pass */
};

/* A second-pass use of a name not yet rebuilt in that pass. */
struct fwdref {
	char *name;
	char *where;
	size_t len;
	uint8_t digest[64];
	bool length_only;
};

struct ctx {
	const char *recipe;
	const char *base_dir;
	const struct k1_recipe_opts *opts;
	size_t max_size;
	int pass;
	struct entry *reg;
	size_t nreg, capreg;
	struct fwdref *refs;
	size_t nrefs, caprefs;
	char path[768];
	size_t pathlen;
	struct k1_error *err;
};

/* User text shown in messages: quoted, control characters escaped, cut. */
struct qbuf {
	char s[112];
};

static const char *show(struct qbuf *b, struct k1_str s, bool quoted)
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

static const char *quote(struct qbuf *b, struct k1_str s)
{
	return show(b, s, true);
}

static const char *quotez(struct qbuf *b, const char *s)
{
	return quote(b, k1_str_of(s));
}

static int fail(struct ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int code, const char *fmt, ...)
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
static int fail_wrap(struct ctx *c, int code, const char *what)
{
	char inner[sizeof(c->err->msg)];

	snprintf(inner, sizeof(inner), "%s", c->err ? c->err->msg : "");
	return fail(c, code, "%s: %s", what, inner);
}

static size_t path_push(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(struct ctx *c, const char *fmt, ...)
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

static void path_pop(struct ctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

static int check_size(struct ctx *c, size_t len)
{
	if (len > c->max_size)
		return fail(c, K1_ERANGE, "%zu bytes: larger than the %zu-byte limit", len,
		            c->max_size);
	return 0;
}

static int nomem(struct ctx *c)
{
	return fail(c, K1_ENOMEM, "out of memory");
}

/* ---- the registry ---- */

static struct entry *reg_find(struct ctx *c, struct k1_str name)
{
	size_t i;

	for (i = 0; i < c->nreg; i++)
		if (k1_str_eq(name, c->reg[i].name))
			return &c->reg[i];
	return NULL;
}

/* Register (or replace) name: a copy of data, and key (owned from now). */
static int reg_put(struct ctx *c, struct k1_str name, const struct k1_buf *data, struct k1_key *key)
{
	struct entry *e = reg_find(c, name);

	if (!e) {
		if (c->nreg == c->capreg) {
			size_t cap = c->capreg ? 2 * c->capreg : 16;
			struct entry *r = realloc(c->reg, cap * sizeof(*r));
			if (!r) {
				k1_key_free(key);
				return nomem(c);
			}
			c->reg = r;
			c->capreg = cap;
		}
		e = &c->reg[c->nreg];
		memset(e, 0, sizeof(*e));
		e->name = strndup(name.p, name.n);
		if (!e->name) {
			k1_key_free(key);
			return nomem(c);
		}
		c->nreg++;
	}
	e->data.len = 0;
	k1_key_free(e->key);
	e->key = key;
	e->fresh = c->pass == 2;
	if (data && k1_buf_append(&e->data, data->data, data->len))
		return nomem(c);
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
			return nomem(c);
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
		return nomem(c);
	}
	c->nrefs++;
	r->len = e->data.len;
	r->length_only = length_only;
	if (!length_only &&
	    k1_digest("sha256", e->data.data, e->data.len, r->digest, &dlen, c->err))
		return fail_wrap(c, K1_ECRYPTO, "digest");
	return 0;
}

/* Look name up as an item's bytes: 1 found (*out set), 0 not registered,
 * < 0 error. Second-pass uses of first-pass values are remembered. */
static int reg_data(struct ctx *c, struct k1_str name, bool length_only, const struct entry **out)
{
	struct entry *e = reg_find(c, name);
	struct qbuf q;

	if (!e)
		return 0;
	if (e->key)
		return fail(c, K1_EINVAL, "%s is the key of a pubkey item, not an item's bytes",
		            quote(&q, name));
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
		const struct entry *e = reg_find(c, k1_str_of(r->name));
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
		         c->recipe, r->where, quotez(&q, r->name), r->len, e->data.len);
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
		return fail(c, K1_ERANGE, "source %s: name too long", quote(&q, tok));
	memcpy(name, tok.p, tok.n);
	name[tok.n] = '\0';
	if (k1_path_join(path, sizeof(path), c->base_dir, name, c->err))
		return fail_wrap(c, K1_ERANGE, "source");
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if ((uint64_t)st.st_size > c->max_size)
		return fail(c, K1_ERANGE, "source %s: %lld bytes, larger than the %zu-byte limit",
		            path, (long long)st.st_size, c->max_size);
	if (k1_read_file(path, data, c->err))
		return fail_wrap(c, K1_EIO, "source");
	return 1;
}

static int collect_sources(struct ctx *c, const char *source, struct k1_buf *data)
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
			return fail(c, K1_EINVAL, "source %s has an empty name",
			            quotez(&q, source));
		rc = reg_data(c, tok, false, &e);
		if (rc == 1 && k1_buf_append(data, e->data.data, e->data.len))
			return nomem(c);
		if (rc == 0)
			rc = read_source_file(c, tok, data);
		if (rc < 0)
			return rc;
		if (rc == 0 && c->pass == 2)
			return fail(c, K1_EIO, "source %s: no item or file named %s (in %s)",
			            quotez(&q, source), quote(&q2, tok), c->base_dir);
		if ((rc = check_size(c, data->len)) != 0)
			return rc;
	}
	return 0;
}

/* ---- item attributes ---- */

struct attrs {
	const char *name;
	const char *algorithm; /* NULL: absent */
	const char *source;    /* NULL: absent */
	const char *key;
	size_t align;
};

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
			return fail(c, K1_EINVAL, "%s must be a string", key);
		*slot = json_string_value(v);
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return fail(c, K1_EINVAL, "align must be a non-negative integer");
	if ((uint64_t)json_integer_value(v) > c->max_size)
		return fail(c, K1_ERANGE, "align %lld is larger than the %zu-byte limit",
		            (long long)json_integer_value(v), c->max_size);
	a->align = (size_t)json_integer_value(v);
	return 0;
}

static int parse_attrs(struct ctx *c, json_t *spec, const char *const *allowed, struct attrs *a)
{
	const char *key;
	json_t *v;
	struct qbuf q;
	char list[64];

	if (!json_is_object(spec))
		return fail(c, K1_EINVAL, "must be an object of attributes");
	json_object_foreach(spec, key, v) {
		int rc;

		if (key[0] == '_')
			continue;
		if (!in_list(key, allowed))
			return fail(c, K1_EINVAL, "unknown attribute %s (allowed: %s)",
			            quotez(&q, key), allowed_list(allowed, list));
		if ((rc = attr_value(c, a, key, v)) != 0)
			return rc;
	}
	return 0;
}

/* Align, register under the item's name, append to the output. */
static int finish_item(struct ctx *c, const struct attrs *a, struct k1_buf *data,
                       struct k1_buf *out)
{
	int rc;

	if (k1_buf_align(data, a->align))
		return nomem(c);
	if ((rc = check_size(c, data->len)) != 0 ||
	    (rc = reg_put(c, k1_str_of(a->name), data, NULL)) != 0)
		return rc;
	if (k1_buf_append(out, data->data, data->len))
		return nomem(c);
	return 0;
}

/* ---- algorithms and keys ---- */

static int curve_nid(const char *name)
{
	char upper[64];
	size_t i;
	int nid = OBJ_sn2nid(name);

	if (nid == NID_undef)
		nid = OBJ_ln2nid(name);
	if (nid == NID_undef) {
		for (i = 0; name[i] && i + 1 < sizeof(upper); i++)
			upper[i] =
			    (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
		upper[i] = '\0';
		nid = EC_curve_nist2nid(upper);
	}
	return nid;
}

static int check_rsa_bits(struct ctx *c, const char *alg, const char *param,
                          const struct k1_key *key)
{
	struct qbuf q;
	size_t i;
	long bits = 0;

	for (i = 0; param[i]; i++) {
		if (param[i] < '0' || param[i] > '9')
			return fail(c, K1_ENOTSUP, "unsupported algorithm %s (RSA size %s)",
			            quotez(&q, alg), param);
		bits = bits > 100000 ? bits : bits * 10 + (param[i] - '0');
	}
	if (i && bits != k1_key_bits(key))
		return fail(c, K1_ECRYPTO, "algorithm %s says RSA-%ld but the key has %d bits",
		            quotez(&q, alg), bits, k1_key_bits(key));
	return 0;
}

static int check_alg_key(struct ctx *c, const char *alg, enum k1_alg_kind kind, const char *param,
                         const struct k1_key *key)
{
	bool rsa = k1_key_type(key) == K1_KEY_RSA;
	struct qbuf q;
	int nid;

	if (kind == K1_ALG_RSA && !rsa)
		return fail(c, K1_ECRYPTO, "algorithm %s is RSA but the key is an EC key (%s)",
		            quotez(&q, alg), k1_key_curve(key));
	if (kind == K1_ALG_ECC && rsa)
		return fail(c, K1_ECRYPTO, "algorithm %s is ECC but the key is RSA-%d",
		            quotez(&q, alg), k1_key_bits(key));
	if (kind == K1_ALG_RSA)
		return check_rsa_bits(c, alg, param, key);
	if (!param[0])
		return 0;
	nid = curve_nid(param);
	if (nid == NID_undef)
		return fail(c, K1_ENOTSUP, "unsupported algorithm %s (unknown curve %s)",
		            quotez(&q, alg), param);
	if (nid != curve_nid(k1_key_curve(key)))
		return fail(c, K1_ECRYPTO, "algorithm %s says curve %s but the key uses %s",
		            quotez(&q, alg), param, k1_key_curve(key));
	return 0;
}

static enum k1_alg_kind alg_kind(struct ctx *c, const char *alg, char *param, size_t sz, int *rc)
{
	enum k1_alg_kind kind = k1_alg_config(k1_str_of(alg), param, sz);
	struct qbuf q;

	*rc = 0;
	if (kind == K1_ALG_NONE)
		*rc = fail(c, K1_ENOTSUP,
		           "unsupported algorithm %s (RSA<bits> or ECC<curve>, e.g. "
		           "SHA256+RSA2048, SHA256+ECCprime256v1)",
		           quotez(&q, alg));
	return kind;
}

/* ---- items ---- */

static int run_item(struct ctx *c, json_t *obj, struct k1_buf *out);

static int build_file(struct ctx *c, json_t *spec, struct k1_buf *out)
{
	static const char *const allowed[] = {"name", "source", "align", NULL};
	struct attrs a = {.name = "empty_file", .align = 1};
	struct k1_buf data = K1_BUF_INIT;
	struct qbuf q;
	size_t old;
	int rc;

	if ((rc = parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = path_push(c, "%s", quotez(&q, a.name));
	rc = collect_sources(c, a.source, &data);
	if (!rc)
		rc = finish_item(c, &a, &data, out);
	path_pop(c, old);
	k1_buf_free(&data);
	return rc;
}

static int load_pubkey(struct ctx *c, const struct attrs *a, struct k1_key **key)
{
	char path[4096];
	enum k1_alg_kind kind;
	char param[64];
	int rc;

	kind = alg_kind(c, a->algorithm, param, sizeof(param), &rc);
	if (rc)
		return rc;
	if (!a->source || !a->source[0])
		return fail(c, K1_EINVAL,
		            "no source: name the key file (k1fw never generates keys)");
	if (k1_path_join(path, sizeof(path), c->base_dir, a->source, c->err))
		return fail_wrap(c, K1_ERANGE, "source");
	if ((rc = k1_key_load(path, key, c->err)) != 0)
		return fail_wrap(c, rc, "source");
	if ((rc = check_alg_key(c, a->algorithm, kind, param, *key)) != 0) {
		k1_key_free(*key);
		*key = NULL;
	}
	return rc;
}

/* Register the key as "<name>_key" and the public bytes as "<name>". */
static int register_pubkey(struct ctx *c, const struct attrs *a, struct k1_key *key,
                           struct k1_buf *data, struct k1_buf *out)
{
	size_t n = strlen(a->name);
	char *keyname = malloc(n + 5);
	int rc;

	if (!keyname) {
		k1_key_free(key);
		return nomem(c);
	}
	memcpy(keyname, a->name, n);
	memcpy(keyname + n, "_key", 5);
	rc = reg_put(c, k1_str_of(keyname), NULL, key);
	free(keyname);
	return rc ? rc : finish_item(c, a, data, out);
}

static int build_pubkey(struct ctx *c, json_t *spec, struct k1_buf *out)
{
	static const char *const allowed[] = {"name", "algorithm", "source", "align", NULL};
	/* The default RSA2048's size only matters for generated keys. */
	struct attrs a = {.name = "publickey", .algorithm = "RSA", .align = 1};
	struct k1_buf data = K1_BUF_INIT;
	struct k1_key *key = NULL;
	const struct entry *e;
	struct qbuf q;
	size_t old;
	int rc;

	if ((rc = parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = path_push(c, "%s", quotez(&q, a.name));
	e = reg_find(c, k1_str_of(a.name));
	if (e && e->key) {
		rc = fail(c, K1_EINVAL,
		          "the name is already used by the key of another pubkey item");
	} else if (e) {
		/* The vendor never rebuilds a registered name: it returns the
		 * registered bytes as they are (from the first pass, too). */
		if (k1_buf_append(out, e->data.data, e->data.len))
			rc = nomem(c);
	} else if ((rc = load_pubkey(c, &a, &key)) == 0) {
		if (k1_key_public_bytes(key, &data, c->err)) {
			k1_key_free(key);
			rc = fail_wrap(c, K1_ECRYPTO, "public key");
		} else {
			rc = register_pubkey(c, &a, key, &data, out);
		}
	}
	path_pop(c, old);
	k1_buf_free(&data);
	return rc;
}

static int build_hash(struct ctx *c, json_t *spec, struct k1_buf *out)
{
	static const char *const allowed[] = {"name", "algorithm", "source", "align", NULL};
	struct attrs a = {.name = "hash", .algorithm = "SHA256", .align = 1};
	struct k1_buf data = K1_BUF_INIT;
	uint8_t md[64];
	const char *alg;
	struct qbuf q;
	size_t old, mdlen;
	int rc;

	if ((rc = parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = path_push(c, "%s", quotez(&q, a.name));
	alg = k1_hash_config(k1_str_of(a.algorithm));
	if (!alg)
		rc = fail(c, K1_ENOTSUP, "unsupported hash algorithm %s (SHA256, SHA384 or SHA512)",
		          quotez(&q, a.algorithm));
	if (!rc)
		rc = collect_sources(c, a.source, &data);
	if (!rc && k1_digest(alg, data.data, data.len, md, &mdlen, c->err))
		rc = fail_wrap(c, K1_ECRYPTO, "hash");
	if (!rc) {
		data.len = 0;
		rc = k1_buf_append(&data, md, mdlen) ? nomem(c) : finish_item(c, &a, &data, out);
	}
	path_pop(c, old);
	k1_buf_free(&data);
	return rc;
}

/* The private key a signature names, or NULL (and 0) in the first pass
 * when it is not registered yet (the vendor then emits and registers
 * nothing; the second pass has it if the pubkey item comes later). */
static int signing_key(struct ctx *c, const struct attrs *a, const struct k1_key **key)
{
	size_t n = strlen(a->key);
	const struct entry *e;
	struct qbuf q;
	char *name;

	*key = NULL;
	if (!(name = malloc(n + 5)))
		return nomem(c);
	memcpy(name, a->key, n);
	memcpy(name + n, "_key", 5);
	e = reg_find(c, k1_str_of(name));
	free(name);
	if (!e && c->pass == 1)
		return 0;
	if (!e || !e->key)
		return fail(c, K1_EINVAL, "key %s: no pubkey item of that name",
		            quotez(&q, a->key));
	if (!k1_key_is_private(e->key))
		return fail(c, K1_ECRYPTO,
		            "key %s has no private part (its pubkey item reads a public key)",
		            quotez(&q, a->key));
	*key = e->key;
	return 0;
}

static int sign_item(struct ctx *c, const struct attrs *a, struct k1_buf *out)
{
	/* The vendor reads the key type from "algorithm" (default RSA2048,
	 * whose size only matters when it generates a key: any RSA key is
	 * fine) and the hash from it too (default SHA256 when it is absent). */
	const char *alg = a->algorithm ? a->algorithm : "RSA", *md;
	struct k1_buf data = K1_BUF_INIT, sig = K1_BUF_INIT;
	const struct k1_key *key;
	enum k1_alg_kind kind;
	char param[64];
	struct qbuf q;
	int rc;

	kind = alg_kind(c, alg, param, sizeof(param), &rc);
	if (rc)
		return rc;
	md = k1_hash_config(k1_str_of(a->algorithm ? a->algorithm : "SHA256"));
	if (!md)
		return fail(c, K1_ENOTSUP,
		            "algorithm %s names no hash (SHA256, SHA384 or SHA512; e.g. "
		            "SHA256+RSA2048)",
		            quotez(&q, alg));
	if ((rc = signing_key(c, a, &key)) != 0 || !key)
		return rc;
	if ((rc = check_alg_key(c, alg, kind, param, key)) == 0 &&
	    (rc = collect_sources(c, a->source, &data)) == 0) {
		if (k1_sign(key, md, data.data, data.len, &sig, c->err))
			rc = fail_wrap(c, K1_ECRYPTO, "signature");
		else
			rc = finish_item(c, a, &sig, out);
	}
	k1_buf_free(&data);
	k1_buf_free(&sig);
	return rc;
}

static int build_signature(struct ctx *c, json_t *spec, struct k1_buf *out)
{
	static const char *const allowed[] = {"name", "algorithm", "key", "source", "align", NULL};
	struct attrs a = {.name = "signature", .key = "keypair", .align = 1};
	struct qbuf q;
	size_t old;
	int rc;

	if ((rc = parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = path_push(c, "%s", quotez(&q, a.name));
	rc = sign_item(c, &a, out);
	path_pop(c, old);
	return rc;
}

/* ---- structures ---- */

static int parse_size(struct ctx *c, struct k1_str text, uint64_t *size)
{
	struct k1_pyint v;
	struct qbuf q;
	int prc = k1_pyint_parse(text, &v);
	bool ok = !prc && k1_pyint_u64(&v, size);
	bool neg = !prc && v.negative;

	k1_pyint_free(&v);
	if (prc == K1_PYINT_NOMEM)
		return nomem(c);
	if (prc)
		return fail(c, K1_EINVAL, "size %s is not a number", quote(&q, text));
	if (neg)
		return fail(c, K1_EINVAL, "size %s is negative", quote(&q, text));
	if (!ok || *size > c->max_size)
		return fail(c, K1_ERANGE, "size %s is larger than the %zu-byte limit",
		            quote(&q, text), c->max_size);
	return 0;
}

static int pad_line(struct ctx *c, struct k1_str value, uint64_t size, struct k1_buf *data)
{
	struct k1_pyint v;
	struct qbuf q;
	int prc = k1_pyint_parse(value, &v);
	uint8_t byte = prc ? 0 : k1_pyint_low_byte(&v);

	k1_pyint_free(&v);
	if (prc == K1_PYINT_NOMEM)
		return nomem(c);
	if (prc)
		return fail(c, K1_EINVAL, "pad value %s is not a number", quote(&q, value));
	return k1_buf_fill(data, byte, (size_t)size) ? nomem(c) : 0;
}

static const char *const func_names[] = {"", "sizeof", "sum32", "crc32"};

static void func_accumulate(enum k1_func f, const struct k1_buf *d, uint64_t *acc)
{
	size_t i, done;

	if (f == K1_FUNC_SIZEOF) {
		*acc += d->len;
	} else if (f == K1_FUNC_SUM32) {
		for (i = 0; i + 4 <= d->len; i += 4)
			*acc += (uint32_t)d->data[i] | (uint32_t)d->data[i + 1] << 8 |
			        (uint32_t)d->data[i + 2] << 16 | (uint32_t)d->data[i + 3] << 24;
		*acc &= 0xFFFFFFFFu;
	} else {
		for (done = 0; done < d->len;) {
			uInt n = d->len - done > 1u << 30 ? 1u << 30 : (uInt)(d->len - done);
			*acc = crc32((uLong)*acc, d->data + done, n);
			done += n;
		}
	}
}

/* sizeof/sum32/crc32 over registered names (never files). */
static int eval_func(struct ctx *c, enum k1_func f, struct k1_str arg, uint64_t *result)
{
	struct k1_split sp;
	struct k1_str tok;
	struct qbuf q, q2;

	*result = 0;
	k1_split_init(&sp, arg);
	while (k1_split_next(&sp, '+', &tok)) {
		const struct entry *e;
		int rc = reg_data(c, tok, f == K1_FUNC_SIZEOF, &e);

		if (rc < 0)
			return rc;
		if (rc == 0 && c->pass == 2)
			return fail(c, K1_EINVAL,
			            "%s(%s): no item named %s (only item names can be used here, "
			            "never files)",
			            func_names[f], show(&q, arg, false), quote(&q2, tok));
		if (rc == 1)
			func_accumulate(f, &e->data, result);
	}
	return 0;
}

/* The field's bytes: a function result, a number or the text itself. */
static int field_bytes(struct ctx *c, struct k1_str value, struct k1_buf *b)
{
	enum k1_func f;
	struct k1_str arg;
	struct k1_pyint v;
	struct qbuf q;
	uint64_t n;
	int rc;

	f = k1_match_func(value, &arg);
	if (f == K1_FUNC_UNICODE)
		return fail(c, K1_EINVAL,
		            "value %s: a function name spelt with a non-ASCII letter "
		            "(the vendor script crashes on it)",
		            quote(&q, value));
	if (f != K1_FUNC_NONE) {
		if ((rc = eval_func(c, f, arg, &n)) != 0)
			return rc;
		return k1_itob_u64(n, b) ? nomem(c) : 0;
	}
	rc = k1_pyint_parse(value, &v);
	if (rc == K1_PYINT_OK && v.negative)
		rc = fail(c, K1_EINVAL, "value %s is negative", quote(&q, value));
	else if (rc == K1_PYINT_OK)
		rc = k1_pyint_itob(&v, b) ? nomem(c) : 0;
	else if (rc == K1_PYINT_NAN)
		rc = k1_buf_append(b, value.p, value.n) ? nomem(c) : 0;
	else if (rc == K1_PYINT_TOO_LONG)
		rc = fail(c, K1_EINVAL,
		          "value %s has more than 4300 decimal digits (Python reads it as text "
		          "or not at all); write it in hex",
		          quote(&q, value));
	else
		rc = nomem(c);
	k1_pyint_free(&v);
	return rc;
}

/* "label, value, size" other than name and pad. */
static int field_line(struct ctx *c, struct k1_str value, uint64_t size, struct k1_buf *data)
{
	struct k1_buf b = K1_BUF_INIT;
	struct qbuf q;
	int rc = field_bytes(c, value, &b);

	if (!rc && size >= 1 && b.len > size)
		rc = fail(c, K1_ERANGE, "value %s needs %zu bytes, more than its %llu-byte field",
		          quote(&q, value), b.len, (unsigned long long)size);
	if (!rc && size >= 1 && b.len == 0)
		rc = fail(c, K1_EINVAL,
		          "empty value in a %llu-byte field (the vendor script would emit no "
		          "bytes at all)",
		          (unsigned long long)size);
	if (!rc && (k1_buf_append(data, b.data, b.len) ||
	            k1_buf_fill(data, 0, size > b.len ? (size_t)size - b.len : 0)))
		rc = nomem(c);
	k1_buf_free(&b);
	return rc;
}

static int structure_line(struct ctx *c, json_t *v, struct k1_str *name, struct k1_buf *data)
{
	struct k1_str line = {json_string_value(v), json_string_length(v)}, f[3];
	struct k1_split sp;
	struct qbuf q;
	uint64_t size;
	size_t n = 0, old;
	int rc;

	k1_split_init(&sp, line);
	while (n < 3 && k1_split_next(&sp, ',', &f[n]))
		n++;
	if (n < 3)
		return fail(c, K1_EINVAL, "%s: needs \"label, value, size\" (has %zu field%s)",
		            quote(&q, line), n, n == 1 ? "" : "s");
	old = path_push(c, "%s", quote(&q, f[0]));
	rc = parse_size(c, f[2], &size);
	if (!rc && k1_str_eq(f[0], "name"))
		*name = f[1];
	else if (!rc && k1_str_eq(f[0], "pad"))
		rc = pad_line(c, f[1], size, data);
	else if (!rc)
		rc = field_line(c, f[1], size, data);
	path_pop(c, old);
	return rc;
}

static int build_structure(struct ctx *c, json_t *list, struct k1_buf *out)
{
	struct k1_str name = k1_str_of("unkown"); /* sic: the vendor's default */
	struct k1_buf data = K1_BUF_INIT;
	size_t i, old;
	json_t *v;
	int rc = 0;

	if (!json_is_array(list))
		return fail(c, K1_EINVAL, "structure: must be a list of lines and items");
	json_array_foreach(list, i, v) {
		old = path_push(c, "structure[%zu]", i);
		if (json_is_string(v))
			rc = structure_line(c, v, &name, &data);
		else if (json_is_object(v))
			rc = run_item(c, v, &data);
		else
			rc = fail(c, K1_EINVAL,
			          "must be a \"label, value, size\" string or an item object");
		if (!rc)
			rc = check_size(c, data.len);
		path_pop(c, old);
		if (rc)
			break;
	}
	if (!rc)
		rc = reg_put(c, name, &data, NULL);
	if (!rc && k1_buf_append(out, data.data, data.len))
		rc = nomem(c);
	k1_buf_free(&data);
	return rc;
}

/* ---- items, modules, the recipe ---- */

static const struct item_type {
	const char *name;
	int (*build)(struct ctx *c, json_t *spec, struct k1_buf *out);
} item_types[] = {
    {"structure", build_structure}, {"file", build_file},           {"pubkey", build_pubkey},
    {"hash", build_hash},           {"signature", build_signature},
};

/* An item object: every key (in order) is an item type to build. */
static int run_item(struct ctx *c, json_t *obj, struct k1_buf *out)
{
	const char *key;
	json_t *v;
	struct qbuf q;

	json_object_foreach(obj, key, v) {
		const struct item_type *t = NULL;
		size_t i, old;
		int rc;

		if (key[0] == '_')
			continue;
		for (i = 0; i < sizeof(item_types) / sizeof(item_types[0]); i++)
			if (!strcmp(key, item_types[i].name))
				t = &item_types[i];
		if (!t)
			return fail(
			    c, K1_EINVAL,
			    "unknown item type %s (structure, file, pubkey, hash or signature)",
			    quotez(&q, key));
		old = t->build == build_structure ? c->pathlen : path_push(c, "%s", key);
		rc = t->build(c, v, out);
		path_pop(c, old);
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
		return fail(c, K1_EINVAL, "must be an object with \"module\" and \"data\"");
	json_object_foreach(m, key, v) {
		if (key[0] != '_' && strcmp(key, "module") && strcmp(key, "data"))
			return fail(c, K1_EINVAL, "unknown key %s (module, data)", quotez(&q, key));
	}
	v = json_object_get(m, "module");
	if (!json_is_string(v))
		return fail(c, K1_EINVAL, "\"module\" must be present and a string");
	*name = json_string_value(v);
	*data = json_object_get(m, "data");
	if (!json_is_array(*data))
		return fail(c, K1_EINVAL, "module %s: \"data\" must be present and a list",
		            quotez(&q, *name));
	return 0;
}

static int run_module(struct ctx *c, size_t index, json_t *m, struct k1_buf *out)
{
	const char *name = "";
	json_t *data = NULL, *item;
	struct qbuf q;
	size_t j, old = path_push(c, "image[%zu]", index), old2;
	int rc = check_module(c, m, &data, &name);

	if (!rc)
		path_push(c, "(%s)", show(&q, k1_str_of(name), false));
	json_array_foreach(data, j, item) {
		if (rc)
			break;
		old2 = path_push(c, "data[%zu]", j);
		if (!json_is_object(item))
			rc = fail(c, K1_EINVAL,
			          "must be an item object such as {\"structure\": [...]}");
		else if ((rc = run_item(c, item, out)) == 0)
			rc = check_size(c, out->len);
		path_pop(c, old2);
	}
	path_pop(c, old);
	return rc;
}

static int run_pass(struct ctx *c, json_t *image, struct k1_buf *out)
{
	size_t i;
	json_t *m;
	int rc;

	json_array_foreach(image, i, m) {
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
		return fail(c, K1_EINVAL, "the recipe must be a JSON object");
	json_object_foreach(root, key, v) {
		if (key[0] != '_' && strcmp(key, "info") && strcmp(key, "image"))
			return fail(c, K1_EINVAL, "unknown top-level key %s (info, image)",
			            quotez(&q, key));
	}
	v = json_object_get(root, "info");
	if (v && !json_is_object(v))
		return fail(c, K1_EINVAL, "\"info\" must be an object");
	*image = json_object_get(root, "image");
	if (!*image)
		return fail(c, K1_EINVAL, "no \"image\" list");
	if (!json_is_array(*image))
		return fail(c, K1_EINVAL, "\"image\" must be a list of modules");
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
			rc = nomem(c);
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

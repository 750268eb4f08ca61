/* Recipe items that carry bytes from outside or from keys: file, pubkey,
 * hash and signature (spec §4), with the vendor script's algorithm names
 * and defaults. */
#include "recipe/recipe_ctx.h"

#include "base/crypto.h"
#include "base/fileio.h"

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
			return rcp_fail(c, K1_ENOTSUP, "unsupported algorithm %s (RSA size %s)",
					rcp_quotez(&q, alg), param);
		bits = bits > 100000 ? bits : bits * 10 + (param[i] - '0');
	}
	if (i && bits != k1_key_bits(key))
		return rcp_fail(c, K1_ECRYPTO, "algorithm %s says RSA-%ld but the key has %d bits",
				rcp_quotez(&q, alg), bits, k1_key_bits(key));
	return 0;
}

static int check_alg_key(struct ctx *c, const char *alg, enum k1_alg_kind kind, const char *param,
			 const struct k1_key *key)
{
	bool rsa = k1_key_type(key) == K1_KEY_RSA;
	struct qbuf q;
	int nid;

	if (kind == K1_ALG_RSA && !rsa)
		return rcp_fail(c, K1_ECRYPTO, "algorithm %s is RSA but the key is an EC key (%s)",
				rcp_quotez(&q, alg), k1_key_curve(key));
	if (kind == K1_ALG_ECC && rsa)
		return rcp_fail(c, K1_ECRYPTO, "algorithm %s is ECC but the key is RSA-%d",
				rcp_quotez(&q, alg), k1_key_bits(key));
	if (kind == K1_ALG_RSA)
		return check_rsa_bits(c, alg, param, key);
	if (!param[0])
		return 0;
	nid = curve_nid(param);
	if (nid == NID_undef)
		return rcp_fail(c, K1_ENOTSUP, "unsupported algorithm %s (unknown curve %s)",
				rcp_quotez(&q, alg), param);
	if (nid != curve_nid(k1_key_curve(key)))
		return rcp_fail(c, K1_ECRYPTO, "algorithm %s says curve %s but the key uses %s",
				rcp_quotez(&q, alg), param, k1_key_curve(key));
	return 0;
}

static enum k1_alg_kind alg_kind(struct ctx *c, const char *alg, char *param, size_t sz, int *rc)
{
	enum k1_alg_kind kind = k1_alg_config(k1_str_of(alg), param, sz);
	struct qbuf q;

	*rc = 0;
	if (kind == K1_ALG_NONE)
		*rc = rcp_fail(c, K1_ENOTSUP,
			       "unsupported algorithm %s (RSA<bits> or ECC<curve>, e.g. "
			       "SHA256+RSA2048, SHA256+ECCprime256v1)",
			       rcp_quotez(&q, alg));
	return kind;
}

/* ---- items ---- */

int rcp_build_file(struct ctx *c, json_t *spec, struct k1_buf *out)
{
	static const char *const allowed[] = {"name", "source", "align", NULL};
	struct attrs a = {.name = "empty_file", .align = 1};
	struct k1_buf data = K1_BUF_INIT;
	struct qbuf q;
	size_t old;
	int rc;

	if ((rc = rcp_parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = rcp_path_push(c, "%s", rcp_quotez(&q, a.name));
	rc = rcp_collect_sources(c, a.source, &data);
	if (!rc)
		rc = rcp_finish_item(c, &a, &data, out);
	rcp_path_pop(c, old);
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
		return rcp_fail(c, K1_EINVAL,
				"no source: name the key file (k1fw never generates keys)");
	if (k1_path_join(path, sizeof(path), c->base_dir, a->source, c->err))
		return rcp_fail_wrap(c, K1_ERANGE, "source");
	if (c->opts && c->opts->on_file && c->opts->on_file(c->opts->file_ctx, path, c->err))
		return K1_EINVAL;
	if ((rc = k1_key_load(path, key, c->err)) != 0)
		return rcp_fail_wrap(c, rc, "source");
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
		return rcp_nomem(c);
	}
	memcpy(keyname, a->name, n);
	memcpy(keyname + n, "_key", 5);
	rc = rcp_reg_put(c, k1_str_of(keyname), NULL, key);
	free(keyname);
	return rc ? rc : rcp_finish_item(c, a, data, out);
}

int rcp_build_pubkey(struct ctx *c, json_t *spec, struct k1_buf *out)
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

	if ((rc = rcp_parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = rcp_path_push(c, "%s", rcp_quotez(&q, a.name));
	e = rcp_reg_find(c, k1_str_of(a.name));
	if (e && e->key) {
		rc = rcp_fail(c, K1_EINVAL,
			      "the name is already used by the key of another pubkey item");
	} else if (e) {
		/* The vendor never rebuilds a registered name: it returns the
		 * registered bytes as they are (from the first pass, too). */
		if (k1_buf_append(out, e->data.data, e->data.len))
			rc = rcp_nomem(c);
	} else if ((rc = load_pubkey(c, &a, &key)) == 0) {
		if (k1_key_public_bytes(key, &data, c->err)) {
			k1_key_free(key);
			rc = rcp_fail_wrap(c, K1_ECRYPTO, "public key");
		} else {
			rc = register_pubkey(c, &a, key, &data, out);
		}
	}
	rcp_path_pop(c, old);
	k1_buf_free(&data);
	return rc;
}

int rcp_build_hash(struct ctx *c, json_t *spec, struct k1_buf *out)
{
	static const char *const allowed[] = {"name", "algorithm", "source", "align", NULL};
	struct attrs a = {.name = "hash", .algorithm = "SHA256", .align = 1};
	struct k1_buf data = K1_BUF_INIT;
	uint8_t md[64];
	const char *alg;
	struct qbuf q;
	size_t old, mdlen;
	int rc;

	if ((rc = rcp_parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = rcp_path_push(c, "%s", rcp_quotez(&q, a.name));
	alg = k1_hash_config(k1_str_of(a.algorithm));
	if (!alg)
		rc = rcp_fail(c, K1_ENOTSUP,
			      "unsupported hash algorithm %s (SHA256, SHA384 or SHA512)",
			      rcp_quotez(&q, a.algorithm));
	if (!rc)
		rc = rcp_collect_sources(c, a.source, &data);
	if (!rc && k1_digest(alg, data.data, data.len, md, &mdlen, c->err))
		rc = rcp_fail_wrap(c, K1_ECRYPTO, "hash");
	if (!rc) {
		data.len = 0;
		rc = k1_buf_append(&data, md, mdlen) ? rcp_nomem(c)
						     : rcp_finish_item(c, &a, &data, out);
	}
	rcp_path_pop(c, old);
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
		return rcp_nomem(c);
	memcpy(name, a->key, n);
	memcpy(name + n, "_key", 5);
	e = rcp_reg_find(c, k1_str_of(name));
	free(name);
	if (!e && c->pass == 1)
		return 0;
	if (!e || !e->key)
		return rcp_fail(c, K1_EINVAL, "key %s: no pubkey item of that name",
				rcp_quotez(&q, a->key));
	if (!k1_key_is_private(e->key))
		return rcp_fail(c, K1_ECRYPTO,
				"key %s has no private part (its pubkey item reads a public key)",
				rcp_quotez(&q, a->key));
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
		return rcp_fail(c, K1_ENOTSUP,
				"algorithm %s names no hash (SHA256, SHA384 or SHA512; e.g. "
				"SHA256+RSA2048)",
				rcp_quotez(&q, alg));
	if ((rc = signing_key(c, a, &key)) != 0 || !key)
		return rc;
	if ((rc = check_alg_key(c, alg, kind, param, key)) == 0 &&
	    (rc = rcp_collect_sources(c, a->source, &data)) == 0) {
		if (k1_sign(key, md, data.data, data.len, &sig, c->err))
			rc = rcp_fail_wrap(c, K1_ECRYPTO, "signature");
		else
			rc = rcp_finish_item(c, a, &sig, out);
	}
	k1_buf_free(&data);
	k1_buf_free(&sig);
	return rc;
}

int rcp_build_signature(struct ctx *c, json_t *spec, struct k1_buf *out)
{
	static const char *const allowed[] = {"name", "algorithm", "key", "source", "align", NULL};
	struct attrs a = {.name = "signature", .key = "keypair", .align = 1};
	struct qbuf q;
	size_t old;
	int rc;

	if ((rc = rcp_parse_attrs(c, spec, allowed, &a)) != 0)
		return rc;
	old = rcp_path_push(c, "%s", rcp_quotez(&q, a.name));
	rc = sign_item(c, &a, out);
	rcp_path_pop(c, old);
	return rc;
}

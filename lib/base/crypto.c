#include "base/crypto.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct k1_key {
	EVP_PKEY *pkey;
	bool private_part;
	char curve[64];
};

/* The innermost OpenSSL reason, for messages ("bad decrypt", ...). */
static const char *ossl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	return r ? r : "unknown reason";
}

int k1_key_load(const char *path, struct k1_key **out, struct k1_error *err)
{
	struct k1_key *key;
	char line[128] = "", line2[128] = "";
	BIO *bio;
	FILE *f;

	*out = NULL;
	f = fopen(path, "r");
	if (!f)
		return k1_err(err, K1_EIO, "%s: cannot open key: %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (!fgets(line2, sizeof(line2), f))
		line2[0] = '\0';
	fclose(f);
	/* PKCS#8 "ENCRYPTED PRIVATE KEY", or traditional with a Proc-Type line */
	if (strstr(line, "ENCRYPTED") || strstr(line2, "ENCRYPTED"))
		return k1_err(err, K1_ECRYPTO, "%s: encrypted PEM key: k1fw needs it unencrypted",
			      path);
	if (strstr(line, "RSA PUBLIC KEY"))
		return k1_err(err, K1_ENOTSUP,
			      "%s: PKCS#1 'RSA PUBLIC KEY' is not supported; convert it with "
			      "'openssl rsa -RSAPublicKey_in -pubout'",
			      path);
	if (!strstr(line, "PRIVATE KEY") && !strstr(line, "PUBLIC KEY"))
		return k1_err(
			err, K1_EINVAL,
			"%s: not a PEM key (first line has neither PRIVATE KEY nor PUBLIC KEY)",
			path);

	key = calloc(1, sizeof(*key));
	if (!key)
		return k1_err(err, K1_ENOMEM, "out of memory");
	bio = BIO_new_file(path, "r");
	if (!bio) {
		free(key);
		return k1_err(err, K1_EIO, "%s: cannot open key", path);
	}
	ERR_clear_error();
	if (strstr(line, "PRIVATE KEY")) {
		key->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
		key->private_part = true;
	} else {
		key->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	BIO_free(bio);
	if (!key->pkey) {
		free(key);
		return k1_err(err, K1_ECRYPTO, "%s: cannot read key: %s", path, ossl_reason());
	}
	if (EVP_PKEY_is_a(key->pkey, "EC")) {
		size_t n = 0;
		EVP_PKEY_get_utf8_string_param(key->pkey, OSSL_PKEY_PARAM_GROUP_NAME, key->curve,
					       sizeof(key->curve), &n);
	} else if (!EVP_PKEY_is_a(key->pkey, "RSA")) {
		int rc =
			k1_err(err, K1_ENOTSUP, "%s: key type %s is not supported (RSA or EC only)",
			       path, EVP_PKEY_get0_type_name(key->pkey));
		k1_key_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

void k1_key_free(struct k1_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

bool k1_key_is_private(const struct k1_key *key)
{
	return key->private_part;
}

enum k1_key_type k1_key_type(const struct k1_key *key)
{
	return EVP_PKEY_is_a(key->pkey, "EC") ? K1_KEY_EC : K1_KEY_RSA;
}

int k1_key_bits(const struct k1_key *key)
{
	return EVP_PKEY_get_bits(key->pkey);
}

const char *k1_key_curve(const struct k1_key *key)
{
	return key->curve;
}

int k1_key_public_bytes(const struct k1_key *key, struct k1_buf *out, struct k1_error *err)
{
	if (k1_key_type(key) == K1_KEY_RSA) {
		BIGNUM *n = NULL;
		int len;

		if (!EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &n))
			return k1_err(err, K1_ECRYPTO, "cannot read RSA modulus");
		len = BN_num_bytes(n);
		if (k1_buf_reserve(out, (size_t)len)) {
			BN_free(n);
			return k1_err(err, K1_ENOMEM, "out of memory");
		}
		BN_bn2bin(n, out->data + out->len);
		out->len += (size_t)len;
		BN_free(n);
		return 0;
	} else {
		uint8_t pt[256];
		size_t len = 0;

		/* EC keys default to the uncompressed point format (04||X||Y). */
		if (!EVP_PKEY_get_octet_string_param(key->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
						     pt, sizeof(pt), &len))
			return k1_err(err, K1_ECRYPTO, "cannot read EC public point");
		if (k1_buf_append(out, pt, len))
			return k1_err(err, K1_ENOMEM, "out of memory");
		return 0;
	}
}

int k1_digest(const char *alg, const void *data, size_t len, uint8_t *out, size_t *outlen,
	      struct k1_error *err)
{
	const EVP_MD *md = EVP_get_digestbyname(alg);
	unsigned int n = 0;

	if (!md)
		return k1_err(err, K1_ENOTSUP, "unknown digest %s", alg);
	if (!EVP_Digest(data, len, out, &n, md, NULL))
		return k1_err(err, K1_ECRYPTO, "digest %s failed: %s", alg, ossl_reason());
	*outlen = n;
	return 0;
}

int k1_sign(const struct k1_key *key, const char *mdname, const void *data, size_t len,
	    struct k1_buf *sig, struct k1_error *err)
{
	const EVP_MD *md = EVP_get_digestbyname(mdname);
	EVP_MD_CTX *ctx;
	size_t siglen = 0;
	int rc = 0;

	if (!md)
		return k1_err(err, K1_ENOTSUP, "unknown digest %s", mdname);
	if (!key->private_part)
		return k1_err(err, K1_ECRYPTO, "the key has no private part");
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return k1_err(err, K1_ENOMEM, "out of memory");
	ERR_clear_error();
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, key->pkey) != 1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, data, len) != 1) {
		rc = k1_err(err, K1_ECRYPTO, "signing failed: %s", ossl_reason());
	} else if (k1_buf_reserve(sig, siglen)) {
		rc = k1_err(err, K1_ENOMEM, "out of memory");
	} else if (EVP_DigestSign(ctx, sig->data + sig->len, &siglen, data, len) != 1) {
		rc = k1_err(err, K1_ECRYPTO, "signing failed: %s", ossl_reason());
	} else {
		sig->len += siglen;
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

static EVP_PKEY *rsa_from_modulus(const uint8_t *modulus, size_t modlen)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *n = BN_bin2bn(modulus, (int)modlen, NULL);
	BIGNUM *e = BN_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (!bld || !n || !e || !BN_set_word(e, 65537) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

int k1_rsa_verify_modulus(const uint8_t *modulus, size_t modlen, const char *mdname,
			  const void *data, size_t len, const uint8_t *sig, size_t siglen,
			  struct k1_error *err)
{
	const EVP_MD *md = EVP_get_digestbyname(mdname);
	EVP_MD_CTX *ctx;
	EVP_PKEY *pkey;
	int ok;

	if (!md)
		return k1_err(err, K1_ENOTSUP, "unknown digest %s", mdname);
	pkey = rsa_from_modulus(modulus, modlen);
	if (!pkey)
		return k1_err(err, K1_ECRYPTO, "cannot build an RSA key from the stored modulus");
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		EVP_PKEY_free(pkey);
		return k1_err(err, K1_ENOMEM, "out of memory");
	}
	ok = EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok ? 1 : 0;
}

static int pem_append(EVP_PKEY *pkey, int selection, const char *structure, struct k1_buf *out)
{
	OSSL_ENCODER_CTX *ectx;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc = -1;

	ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, "PEM", structure, NULL);
	if (ectx && OSSL_ENCODER_to_data(ectx, &data, &len) == 1)
		rc = k1_buf_append(out, data, len);
	OPENSSL_free(data);
	OSSL_ENCODER_CTX_free(ectx);
	return rc;
}

int k1_rsa_generate_pem(int bits, struct k1_buf *priv_pem, struct k1_buf *pub_pem,
			struct k1_error *err)
{
	EVP_PKEY *pkey = EVP_RSA_gen((unsigned int)bits);
	int rc = 0;

	if (!pkey)
		return k1_err(err, K1_ECRYPTO, "RSA-%d key generation failed: %s", bits,
			      ossl_reason());
	if (pem_append(pkey, OSSL_KEYMGMT_SELECT_KEYPAIR, "type-specific", priv_pem) ||
	    pem_append(pkey, OSSL_KEYMGMT_SELECT_PUBLIC_KEY, "SubjectPublicKeyInfo", pub_pem))
		rc = k1_err(err, K1_ECRYPTO, "cannot encode the new key as PEM: %s", ossl_reason());
	EVP_PKEY_free(pkey);
	return rc;
}

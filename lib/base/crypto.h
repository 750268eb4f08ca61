/* The few cryptographic operations K1 images need, on OpenSSL libcrypto
 * (EVP). Keys are read from PEM files and never copied anywhere. */
#ifndef K1_CRYPTO_H
#define K1_CRYPTO_H

#include "base/buf.h"
#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k1_key;

enum k1_key_type { K1_KEY_RSA, K1_KEY_EC };

/* Load a PEM key: a private key (PKCS#1 or PKCS#8) or a public key (SPKI). */
int k1_key_load(const char *path, struct k1_key **out, struct k1_error *err);
void k1_key_free(struct k1_key *key);
bool k1_key_is_private(const struct k1_key *key);
enum k1_key_type k1_key_type(const struct k1_key *key);
int k1_key_bits(const struct k1_key *key);
/* EC curve short name ("prime256v1"), or "" for RSA. */
const char *k1_key_curve(const struct k1_key *key);

/* The public key as K1 images store it: the RSA modulus big-endian without
 * leading zero bytes, or the uncompressed EC point 04||X||Y. Appended to out. */
int k1_key_public_bytes(const struct k1_key *key, struct k1_buf *out, struct k1_error *err);

/* Digest by name ("sha256", "sha384", "sha512", "sha1", "md5"); out must hold
 * 64 bytes; the length goes to *outlen. */
int k1_digest(const char *alg, const void *data, size_t len, uint8_t *out, size_t *outlen,
	      struct k1_error *err);

/* PKCS#1 v1.5 (RSA) or DER ECDSA (EC) signature with the private key,
 * appended to sig. */
int k1_sign(const struct k1_key *key, const char *md, const void *data, size_t len,
	    struct k1_buf *sig, struct k1_error *err);

/* Verify an RSA PKCS#1 v1.5 signature given only the modulus (big-endian)
 * and exponent 65537, as K1 images carry their keys. Returns 1 valid,
 * 0 invalid, negative on error. */
int k1_rsa_verify_modulus(const uint8_t *modulus, size_t modlen, const char *md, const void *data,
			  size_t len, const uint8_t *sig, size_t siglen, struct k1_error *err);

/* A new RSA key of bits, as PEM: the private key (PKCS#1, as the vendor's
 * files) and the public key (SPKI). Both appended. */
int k1_rsa_generate_pem(int bits, struct k1_buf *priv_pem, struct k1_buf *pub_pem,
			struct k1_error *err);

#endif

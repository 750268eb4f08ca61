/* FIT hash values as mkimage stores them and U-Boot checks them: crc32 as
 * 4 big-endian bytes, the others as plain digests (OpenSSL EVP). */
#include "format/fit_hash.h"

#include "base/crypto.h"

#include <string.h>
#include <zlib.h>

#define UNKNOWN_ALGO                                                                               \
	"hash algorithm '%s' unknown: expected crc32, md5, sha1, sha256, sha384 or sha512"

static const struct {
	const char *name;
	size_t len;
} algos[] = {
	{"crc32", 4}, {"md5", 16}, {"sha1", 20}, {"sha256", 32}, {"sha384", 48}, {"sha512", 64},
};

size_t k1_fit_hash_len(const char *algo)
{
	for (size_t i = 0; algo && i < sizeof(algos) / sizeof(algos[0]); i++)
		if (!strcmp(algo, algos[i].name))
			return algos[i].len;
	return 0;
}

int k1_fit_hash(const char *algo, const uint8_t *p, size_t n, uint8_t out[64], size_t *outlen,
		struct k1_error *err)
{
	size_t want = k1_fit_hash_len(algo);

	if (!want)
		return k1_err(err, K1_ENOTSUP, UNKNOWN_ALGO, algo ? algo : "");
	if (!strcmp(algo, "crc32")) { /* 4 bytes big-endian, as U-Boot's crc32 */
		uint32_t crc = (uint32_t)crc32_z(0L, p, n);
		for (int i = 0; i < 4; i++)
			out[i] = (uint8_t)(crc >> (24 - 8 * i));
		*outlen = 4;
		return 0;
	}
	if (k1_digest(algo, p, n, out, outlen, err))
		return err ? err->code : K1_ECRYPTO;
	return *outlen == want ? 0 : k1_err(err, K1_ECRYPTO, "%s gave %zu bytes", algo, *outlen);
}

#include "format/fsbl.h"
#include "base/bytes.h"
#include "base/fileio.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *const k1_key_file_stem[K1_KEY_COUNT] = {
	"rsakeypair0", "spl_pubkey", "uboot_pubkey", "kernel_pubkey", "rootfs_pubkey",
};

/* Names the key table gives the four OEM key slots (spec §3). */
static const char *const table_names[4] = {"spl", "uboot", "kernel", "rootfs"};

static int load_one(const char *dir, int idx, struct k1_key **out, struct k1_error *err)
{
	char path[4096], name[64];
	bool need_private = idx == K1_KEY_ROTPK || idx == K1_KEY_SPL;
	int rc;

	snprintf(name, sizeof(name), "%s_%s.key", k1_key_file_stem[idx],
		 need_private ? "prv" : "pub");
	if ((rc = k1_path_join(path, sizeof(path), dir, name, err)))
		return rc;
	if (!need_private && access(path, R_OK) != 0) {
		/* no public file: the private key holds the public part too */
		snprintf(name, sizeof(name), "%s_prv.key", k1_key_file_stem[idx]);
		if ((rc = k1_path_join(path, sizeof(path), dir, name, err)))
			return rc;
	}
	if ((rc = k1_key_load(path, out, err)))
		return rc;
	if (k1_key_type(*out) != K1_KEY_RSA)
		return k1_err(err, K1_ENOTSUP, "%s: EC key: the FSBL needs RSA-2048", path);
	if (k1_key_bits(*out) != 2048)
		return k1_err(err, K1_ENOTSUP, "%s: RSA-%d key: the FSBL needs RSA-2048", path,
			      k1_key_bits(*out));
	if (need_private && !k1_key_is_private(*out))
		return k1_err(err, K1_ECRYPTO, "%s: needs the private key (it signs)", path);
	return 0;
}

int k1_fsbl_keys_load(const char *dir, struct k1_fsbl_keys *keys, struct k1_error *err)
{
	memset(keys, 0, sizeof(*keys));
	for (int i = 0; i < K1_KEY_COUNT; i++) {
		int rc = load_one(dir, i, &keys->key[i], err);
		if (rc) {
			k1_fsbl_keys_free(keys);
			return rc;
		}
	}
	return 0;
}

void k1_fsbl_keys_free(struct k1_fsbl_keys *keys)
{
	for (int i = 0; i < K1_KEY_COUNT; i++) {
		k1_key_free(keys->key[i]);
		keys->key[i] = NULL;
	}
}

/* The RSA-2048 modulus as a 256-byte slot. */
static int modulus(const struct k1_key *key, uint8_t out[K1_FSBL_KEY_BYTES], struct k1_error *err)
{
	struct k1_buf b = K1_BUF_INIT;
	int rc = k1_key_public_bytes(key, &b, err);

	if (!rc && b.len != K1_FSBL_KEY_BYTES)
		rc = k1_err(err, K1_ENOTSUP, "RSA modulus is %zu bytes, expected 256", b.len);
	if (!rc)
		memcpy(out, b.data, K1_FSBL_KEY_BYTES);
	k1_buf_free(&b);
	return rc;
}

int k1_rotpk_hash(const struct k1_key *rotpk, uint8_t hash[32], struct k1_error *err)
{
	uint8_t mod[K1_FSBL_KEY_BYTES];
	size_t n;
	int rc = modulus(rotpk, mod, err);

	return rc ? rc : k1_digest("sha256", mod, sizeof(mod), hash, &n, err);
}

/* An AIHD image header: magic, version 1, secure 0, imgsize, load 0, 8 x 0xA5. */
static void put_header(uint8_t *p, uint64_t imgsize)
{
	memcpy(p, "AIHD", 4);
	p[4] = 1;
	k1_put_le64(p + 8, imgsize);
	memset(p + 24, 0xA5, 8);
}

/* header0, key data, OEM keys and signature0: bytes 0x000-0xBFF. */
static int build_head(uint8_t *h, const struct k1_fsbl_keys *keys, struct k1_error *err)
{
	size_t n;
	int rc;

	if ((rc = modulus(keys->key[K1_KEY_ROTPK], h + K1_FSBL_OFF_ROTPK, err)))
		return k1_err_prefix(err, "ROTPK (rsakeypair0)");
	put_header(h + K1_FSBL_OFF_HEADER0, K1_FSBL_HEADER_SIZE);
	k1_put_le32(h + K1_FSBL_OFF_KEYDATA + 4, 4); /* key_default 0, table_num 4 */
	for (int i = 0; i < 4; i++) {
		uint8_t *e = h + K1_FSBL_OFF_KEYTABLE + 20 * i;
		memcpy(e, table_names[i], strlen(table_names[i]));
		k1_put_le32(e + 16, (uint32_t)i);
		if ((rc = modulus(keys->key[K1_KEY_SPL + i], h + K1_FSBL_OFF_OEM_KEYS + 256 * i,
				  err)))
			return k1_err_prefix(err, "%s key", table_names[i]);
	}
	if ((rc = k1_digest("sha256", h + K1_FSBL_OFF_ROTPK, K1_FSBL_KEY_BYTES,
			    h + K1_FSBL_OFF_ROTPK_HASH, &n, err)))
		return rc;
	struct k1_buf sig = K1_BUF_INIT;
	rc = k1_sign(keys->key[K1_KEY_ROTPK], "sha256", h + K1_FSBL_OFF_HEADER0,
		     K1_FSBL_OFF_SIG0 - K1_FSBL_OFF_HEADER0, &sig, err);
	if (!rc && sig.len != K1_FSBL_KEY_BYTES)
		rc = k1_err(err, K1_ECRYPTO, "signature0 is %zu bytes, expected 256", sig.len);
	if (!rc)
		memcpy(h + K1_FSBL_OFF_SIG0, sig.data, sig.len);
	k1_buf_free(&sig);
	return rc ? k1_err_prefix(err, "signature0") : 0;
}

int k1_fsbl_build(const uint8_t *spl, size_t spl_len, const struct k1_fsbl_keys *keys,
		  uint32_t size_limit, struct k1_buf *out, struct k1_error *err)
{
	size_t padded = (spl_len + K1_FSBL_SPL_ALIGN - 1) / K1_FSBL_SPL_ALIGN * K1_FSBL_SPL_ALIGN;
	size_t total = K1_FSBL_OVERHEAD + padded, start = out->len;
	uint8_t *img;
	int rc;

	if (!spl_len)
		return k1_err(err, K1_EINVAL, "the SPL is empty");
	if (size_limit && total > size_limit)
		return k1_err(
			err, K1_ERANGE,
			"FSBL.bin would be %zu bytes (0x%zx: 4 KiB header + SPL %zu padded to "
			"%zu + 256-byte signature), over the bootinfo spl_size_limit 0x%x; "
			"the SPL may be at most %u bytes",
			total, total, spl_len, padded, size_limit,
			size_limit > K1_FSBL_OVERHEAD ? size_limit - K1_FSBL_OVERHEAD : 0);
	if (k1_buf_fill(out, 0, total))
		return k1_err(err, K1_ENOMEM, "out of memory");
	img = out->data + start;
	if ((rc = build_head(img, keys, err)))
		goto fail;
	put_header(img + K1_FSBL_OFF_HEADER1, padded);
	memcpy(img + K1_FSBL_OFF_SPL, spl, spl_len);
	struct k1_buf sig = K1_BUF_INIT;
	rc = k1_sign(keys->key[K1_KEY_SPL], "sha256", img + K1_FSBL_OFF_HEADER1,
		     K1_FSBL_OFF_SPL - K1_FSBL_OFF_HEADER1 + padded, &sig, err);
	if (!rc && sig.len != K1_FSBL_KEY_BYTES)
		rc = k1_err(err, K1_ECRYPTO, "signature1 is %zu bytes, expected 256", sig.len);
	if (!rc)
		memcpy(img + K1_FSBL_OFF_SPL + padded, sig.data, sig.len);
	k1_buf_free(&sig);
	if (rc) {
		k1_err_prefix(err, "signature1");
		goto fail;
	}
	return 0;
fail:
	out->len = start;
	return rc;
}

/* The FSBL format handler: describe and verify a signed FSBL.bin. */
#include "base/bytes.h"
#include "format/format.h"
#include "format/fsbl.h"

#include <stdio.h>
#include <string.h>

/* The vendor bootinfo's spl_size_limit; a standalone FSBL is judged by it. */
#define DEFAULT_SIZE_LIMIT 0x36000u

struct fsbl_view {
	const uint8_t *d;
	size_t len;
	uint64_t imgsize; /* header1.imgsize: the padded SPL length */
	size_t spl_end;   /* 0x1000 + imgsize, where signature1 starts */
	bool complete;    /* the whole image incl. signature1 is present */
};

size_t k1_fsbl_len(const uint8_t *data, size_t avail)
{
	size_t cap = avail < K1_FSBL_READ_CAP ? avail : K1_FSBL_READ_CAP;
	uint64_t imgsize, want;

	if (avail < K1_FSBL_OFF_SPL)
		return avail;
	imgsize = k1_le64(data + K1_FSBL_OFF_HEADER1 + 8);
	if (imgsize > K1_FSBL_READ_CAP)
		return cap;
	want = K1_FSBL_OFF_SPL + imgsize + K1_FSBL_KEY_BYTES;
	return want < cap ? (size_t)want : cap;
}

/* Either AIHD header: a damaged header0 magic is still an FSBL to report on. */
static int probe(const uint8_t *data, size_t len)
{
	if (len >= K1_FSBL_OFF_HEADER0 + 4 && !memcmp(data + K1_FSBL_OFF_HEADER0, "AIHD", 4))
		return 1;
	return len >= K1_FSBL_OFF_HEADER1 + 4 && !memcmp(data + K1_FSBL_OFF_HEADER1, "AIHD", 4);
}

static int view(const struct k1_input *in, struct fsbl_view *v, struct k1_error *err)
{
	memset(v, 0, sizeof(*v));
	v->d = in->data;
	v->len = in->len;
	if (in->len < K1_FSBL_OFF_SPL)
		return k1_err(err, K1_EINVAL,
			      "%s: FSBL truncated: %zu bytes, the signed header alone is 4096",
			      in->path, in->len);
	v->imgsize = k1_le64(in->data + K1_FSBL_OFF_HEADER1 + 8);
	if (v->imgsize <= in->len - K1_FSBL_OFF_SPL &&
	    in->len - K1_FSBL_OFF_SPL - v->imgsize >= K1_FSBL_KEY_BYTES) {
		v->spl_end = K1_FSBL_OFF_SPL + (size_t)v->imgsize;
		v->complete = true;
	}
	return 0;
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
	uint8_t h[64];
	size_t hl;
	if (k1_digest("sha256", p, n, h, &hl, NULL))
		memset(h, 0, 32);
	k1_hex(h, 32, out);
}

static int sig_ok(const struct fsbl_view *v, int which)
{
	const uint8_t *key = v->d + (which ? K1_FSBL_OFF_OEM_KEYS : K1_FSBL_OFF_ROTPK);
	size_t from = which ? K1_FSBL_OFF_HEADER1 : K1_FSBL_OFF_HEADER0;
	size_t to = which ? v->spl_end : K1_FSBL_OFF_SIG0;

	if (which && !v->complete)
		return -1;
	return k1_rsa_verify_modulus(key, K1_FSBL_KEY_BYTES, "sha256", v->d + from, to - from,
				     v->d + to, K1_FSBL_KEY_BYTES, NULL);
}

static const char *sig_status(int rc)
{
	return rc == 1 ? "valid" : rc == 0 ? "INVALID" : "missing";
}

static json_t *header_json(const uint8_t *h)
{
	char magic[5] = {0};
	memcpy(magic, h, 4);
	for (int i = 0; i < 4; i++)
		if (magic[i] < 0x20 || magic[i] > 0x7e)
			magic[i] = '?';
	return json_pack("{s:s, s:i, s:i, s:I, s:I}", "magic", magic, "version", h[4], "secure",
			 h[5], "imgsize", (json_int_t)k1_le64(h + 8), "load_addr",
			 (json_int_t)k1_le64(h + 16));
}

static json_t *key_table_json(const uint8_t *d)
{
	uint32_t num = k1_le32(d + K1_FSBL_OFF_KEYDATA + 4);
	json_t *arr = json_array();

	for (uint32_t i = 0; i < 4; i++) {
		const uint8_t *e = d + K1_FSBL_OFF_KEYTABLE + 20 * i;
		char name[17], fp[65];
		uint32_t id = k1_le32(e + 16);
		memcpy(name, e, 16);
		name[16] = '\0';
		for (char *p = name; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				*p = '?';
		sha256_hex(d + K1_FSBL_OFF_OEM_KEYS + 256 * i, 256, fp);
		json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:b, s:s}", "slot", i, "name",
						     name, "key_id", (json_int_t)id, "in_table",
						     i < num, "sha256", fp));
	}
	return arr;
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct fsbl_view v;
	char rotpk_fp[65], stored[65];
	int rc;

	if ((rc = view(in, &v, err)))
		return rc;
	sha256_hex(v.d + K1_FSBL_OFF_ROTPK, 256, rotpk_fp);
	k1_hex(v.d + K1_FSBL_OFF_ROTPK_HASH, 32, stored);
	*out = json_pack("{s:o, s:I, s:I, s:s, s:s, s:b, s:o, s:s, s:o, s:I, s:b, s:s}", "header0",
			 header_json(v.d + K1_FSBL_OFF_HEADER0), "key_default",
			 (json_int_t)k1_le32(v.d + K1_FSBL_OFF_KEYDATA), "table_num",
			 (json_int_t)k1_le32(v.d + K1_FSBL_OFF_KEYDATA + 4), "rotpk_sha256",
			 rotpk_fp, "rotpk_hash", stored, "rotpk_hash_ok", !strcmp(rotpk_fp, stored),
			 "keys", key_table_json(v.d), "signature0", sig_status(sig_ok(&v, 0)),
			 "header1", header_json(v.d + K1_FSBL_OFF_HEADER1), "spl_size",
			 (json_int_t)v.imgsize, "secure", v.d[K1_FSBL_OFF_HEADER0 + 5] != 0,
			 "signature1", sig_status(sig_ok(&v, 1)));
	return *out ? 0 : k1_err(err, K1_ENOMEM, "out of memory");
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void check_header(const struct fsbl_view *v, struct k1_checks *c, int which)
{
	size_t off = which ? K1_FSBL_OFF_HEADER1 : K1_FSBL_OFF_HEADER0;
	const uint8_t *h = v->d + off;
	char w[32], name[40];

	snprintf(name, sizeof(name), "fsbl.header%d.magic", which);
	k1_check_add(c, !memcmp(h, "AIHD", 4), name, k1_check_off(c, off, w, sizeof(w)),
		     "expected \"AIHD\", found %02x %02x %02x %02x", h[0], h[1], h[2], h[3]);
	snprintf(name, sizeof(name), "fsbl.header%d.version", which);
	k1_check_add(c, h[4] == 1, name, k1_check_off(c, off + 4, w, sizeof(w)),
		     "expected 1, found %u", h[4]);
}

static void check_sizes(const struct fsbl_view *v, struct k1_checks *c)
{
	char w[32];
	size_t want = v->complete ? v->spl_end + K1_FSBL_KEY_BYTES : 0;

	k1_check_add(c, k1_le64(v->d + K1_FSBL_OFF_HEADER0 + 8) == K1_FSBL_HEADER_SIZE,
		     "fsbl.header0.imgsize", k1_check_off(c, K1_FSBL_OFF_HEADER0 + 8, w, sizeof(w)),
		     "expected 0x1000, found 0x%llx",
		     (unsigned long long)k1_le64(v->d + K1_FSBL_OFF_HEADER0 + 8));
	k1_check_add(c, v->complete && v->imgsize % K1_FSBL_SPL_ALIGN == 0 && v->imgsize > 0,
		     "fsbl.header1.imgsize", k1_check_off(c, K1_FSBL_OFF_HEADER1 + 8, w, sizeof(w)),
		     "expected a non-zero multiple of 32 with the SPL and signature1 inside the "
		     "%zu-byte file, found 0x%llx",
		     v->len, (unsigned long long)v->imgsize);
	if (!v->complete)
		return;
	k1_check_add(c, v->len == want || all_zero(v->d + want, v->len - want), "fsbl.size",
		     k1_check_off(c, want, w, sizeof(w)),
		     "expected the file to end after signature1 (%zu bytes), found %zu bytes%s",
		     want, v->len, v->len == want ? "" : " with data after it");
	k1_check_add(c, want <= DEFAULT_SIZE_LIMIT, "fsbl.size_limit",
		     k1_check_off(c, 0, w, sizeof(w)),
		     "expected at most 0x%x bytes (bootinfo spl_size_limit), found 0x%zx",
		     DEFAULT_SIZE_LIMIT, want);
}

static void check_reserved(const struct fsbl_view *v, struct k1_checks *c)
{
	static const struct {
		size_t off, len;
	} zones[] = {
		{0x178, 0x140},
		{0x2D8, 0x28},
		{0x700, 0x400},
		{0xC00, 0x3E0},
	};
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		char w[32];
		bool z = all_zero(v->d + zones[i].off, zones[i].len);
		k1_check_add(c, z, "fsbl.reserved", k1_check_off(c, zones[i].off, w, sizeof(w)),
			     "expected %zu zero bytes%s", zones[i].len, z ? "" : ", found data");
	}
}

static void check_crypto(const struct fsbl_view *v, const struct k1_verify_opts *o,
			 struct k1_checks *c)
{
	char w[32], want[65], got[65];
	int s;

	sha256_hex(v->d + K1_FSBL_OFF_ROTPK, 256, want);
	k1_hex(v->d + K1_FSBL_OFF_ROTPK_HASH, 32, got);
	k1_check_add(c, !strcmp(want, got), "fsbl.rotpk_hash",
		     k1_check_off(c, K1_FSBL_OFF_ROTPK_HASH, w, sizeof(w)),
		     "expected SHA-256(ROTPK) %s, found %s", want, got);
	if (o && o->rotpk_hash) {
		char fuse[65];
		k1_hex(o->rotpk_hash, 32, fuse);
		k1_check_add(c, !strcmp(want, fuse), "fsbl.rotpk_efuse",
			     k1_check_off(c, K1_FSBL_OFF_ROTPK, w, sizeof(w)),
			     "expected the ROTPK to hash to the efuse value %s, found %s", fuse,
			     want);
	}
	s = sig_ok(v, 0);
	k1_check_add(c, s == 1, "fsbl.signature0", k1_check_off(c, K1_FSBL_OFF_SIG0, w, sizeof(w)),
		     "expected a valid RSA-2048/SHA-256 signature by the ROTPK over 0x100-0xaff, "
		     "found %s",
		     s == 1 ? "one" : "an invalid one");
	if (!v->complete)
		return;
	s = sig_ok(v, 1);
	k1_check_add(c, s == 1, "fsbl.signature1", k1_check_off(c, v->spl_end, w, sizeof(w)),
		     "expected a valid RSA-2048/SHA-256 signature by the spl key over "
		     "0xfe0-0x%zx, found %s",
		     v->spl_end - 1, s == 1 ? "one" : "an invalid one");
}

static int verify(const struct k1_input *in, const struct k1_verify_opts *opts, struct k1_checks *c,
		  struct k1_error *err)
{
	struct fsbl_view v;
	int rc;

	if ((rc = view(in, &v, err)))
		return rc;
	check_header(&v, c, 0);
	check_header(&v, c, 1);
	check_sizes(&v, c);
	check_reserved(&v, c);
	check_crypto(&v, opts, c);
	return 0;
}

const struct k1_format k1_format_fsbl = {
	.name = "fsbl",
	.summary = "FSBL.bin: U-Boot SPL behind the signed 4 KiB AIHD header",
	.probe = probe,
	.inspect = inspect,
	.verify = verify,
};

/* FAT12/16/32 with VFAT long names, read-only, from memory (Microsoft's
 * FAT specification: BPB, FAT chains, 32-byte directory entries, LFN
 * entries of 13 UCS-2 characters). Every offset is checked against the
 * region; a chain is followed at most `clusters` steps. */
#include "base/bytes.h"
#include "format/bootfs_fs_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIR_MAX (4u << 20) /* a bootfs directory larger than this is damage */

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int k1_fat_open(const uint8_t *d, size_t len, struct k1_fs **out, struct k1_error *err)
{
	struct k1_fat f = {.data = d, .len = len};
	uint32_t rsvd, nfats, rootent, total, fatsz, rootsecs;
	uint64_t first_data;
	struct k1_fs *fs;

	*out = NULL;
	if (len < 512 || (d[0] != 0xEB && d[0] != 0xE9) || d[510] != 0x55 || d[511] != 0xAA)
		return k1_err(err, K1_EINVAL, "FAT: no boot sector (jump and 55 AA)");
	f.bps = k1_le16(d + 11);
	f.spc = d[13];
	rsvd = k1_le16(d + 14);
	nfats = d[16];
	rootent = k1_le16(d + 17);
	total = k1_le16(d + 19) ? k1_le16(d + 19) : k1_le32(d + 32);
	fatsz = k1_le16(d + 22) ? k1_le16(d + 22) : k1_le32(d + 36);
	if (f.bps < 512 || f.bps > 4096 || !pow2(f.bps) || !pow2(f.spc) || !rsvd || !nfats ||
	    !fatsz || !total)
		return k1_err(err, K1_EINVAL, "FAT: implausible BPB");
	rootsecs = (rootent * 32u + f.bps - 1) / f.bps;
	first_data = rsvd + (uint64_t)nfats * fatsz + rootsecs;
	if (first_data >= total)
		return k1_err(err, K1_EINVAL, "FAT: BPB leaves no data area");
	f.clusters = (uint32_t)((total - first_data) / f.spc);
	f.bits = f.clusters < 4085 ? 12 : f.clusters < 65525 ? 16 : 32;
	f.fat_off = (uint64_t)rsvd * f.bps;
	f.root_off = (rsvd + (uint64_t)nfats * fatsz) * f.bps;
	f.root_len = rootsecs * f.bps;
	f.data_off = first_data * f.bps;
	if (f.bits == 32)
		f.root_cluster = k1_le32(d + 44);
	else if (!rootent)
		return k1_err(err, K1_EINVAL, "FAT%d: no root directory entries", f.bits);
	if (!(fs = calloc(1, sizeof(*fs))))
		return k1_err(err, K1_ENOMEM, "out of memory");
	fs->fat = f;
	snprintf(fs->type, sizeof(fs->type), "fat%d", f.bits);
	*out = fs;
	return 0;
}

/* The next cluster, or 0 at the end of the chain or on damage. */
static uint32_t fat_next(const struct k1_fat *f, uint32_t c)
{
	uint64_t off;
	uint32_t v;

	if (c < 2 || c >= f->clusters + 2)
		return 0;
	off = f->fat_off + (f->bits == 12 ? c + c / 2 : (uint64_t)c * (unsigned)(f->bits / 8));
	if (off + 4 > f->len && (f->bits == 32 || off + 2 > f->len))
		return 0;
	if (f->bits == 12) {
		v = k1_le16(f->data + off);
		v = c & 1 ? v >> 4 : v & 0xFFF;
		return v >= 0xFF8 ? 0 : v;
	}
	if (f->bits == 16) {
		v = k1_le16(f->data + off);
		return v >= 0xFFF8 ? 0 : v;
	}
	v = k1_le32(f->data + off) & 0x0FFFFFFF;
	return v >= 0x0FFFFFF8 ? 0 : v;
}

/* Copy up to max bytes of the chain from c into buf; *got the count. */
static int chain_read(const struct k1_fat *f, uint32_t c, uint8_t *buf, size_t max, size_t *got)
{
	uint64_t csize = (uint64_t)f->bps * f->spc;

	*got = 0;
	for (uint32_t steps = 0; *got < max; steps++) {
		uint64_t off = f->data_off + (uint64_t)(c - 2) * csize;
		size_t n = max - *got < csize ? max - *got : (size_t)csize;
		if (c < 2 || c >= f->clusters + 2 || steps > f->clusters || off + n > f->len)
			return K1_EINVAL;
		memcpy(buf + *got, f->data + off, n);
		*got += n;
		if (*got < max && !(c = fat_next(f, c)))
			return K1_EINVAL;
	}
	return 0;
}

/* A whole directory in a new buffer (the fixed root when c is 0). */
static int dir_load(const struct k1_fat *f, uint32_t c, uint8_t **out, size_t *len)
{
	uint64_t csize = (uint64_t)f->bps * f->spc;
	size_t n = 0;
	uint32_t x = c;

	if (!c) {
		if (f->root_off + f->root_len > f->len)
			return K1_EINVAL;
		*len = f->root_len;
		if (!(*out = malloc(*len ? *len : 1)))
			return K1_ENOMEM;
		memcpy(*out, f->data + f->root_off, *len);
		return 0;
	}
	for (uint32_t steps = 0; x && steps <= f->clusters && n < DIR_MAX; steps++) {
		n += (size_t)csize;
		x = fat_next(f, x);
	}
	if (!(*out = malloc(n ? n : 1)))
		return K1_ENOMEM;
	if (chain_read(f, c, *out, n, len)) {
		free(*out);
		return K1_EINVAL;
	}
	return 0;
}

static bool name_eq(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && !strncasecmp(a, b, alen);
}

/* Find name in a directory; 0 and the entry's 32 bytes, or K1_ENODEV. */
static int dir_find(const struct k1_fat *f, uint32_t c, const char *name, size_t nlen,
		    uint8_t ent[32])
{
	char lfn[256], sfn[13];
	uint8_t *d;
	size_t len;
	bool have_lfn = false;
	int rc;

	if ((rc = dir_load(f, c, &d, &len)))
		return rc;
	rc = K1_ENODEV;
	for (size_t o = 0; o + 32 <= len; o += 32) {
		const uint8_t *e = d + o;
		if (!e[0])
			break;
		if (e[0] == 0xE5) {
			have_lfn = false;
			continue;
		}
		if (e[11] == 0x0F) { /* a long-name piece: 13 characters */
			static const uint8_t at[13] = {1,  3,  5,  7,  9,  14, 16,
						       18, 20, 22, 24, 28, 30};
			unsigned seq = e[0] & 0x1F;
			if (e[0] & 0x40) {
				memset(lfn, 0, sizeof(lfn));
				have_lfn = true;
			}
			if (!seq || seq > 19)
				continue;
			for (int i = 0; i < 13; i++) {
				uint16_t ch = k1_le16(e + at[i]);
				size_t pos = (seq - 1) * 13 + (size_t)i;
				if (pos < sizeof(lfn) - 1 && ch != 0xFFFF)
					lfn[pos] = ch && ch < 0x80 ? (char)ch : ch ? '?' : 0;
			}
			continue;
		}
		if (e[11] & 0x08) { /* volume label */
			have_lfn = false;
			continue;
		}
		size_t k = 0;
		for (int i = 0; i < 8 && e[i] != ' '; i++)
			sfn[k++] = (char)(i == 0 && e[0] == 0x05 ? 0xE5 : e[i]);
		if (e[8] != ' ') {
			sfn[k++] = '.';
			for (int i = 8; i < 11 && e[i] != ' '; i++)
				sfn[k++] = (char)e[i];
		}
		sfn[k] = 0;
		if ((have_lfn && name_eq(name, nlen, lfn)) || name_eq(name, nlen, sfn)) {
			memcpy(ent, e, 32);
			rc = 0;
			break;
		}
		have_lfn = false;
	}
	free(d);
	return rc;
}

int k1_fat_read(struct k1_fs *fs, const char *path, uint8_t *buf, size_t max, size_t *got,
		uint64_t *size, struct k1_error *err)
{
	const struct k1_fat *f = &fs->fat;
	uint32_t dir = f->bits == 32 ? f->root_cluster : 0, first = 0;
	uint8_t ent[32] = {0};
	bool isdir = true;
	int rc;

	for (const char *p = path;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		if (!isdir)
			return K1_ENODEV;
		if (n == 1 && *p == '.') {
			p += n;
			continue;
		}
		if ((rc = dir_find(f, dir, p, n, ent)))
			return rc == K1_ENODEV
				       ? K1_ENODEV
				       : k1_err(err, rc, "FAT: directory of %s damaged", path);
		first = (uint32_t)k1_le16(ent + 26) |
			(f->bits == 32 ? (uint32_t)k1_le16(ent + 20) << 16 : 0);
		isdir = ent[11] & 0x10;
		dir = first ? first : (f->bits == 32 ? f->root_cluster : 0); /* ".." to root */
		p += n;
	}
	if (isdir)
		return K1_ENODEV;
	*size = k1_le32(ent + 28);
	if (max > *size)
		max = (size_t)*size;
	if (max && chain_read(f, first, buf, max, got))
		return k1_err(err, K1_EINVAL, "FAT: %s: cluster chain broken", path);
	return 0;
}

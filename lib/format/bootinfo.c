#include "format/bootinfo.h"
#include "base/bytes.h"
#include "format/format.h"
#include "format/fsbl.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* Field offsets (spec §2). */
enum {
	OFF_MAGIC = 0x00,
	OFF_VERSION = 0x04,
	OFF_FLASH_TYPE = 0x08,
	OFF_MID = 0x0C,
	OFF_DID = 0x0E,
	OFF_PAGE = 0x10,
	OFF_BLOCK = 0x14,
	OFF_TOTAL = 0x18,
	OFF_MULTI_PLANE = 0x1C,
	OFF_SPL0 = 0x20,
	OFF_SPL1 = 0x24,
	OFF_LIMIT = 0x28,
	OFF_PT0 = 0x2C,
	OFF_PT1 = 0x30,
	OFF_CRC = 0x40,
};

static const struct media_info {
	const char *name, flash_type[4];
	uint32_t page, block, total, spl0, spl1;
} media_table[] = {
	[K1_MEDIA_EMMC] = {"emmc", "eMMC", 512, 0x10000, 0x10000000, 0x200, 0},
	[K1_MEDIA_SD] = {"sd", "SDC", 512, 0x10000, 0x10000000, 0x20000, 0x80000},
	[K1_MEDIA_SPINOR] = {"spinor", "NORF", 256, 0x10000, 0x100000, 0x20000, 0x70000},
	[K1_MEDIA_SPINAND] = {"spinand", "NAND", 2048, 0x20000, 0x10000000, 0x20000, 0x80000},
};
#define N_MEDIA (sizeof(media_table) / sizeof(media_table[0]))

int k1_media_parse(const char *name, enum k1_media *out)
{
	for (size_t i = 0; i < N_MEDIA; i++)
		if (!strcmp(name, media_table[i].name)) {
			*out = (enum k1_media)i;
			return 0;
		}
	return K1_EINVAL;
}

const char *k1_media_name(enum k1_media m)
{
	return (size_t)m < N_MEDIA ? media_table[m].name : "unknown";
}

int k1_bootinfo_media(const struct k1_bootinfo *bi)
{
	for (size_t i = 0; i < N_MEDIA; i++)
		if (!memcmp(bi->flash_type, media_table[i].flash_type, 4))
			return (int)i;
	return -1;
}

void k1_bootinfo_defaults(enum k1_media m, struct k1_bootinfo *bi)
{
	const struct media_info *mi = &media_table[m];

	memset(bi, 0, sizeof(*bi));
	bi->magic = K1_BOOTINFO_MAGIC;
	bi->version = K1_BOOTINFO_VERSION;
	memcpy(bi->flash_type, mi->flash_type, 4);
	bi->page_size = mi->page;
	bi->block_size = mi->block;
	bi->total_size = mi->total;
	bi->spl0_offset = mi->spl0;
	bi->spl1_offset = mi->spl1;
	bi->spl_size_limit = 0x36000;
}

uint32_t k1_bootinfo_crc(const uint8_t *raw)
{
	return (uint32_t)crc32(0L, raw, K1_BOOTINFO_CRC_LEN);
}

void k1_bootinfo_encode(const struct k1_bootinfo *bi, uint8_t out[K1_BOOTINFO_SIZE])
{
	memset(out, 0, K1_BOOTINFO_SIZE);
	k1_put_le32(out + OFF_MAGIC, bi->magic);
	k1_put_le32(out + OFF_VERSION, bi->version);
	memcpy(out + OFF_FLASH_TYPE, bi->flash_type, 4);
	out[OFF_MID] = bi->mid;
	k1_put_le16(out + OFF_DID, bi->did);
	k1_put_le32(out + OFF_PAGE, bi->page_size);
	k1_put_le32(out + OFF_BLOCK, bi->block_size);
	k1_put_le32(out + OFF_TOTAL, bi->total_size);
	out[OFF_MULTI_PLANE] = bi->multi_plane;
	k1_put_le32(out + OFF_SPL0, bi->spl0_offset);
	k1_put_le32(out + OFF_SPL1, bi->spl1_offset);
	k1_put_le32(out + OFF_LIMIT, bi->spl_size_limit);
	k1_put_le32(out + OFF_PT0, bi->partitiontable0_offset);
	k1_put_le32(out + OFF_PT1, bi->partitiontable1_offset);
	k1_put_le32(out + OFF_CRC, k1_bootinfo_crc(out));
}

int k1_bootinfo_decode(const uint8_t *raw, size_t len, struct k1_bootinfo *bi, struct k1_error *err)
{
	if (len < K1_BOOTINFO_SIZE)
		return k1_err(err, K1_EINVAL, "bootinfo truncated: %zu bytes, expected %d", len,
			      K1_BOOTINFO_SIZE);
	memset(bi, 0, sizeof(*bi));
	bi->magic = k1_le32(raw + OFF_MAGIC);
	bi->version = k1_le32(raw + OFF_VERSION);
	memcpy(bi->flash_type, raw + OFF_FLASH_TYPE, 4);
	bi->mid = raw[OFF_MID];
	bi->did = k1_le16(raw + OFF_DID);
	bi->page_size = k1_le32(raw + OFF_PAGE);
	bi->block_size = k1_le32(raw + OFF_BLOCK);
	bi->total_size = k1_le32(raw + OFF_TOTAL);
	bi->multi_plane = raw[OFF_MULTI_PLANE];
	bi->spl0_offset = k1_le32(raw + OFF_SPL0);
	bi->spl1_offset = k1_le32(raw + OFF_SPL1);
	bi->spl_size_limit = k1_le32(raw + OFF_LIMIT);
	bi->partitiontable0_offset = k1_le32(raw + OFF_PT0);
	bi->partitiontable1_offset = k1_le32(raw + OFF_PT1);
	bi->crc32 = k1_le32(raw + OFF_CRC);
	return 0;
}

/* ---- the format handler: inspect and verify ---- */

/* The magic, or, so that a damaged magic is still reported as such, a
 * bootinfo-sized file whose version and flash type are right. */
static int probe(const uint8_t *data, size_t len)
{
	if (len >= 4 && k1_le32(data) == K1_BOOTINFO_MAGIC)
		return 1;
	if (len != K1_BOOTINFO_SIZE && len != 512)
		return 0;
	for (size_t i = 0; i < N_MEDIA; i++)
		if (!memcmp(data + OFF_FLASH_TYPE, media_table[i].flash_type, 4))
			return k1_le32(data + OFF_VERSION) == K1_BOOTINFO_VERSION;
	return 0;
}

static void flash_type_str(const struct k1_bootinfo *bi, char out[20])
{
	char *p = out;
	for (int i = 0; i < 4; i++) {
		unsigned char ch = (unsigned char)bi->flash_type[i];
		if (ch >= 0x20 && ch < 0x7f)
			*p++ = (char)ch;
		else if (ch)
			p += sprintf(p, "\\x%02x", ch);
	}
	*p = '\0';
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct k1_bootinfo bi;
	char hex[3][16], ft[20];
	int media;
	uint32_t crc;

	if (k1_bootinfo_decode(in->data, in->len, &bi, err))
		return k1_err_prefix(err, "%s", in->path);
	media = k1_bootinfo_media(&bi);
	crc = k1_bootinfo_crc(in->data);
	flash_type_str(&bi, ft);
	snprintf(hex[0], sizeof(hex[0]), "0x%08X", bi.magic);
	snprintf(hex[1], sizeof(hex[1]), "0x%08x", bi.crc32);
	snprintf(hex[2], sizeof(hex[2]), "0x%08x", crc);
	*out = json_pack(
		"{s:s, s:I, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:i, s:I, s:I, s:I, s:I, s:I,"
		" s:s, s:s, s:b}",
		"magic", hex[0], "version", (json_int_t)bi.version, "flash_type", ft, "media",
		media < 0 ? "unknown" : k1_media_name((enum k1_media)media), "mid", bi.mid, "did",
		bi.did, "page_size", (json_int_t)bi.page_size, "block_size",
		(json_int_t)bi.block_size, "total_size", (json_int_t)bi.total_size, "multi_plane",
		bi.multi_plane, "spl0_offset", (json_int_t)bi.spl0_offset, "spl1_offset",
		(json_int_t)bi.spl1_offset, "spl_size_limit", (json_int_t)bi.spl_size_limit,
		"partitiontable0_offset", (json_int_t)bi.partitiontable0_offset,
		"partitiontable1_offset", (json_int_t)bi.partitiontable1_offset, "crc32", hex[1],
		"crc32_computed", hex[2], "crc_ok", crc == bi.crc32);
	return *out ? 0 : k1_err(err, K1_ENOMEM, "out of memory");
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* The FSBL slots must not overlap each other, the GPT (SD), or run past the
 * medium; eMMC keeps spl0 at 0x200 of boot0 and spl1 in boot1. */
static void check_offsets(const struct k1_bootinfo *bi, int media, struct k1_checks *c)
{
	char w[32];
	uint32_t lim = bi->spl_size_limit;

	k1_check_add(c, lim > 0x1100 && lim <= 0x40000, "bootinfo.spl_size_limit",
		     k1_check_off(c, OFF_LIMIT, w, sizeof(w)),
		     "expected 0x1101..0x40000 (the FSBL must fit the 256 KiB SRAM), found 0x%x",
		     lim);
	if (media == K1_MEDIA_EMMC) {
		k1_check_add(c, bi->spl0_offset == 0x200, "bootinfo.spl0_offset",
			     k1_check_off(c, OFF_SPL0, w, sizeof(w)),
			     "expected 0x200 (eMMC boot0, after the bootinfo block), found 0x%x",
			     bi->spl0_offset);
		return;
	}
	/* SD: the primary GPT occupies LBA 0-33 (17 KiB). */
	uint32_t min = media == K1_MEDIA_SD ? 0x4400 : K1_BOOTINFO_SIZE;
	k1_check_add(c, bi->spl0_offset >= min && bi->spl0_offset % 512 == 0,
		     "bootinfo.spl0_offset", k1_check_off(c, OFF_SPL0, w, sizeof(w)),
		     "expected a 512-byte aligned offset >= 0x%x, found 0x%x", min,
		     bi->spl0_offset);
	if (bi->spl1_offset)
		k1_check_add(c,
			     bi->spl1_offset % 512 == 0 &&
				     (bi->spl1_offset >= (uint64_t)bi->spl0_offset + lim ||
				      (uint64_t)bi->spl1_offset + lim <= bi->spl0_offset),
			     "bootinfo.spl1_offset", k1_check_off(c, OFF_SPL1, w, sizeof(w)),
			     "expected a 512-byte aligned slot not overlapping spl0 "
			     "(0x%x + limit 0x%x), found 0x%x",
			     bi->spl0_offset, lim, bi->spl1_offset);
	if (media == K1_MEDIA_SPINOR || media == K1_MEDIA_SPINAND) {
		uint64_t end = (uint64_t)(bi->spl1_offset > bi->spl0_offset ? bi->spl1_offset
									    : bi->spl0_offset) +
			       lim;
		k1_check_add(c, end <= bi->total_size, "bootinfo.total_size",
			     k1_check_off(c, OFF_TOTAL, w, sizeof(w)),
			     "expected the FSBL slots (ending at 0x%llx) to fit the flash, found "
			     "total_size 0x%x",
			     (unsigned long long)end, bi->total_size);
	}
}

/* A bootinfo followed by more bytes is a boot-partition image (eMMC boot0
 * as k1fw image writes it, or a dump of one): the FSBL must be at
 * spl0_offset, within spl_size_limit, and verify. */
static int check_boot0(const struct k1_input *in, const struct k1_bootinfo *bi,
		       const struct k1_verify_opts *opts, struct k1_checks *c)
{
	uint64_t off = bi->spl0_offset, base = c->base;
	size_t flen = 0;
	bool found = false;
	char w[32], path[512];
	struct k1_error e = {0};
	int rc;

	if (off >= K1_BOOTINFO_SIZE && off < in->len) {
		flen = k1_fsbl_len(in->data + off, in->len - (size_t)off);
		found = k1_format_fsbl.probe(in->data + off, flen);
	}
	k1_check_add(c, found, "boot0.fsbl", k1_check_off(c, off, w, sizeof(w)),
		     "expected an FSBL (\"AIHD\" at +0x100) at spl0_offset 0x%llx of this "
		     "boot-partition image, found %s",
		     (unsigned long long)off,
		     found           ? "one"
		     : off < in->len ? "none"
				     : "the end");
	if (!found)
		return 0;
	k1_check_add(c, !bi->spl_size_limit || flen <= bi->spl_size_limit, "boot0.fsbl_size",
		     k1_check_off(c, off, w, sizeof(w)),
		     "expected the FSBL to fit spl_size_limit 0x%x, found 0x%zx bytes",
		     bi->spl_size_limit, flen);
	snprintf(path, sizeof(path), "%s@0x%llx", in->path, (unsigned long long)off);
	struct k1_input sub = {.path = path, .data = in->data + off, .len = flen};
	c->base = base + off;
	rc = k1_format_fsbl.verify(&sub, opts, c, &e);
	c->base = base;
	if (rc && rc != K1_ENOMEM)
		k1_check_add(c, false, "boot0.fsbl.readable", k1_check_off(c, off, w, sizeof(w)),
			     "expected a readable FSBL, found: %s", e.msg);
	return rc == K1_ENOMEM ? rc : 0;
}

static int verify(const struct k1_input *in, const struct k1_verify_opts *opts, struct k1_checks *c,
		  struct k1_error *err)
{
	struct k1_bootinfo bi;
	char w[32];
	int media;
	uint32_t crc;
	bool zero = true;

	(void)opts;
	if (k1_bootinfo_decode(in->data, in->len, &bi, err))
		return k1_err_prefix(err, "%s", in->path);
	k1_check_add(c, bi.magic == K1_BOOTINFO_MAGIC, "bootinfo.magic",
		     k1_check_off(c, OFF_MAGIC, w, sizeof(w)), "expected 0x%08X, found 0x%08X",
		     K1_BOOTINFO_MAGIC, bi.magic);
	k1_check_add(c, bi.version == K1_BOOTINFO_VERSION, "bootinfo.version",
		     k1_check_off(c, OFF_VERSION, w, sizeof(w)), "expected 0x%08X, found 0x%08X",
		     K1_BOOTINFO_VERSION, bi.version);
	crc = k1_bootinfo_crc(in->data);
	k1_check_add(c, crc == bi.crc32, "bootinfo.crc32", k1_check_off(c, OFF_CRC, w, sizeof(w)),
		     "expected 0x%08x (CRC-32 of bytes 0x00-0x3f), found 0x%08x", crc, bi.crc32);
	media = k1_bootinfo_media(&bi);
	{
		char ft[20];
		flash_type_str(&bi, ft);
		k1_check_add(c, media >= 0, "bootinfo.flash_type",
			     k1_check_off(c, OFF_FLASH_TYPE, w, sizeof(w)),
			     "expected eMMC, SDC, NORF or NAND, found '%s'", ft);
	}
	k1_check_add(c, pow2(bi.page_size) && pow2(bi.block_size) && bi.block_size >= bi.page_size,
		     "bootinfo.geometry", k1_check_off(c, OFF_PAGE, w, sizeof(w)),
		     "expected power-of-two page and block sizes, found page %u, block %u",
		     bi.page_size, bi.block_size);
	if (media >= 0)
		check_offsets(&bi, media, c);
	for (size_t i = OFF_CRC + 4; i < K1_BOOTINFO_SIZE; i++)
		zero &= in->data[i] == 0;
	k1_check_add(c, zero, "bootinfo.tail", k1_check_off(c, OFF_CRC + 4, w, sizeof(w)),
		     "expected 12 zero bytes after the CRC%s", zero ? "" : ", found data");
	if (in->len > 512 && media >= 0 && check_boot0(in, &bi, opts, c))
		return k1_err(err, K1_ENOMEM, "%s: out of memory", in->path);
	return 0;
}

int k1_bootinfo_check(const struct k1_bootinfo *bi, struct k1_error *err)
{
	uint8_t raw[K1_BOOTINFO_SIZE];
	struct k1_input in = {"bootinfo", raw, sizeof(raw)};
	struct k1_checks c = {0};
	int rc;

	k1_bootinfo_encode(bi, raw);
	rc = verify(&in, NULL, &c, err);
	for (size_t i = 0; i < c.count && !rc; i++)
		if (!c.items[i].ok)
			rc = k1_err(err, K1_EINVAL, "%s: %s", c.items[i].name, c.items[i].message);
	k1_checks_free(&c);
	return rc;
}

const struct k1_format k1_format_bootinfo = {
	.name = "bootinfo",
	.summary = "80-byte boot-media descriptor the BootROM reads at offset 0",
	.probe = probe,
	.inspect = inspect,
	.verify = verify,
};

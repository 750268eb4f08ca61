/* `flash` and `erase` on the eMMC as the vendor U-Boot does them
 * (fb_mmc.c, fb_spacemit.c, image-sparse.c of milkv-jupiter v1.0.15 and
 * the generations of emu_uboot.h; spec §6.1): the table parsed as
 * fb_spacemit.c does and laid out as `gpt write` does, the bootinfo built
 * over the download buffer, fsbl's unconditional OKAY, env per
 * generation, the gzip guess, raw writes read back, sparse images written
 * chunk by chunk (a bad chunk stops after the good ones are written). The
 * download buffer keeps what earlier downloads left past the last one, as
 * U-Boot's does: bytes the vendor code reads from there come out the same. */
#include "base/bytes.h"
#include "base/crypto.h"
#include "emu/emu_board.h"
#include "format/disk.h"
#include "format/gpt_write.h"
#include "format/ptable.h"
#include "format/sparse.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define BLK 512u
#define WRITE_CHUNK (16384u * BLK) /* EMMC_MAX_BLK_WRITE blocks per progress call */
#define INFO_EVERY_MS 30000u       /* fastboot_timed_send_info() */
#define BOOT_INFO_SPL0 0x200u

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* fastboot_timed_send_info(): the first call starts the clock; a call 30 s
 * or more after the last INFO (or that start) sends INFO<msg>. */
void k1_emu_progress(struct k1_emu_board *b, const char *msg)
{
	uint64_t t = now_ms();

	if (!b->progress_t0) {
		b->progress_t0 = t;
		return;
	}
	if (t - b->progress_t0 < INFO_EVERY_MS)
		return;
	b->progress_t0 = t;
	if (b->rep && b->rep->ninfo < K1_EMU_MAX_INFO)
		k1_fb_reply(b->rep->info[b->rep->ninfo++], "INFO", "%s", msg);
}

/* fb_mmc_blk_write(): data NULL erases; one progress call per chunk. */
static int blk_write(struct k1_emu_board *b, enum k1_emu_dev dev, uint64_t off, const uint8_t *data,
		     uint64_t len, struct k1_error *err)
{
	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < WRITE_CHUNK ? len - done : WRITE_CHUNK;
		int rc;
		k1_emu_progress(b, data ? "writing" : "erasing");
		rc = data ? k1_emu_write(&b->st, dev, off + done, data + done, (size_t)n, err)
			  : k1_emu_fill(&b->st, dev, off + done, n, 0, err);
		if (rc)
			return rc;
		done += n;
	}
	return 0;
}

static uint64_t round_blk(uint64_t n)
{
	return (n + BLK - 1) / BLK * BLK;
}

/* The download buffer holding at least n bytes (older bytes kept, never
 * written ones zero), or NULL. */
static uint8_t *buffer(struct k1_emu_board *b, size_t n)
{
	return k1_emu_download_buf(b, n ? n : 1);
}

/* ---- flash gpt: fb_spacemit.c _parse_flash_config() + `gpt write` ---- */

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* U-Boot's simple_strtoull(base 0) + ustrtoull()'s K/M/G suffix. */
static uint64_t ustrtoull(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*s == '-' || *s == '+' || isspace((unsigned char)*s))
		return 0;
	switch (tolower((unsigned char)*end)) {
	case 'g':
		v <<= 10;
		/* fall through */
	case 'm':
		v <<= 10;
		/* fall through */
	case 'k':
		v <<= 10;
	}
	return v;
}

/* gpt_fill_pte(): starts and ends from the strings `gpt write` gets. */
static int lay_out(struct k1_emu_board *b, const struct k1_emu_gptent *e, size_t n,
		   struct k1_gpt_new_part *parts, struct k1_error *err)
{
	uint64_t lba = b->st.size[K1_DEV_USER] / BLK, last_usable = lba - 34, offset = 34;

	if (n > K1_GPT_NEW_ENTRIES || lba < 68)
		return k1_err(err, K1_EINVAL, "write gpt tabel fail");
	for (size_t i = 0; i < n; i++) {
		uint64_t start = ustrtoull(e[i].start) / BLK;
		uint64_t size = strcmp(e[i].size, "-") ? ustrtoull(e[i].size) / BLK : 0;
		if (start)
			offset = start + size;
		else
			start = offset, offset += size;
		/* overlaps the header (LBA 1) or the entries (LBA 2-33) */
		if ((start < 2 && 1 < start + size) || (start < 34 && 2 < start + size) ||
		    offset > last_usable + 1 || strlen(e[i].name) >= 32)
			return k1_err(err, K1_EINVAL, "write gpt tabel fail");
		parts[i] = (struct k1_gpt_new_part){.name = e[i].name, .first_lba = start};
		parts[i].last_lba = i == n - 1 && !size ? last_usable : offset - 1;
	}
	return 0;
}

void k1_emu_guid(const char *a, uint64_t n, uint8_t g[16])
{
	uint8_t h[64];
	size_t hl;
	char buf[300];

	snprintf(buf, sizeof(buf), "k1fw-emulate:%s:%llu", a, (unsigned long long)n);
	if (k1_digest("sha256", buf, strlen(buf), h, &hl, NULL))
		memset(h, 0x5a, 32);
	k1_gpt_guid_v4(g, h);
}

/* write_gpt_table(): protective MBR (bytes 0-439 kept), both GPTs. The
 * GUIDs are a hash of the layout here; the vendor's are random. */
static int write_gpt(struct k1_emu_board *b, const struct k1_emu_gptent *e, size_t n,
		     struct k1_error *err)
{
	static struct k1_gpt_new_part parts[K1_GPT_NEW_ENTRIES];
	static uint8_t primary[K1_GPT_PRIMARY_BYTES], backup[K1_GPT_BACKUP_BYTES];
	uint64_t sectors = b->st.size[K1_DEV_USER] / BLK;
	uint8_t dguid[16];

	if (lay_out(b, e, n, parts, err))
		return K1_EINVAL;
	for (size_t i = 0; i < n; i++)
		k1_emu_guid(parts[i].name, parts[i].first_lba, parts[i].guid);
	k1_emu_guid("disk", sectors, dguid);
	/* the vendor's words, whatever went wrong */
	if (k1_gpt_build(parts, n, sectors, dguid, primary, backup, err))
		return k1_err(err, K1_EIO, "write gpt tabel fail");
	/* set_protective_mbr(): the record's CHS fields stay zero */
	memset(primary + 0x1BE, 0, 4);
	memset(primary + 0x1C3, 0, 3);
	if (blk_write(b, K1_DEV_USER, 440, primary + 440, sizeof(primary) - 440, err) ||
	    blk_write(b, K1_DEV_USER, (sectors - 33) * BLK, backup, sizeof(backup), err))
		return k1_err(err, K1_EIO, "write gpt tabel fail");
	if (b->con)
		b->con(b->con_ctx, "GPT successfully written to block device!");
	return 0;
}

/* The env area after `flash gpt` (_clear_env_part: the first 16 KiB of the
 * download buffer zeroed and written at 0x60000) or, on the export
 * generation, the running env exported there (_update_partinfo_to_env). */
static int env_area_after_table(struct k1_emu_board *b, struct k1_error *err)
{
	uint8_t *buf = buffer(b, K1_DISK_ENV_SIZE);

	if (!buf)
		return k1_err(err, K1_ENOMEM, "out of memory");
	if (b->cfg.uboot->gpt_exports_env) {
		if (k1_emu_env_export(b, buf))
			return k1_err(err, K1_ERANGE, "env export");
	} else {
		memset(buf, 0, K1_DISK_ENV_SIZE);
	}
	return blk_write(b, K1_DEV_USER, K1_DISK_ENV_OFFSET, buf, K1_DISK_ENV_SIZE, err);
}

/* The table as a C string in the download buffer (cJSON_Parse reads up to
 * the first NUL and ignores what follows the JSON value). */
static json_t *load_table(struct k1_emu_board *b)
{
	uint8_t *buf = buffer(b, b->dl_len + 1);
	json_error_t je;

	if (!buf)
		return NULL;
	return json_loadb((const char *)buf, strnlen((const char *)buf, b->dl_cap),
			  JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY, &je);
}

/* env set -f partitions '<the gpt_table string>' */
static void set_partitions(struct k1_emu_board *b)
{
	char part[2048] = "";
	size_t len = 0;

	for (size_t i = 0; i < b->gpt_n && len < sizeof(part); i++) {
		const struct k1_emu_gptent *e = &b->gpt_table[i];
		int n = snprintf(part + len, sizeof(part) - len, "name=%s,%s%s%ssize=%s;", e->name,
				 e->start[0] ? "start=" : "", e->start, e->start[0] ? "," : "",
				 e->size);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	k1_emu_env_set(b, "partitions", part);
}

/* fastboot_oem_flash_gpt(): parse (parts_info[] is updated entry by entry,
 * the gpt_table string only when the whole table parsed; an "mtd" table
 * leaves it as it was and it is written again), gpt write, then the env
 * area. */
void k1_emu_vendor_flash_table(struct k1_emu_board *b, struct k1_emu_reply *rep)
{
	static struct k1_emu_gptent entries[K1_PTABLE_VENDOR_MAX];
	json_t *root = load_table(b), *parts;
	struct k1_error err = {0};
	uint64_t cur = 0; /* KiB */
	size_t n = 0, index = 0;
	int rc = 0;

	parts = json_is_object(root) ? json_object_get(root, "partitions") : NULL;
	if (!json_is_array(parts)) { /* "parsing config fail": no status at all */
		rep->empty = true;
		json_decref(root);
		return;
	}
	const char *format = jstr(root, "format");
	if (!strncmp(format, "gpt", 3))
		b->gpt_format = true;
	bool mtd = !strncmp(format, "mtd", 3);
	for (size_t i = 0; i < json_array_size(parts) && index < K1_PTABLE_VENDOR_MAX; i++) {
		json_t *p = json_array_get(parts, i), *hid = json_object_get(p, "hidden");
		struct k1_emu_vpart *v = &b->vparts[index++];
		const char *name = jstr(p, "name"), *off = jstr(p, "offset"),
			   *size = jstr(p, "size");
		uint64_t kib = k1_ptable_vendor_kib(off);

		v->hidden = (!mtd && !strncmp(name, "bootinfo", 8)) || json_is_true(hid) ||
			    (json_is_string(hid) && !strcmp(json_string_value(hid), "true"));
		if (kib > 0 && kib < cur) {
			json_decref(root);
			k1_fb_reply(rep->final, "FAIL",
				    "offset must larger then previous size and offset");
			return;
		}
		if (kib > 0)
			cur = kib;
		if (!mtd && !v->hidden && b->gpt_format) {
			struct k1_emu_gptent *e = &entries[n++];
			snprintf(e->name, sizeof(e->name), "%s", name);
			snprintf(e->start, sizeof(e->start), "%s", off);
			snprintf(e->size, sizeof(e->size), "%s", size);
		}
		v->used = true;
		snprintf(v->name, sizeof(v->name), "%s", name);
		v->offset = cur << 10;
		v->size = k1_ptable_vendor_kib(size) << 10;
		cur += k1_ptable_vendor_kib(size);
	}
	json_decref(root);
	if (!mtd) {
		memcpy(b->gpt_table, entries, n * sizeof(*entries));
		b->gpt_n = n;
	} else if (index) {
		b->mtd_table = true;
	}
	if (b->gpt_n && b->gpt_format) {
		set_partitions(b);
		rc = write_gpt(b, b->gpt_table, b->gpt_n, &err);
	}
	/* _write_mtd_partition(): mtdparts for the first MTD device, if any */
	if (!rc && b->mtd_table && !b->st.size[K1_DEV_NOR] && !b->st.size[K1_DEV_NAND]) {
		k1_fb_reply(rep->final, "FAIL", "write mtd tabel fail");
		return;
	}
	if (!rc && env_area_after_table(b, &err))
		rc = k1_err(&err, K1_EIO, "%s",
			    b->cfg.uboot->gpt_exports_env ? "update part info to env fail"
							  : "clear env fail");
	if (rc)
		k1_fb_reply(rep->final, "FAIL", "%s", err.msg);
	else
		k1_fb_reply(rep->final, "OKAY", "parse gpt/mtd table okay");
}

/* ---- bootinfo, fsbl, fsbl_1 ---- */

/* fastboot_oem_flash_bootinfo(): the fields written over the download
 * buffer (only its first 8 bytes cleared: memset of sizeof a pointer), the
 * CRC over 0x00-0x3F, one 512-byte block to boot0. */
void k1_emu_vendor_flash_bootinfo(struct k1_emu_board *b, struct k1_emu_reply *rep)
{
	uint8_t *blk = buffer(b, BLK);
	struct k1_error err = {0};

	if (!blk) {
		k1_fb_reply(rep->final, "FAIL", "out of memory");
		return;
	}
	memset(blk, 0, 8);
	k1_put_le32(blk + 0x00, 0xB00714F0u);
	k1_put_le32(blk + 0x04, 0x00010001u);
	memcpy(blk + 0x08, "eMMC", 5); /* strcpy: the NUL lands in mfr_id */
	k1_put_le32(blk + 0x10, 0x200);
	k1_put_le32(blk + 0x14, 0x10000);
	k1_put_le32(blk + 0x18, 0x10000000);
	k1_put_le32(blk + 0x20, BOOT_INFO_SPL0);
	k1_put_le32(blk + 0x24, 0);
	k1_put_le32(blk + 0x28, b->cfg.uboot->spl_size_limit);
	k1_put_le32(blk + 0x40, (uint32_t)crc32(0L, blk, 0x40));
	if (!b->st.size[K1_DEV_BOOT0] || blk_write(b, K1_DEV_BOOT0, 0, blk, BLK, &err))
		k1_fb_reply(rep->final, "FAIL", "flash mmc boot fail");
	else
		k1_fb_reply(rep->final, "OKAY", "%s", "");
}

/* flash_mmc_boot_op(boot0, offset 0x200): whole blocks from the buffer;
 * too large or no boot partition writes nothing. OKAY either way. */
void k1_emu_vendor_flash_fsbl(struct k1_emu_board *b, struct k1_emu_reply *rep)
{
	uint64_t n = round_blk(b->dl_len);
	uint8_t *buf = buffer(b, (size_t)n);
	struct k1_error err = {0};

	if (buf && b->st.size[K1_DEV_BOOT0] && BOOT_INFO_SPL0 + n <= b->st.size[K1_DEV_BOOT0])
		blk_write(b, K1_DEV_BOOT0, BOOT_INFO_SPL0, buf, n, &err);
	k1_fb_reply(rep->final, "OKAY", "%s", "");
}

/* fb_mmc_boot_ops(boot1): the upstream checks. */
void k1_emu_vendor_flash_fsbl1(struct k1_emu_board *b, struct k1_emu_reply *rep)
{
	uint64_t n = round_blk(b->dl_len);
	uint8_t *buf = buffer(b, (size_t)n);
	struct k1_error err = {0};

	if (!b->st.size[K1_DEV_BOOT1])
		k1_fb_reply(rep->final, "FAIL", "Failed to select hwpart");
	else if (n > b->st.size[K1_DEV_BOOT1])
		k1_fb_reply(rep->final, "FAIL", "Image size too large");
	else if (!buf || blk_write(b, K1_DEV_BOOT1, 0, buf, n, &err))
		k1_fb_reply(rep->final, "FAIL", "Failed to write EMMC_BOOT part");
	else
		k1_fb_reply(rep->final, "OKAY", "%s", "");
}

/* ---- flash env on the import generations ---- */

void k1_emu_vendor_flash_env(struct k1_emu_board *b, struct k1_emu_reply *rep)
{
	uint8_t *buf = buffer(b, K1_DISK_ENV_SIZE);
	struct k1_error err = {0};
	int rc;

	if (!buf) {
		k1_fb_reply(rep->final, "FAIL", "out of memory");
		return;
	}
	k1_emu_env_import(b, buf);
	if (b->cfg.uboot->env_flash == K1_EMU_ENV_EXPORT) {
		rc = k1_emu_env_export(b, buf) ||
		     blk_write(b, K1_DEV_USER, K1_DISK_ENV_OFFSET, buf, K1_DISK_ENV_SIZE, &err);
		if (rc) {
			k1_fb_reply(rep->final, "FAIL", "update part info to env fail");
			return;
		}
	} else {
		memset(buf, 0, K1_DISK_ENV_SIZE);
		if (blk_write(b, K1_DEV_USER, K1_DISK_ENV_OFFSET, buf, K1_DISK_ENV_SIZE, &err)) {
			k1_fb_reply(rep->final, "FAIL", "clear env fail");
			return;
		}
	}
	k1_fb_reply(rep->final, "OKAY", "flash env partition okay");
}

/* ---- partitions: where a name lands ---- */

/* fastboot_mmc_get_part_info() + the hidden entries of the last table:
 * 0, or K1_EINVAL with the vendor's FAIL text in err. */
int k1_emu_vendor_part(struct k1_emu_board *b, const char *name, uint64_t *off, uint64_t *len,
		       bool hidden_too, struct k1_error *err)
{
	struct k1_mapped m;
	struct k1_error e = {0};
	struct k1_disk d;
	const struct k1_gpt_entry *p;
	int rc = K1_EINVAL;

	for (size_t i = 0; hidden_too && i < K1_PTABLE_VENDOR_MAX; i++)
		if (b->vparts[i].used && !strcmp(b->vparts[i].name, name)) {
			if (!b->vparts[i].hidden)
				break;
			*off = b->vparts[i].offset;
			*len = b->vparts[i].size;
			return 0;
		}
	if (!name[0])
		return k1_err(err, K1_EINVAL, "partition not given");
	if (k1_emu_map(&b->st, K1_DEV_USER, &m, &e) || !m.len)
		return k1_err(err, K1_EINVAL, "invalid partition or device");
	struct k1_input in = {.path = "emmc", .data = m.data, .len = m.len};
	if (!k1_disk_open(&in, &d, &e)) {
		p = d.table == K1_DISK_GPT || d.table == K1_DISK_GPT_BACKUP
			    ? k1_gpt_find(&d.gpt, name)
			    : NULL;
		if (p && p->last_lba >= p->first_lba && p->last_lba < d.sectors) {
			*off = p->first_lba * BLK;
			*len = (p->last_lba - p->first_lba + 1) * BLK;
			rc = 0;
		}
		k1_disk_close(&d);
	}
	k1_unmap_file(&m);
	return rc ? k1_err(err, rc, "invalid partition or device") : 0;
}

/* ---- images: gzip, sparse, raw ---- */

/* check_gzip_format(): two loose bits, no 1f 8b; the header's length. */
static long gzip_header(const uint8_t *s, size_t cap)
{
	size_t i = 10;
	uint8_t flags = s[3];

	if (s[2] != 8 || (flags & 0xE0))
		return -1;
	if (flags & 4)
		i = 12 + s[10] + ((size_t)s[11] << 8);
	if (flags & 8)
		while (i < cap && s[i++])
			;
	if (flags & 0x10)
		while (i < cap && s[i++])
			;
	if (flags & 2)
		i += 2;
	return i < cap ? (long)i : -1;
}

/* `unzip`: raw inflate after the header until the stream ends; at most
 * limit bytes are kept (more: *n = limit + 1). 0 or -1. */
static int inflate_image(const uint8_t *src, size_t len, uint64_t limit, uint8_t **out, uint64_t *n)
{
	z_stream z = {0};
	size_t cap = 1 << 20;
	uint8_t *buf = malloc(cap);
	int zr = Z_OK;

	if (!buf || inflateInit2(&z, -MAX_WBITS) != Z_OK) {
		free(buf);
		return -1;
	}
	z.next_in = (uint8_t *)src;
	z.avail_in = (uInt)len;
	while (zr == Z_OK) {
		if (z.total_out == cap) {
			if (cap > limit) {
				zr = Z_BUF_ERROR;
				break;
			}
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		z.next_out = buf + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
	}
	*n = z.total_out > limit ? limit + 1 : z.total_out;
	inflateEnd(&z);
	if (zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && z.total_out > limit)) {
		free(buf);
		return -1;
	}
	*out = buf;
	return 0;
}

/* checksum64(): 64-bit words (little-endian on RISC-V), then the bytes. */
static uint64_t checksum64(const uint8_t *p, uint64_t n)
{
	uint64_t sum = 0, i = 0;

	for (; i + 8 <= n; i += 8)
		sum += k1_le64(p + i);
	for (; i < n; i++)
		sum += p[i];
	return sum;
}

/* write_raw_image() + compare_blk_image_val(). */
static void write_raw(struct k1_emu_board *b, uint64_t off, const uint8_t *data, uint64_t n,
		      struct k1_emu_reply *rep)
{
	struct k1_error err = {0};
	uint64_t sum = checksum64(data, n);
	int rc = blk_write(b, K1_DEV_USER, off, data, round_blk(n), &err);

	if (rc && !sum)
		k1_fb_reply(rep->final, "FAIL", "failed writing to device");
	else if (rc)
		k1_fb_reply(rep->final, "FAIL", "compare crc fail");
	else
		k1_fb_reply(rep->final, "OKAY", "%s", "");
}

/* write_sparse_image(): chunk by chunk from the buffer, no look-ahead. */
static void write_sparse(struct k1_emu_board *b, uint64_t start, uint64_t size,
			 struct k1_emu_reply *rep)
{
	uint8_t *d = b->dl;
	uint32_t fh = k1_le16(d + 8), ch = k1_le16(d + 10), bs = k1_le32(d + 12);
	uint32_t total_blks = k1_le32(d + 16), chunks = k1_le32(d + 20), blocks = 0;
	uint64_t pos = fh, blk = start / BLK, end = (start + size) / BLK;
	struct k1_error err = {0};
	const char *fail = NULL;

	if (!bs || bs % BLK) {
		k1_fb_reply(rep->final, "FAIL", "sparse image block size issue");
		return;
	}
	for (uint32_t i = 0; i < chunks && !fail; i++) {
		uint8_t *h = buffer(b, (size_t)(pos + 12 + 4));
		if (!h) {
			fail = "Malloc failed for: CHUNK_TYPE_RAW";
			break;
		}
		d = h;
		uint16_t type = k1_le16(d + pos);
		uint32_t n = k1_le32(d + pos + 4), total = k1_le32(d + pos + 8);
		uint64_t bytes = (uint64_t)bs * n, cnt = (bytes + BLK - 1) / BLK;
		pos += 12 + (ch > 12 ? ch - 12 : 0);
		switch (type) {
		case K1_SPARSE_RAW:
			if (total != ch + bytes)
				fail = "Bogus chunk size for chunk type Raw";
			else if (blk + cnt > end)
				fail = "Request would exceed partition size!";
			else if (!(d = buffer(b, (size_t)(pos + bytes))) ||
				 blk_write(b, K1_DEV_USER, blk * BLK, d + pos, bytes, &err))
				fail = "flash write failure";
			blk += cnt;
			pos += bytes;
			blocks += n;
			break;
		case K1_SPARSE_FILL: {
			uint8_t pat[4096];
			uint32_t v = k1_le32(d + pos);
			if (total != ch + 4) {
				fail = "Bogus chunk size for chunk type FILL";
				break;
			}
			pos += 4;
			if (blk + cnt > end) {
				fail = "Request would exceed partition size!";
				break;
			}
			for (size_t k = 0; k < sizeof(pat); k += 4)
				k1_put_le32(pat + k, v);
			for (uint64_t done = 0; done < cnt * BLK && !fail;) {
				uint64_t m = cnt * BLK - done < sizeof(pat) ? cnt * BLK - done
									    : sizeof(pat);
				if (!v ? k1_emu_fill(&b->st, K1_DEV_USER, blk * BLK + done, m, 0,
						     &err)
				       : k1_emu_write(&b->st, K1_DEV_USER, blk * BLK + done, pat,
						      (size_t)m, &err))
					fail = "flash write failure";
				done += m;
			}
			k1_emu_progress(b, "writing");
			blk += cnt;
			blocks += (uint32_t)((bytes + bs - 1) / bs);
			break;
		}
		case K1_SPARSE_DONT_CARE:
			blk += cnt;
			blocks += n;
			break;
		case K1_SPARSE_CRC32:
			if (total != ch)
				fail = "Bogus chunk size for chunk type Dont Care";
			blocks += n;
			pos += bytes;
			break;
		default:
			fail = "Unknown chunk type";
		}
	}
	if (!fail && blocks != total_blks)
		fail = "sparse image write failure";
	k1_fb_reply(rep->final, fail ? "FAIL" : "OKAY", "%s", fail ? fail : "");
}

/* fastboot_mmc_flash_write() for a partition: gzip, the size check,
 * sparse or raw. */
void k1_emu_vendor_flash_part(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep)
{
	const struct k1_emu_uboot *ub = b->cfg.uboot;
	uint64_t off, size, n = b->dl_len;
	uint8_t *data = buffer(b, (size_t)round_blk(n) + 16), *inflated = NULL;
	struct k1_error err = {0};
	long hdr;

	if (!data) {
		k1_fb_reply(rep->final, "FAIL", "out of memory");
		return;
	}
	if (k1_emu_vendor_part(b, name, &off, &size, true, &err)) {
		k1_fb_reply(rep->final, "FAIL", "%s", err.msg);
		return;
	}
	bool gzip = ub->gzip && (hdr = gzip_header(data, b->dl_cap)) >= 0;
	if (gzip) {
		if (strcmp(name, b->gz_part)) {
			snprintf(b->gz_part, sizeof(b->gz_part), "%s", name);
			b->gz_offset = 0;
		}
		/* `unzip` has no limit: past the buffer after the download
		 * buffer (taken as large: max-download-size) it would run over
		 * whatever RAM follows; here that is a FAIL */
		uint64_t room = b->cfg.max_download;
		if (inflate_image(data + hdr, b->dl_cap - (size_t)hdr, size < room ? size : room,
				  &inflated, &n) ||
		    n > room) {
			free(inflated);
			k1_fb_reply(rep->final, "FAIL", "unzip gzip data fail");
			return;
		}
		k1_emu_env_setf(b, "filesize", "%llx", (unsigned long long)n);
		data = inflated;
		off += b->gz_offset / BLK * BLK;
	} else {
		snprintf(b->gz_part, sizeof(b->gz_part), "%s", name);
		b->gz_offset = 0;
	}
	if ((ub->size_counts_offset ? b->gz_offset : 0) + n > size) {
		k1_fb_reply(rep->final, "FAIL", "%s", ub->too_large);
	} else if (!gzip && n >= 28 && k1_le32(data) == K1_SPARSE_MAGIC && k1_le16(data + 4) == 1) {
		write_sparse(b, off, size, rep);
	} else {
		if (inflated) { /* the tail of its last block: zero here */
			uint8_t *grown = realloc(inflated, (size_t)round_blk(n) + 1);
			if (grown) {
				inflated = data = grown;
				memset(data + n, 0, (size_t)(round_blk(n) - n));
			}
		}
		write_raw(b, off, data, n, rep);
		b->gz_offset += n;
	}
	free(inflated);
}

/* fastboot_mmc_erase(): fsbl/fsbl_1 the whole boot partition, else the
 * partition (erase group: one block here). */
void k1_emu_vendor_erase(struct k1_emu_board *b, const char *name, struct k1_emu_reply *rep)
{
	struct k1_error err = {0};
	uint64_t off, len;

	if (!strcmp(name, "fsbl") || !strcmp(name, "fsbl_1")) {
		enum k1_emu_dev d = name[4] ? K1_DEV_BOOT1 : K1_DEV_BOOT0;
		if (!b->st.size[d])
			k1_fb_reply(rep->final, "FAIL", "Failed to select hwpart");
		else if (blk_write(b, d, 0, NULL, b->st.size[d], &err))
			k1_fb_reply(rep->final, "FAIL", "Failed to erase EMMC_BOOT part");
		else
			k1_fb_reply(rep->final, "OKAY", "%s", "");
		return;
	}
	if (k1_emu_vendor_part(b, name, &off, &len, false, &err))
		k1_fb_reply(rep->final, "FAIL", "%s", err.msg);
	else if (blk_write(b, K1_DEV_USER, off, NULL, len, &err))
		k1_fb_reply(rep->final, "FAIL", "failed erasing from device");
	else
		k1_fb_reply(rep->final, "OKAY", "%s", "");
}

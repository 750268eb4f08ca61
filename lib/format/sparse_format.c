/* The Android sparse image format handler: probe, inspect, verify. */
#include "base/bytes.h"
#include "format/format.h"
#include "format/sparse.h"

#include <stdio.h>
#include <string.h>

#define MAX_ROWS 1000 /* chunk rows inspect lists; counts cover them all */

static int probe(const uint8_t *data, size_t len)
{
	return len >= 4 && k1_le32(data) == K1_SPARSE_MAGIC;
}

/* ---- inspect ---- */

struct tally {
	uint64_t chunks[4], blocks[4], raw_bytes;
};

static int type_slot(uint16_t type)
{
	return type >= K1_SPARSE_RAW && type <= K1_SPARSE_CRC32 ? type - K1_SPARSE_RAW : -1;
}

static json_t *chunk_row(const struct k1_sparse_chunk *c)
{
	char fill[16];

	snprintf(fill, sizeof(fill), "0x%08x", c->value);
	return json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:s}", "index", (json_int_t)c->index,
			 "type", k1_sparse_type_name(c->type), "blocks", (json_int_t)c->blocks,
			 "output_offset", (json_int_t)c->out_offset, "file_offset",
			 (json_int_t)c->file_offset, "data_bytes", (json_int_t)c->data_len, "value",
			 c->type == K1_SPARSE_FILL || c->type == K1_SPARSE_CRC32 ? fill : "-");
}

static json_t *by_type(const uint64_t v[4], bool with_crc)
{
	json_t *o = json_pack("{s:I, s:I, s:I}", "raw", (json_int_t)v[0], "fill", (json_int_t)v[1],
			      "dont_care", (json_int_t)v[2]);
	if (with_crc)
		json_object_set_new(o, "crc32", json_integer((json_int_t)v[3]));
	return o;
}

/* Walk every chunk (cheap: headers only), listing the first MAX_ROWS. */
static void walk_json(struct k1_sparse_walk *w, json_t *o)
{
	struct k1_sparse_chunk c;
	struct k1_error e = {0};
	struct tally t = {0};
	json_t *rows = json_array();
	int rc;

	while ((rc = k1_sparse_next(w, &c, &e)) == 1) {
		int s = type_slot(c.type);
		t.chunks[s]++;
		t.blocks[s] += c.blocks;
		if (c.type == K1_SPARSE_RAW)
			t.raw_bytes += c.data_len;
		if (c.index < MAX_ROWS)
			json_array_append_new(rows, chunk_row(&c));
	}
	if (!rc)
		rc = k1_sparse_finish(w, &e);
	json_object_set_new(o, "chunk_counts", by_type(t.chunks, true));
	json_object_set_new(o, "block_counts", by_type(t.blocks, false));
	json_object_set_new(o, "raw_data_bytes", json_integer((json_int_t)t.raw_bytes));
	json_object_set_new(o, "chunks_ok", json_boolean(!rc));
	if (rc)
		json_object_set_new(o, "error", json_string(e.msg));
	if (w->index > MAX_ROWS) {
		char note[96];
		snprintf(note, sizeof(note), "showing the first %d of %u chunks", MAX_ROWS,
			 w->index);
		json_object_set_new(o, "chunks_note", json_string(note));
	}
	json_object_set_new(o, "chunks", rows);
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct k1_sparse_walk w;
	char version[16], sum[16];
	json_t *o;
	int rc;

	if ((rc = k1_sparse_open(&w, in->data, in->len, false, err)))
		return k1_err_prefix(err, "%s", in->path);
	snprintf(version, sizeof(version), "%u.%u", w.h.major, w.h.minor);
	snprintf(sum, sizeof(sum), "0x%08x", w.h.image_checksum);
	o = json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:s, s:I}", "version", version, "file_hdr_sz",
		      w.h.file_hdr_sz, "chunk_hdr_sz", w.h.chunk_hdr_sz, "blk_sz",
		      (json_int_t)w.h.blk_sz, "total_blks", (json_int_t)w.h.total_blks,
		      "total_chunks", (json_int_t)w.h.total_chunks, "image_checksum", sum,
		      "expanded_size", (json_int_t)((uint64_t)w.h.total_blks * w.h.blk_sz));
	if (!o)
		return k1_err(err, K1_ENOMEM, "out of memory");
	walk_json(&w, o);
	*out = o;
	return 0;
}

/* ---- verify ---- */

#define W(off) k1_check_off(c, (off), w, sizeof(w))

/* The header checks; false when the chunks cannot be walked. */
static bool check_header(const struct k1_sparse_header *h, size_t len, struct k1_checks *c)
{
	char w[32];
	bool ok = true, v;

	ok &= v = h->magic == K1_SPARSE_MAGIC;
	k1_check_add(c, v, "sparse.magic", W(0), "expected 0x%08x, found 0x%08x", K1_SPARSE_MAGIC,
		     h->magic);
	ok &= v = h->major == K1_SPARSE_MAJOR;
	k1_check_add(c, v, "sparse.version", W(4), "expected major version 1, found %u.%u",
		     h->major, h->minor);
	ok &= v = h->file_hdr_sz >= K1_SPARSE_FILE_HDR && h->file_hdr_sz <= len;
	k1_check_add(c, v, "sparse.file_hdr_sz", W(8),
		     "expected %d (or more, skipped) within the %zu-byte file, found %u",
		     K1_SPARSE_FILE_HDR, len, h->file_hdr_sz);
	ok &= v = h->chunk_hdr_sz >= K1_SPARSE_CHUNK_HDR;
	k1_check_add(c, v, "sparse.chunk_hdr_sz", W(10), "expected %d (or more, skipped), found %u",
		     K1_SPARSE_CHUNK_HDR, h->chunk_hdr_sz);
	ok &= v = h->blk_sz && h->blk_sz % 4 == 0;
	k1_check_add(c, v, "sparse.blk_sz", W(12), "expected a non-zero multiple of 4, found %u",
		     h->blk_sz);
	return ok;
}

/* Walk the chunks; with want_crc, check each CRC32 chunk. Returns true
 * when the walk reached the end (finish checks still to do). */
static bool walk_checks(struct k1_sparse_walk *wk, struct k1_checks *c, bool *has_crc)
{
	struct k1_sparse_chunk ch;
	struct k1_error e = {0};
	char w[32];
	int rc;

	while ((rc = k1_sparse_next(wk, &ch, &e)) == 1) {
		if (ch.type != K1_SPARSE_CRC32)
			continue;
		*has_crc = true;
		if (wk->want_crc)
			k1_check_add(c, k1_sparse_crc_ok(&ch), "sparse.crc32", W(ch.file_offset),
				     "expected chunk %u to hold 0x%08x (CRC-32 of the 0x%llx "
				     "output bytes before it) or 0x%08x (libsparse writer: RAW "
				     "data and one block per FILL), found 0x%08x%s",
				     ch.index, ch.crc_before, (unsigned long long)ch.out_offset,
				     ch.crc_writer_before, ch.value,
				     ch.value != ch.crc_before && ch.value == ch.crc_writer_before
					     ? " (the libsparse writer's CRC: libsparse's reader "
					       "with CRC checks rejects it, flashers ignore it)"
					     : "");
	}
	if (wk->want_crc)
		return !rc;
	k1_check_add(c, !rc, "sparse.chunks", W(rc ? wk->pos : wk->h.file_hdr_sz),
		     "expected %u well-formed chunks, %s%s", wk->h.total_chunks,
		     rc ? "found: " : "found them", rc ? e.msg : "");
	return !rc;
}

static void check_end(const struct k1_sparse_walk *wk, struct k1_checks *c)
{
	char w[32];

	k1_check_add(c, wk->blocks == wk->h.total_blks, "sparse.total_blks", W(16),
		     "expected the chunks to add up to total_blks %u, found %llu blocks",
		     wk->h.total_blks, (unsigned long long)wk->blocks);
	k1_check_add(c, wk->pos == wk->len, "sparse.trailing", W(wk->pos),
		     "expected the file to end after the last chunk, found %llu more bytes",
		     (unsigned long long)(wk->len - wk->pos));
}

static int verify(const struct k1_input *in, const struct k1_verify_opts *opts, struct k1_checks *c,
		  struct k1_error *err)
{
	struct k1_sparse_walk wk;
	struct k1_sparse_header h;
	struct k1_error e = {0};
	bool has_crc = false;
	char w[32];

	(void)opts;
	if (k1_sparse_header_decode(in->data, in->len, &h, err))
		return k1_err_prefix(err, "%s", in->path);
	if (!check_header(&h, in->len, c))
		return 0;
	if (k1_sparse_open(&wk, in->data, in->len, false, &e)) {
		/* only the 2^62-byte limit is left to refuse */
		k1_check_add(c, false, "sparse.total_blks", W(16), "%s", e.msg);
		return 0;
	}
	/* first pass: structure only (headers); second, when anything carries
	 * a CRC, the CRC over the output (cost: one pass over RAW data) */
	if (!walk_checks(&wk, c, &has_crc))
		return 0;
	check_end(&wk, c);
	if (!has_crc && !h.image_checksum)
		return 0;
	k1_sparse_open(&wk, in->data, in->len, true, &e);
	walk_checks(&wk, c, &has_crc);
	if (h.image_checksum)
		k1_check_add(c, wk.crc == h.image_checksum, "sparse.image_checksum", W(24),
			     "expected the CRC-32 of the expanded image 0x%08x, found 0x%08x",
			     wk.crc, h.image_checksum);
	return 0;
}

const struct k1_format k1_format_sparse = {
	.name = "sparse",
	.summary = "Android sparse image (fastboot): chunks, expanded size, CRCs",
	.probe = probe,
	.inspect = inspect,
	.verify = verify,
};

/* Android sparse image reader: header, chunk walker, CRC and expansion.
 * The format handler (inspect, verify) is in sparse_format.c. */
#include "format/sparse.h"
#include "base/bytes.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Expanded sizes past this are refused: zlib's CRC combination takes a
 * signed 64-bit length, and no real image comes near it. */
#define MAX_EXPANDED (1ULL << 62)
#define FILL_PIECE 65536

const char *k1_sparse_type_name(uint16_t type)
{
	switch (type) {
	case K1_SPARSE_RAW:
		return "raw";
	case K1_SPARSE_FILL:
		return "fill";
	case K1_SPARSE_DONT_CARE:
		return "dont_care";
	case K1_SPARSE_CRC32:
		return "crc32";
	default:
		return "unknown";
	}
}

int k1_sparse_header_decode(const uint8_t *d, size_t len, struct k1_sparse_header *h,
			    struct k1_error *err)
{
	if (len < K1_SPARSE_FILE_HDR)
		return k1_err(err, K1_EINVAL,
			      "sparse image truncated: %zu bytes, the header needs %d", len,
			      K1_SPARSE_FILE_HDR);
	h->magic = k1_le32(d);
	h->major = k1_le16(d + 4);
	h->minor = k1_le16(d + 6);
	h->file_hdr_sz = k1_le16(d + 8);
	h->chunk_hdr_sz = k1_le16(d + 10);
	h->blk_sz = k1_le32(d + 12);
	h->total_blks = k1_le32(d + 16);
	h->total_chunks = k1_le32(d + 20);
	h->image_checksum = k1_le32(d + 24);
	return 0;
}

static int check_header(const struct k1_sparse_header *h, size_t len, struct k1_error *err)
{
	if (h->magic != K1_SPARSE_MAGIC)
		return k1_err(err, K1_EINVAL,
			      "not a sparse image: magic 0x%08x at 0x0, expected 0x%08x", h->magic,
			      K1_SPARSE_MAGIC);
	if (h->major != K1_SPARSE_MAJOR)
		return k1_err(err, K1_ENOTSUP,
			      "sparse format version %u.%u at 0x4: only major "
			      "version 1 is known",
			      h->major, h->minor);
	if (h->file_hdr_sz < K1_SPARSE_FILE_HDR || h->file_hdr_sz > len)
		return k1_err(err, K1_EINVAL,
			      "file_hdr_sz %u at 0x8: expected at least %d and "
			      "within the %zu-byte file",
			      h->file_hdr_sz, K1_SPARSE_FILE_HDR, len);
	if (h->chunk_hdr_sz < K1_SPARSE_CHUNK_HDR)
		return k1_err(err, K1_EINVAL, "chunk_hdr_sz %u at 0xa: expected at least %d",
			      h->chunk_hdr_sz, K1_SPARSE_CHUNK_HDR);
	if (!h->blk_sz || h->blk_sz % 4)
		return k1_err(err, K1_EINVAL, "blk_sz %u at 0xc: expected a non-zero multiple of 4",
			      h->blk_sz);
	if ((uint64_t)h->blk_sz * h->total_blks > MAX_EXPANDED)
		return k1_err(err, K1_ENOTSUP, "total_blks %u x blk_sz %u: expands past 2^62 bytes",
			      h->total_blks, h->blk_sz);
	return 0;
}

int k1_sparse_open(struct k1_sparse_walk *w, const uint8_t *data, size_t len, bool want_crc,
		   struct k1_error *err)
{
	int rc;

	memset(w, 0, sizeof(*w));
	if ((rc = k1_sparse_header_decode(data, len, &w->h, err)) ||
	    (rc = check_header(&w->h, len, err)))
		return rc;
	w->data = data;
	w->len = len;
	w->pos = w->h.file_hdr_sz;
	w->want_crc = want_crc;
	return 0;
}

uint32_t k1_sparse_crc_repeat(uint32_t crc, uint32_t block_crc, uint64_t block_len, uint64_t n)
{
	/* binary powering: rep is the CRC of 2^k copies, rep_len their length */
	uint32_t rep = block_crc;
	uint64_t rep_len = block_len;

	while (n) {
		if (n & 1)
			crc = (uint32_t)crc32_combine(crc, rep, (z_off_t)rep_len);
		n >>= 1;
		if (n) {
			rep = (uint32_t)crc32_combine(rep, rep, (z_off_t)rep_len);
			rep_len *= 2;
		}
	}
	return crc;
}

/* CRC of `blocks` blocks filled with the 4-byte little-endian pattern. */
static uint32_t crc_fill(uint32_t crc, uint32_t pattern, uint32_t blk_sz, uint32_t blocks)
{
	uint8_t p[4];
	uint32_t block;

	k1_put_le32(p, pattern);
	block = k1_sparse_crc_repeat(0, (uint32_t)crc32(0L, p, 4), 4, blk_sz / 4);
	return k1_sparse_crc_repeat(crc, block, blk_sz, blocks);
}

static void update_crc(struct k1_sparse_walk *w, const struct k1_sparse_chunk *c)
{
	switch (c->type) {
	case K1_SPARSE_RAW:
		for (size_t done = 0; done < c->data_len;) { /* crc32 takes a uInt length */
			size_t n = c->data_len - done > (1u << 30) ? 1u << 30 : c->data_len - done;
			w->crc = (uint32_t)crc32(w->crc, c->data + done, (uInt)n);
			w->crc_writer = (uint32_t)crc32(w->crc_writer, c->data + done, (uInt)n);
			done += n;
		}
		break;
	case K1_SPARSE_FILL:
		w->crc = crc_fill(w->crc, c->value, w->h.blk_sz, c->blocks);
		if (c->blocks)
			w->crc_writer = crc_fill(w->crc_writer, c->value, w->h.blk_sz, 1);
		break;
	case K1_SPARSE_DONT_CARE:
		w->crc = crc_fill(w->crc, 0, w->h.blk_sz, c->blocks);
		break;
	}
}

bool k1_sparse_crc_ok(const struct k1_sparse_chunk *c)
{
	return c->value == c->crc_before || c->value == c->crc_writer_before;
}

/* How many data bytes a chunk of this type must carry; -1: unknown type. */
static int64_t data_bytes_for(uint16_t type, uint32_t blocks, uint32_t blk_sz)
{
	switch (type) {
	case K1_SPARSE_RAW:
		return (int64_t)blocks * blk_sz;
	case K1_SPARSE_FILL:
		return 4;
	case K1_SPARSE_DONT_CARE:
		return 0;
	case K1_SPARSE_CRC32:
		return 4;
	default:
		return -1;
	}
}

/* Header fields and sizes of the chunk at w->pos, judged against the file. */
static int read_chunk(const struct k1_sparse_walk *w, struct k1_sparse_chunk *c,
		      struct k1_error *err)
{
	const uint8_t *p;
	uint64_t off = w->pos;
	int64_t want;

	memset(c, 0, sizeof(*c));
	c->index = w->index;
	c->file_offset = off;
	if (off > w->len || w->len - off < w->h.chunk_hdr_sz)
		return k1_err(err, K1_EINVAL,
			      "chunk %u at 0x%llx: header past the end of the %zu-byte file "
			      "(total_chunks says %u)",
			      c->index, (unsigned long long)off, w->len, w->h.total_chunks);
	p = w->data + off;
	c->type = k1_le16(p);
	c->blocks = k1_le32(p + 4);
	c->total_sz = k1_le32(p + 8);
	if (c->total_sz < w->h.chunk_hdr_sz || c->total_sz > w->len - off)
		return k1_err(err, K1_EINVAL,
			      "chunk %u at 0x%llx: total_sz %u, expected %u..%llu (header to end "
			      "of file)",
			      c->index, (unsigned long long)off, c->total_sz, w->h.chunk_hdr_sz,
			      (unsigned long long)(w->len - off));
	c->data = p + w->h.chunk_hdr_sz;
	c->data_len = c->total_sz - w->h.chunk_hdr_sz;
	want = data_bytes_for(c->type, c->blocks, w->h.blk_sz);
	if (want < 0)
		return k1_err(err, K1_EINVAL,
			      "chunk %u at 0x%llx: unknown chunk type 0x%04x, expected "
			      "0xcac1-0xcac4",
			      c->index, (unsigned long long)off, c->type);
	if ((uint64_t)want != c->data_len)
		return k1_err(err, K1_EINVAL,
			      "chunk %u at 0x%llx: %s chunk of %u blocks of %u bytes needs %lld "
			      "data bytes, total_sz %u gives %zu",
			      c->index, (unsigned long long)off, k1_sparse_type_name(c->type),
			      c->blocks, w->h.blk_sz, (long long)want, c->total_sz, c->data_len);
	return 0;
}

int k1_sparse_next(struct k1_sparse_walk *w, struct k1_sparse_chunk *c, struct k1_error *err)
{
	int rc;

	if (w->index >= w->h.total_chunks)
		return 0;
	if ((rc = read_chunk(w, c, err)))
		return rc;
	if (c->type == K1_SPARSE_CRC32 && c->blocks)
		return k1_err(err, K1_EINVAL,
			      "chunk %u at 0x%llx: CRC32 chunk with chunk_sz %u, expected 0",
			      c->index, (unsigned long long)c->file_offset, c->blocks);
	if (c->blocks > w->h.total_blks - w->blocks)
		return k1_err(err, K1_EINVAL,
			      "chunk %u at 0x%llx: %u blocks from block %llu run past "
			      "total_blks %u",
			      c->index, (unsigned long long)c->file_offset, c->blocks,
			      (unsigned long long)w->blocks, w->h.total_blks);
	if (c->type == K1_SPARSE_FILL || c->type == K1_SPARSE_CRC32)
		c->value = k1_le32(c->data);
	c->out_offset = w->blocks * w->h.blk_sz;
	c->crc_before = w->crc;
	c->crc_writer_before = w->crc_writer;
	if (w->want_crc)
		update_crc(w, c);
	w->pos += c->total_sz;
	w->blocks += c->blocks;
	w->index++;
	return 1;
}

int k1_sparse_finish(const struct k1_sparse_walk *w, struct k1_error *err)
{
	if (w->blocks != w->h.total_blks)
		return k1_err(err, K1_EINVAL,
			      "the chunks cover %llu blocks, the header (0x10) says total_blks %u",
			      (unsigned long long)w->blocks, w->h.total_blks);
	if (w->pos != w->len)
		return k1_err(err, K1_EINVAL,
			      "%llu bytes of trailing data after the last chunk, at 0x%llx",
			      (unsigned long long)(w->len - w->pos), (unsigned long long)w->pos);
	return 0;
}

/* ---- expansion ---- */

static int emit_fill(const struct k1_sparse_chunk *c, uint64_t bytes, k1_sparse_sink sink,
		     void *ctx, struct k1_error *err)
{
	uint8_t *piece = malloc(FILL_PIECE);
	uint64_t done = 0;
	int rc = 0;

	if (!piece)
		return k1_err(err, K1_ENOMEM, "out of memory");
	for (size_t i = 0; i < FILL_PIECE; i += 4)
		k1_put_le32(piece + i, c->value);
	while (!rc && done < bytes) {
		size_t n = bytes - done > FILL_PIECE ? FILL_PIECE : (size_t)(bytes - done);
		rc = sink(ctx, c->out_offset + done, piece, n, err);
		done += n;
	}
	free(piece);
	return rc;
}

static int emit(const struct k1_sparse_walk *w, const struct k1_sparse_chunk *c,
		k1_sparse_sink sink, void *ctx, struct k1_error *err)
{
	uint64_t bytes = (uint64_t)c->blocks * w->h.blk_sz;

	switch (c->type) {
	case K1_SPARSE_RAW:
		return sink(ctx, c->out_offset, c->data, c->data_len, err);
	case K1_SPARSE_FILL:
		return emit_fill(c, bytes, sink, ctx, err);
	case K1_SPARSE_DONT_CARE:
		return bytes ? sink(ctx, c->out_offset, NULL, bytes, err) : 0;
	default:
		if (!k1_sparse_crc_ok(c))
			return k1_err(err, K1_EINVAL,
				      "chunk %u at 0x%llx: CRC32 0x%08x, but the %llu bytes of "
				      "output before it have CRC 0x%08x",
				      c->index, (unsigned long long)c->file_offset, c->value,
				      (unsigned long long)c->out_offset, c->crc_before);
		return 0;
	}
}

int k1_sparse_expand(const uint8_t *data, size_t len, k1_sparse_sink sink, void *ctx,
		     struct k1_error *err)
{
	struct k1_sparse_walk w;
	struct k1_sparse_chunk c;
	int rc;

	if ((rc = k1_sparse_open(&w, data, len, true, err)))
		return rc;
	while ((rc = k1_sparse_next(&w, &c, err)) == 1)
		if ((rc = emit(&w, &c, sink, ctx, err)))
			return rc;
	return rc ? rc : k1_sparse_finish(&w, err);
}

struct buf_sink {
	uint8_t *out;
	size_t len;
};

static int to_buf(void *ctx, uint64_t off, const uint8_t *data, size_t n, struct k1_error *err)
{
	struct buf_sink *b = ctx;

	if (off > b->len || n > b->len - off)
		return k1_err(err, K1_ERANGE, "output 0x%llx+0x%zx past the 0x%zx-byte buffer",
			      (unsigned long long)off, n, b->len);
	if (data)
		memcpy(b->out + off, data, n);
	else
		memset(b->out + off, 0, n);
	return 0;
}

int k1_sparse_expand_buf(const uint8_t *data, size_t len, uint8_t *out, size_t out_len,
			 struct k1_error *err)
{
	struct k1_sparse_header h;
	struct buf_sink b = {out, out_len};
	int rc;

	if ((rc = k1_sparse_header_decode(data, len, &h, err)))
		return rc;
	if ((uint64_t)h.total_blks * h.blk_sz != out_len)
		return k1_err(err, K1_ERANGE,
			      "sparse image expands to %llu bytes (%u x %u), the buffer holds %zu",
			      (unsigned long long)h.total_blks * h.blk_sz, h.total_blks, h.blk_sz,
			      out_len);
	return k1_sparse_expand(data, len, to_buf, &b, err);
}

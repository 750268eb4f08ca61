/* Android sparse images (AOSP libsparse sparse_format.h): a 28-byte file
 * header, then chunks that each expand to whole output blocks — RAW data,
 * a FILL pattern, DONT_CARE (a hole) or a CRC32 of everything so far.
 * Fastboot flashes big images this way. The reader checks every field
 * against the buffer; the walker below is what inspect, verify and
 * k1_sparse_expand share. */
#ifndef K1_SPARSE_H
#define K1_SPARSE_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_SPARSE_MAGIC 0xED26FF3Au
#define K1_SPARSE_MAJOR 1
#define K1_SPARSE_FILE_HDR 28
#define K1_SPARSE_CHUNK_HDR 12

enum k1_sparse_type {
	K1_SPARSE_RAW = 0xCAC1,
	K1_SPARSE_FILL = 0xCAC2,
	K1_SPARSE_DONT_CARE = 0xCAC3,
	K1_SPARSE_CRC32 = 0xCAC4,
};

struct k1_sparse_header {
	uint32_t magic;
	uint16_t major, minor;
	uint16_t file_hdr_sz, chunk_hdr_sz; /* larger ones are skipped, as libsparse does */
	uint32_t blk_sz, total_blks, total_chunks;
	uint32_t image_checksum; /* CRC-32 of the expanded image; 0 = not given */
};

struct k1_sparse_chunk {
	uint32_t index;       /* 0-based */
	uint16_t type;        /* enum k1_sparse_type */
	uint32_t blocks;      /* chunk_sz: output blocks */
	uint32_t total_sz;    /* header + data bytes in the file */
	uint64_t file_offset; /* of the chunk header */
	uint64_t out_offset;  /* output byte offset */
	const uint8_t *data;  /* RAW: blocks * blk_sz bytes; FILL, CRC32: 4 bytes */
	size_t data_len;
	uint32_t value; /* FILL: the pattern (LE); CRC32: the stored CRC */
	/* CRC32 chunks, walker with want_crc: the CRC-32 of the output so far,
	 * and what libsparse's writer computes instead (RAW data plus one block
	 * per FILL chunk, holes not counted: libsparse 29 writes that, and its
	 * own reader, which expects crc_before, rejects it). */
	uint32_t crc_before, crc_writer_before;
};

struct k1_sparse_walk {
	const uint8_t *data;
	size_t len;
	struct k1_sparse_header h;
	uint64_t pos;        /* file offset of the next chunk header */
	uint32_t index;      /* chunks read */
	uint64_t blocks;     /* output blocks so far */
	bool want_crc;       /* keep crc up to date (costs a pass over RAW data) */
	uint32_t crc;        /* CRC-32 of the output so far */
	uint32_t crc_writer; /* libsparse's writer's variant (see crc_writer_before) */
};

/* Whether a CRC32 chunk holds either CRC of what precedes it. */
bool k1_sparse_crc_ok(const struct k1_sparse_chunk *c);

/* Name of a chunk type: "raw", "fill", "dont_care", "crc32", or "unknown". */
const char *k1_sparse_type_name(uint16_t type);

/* Fields of the 28-byte header; K1_EINVAL when len < 28. Does not judge. */
int k1_sparse_header_decode(const uint8_t *data, size_t len, struct k1_sparse_header *h,
			    struct k1_error *err);

/* Start a walk: the header must be usable (magic, major 1, header sizes at
 * least 28/12 and inside the file, blk_sz a non-zero multiple of 4). */
int k1_sparse_open(struct k1_sparse_walk *w, const uint8_t *data, size_t len, bool want_crc,
		   struct k1_error *err);

/* The next chunk: 1 with *c filled, 0 after total_chunks chunks, or
 * K1_EINVAL naming the chunk, its offset and what is wrong (header past
 * the end, total_sz not matching the type and blk_sz, unknown type, output
 * past total_blks). A CRC32 chunk is returned with crc_before; comparing
 * is the caller's call. */
int k1_sparse_next(struct k1_sparse_walk *w, struct k1_sparse_chunk *c, struct k1_error *err);

/* After the last chunk: the blocks add up to total_blks and nothing
 * follows. K1_EINVAL otherwise. */
int k1_sparse_finish(const struct k1_sparse_walk *w, struct k1_error *err);

/* Receives the expanded image in order: data != NULL for RAW and FILL
 * bytes (FILL in pieces of at most 64 KiB), data == NULL for a DONT_CARE
 * hole of len bytes. Returns 0 or a K1_E* code (with err) to stop. */
typedef int (*k1_sparse_sink)(void *ctx, uint64_t offset, const uint8_t *data, size_t len,
			      struct k1_error *err);

/* Expand the whole image through sink, checking everything the walker
 * checks and CRC32 chunks (either convention, as k1_sparse_crc_ok).
 * image_checksum is left to verify: no flasher checks it. */
int k1_sparse_expand(const uint8_t *data, size_t len, k1_sparse_sink sink, void *ctx,
		     struct k1_error *err);

/* Expand into out[0..out_len), which must be the expanded size
 * (total_blks * blk_sz); holes become zeros, as simg2img writes them. */
int k1_sparse_expand_buf(const uint8_t *data, size_t len, uint8_t *out, size_t out_len,
			 struct k1_error *err);

/* CRC-32 of n copies of a block whose CRC is block_crc and length
 * block_len, appended to crc: O(log n), so holes and fills of terabytes
 * cost nothing. */
uint32_t k1_sparse_crc_repeat(uint32_t crc, uint32_t block_crc, uint64_t block_len, uint64_t n);

#endif

/* bmaptool's block map, format 2.0 (bmap-tools BmapCreate.py): image and
 * block sizes, the mapped block ranges each with the SHA-256 of its bytes,
 * and the SHA-256 of the map itself computed with that field all zeros.
 * `bmaptool copy IMAGE DEV` then writes only the mapped blocks. */
#include "image/image.h"

#include "base/bytes.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define ZERO_SUM "0000000000000000000000000000000000000000000000000000000000000000"

#define add(b, ...) k1_buf_printf(b, 512, __VA_ARGS__) /* one line at most */

/* SHA-256 of fd[start, end) as hex. */
static int range_sum(int fd, const char *name, uint64_t start, uint64_t end, uint8_t *buf,
		     char out[65], struct k1_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	int rc = 0;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		rc = k1_err(err, K1_ECRYPTO, "SHA-256 unavailable");
	while (!rc && start < end) {
		size_t want = end - start < CHUNK ? (size_t)(end - start) : CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)start);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = k1_err(err, K1_EIO, "%s: read error at 0x%llx: %s", name,
				    (unsigned long long)start, n ? strerror(errno) : "end of file");
		else if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			rc = k1_err(err, K1_ECRYPTO, "SHA-256 failed");
		start += n > 0 ? (uint64_t)n : 0;
	}
	if (!rc && !EVP_DigestFinal_ex(ctx, h, &hl))
		rc = k1_err(err, K1_ECRYPTO, "SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	if (!rc)
		k1_hex(h, hl, out);
	return rc;
}

static int header(struct k1_buf *b, uint64_t size, uint64_t blocks, uint64_t mapped)
{
	return add(b, "<?xml version=\"1.0\" ?>\n"
		      "<!-- Block map written by k1fw image (bmap-tools format 2.0). -->\n"
		      "<bmap version=\"2.0\">\n") ||
	       add(b,
		   "    <!-- Image size in bytes: %llu -->\n    <ImageSize> %llu </ImageSize>\n\n",
		   (unsigned long long)size, (unsigned long long)size) ||
	       add(b, "    <!-- Size of a block in bytes -->\n    <BlockSize> %u </BlockSize>\n\n",
		   K1_IMAGE_BLOCK) ||
	       add(b,
		   "    <!-- Count of blocks in the image file -->\n"
		   "    <BlocksCount> %llu </BlocksCount>\n\n",
		   (unsigned long long)blocks) ||
	       add(b,
		   "    <!-- Count of mapped blocks -->\n"
		   "    <MappedBlocksCount> %llu </MappedBlocksCount>\n\n",
		   (unsigned long long)mapped) ||
	       add(b, "    <!-- Type of checksum used in this file -->\n"
		      "    <ChecksumType> sha256 </ChecksumType>\n\n") ||
	       add(b,
		   "    <!-- The checksum of this bmap file, computed with this value all "
		   "\"0\" -->\n    <BmapFileChecksum> %s </BmapFileChecksum>\n\n",
		   ZERO_SUM) ||
	       add(b, "    <BlockMap>\n");
}

int k1_bmap_build(int fd, const char *name, uint64_t size, const struct k1_extents *map,
		  struct k1_buf *out, struct k1_error *err)
{
	const uint64_t bs = K1_IMAGE_BLOCK;
	uint64_t blocks = (size + bs - 1) / bs, mapped = 0;
	uint8_t *buf = malloc(CHUNK), h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	char sum[65], *pos;
	int rc = 0;

	if (!buf)
		return k1_err(err, K1_ENOMEM, "out of memory");
	for (size_t i = 0; i < map->n; i++)
		mapped += (map->v[i].end - map->v[i].start + bs - 1) / bs;
	if (header(out, size, blocks, mapped))
		rc = k1_err(err, K1_ENOMEM, "out of memory");
	for (size_t i = 0; i < map->n && !rc; i++) {
		uint64_t first = map->v[i].start / bs, last = (map->v[i].end + bs - 1) / bs - 1;
		uint64_t end = (last + 1) * bs < size ? (last + 1) * bs : size;
		if ((rc = range_sum(fd, name, first * bs, end, buf, sum, err)))
			break;
		if (first == last ? add(out, "        <Range chksum=\"%s\"> %llu </Range>\n", sum,
					(unsigned long long)first)
				  : add(out, "        <Range chksum=\"%s\"> %llu-%llu </Range>\n",
					sum, (unsigned long long)first, (unsigned long long)last))
			rc = k1_err(err, K1_ENOMEM, "out of memory");
	}
	if (!rc && add(out, "    </BlockMap>\n</bmap>\n"))
		rc = k1_err(err, K1_ENOMEM, "out of memory");
	free(buf);
	if (rc)
		return rc;
	/* the file's own checksum, over the text with the zeros in place */
	if (!EVP_Digest(out->data, out->len, h, &hl, EVP_sha256(), NULL))
		return k1_err(err, K1_ECRYPTO, "SHA-256 failed");
	pos = memmem(out->data, out->len, ZERO_SUM, 64);
	if (pos)
		k1_hex(h, hl, sum), memcpy(pos, sum, 64);
	return 0;
}

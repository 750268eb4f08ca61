/* A read-only libext2fs io_manager over a memory region (an mmap'ed or
 * loaded image): the bootfs reader and the block-usage reader share it. */
#include "format/ext_mem.h"

#include <stdlib.h>
#include <string.h>

struct mem_region {
	const uint8_t *data;
	size_t len;
};

static __thread struct mem_region pending; /* handed from k1_ext_open_mem to mem_open */

static struct struct_io_manager mem_manager;

static errcode_t mem_open(const char *name, int flags, io_channel *channel)
{
	io_channel ch;
	struct mem_region *r;

	(void)name;
	if (flags & IO_FLAG_RW)
		return EXT2_ET_RO_FILSYS;
	ch = calloc(1, sizeof(*ch));
	r = malloc(sizeof(*r));
	if (!ch || !r) {
		free(ch);
		free(r);
		return EXT2_ET_NO_MEMORY;
	}
	*r = pending;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &mem_manager;
	ch->name = NULL;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = r;
	*channel = ch;
	return 0;
}

static errcode_t mem_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->private_data);
	free(ch);
	return 0;
}

static errcode_t mem_set_blksize(io_channel ch, int blksize)
{
	ch->block_size = blksize;
	return 0;
}

static errcode_t mem_read64(io_channel ch, unsigned long long block, int count, void *data)
{
	const struct mem_region *r = ch->private_data;
	uint64_t n = count < 0 ? (uint64_t)-count : (uint64_t)count * (uint64_t)ch->block_size;
	uint64_t off = block * (uint64_t)ch->block_size;

	if (ch->block_size <= 0 || block > UINT64_MAX / (uint64_t)ch->block_size || off > r->len ||
	    n > r->len - off) {
		memset(data, 0, (size_t)(n < (1u << 26) ? n : 0));
		return EXT2_ET_SHORT_READ;
	}
	memcpy(data, r->data + off, (size_t)n);
	return 0;
}

static errcode_t mem_read(io_channel ch, unsigned long block, int count, void *data)
{
	return mem_read64(ch, block, count, data);
}

static errcode_t mem_write(io_channel ch, unsigned long block, int count, const void *data)
{
	(void)ch, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_write64(io_channel ch, unsigned long long block, int count, const void *data)
{
	(void)ch, (void)block, (void)count, (void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t mem_flush(io_channel ch)
{
	(void)ch;
	return 0;
}

static struct struct_io_manager mem_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "k1fw memory",
	.open = mem_open,
	.close = mem_close,
	.set_blksize = mem_set_blksize,
	.read_blk = mem_read,
	.write_blk = mem_write,
	.flush = mem_flush,
	.read_blk64 = mem_read64,
	.write_blk64 = mem_write64,
};

errcode_t k1_ext_open_mem(const uint8_t *data, size_t len, int flags, ext2_filsys *fs)
{
	pending = (struct mem_region){data, len};
	return ext2fs_open2("image", NULL, EXT2_FLAG_64BITS | flags, 0, 0, &mem_manager, fs);
}

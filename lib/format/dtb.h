/* Device trees (flattened: FDT), the one place k1fw checks, reads and edits
 * them. A FIT is a device tree and so is every DTB inside it, and all come
 * from untrusted files, so:
 *  - libfdt (1.6.1) walks a tree only once k1_dtb_open has proved it sound
 *    inside the bytes given, and only at an 8-byte aligned address (FIT
 *    images embed their DTBs at 4-byte boundaries: those are copied);
 *  - the walks here read property headers byte by byte, never through
 *    struct fdt_property, because a structure block may start at any
 *    offset (a fuzz input put it at 0x3a: a misaligned load).
 * Functions taking a `fdt` want a tree opened (or built) that way. */
#ifndef K1_DTB_H
#define K1_DTB_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K1_DTB_MAGIC 0xd00dfeedu /* big-endian at offset 0 */
#define K1_DTB_HEADER_LEN 40     /* a version 17 header */
/* Older trees crash fdt_check_full() of libfdt 1.6.1 (found by fuzzing) or
 * name strings past their string block; dtc and mkimage write 17. */
#define K1_DTB_VERSION_MIN 17

/* ---- opening ---- */

struct k1_dtb {
	const uint8_t *fdt; /* 8-byte aligned: the caller's bytes or copy */
	size_t len;         /* bytes given; the tree's totalsize fits in them */
	uint8_t *copy;      /* owned; NULL when the input was aligned */
	int fdt_err;        /* after a failed open: the reason as a -FDT_ERR_* */
};

/* Open p[0..n) read-only: a version 17+ header, a totalsize within n, a
 * structure libfdt can walk without leaving the buffer, and no property
 * whose length runs past the structure block (libfdt 1.6.1 lets 0xffffffff
 * wrap). what names the blob in messages ("FIT", "device tree"). 0, or
 * K1_EINVAL, K1_ENOTSUP (older version) or K1_ENOMEM with err filled and
 * t->fdt_err set. Close t whatever the result. */
int k1_dtb_open(struct k1_dtb *t, const uint8_t *p, size_t n, const char *what,
		struct k1_error *err);
void k1_dtb_close(struct k1_dtb *t);

/* 0 when p[0..n) opens as a device tree, else K1_EINVAL (or K1_ENOMEM). */
int k1_dtb_check(const uint8_t *p, size_t n, struct k1_error *err);

/* fdt_strerror(), also for FDT_ERR_ALIGNMENT, which libfdt 1.6.1 lacks. */
const char *k1_dtb_strerror(int fdt_err);

/* ---- properties ---- */

/* A NUL-terminated string property (the first string of a list), or NULL. */
const char *k1_dtb_str(const void *fdt, int node, const char *name);

/* A 4-byte cell: 1 found, 0 absent, -1 present but not 4 bytes. */
int k1_dtb_u32(const void *fdt, int node, const char *name, uint32_t *v);

/* `cells` big-endian 32-bit cells at p as one number (1 or 2 cells). */
uint64_t k1_dtb_get_cells(const uint8_t *p, uint32_t cells);
/* v as `cells` cells at p; returns the bytes written (4 * cells). */
size_t k1_dtb_put_cells(uint8_t *p, uint32_t cells, uint64_t v);

/* ---- memory nodes ---- */

/* The root's "#address-cells" or "#size-cells" into *v (absent: 2 and 1,
 * the specification's defaults; malformed: the default too). 0 when it is
 * 1 or 2 cells, the sizes k1fw reads and writes; -1 otherwise. */
int k1_dtb_root_cells(const void *fdt, const char *name, uint32_t *v);

/* A memory node of the root, as U-Boot and Linux find them: named memory
 * or memory@..., or with device_type "memory". */
bool k1_dtb_is_memory(const void *fdt, int node);

/* fn(ctx, base, size) for every region of every memory node's reg, in the
 * root's cells. -1 (after the regions before it) when the cells are not 1
 * or 2 or a reg does not divide into whole regions. */
int k1_dtb_memory_regions(const void *fdt, void (*fn)(void *ctx, uint64_t base, uint64_t size),
			  void *ctx);

/* Make the tree's memory say reg[0..len), which is in the root's cells:
 * the first memory node keeps it (the others are deleted: their regions
 * would add to it; one is added when there is none), named memory@<its
 * first address>, with device_type "memory". 0 or a -FDT_ERR_*. */
int k1_dtb_set_memory_reg(void *fdt, const uint8_t *reg, size_t len);

/* ---- editing ---- */

/* A writable copy of a sound tree. libfdt edits in place when the blocks
 * are in the usual order, so what an edit does not change keeps its bytes:
 * spare reserve-map entries (dtc -R, as U-Boot builds its trees) and the
 * free space at the end (dtc -p, mkimage's growth), which is given back on
 * closing. */
struct k1_dtb_edit {
	uint8_t *fdt;
	size_t cap;  /* bytes allocated */
	size_t free; /* free space at the end of the input */
};

/* Copy tree (total bytes, opened sound) with extra bytes of room. */
int k1_dtb_edit_open(struct k1_dtb_edit *w, const void *tree, size_t total, size_t extra,
		     struct k1_error *err);
/* Finish: padding zeroed, the free space restored, the result checked
 * sound; w->fdt then holds fdt_totalsize(w->fdt) bytes. */
int k1_dtb_edit_close(struct k1_dtb_edit *w, struct k1_error *err);
void k1_dtb_edit_free(struct k1_dtb_edit *w);

/* Zero the bytes that pad each property of a writable tree to 4, as dtc
 * writes them (libfdt 1.6's fdt_setprop leaves what was there). */
void k1_dtb_zero_padding(void *fdt);

#endif

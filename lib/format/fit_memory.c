/* The RAM size in the device trees of a FIT (issue 4 item 5): BPI-F3 boards
 * come with 2 to 16 GB, and a mainline U-Boot reads its size from the
 * /memory node of its device tree, so one build reports the same amount
 * everywhere. The vendor U-Boot instead asks the DDR code and splits the
 * size as dram_init_banksize() does: up to 2 GiB at 0x0, the rest at
 * 0x1_0000_0000 (0x80000000-0xffffffff is I/O). We write that split into
 * the reg of one memory node (memory@0, as the vendor and mainline K1 trees
 * name it): U-Boot's fdtdec_setup_memory_banksize() and Linux read every
 * region of it, and U-Boot's ram_size (the first region) stays below the
 * 32-bit DMA limit, as the vendor's board_get_usable_ram_top() wants. */
#include "format/dtb.h"
#include "format/fit.h"
#include "format/fit_build.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define GROWTH 1024 /* room for a new memory node, two regions and names */
#define ALIGN4(x) (((x) + 3) & ~(uint64_t)3)

int k1_ram_size_check(uint64_t size, struct k1_error *err)
{
	if (!size || size % K1_RAM_UNIT || size > K1_RAM_MAX)
		return k1_err(
			err, K1_EINVAL,
			"RAM size 0x%llx: expected whole MiB from 1 MiB to 16 GiB (K1 maximum)",
			(unsigned long long)size);
	return 0;
}

/* ---- the memory node of one device tree ---- */

/* The root's cells, which must be 1 or 2 for k1fw to write them. */
static int root_cells(const void *fdt, const char *name, uint32_t *v, struct k1_error *err)
{
	if (k1_dtb_root_cells(fdt, name, v))
		return k1_err(err, K1_ENOTSUP, "root %s: expected 1 or 2 cells", name);
	return 0;
}

/* reg for size bytes of K1 DRAM, in the root's cells. */
static int k1_reg(const void *fdt, uint64_t size, uint8_t reg[32], size_t *len,
		  struct k1_error *err)
{
	uint64_t low = size < K1_RAM_LOW_MAX ? size : K1_RAM_LOW_MAX;
	uint32_t ac, sc;
	int rc;

	if ((rc = root_cells(fdt, "#address-cells", &ac, err)) ||
	    (rc = root_cells(fdt, "#size-cells", &sc, err)))
		return rc;
	if (size > low && ac == 1)
		return k1_err(err, K1_ERANGE,
			      "RAM above 2 GiB starts at 0x%llx: the root's "
			      "#address-cells of 1 cannot hold it",
			      K1_RAM_HIGH_BASE);
	if (size - low > 0xFFFFFFFFull && sc == 1)
		return k1_err(err, K1_ERANGE,
			      "0x%llx bytes above 4 GiB: the root's #size-cells of "
			      "1 cannot hold it",
			      (unsigned long long)(size - low));
	*len = k1_dtb_put_cells(reg, ac, 0);
	*len += k1_dtb_put_cells(reg + *len, sc, low);
	if (size > low) {
		*len += k1_dtb_put_cells(reg + *len, ac, K1_RAM_HIGH_BASE);
		*len += k1_dtb_put_cells(reg + *len, sc, size - low);
	}
	return 0;
}

static int set_memory(void *fdt, uint64_t size, struct k1_error *err)
{
	uint8_t reg[32];
	size_t len = 0;
	int rc = k1_reg(fdt, size, reg, &len, err);

	if (rc)
		return rc;
	if ((rc = k1_dtb_set_memory_reg(fdt, reg, len)))
		return k1_err(err, K1_EINVAL, "cannot set the memory node: %s", fdt_strerror(rc));
	return 0;
}

int k1_dtb_set_memory(const uint8_t *dtb, size_t len, uint64_t size, struct k1_buf *out,
		      struct k1_error *err)
{
	struct k1_dtb t;
	struct k1_dtb_edit w = {0};
	int rc;

	if ((rc = k1_ram_size_check(size, err)))
		return rc;
	if ((rc = k1_dtb_open(&t, dtb, len, "device tree", err))) {
		if (rc == K1_ENOTSUP) /* as k1_dtb_check: not a tree it takes */
			rc = K1_EINVAL;
		goto out;
	}
	if ((rc = k1_dtb_edit_open(&w, t.fdt, fdt_totalsize(t.fdt), GROWTH, err)))
		goto out;
	rc = set_memory(w.fdt, size, err);
	if (!rc)
		rc = k1_dtb_edit_close(&w, err);
	if (!rc && k1_buf_append(out, w.fdt, fdt_totalsize(w.fdt)))
		rc = k1_err(err, K1_ENOMEM, "out of memory");
out:
	k1_dtb_edit_free(&w);
	k1_dtb_close(&t);
	return rc;
}

/* ---- every device tree of a FIT ---- */

enum { EMBEDDED, EXT_OFFSET, EXT_POSITION };

struct img {
	char name[68]; /* for messages */
	int kind;
	bool fdt, changed;
	uint64_t abs, stored; /* external: file offset of the data; the stored value */
	const uint8_t *data;  /* the current bytes */
	size_t size;
	size_t subnodes;    /* hash nodes whose values may grow */
	struct k1_buf repl; /* the rewritten device tree */
	uint64_t new_abs;
};

struct setmem {
	const uint8_t *file;
	size_t len;
	struct k1_dtb tree;  /* the FIT, opened */
	const uint8_t *orig; /* tree.fdt */
	size_t total;        /* its totalsize */
	struct img *img;
	size_t n;
	int images; /* offset of /images in orig */
};

/* s for a one-line message: printable ASCII, at most 64 characters. */
static const char *shown(const char *s, char out[68])
{
	size_t k = 0;

	for (; s && *s && k < 64; s++)
		out[k++] = *s >= 0x20 && *s < 0x7f ? *s : '?';
	out[k] = '\0';
	return out;
}

static int nth_subnode(const void *fdt, int parent, size_t i)
{
	int node;

	fdt_for_each_subnode(node, fdt, parent) if (!i--) return node;
	return -FDT_ERR_NOTFOUND;
}

/* New data would not match a signature, and k1fw cannot sign FITs. */
static int refuse_signed(const void *fdt, struct k1_error *err)
{
	static const char *const parents[] = {"/images", "/configurations"};

	for (size_t i = 0; i < 2; i++) {
		int top = fdt_path_offset(fdt, parents[i]), node, sub;
		char b1[68], b2[68];
		if (top < 0)
			continue;
		fdt_for_each_subnode(node, fdt, top)
		{
			fdt_for_each_subnode(sub, fdt, node)
			{
				const char *s = fdt_get_name(fdt, sub, NULL);
				if (!s || (strncmp(s, "signature", 9) && strncmp(s, "cipher", 6)))
					continue;
				return k1_err(err, K1_ENOTSUP,
					      "%s/%s has a %s node: new device trees would break "
					      "the %s, and k1fw does not sign FITs",
					      parents[i], shown(fdt_get_name(fdt, node, NULL), b1),
					      shown(s, b2),
					      s[0] == 's' ? "signature" : "encryption");
			}
		}
	}
	return 0;
}

/* Where image node's bytes are: an embedded `data`, or external as
 * `mkimage -E` (data-offset after the 4-aligned tree) or -p (data-position). */
static int locate(const struct setmem *m, int node, struct img *im, struct k1_error *err)
{
	uint32_t pos = 0, size = 0;
	int len, hp = k1_dtb_u32(m->orig, node, "data-position", &pos);
	int ho = hp ? 0 : k1_dtb_u32(m->orig, node, "data-offset", &pos);
	int hs = k1_dtb_u32(m->orig, node, "data-size", &size);
	const uint8_t *p;

	if (!hp && !ho) { /* as U-Boot: external data wins over `data` */
		p = fdt_getprop(m->orig, node, "data", &len);
		if (!p && im->fdt)
			return k1_err(err, K1_EINVAL, "image '%s' has no data", im->name);
		im->data = p;
		im->size = p ? (size_t)len : 0;
		return 0;
	}
	if (hp < 0 || ho < 0 || hs != 1)
		return k1_err(err, K1_EINVAL, "image '%s': %s needs 4-byte values and data-size",
			      im->name, hp ? "data-position" : "data-offset");
	im->kind = hp ? EXT_POSITION : EXT_OFFSET;
	im->stored = pos;
	im->abs = pos + (ho ? ALIGN4(m->total) : 0);
	im->size = size;
	if (im->abs < ALIGN4(m->total) || im->abs > m->len || size > m->len - im->abs)
		return k1_err(err, K1_EINVAL,
			      "image '%s': data 0x%llx+0x%x is not between the "
			      "tree (0x%zx bytes) and the end of the file (0x%zx)",
			      im->name, (unsigned long long)im->abs, size, m->total, m->len);
	im->data = m->file + im->abs;
	return 0;
}

/* Find the images, rewrite the device trees among them. */
static int scan(struct setmem *m, uint64_t ram, struct k1_error *err)
{
	int node, rc = 0, fdts = 0;
	size_t i = 0;

	fdt_for_each_subnode(node, m->orig, m->images) m->n++;
	m->img = calloc(m->n ? m->n : 1, sizeof(*m->img));
	if (!m->img)
		return k1_err(err, K1_ENOMEM, "out of memory");
	fdt_for_each_subnode(node, m->orig, m->images)
	{
		struct img *im = &m->img[i++];
		const char *type = k1_dtb_str(m->orig, node, "type");
		const char *comp = k1_dtb_str(m->orig, node, "compression");
		char buf[68];
		int sub;
		shown(fdt_get_name(m->orig, node, NULL), im->name);
		im->fdt = type && !strcmp(type, "flat_dt");
		fdt_for_each_subnode(sub, m->orig, node) im->subnodes++;
		if ((rc = locate(m, node, im, err)))
			return rc;
		if (!im->fdt)
			continue;
		fdts++;
		if (comp && strcmp(comp, "none"))
			return k1_err(err, K1_ENOTSUP,
				      "image '%s' is %s-compressed: k1fw "
				      "rewrites uncompressed device trees only",
				      im->name, shown(comp, buf));
		if ((rc = k1_dtb_set_memory(im->data, im->size, ram, &im->repl, err)))
			return k1_err_prefix(err, "image '%s'", im->name), rc;
		im->changed = im->repl.len != im->size || memcmp(im->repl.data, im->data, im->size);
	}
	return fdts ? 0 : k1_err(err, K1_EINVAL, "no flat_dt image: no device tree to change");
}

/* The hash-* subnodes of node, over the new data. */
static int rehash(void *fdt, int node, const struct img *im, struct k1_error *err)
{
	uint8_t v[64];
	char b1[68], b2[68];
	size_t n;
	int sub, rc;

	fdt_for_each_subnode(sub, fdt, node)
	{
		const char *name = fdt_get_name(fdt, sub, NULL), *algo;
		if (!name || strncmp(name, "hash", 4))
			continue;
		algo = k1_dtb_str(fdt, sub, "algo");
		if (!algo || !k1_fit_hash_len(algo))
			return k1_err(
				err, K1_ENOTSUP,
				"image '%s' %s: algo '%s' is not one "
				"k1fw can recompute (crc32, md5, sha1, sha256, sha384, sha512)",
				im->name, shown(name, b1), shown(algo, b2));
		if ((rc = k1_fit_hash(algo, im->repl.data, im->repl.len, v, &n, err)))
			return rc;
		if ((rc = fdt_setprop(fdt, sub, "value", v, (int)n)))
			return k1_err(err, K1_EINVAL, "image '%s': %s", im->name, fdt_strerror(rc));
	}
	return 0;
}

/* New data, data-size and hashes for the changed images. */
static int edit_tree(const struct setmem *m, uint8_t *fdt, struct k1_error *err)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct img *im = &m->img[i];
		int node, rc;
		if (!im->changed)
			continue;
		node = nth_subnode(fdt, fdt_path_offset(fdt, "/images"), i);
		if (node < 0)
			return k1_err(err, K1_EINVAL, "image '%s' vanished", im->name);
		if (im->kind == EMBEDDED)
			rc = fdt_setprop(fdt, node, "data", im->repl.data, (int)im->repl.len);
		else
			rc = fdt_setprop_u32(fdt, node, "data-size", (uint32_t)im->repl.len);
		if (rc)
			return k1_err(err, K1_EINVAL, "image '%s': %s", im->name, fdt_strerror(rc));
		if ((rc = rehash(fdt, node, im, err)))
			return rc;
	}
	return 0;
}

/* ---- external data and the output ---- */

static size_t new_size(const struct img *im)
{
	return im->changed ? im->repl.len : im->size;
}

static const uint8_t *new_data(const struct img *im)
{
	return im->changed ? im->repl.data : im->data;
}

/* The largest power of two (4 to 4096) dividing every stored offset: the
 * alignment moved data keeps (mkimage -E uses 4, -B more). */
static uint64_t ext_align(const struct setmem *m)
{
	uint64_t a = 4096;

	for (size_t i = 0; i < m->n; i++) {
		uint64_t v = m->img[i].stored;
		if (m->img[i].kind != EMBEDDED && v && (v & (~v + 1)) < a)
			a = v & (~v + 1);
	}
	return a < 4 ? 4 : a;
}

static int by_place(const void *a, const void *b)
{
	const struct img *x = *(const struct img *const *)a, *y = *(const struct img *const *)b;

	if (x->abs != y->abs)
		return x->abs < y->abs ? -1 : 1;
	return x < y ? -1 : x > y; /* stable: image order */
}

/* Place the external data after a tree of tree_len bytes: each image keeps
 * its place unless the tree or an image before it grew into it; then it and
 * those after it move by whole alignment units. *end: the end of the data. */
static int relayout(struct setmem *m, size_t tree_len, uint64_t *end, struct k1_error *err)
{
	struct img **v = calloc(m->n ? m->n : 1, sizeof(*v));
	uint64_t a = ext_align(m), cursor = ALIGN4(tree_len), shift = 0;
	size_t k = 0;

	if (!v)
		return k1_err(err, K1_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->n; i++)
		if (m->img[i].kind != EMBEDDED)
			v[k++] = &m->img[i];
	qsort(v, k, sizeof(*v), by_place);
	*end = k ? cursor : tree_len;
	for (size_t i = 0; i < k; i++) {
		uint64_t na = v[i]->abs + shift;
		if (na < cursor) {
			uint64_t bump = (cursor - na + a - 1) / a * a;
			na += bump;
			shift += bump;
		}
		v[i]->new_abs = na;
		cursor = *end = na + new_size(v[i]);
	}
	free(v);
	if (*end > 0xFFFFFFFFull)
		return k1_err(err, K1_ERANGE,
			      "the external data would end at 0x%llx, past the "
			      "32-bit data-offset range",
			      (unsigned long long)*end);
	return 0;
}

/* The new data-offset / data-position values (4 bytes each: in place). */
static int store_places(const struct setmem *m, uint8_t *fdt, size_t tree_len, struct k1_error *err)
{
	int images = fdt_path_offset(fdt, "/images");

	for (size_t i = 0; i < m->n; i++) {
		const struct img *im = &m->img[i];
		int node, rc;
		if (im->kind == EMBEDDED)
			continue;
		node = nth_subnode(fdt, images, i);
		rc = node < 0 ? node
		     : im->kind == EXT_OFFSET
			     ? fdt_setprop_inplace_u32(fdt, node, "data-offset",
						       (uint32_t)(im->new_abs - ALIGN4(tree_len)))
			     : fdt_setprop_inplace_u32(fdt, node, "data-position",
						       (uint32_t)im->new_abs);
		if (rc)
			return k1_err(err, K1_EINVAL, "image '%s': %s", im->name, fdt_strerror(rc));
	}
	return 0;
}

/* Tree, external data at their new places, then whatever followed the FIT
 * in the input (a partition dump stays one). */
static int assemble(const struct setmem *m, const uint8_t *fdt, size_t tree_len, uint64_t end,
		    struct k1_buf *out, struct k1_error *err)
{
	uint64_t orig_end = m->total;
	size_t base = out->len;

	for (size_t i = 0; i < m->n; i++)
		if (m->img[i].kind != EMBEDDED && m->img[i].abs + m->img[i].size > orig_end)
			orig_end = m->img[i].abs + m->img[i].size;
	if (k1_buf_append(out, fdt, tree_len) || k1_buf_fill(out, 0, (size_t)(end - tree_len)) ||
	    (m->len > orig_end && k1_buf_append(out, m->file + orig_end, m->len - orig_end)))
		return k1_err(err, K1_ENOMEM, "out of memory");
	for (size_t i = 0; i < m->n; i++)
		if (m->img[i].kind != EMBEDDED)
			memcpy(out->data + base + m->img[i].new_abs, new_data(&m->img[i]),
			       new_size(&m->img[i]));
	return 0;
}

static void setmem_free(struct setmem *m)
{
	for (size_t i = 0; m->img && i < m->n; i++)
		k1_buf_free(&m->img[i].repl);
	free(m->img);
	k1_dtb_close(&m->tree);
}

int k1_fit_set_memory(const uint8_t *fit, size_t len, uint64_t size, struct k1_buf *out,
		      unsigned *changed, struct k1_error *err)
{
	struct setmem m = {.file = fit, .len = len};
	struct k1_dtb_edit w = {0};
	size_t extra = GROWTH;
	uint64_t end = 0;
	unsigned count = 0;
	int rc;

	if ((rc = k1_ram_size_check(size, err)))
		return rc;
	if ((rc = k1_fit_open(&m.tree, fit, len, err))) {
		k1_dtb_close(&m.tree);
		return rc;
	}
	m.orig = m.tree.fdt;
	m.total = fdt_totalsize(m.orig);
	m.images = fdt_path_offset(m.orig, "/images");
	if (!(rc = refuse_signed(m.orig, err)))
		rc = scan(&m, size, err);
	for (size_t i = 0; !rc && i < m.n; i++) {
		count += m.img[i].changed;
		if (m.img[i].changed && m.img[i].kind == EMBEDDED)
			extra += ALIGN4(m.img[i].repl.len);
		if (m.img[i].changed) /* a value written where there was none */
			extra += m.img[i].subnodes * (12 + 64 + 8);
	}
	if (!rc && !(rc = k1_dtb_edit_open(&w, m.orig, m.total, extra, err)) &&
	    !(rc = edit_tree(&m, w.fdt, err)) && !(rc = k1_dtb_edit_close(&w, err)) &&
	    !(rc = relayout(&m, fdt_totalsize(w.fdt), &end, err)) &&
	    !(rc = store_places(&m, w.fdt, fdt_totalsize(w.fdt), err)))
		rc = assemble(&m, w.fdt, fdt_totalsize(w.fdt), end, out, err);
	k1_dtb_edit_free(&w);
	setmem_free(&m);
	if (!rc && changed)
		*changed = count;
	return rc;
}

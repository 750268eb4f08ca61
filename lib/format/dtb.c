/* Device trees: opening untrusted ones, reading properties and memory
 * nodes, editing a copy (see dtb.h for the rules this keeps). */
#include "format/dtb.h"

#include "base/bytes.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROP_HEADER 12 /* FDT_PROP tag, len, nameoff */
#define ALIGN4(x) (((x) + 3) & ~(uint64_t)3)

const char *k1_dtb_strerror(int fdt_err)
{
#ifdef FDT_ERR_ALIGNMENT
	if (fdt_err == -FDT_ERR_ALIGNMENT)
		return "FDT_ERR_ALIGNMENT";
#endif
	return fdt_strerror(fdt_err);
}

/* ---- opening ---- */

/* The structure block, read as bytes (it may start at any offset). */
static const uint8_t *struct_block(const void *fdt)
{
	return (const uint8_t *)fdt + fdt_off_dt_struct(fdt);
}

/* Calls fn(ctx, offset of the value in the structure block, its length) for
 * each property. -FDT_ERR_BADSTRUCTURE when a property header or value
 * runs past the structure block or the walk does not advance. */
static int each_prop(const void *fdt, void (*fn)(void *ctx, uint64_t value, uint64_t len),
		     void *ctx)
{
	const uint8_t *s = struct_block(fdt);
	uint64_t room = fdt_size_dt_struct(fdt);
	int off = 0, next;
	uint32_t tag;

	while ((tag = fdt_next_tag(fdt, off, &next)) != FDT_END) {
		if (tag == FDT_PROP) {
			uint64_t len;
			if ((uint64_t)off + PROP_HEADER > room)
				return -FDT_ERR_BADSTRUCTURE;
			len = k1_be32(s + off + 4);
			if ((uint64_t)off + PROP_HEADER + len > room)
				return -FDT_ERR_BADSTRUCTURE;
			if (fn)
				fn(ctx, (uint64_t)off + PROP_HEADER, len);
		}
		if (next <= off)
			return -FDT_ERR_BADSTRUCTURE;
		off = next;
	}
	return 0;
}

/* Record why t did not open; returns rc. */
static int fault(struct k1_dtb *t, int fdt_err, int rc)
{
	t->fdt_err = fdt_err;
	return rc;
}

int k1_dtb_open(struct k1_dtb *t, const uint8_t *p, size_t n, const char *what,
		struct k1_error *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->len = n;
	if (n < K1_DTB_HEADER_LEN)
		return fault(t, -FDT_ERR_BADMAGIC,
			     k1_err(err, K1_EINVAL, "not a %s: %zu bytes, the FDT header needs %d",
				    what, n, K1_DTB_HEADER_LEN));
	if (k1_be32(p) != K1_DTB_MAGIC)
		return fault(t, -FDT_ERR_BADMAGIC,
			     k1_err(err, K1_EINVAL,
				    "not a %s: magic 0x%08x at 0x0, expected 0x%08x", what,
				    k1_be32(p), K1_DTB_MAGIC));
	if (k1_be32(p + 0x14) < K1_DTB_VERSION_MIN)
		return fault(t, -FDT_ERR_BADVERSION,
			     k1_err(err, K1_ENOTSUP,
				    "FDT version %u at 0x14: k1fw reads version %d and later (as "
				    "mkimage and dtc write)",
				    k1_be32(p + 0x14), K1_DTB_VERSION_MIN));
	t->fdt = p;
	if ((uintptr_t)p & 7) { /* libfdt 1.6 refuses it: FDT_ERR_ALIGNMENT */
		t->fdt = t->copy = malloc(n);
		if (!t->copy)
			return fault(t, -FDT_ERR_NOSPACE,
				     k1_err(err, K1_ENOMEM, "out of memory (%zu bytes)", n));
		memcpy(t->copy, p, n);
	}
	if ((rc = fdt_check_header(t->fdt)))
		return fault(t, rc,
			     k1_err(err, K1_EINVAL, "bad FDT header: %s", k1_dtb_strerror(rc)));
	if (fdt_totalsize(t->fdt) > n)
		return fault(t, -FDT_ERR_TRUNCATED,
			     k1_err(err, K1_EINVAL,
				    "truncated %s: FDT header totalsize %u bytes, the file has %zu",
				    what, fdt_totalsize(t->fdt), n));
	if ((rc = fdt_check_full(t->fdt, n)) || (rc = each_prop(t->fdt, NULL, NULL)))
		return fault(
			t, rc,
			k1_err(err, K1_EINVAL, "FDT structure unsound: %s", k1_dtb_strerror(rc)));
	return 0;
}

void k1_dtb_close(struct k1_dtb *t)
{
	free(t->copy);
	t->copy = NULL;
	t->fdt = NULL;
}

int k1_dtb_check(const uint8_t *p, size_t n, struct k1_error *err)
{
	struct k1_dtb t;
	int rc = k1_dtb_open(&t, p, n, "device tree", err);

	k1_dtb_close(&t);
	return rc == K1_ENOTSUP ? K1_EINVAL : rc; /* a yes/no answer */
}

/* ---- properties ---- */

const char *k1_dtb_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	return p && len > 0 && p[len - 1] == '\0' ? p : NULL;
}

int k1_dtb_u32(const void *fdt, int node, const char *name, uint32_t *v)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 4)
		return -1;
	*v = k1_be32(p);
	return 1;
}

uint64_t k1_dtb_get_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | k1_be32(p + 4 * i);
	return v;
}

size_t k1_dtb_put_cells(uint8_t *p, uint32_t cells, uint64_t v)
{
	for (uint32_t i = 0; i < 4 * cells; i++)
		p[i] = (uint8_t)(v >> (8 * (4 * cells - 1 - i)));
	return 4 * cells;
}

/* ---- memory nodes ---- */

int k1_dtb_root_cells(const void *fdt, const char *name, uint32_t *v)
{
	uint32_t dflt = strcmp(name, "#size-cells") ? 2 : 1;
	int r = k1_dtb_u32(fdt, 0, name, v);

	if (r != 1)
		*v = dflt;
	return r >= 0 && *v >= 1 && *v <= 2 ? 0 : -1;
}

bool k1_dtb_is_memory(const void *fdt, int node)
{
	int len;
	const char *name = fdt_get_name(fdt, node, NULL);
	const char *type = fdt_getprop(fdt, node, "device_type", &len);

	if (type && len == 7 && !memcmp(type, "memory", 7))
		return true;
	return name && (!strcmp(name, "memory") || !strncmp(name, "memory@", 7));
}

int k1_dtb_memory_regions(const void *fdt, void (*fn)(void *ctx, uint64_t base, uint64_t size),
			  void *ctx)
{
	uint32_t ac, sc;
	int node;

	if (k1_dtb_root_cells(fdt, "#address-cells", &ac) |
	    k1_dtb_root_cells(fdt, "#size-cells", &sc))
		return -1;
	fdt_for_each_subnode(node, fdt, 0)
	{
		size_t stride = 4 * (size_t)(ac + sc);
		int len;
		const uint8_t *p;

		if (!k1_dtb_is_memory(fdt, node) || !(p = fdt_getprop(fdt, node, "reg", &len)))
			continue;
		if (len < 0 || (size_t)len % stride)
			return -1;
		for (size_t i = 0; i + stride <= (size_t)len; i += stride)
			fn(ctx, k1_dtb_get_cells(p + i, ac), k1_dtb_get_cells(p + i + 4 * ac, sc));
	}
	return 0;
}

/* The first memory node of the root, after deleting any others; one named
 * `name` added when there is none. */
static int memory_node(void *fdt, const char *name)
{
	for (;;) {
		int node, first = -1, second = -1, rc;
		fdt_for_each_subnode(node, fdt, 0)
		{
			if (!k1_dtb_is_memory(fdt, node))
				continue;
			if (first < 0) {
				first = node;
			} else {
				second = node;
				break;
			}
		}
		if (second < 0)
			return first >= 0 ? first : fdt_add_subnode(fdt, 0, name);
		if ((rc = fdt_del_node(fdt, second)))
			return rc;
	}
}

int k1_dtb_set_memory_reg(void *fdt, const uint8_t *reg, size_t len)
{
	char unit[32];
	const char *name;
	uint32_t ac;
	int node, rc;

	if (k1_dtb_root_cells(fdt, "#address-cells", &ac) || len < 4 * ac || len > INT32_MAX)
		return -FDT_ERR_BADVALUE;
	/* the unit address is the first region's */
	snprintf(unit, sizeof(unit), "memory@%llx", (unsigned long long)k1_dtb_get_cells(reg, ac));
	node = memory_node(fdt, unit);
	if (node < 0)
		return node;
	name = fdt_get_name(fdt, node, NULL);
	if (name && !strncmp(name, "memory@", 7) && strcmp(name, unit) &&
	    (rc = fdt_set_name(fdt, node, unit)))
		return rc;
	if (!fdt_getprop(fdt, node, "device_type", NULL) &&
	    (rc = fdt_setprop_string(fdt, node, "device_type", "memory")))
		return rc;
	return fdt_setprop(fdt, node, "reg", reg, (int)len);
}

/* ---- editing ---- */

/* The end of the last block. */
static size_t used_end(const void *fdt)
{
	size_t strings = (size_t)fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt);
	size_t structure = (size_t)fdt_off_dt_struct(fdt) + fdt_size_dt_struct(fdt);
	int nrsv = fdt_num_mem_rsv(fdt);
	size_t rsv = (size_t)fdt_off_mem_rsvmap(fdt) + 16 * (size_t)(nrsv < 0 ? 1 : nrsv + 1);
	size_t end = strings > structure ? strings : structure;

	return end > rsv ? end : rsv;
}

int k1_dtb_edit_open(struct k1_dtb_edit *w, const void *tree, size_t total, size_t extra,
		     struct k1_error *err)
{
	int rc;

	w->cap = total + extra;
	w->fdt = calloc(1, w->cap);
	if (!w->fdt)
		return k1_err(err, K1_ENOMEM, "out of memory (%zu bytes)", w->cap);
	memcpy(w->fdt, tree, total);
	rc = fdt_open_into(w->fdt, w->fdt, (int)w->cap); /* reorders odd trees only */
	if (rc) {
		k1_dtb_edit_free(w);
		return k1_err(err, K1_EINVAL, "cannot open the device tree: %s", fdt_strerror(rc));
	}
	if ((rc = k1_dtb_check(w->fdt, w->cap, err))) { /* the copy libfdt made of it */
		k1_dtb_edit_free(w);
		return k1_err_prefix(err, "reopened device tree"), rc;
	}
	w->free = total > used_end(w->fdt) ? total - used_end(w->fdt) : 0;
	return 0;
}

int k1_dtb_edit_close(struct k1_dtb_edit *w, struct k1_error *err)
{
	size_t used = used_end(w->fdt);

	if (used + w->free > w->cap)
		return k1_err(err, K1_ENOMEM, "the edited device tree outgrew its buffer");
	k1_dtb_zero_padding(w->fdt);
	memset(w->fdt + used, 0, w->free);
	fdt_set_totalsize(w->fdt, (uint32_t)(used + w->free));
	return k1_dtb_check(w->fdt, used + w->free, err) ? k1_err_prefix(err, "after editing") : 0;
}

void k1_dtb_edit_free(struct k1_dtb_edit *w)
{
	free(w->fdt);
	w->fdt = NULL;
}

struct padding {
	uint8_t *s;    /* the structure block */
	uint64_t room; /* its size */
};

static void zero_pad(void *ctx, uint64_t value, uint64_t len)
{
	const struct padding *p = ctx;
	uint64_t end = ALIGN4(value + len) < p->room ? ALIGN4(value + len) : p->room;

	memset(p->s + value + len, 0, (size_t)(end - value - len));
}

void k1_dtb_zero_padding(void *fdt)
{
	struct padding p = {(uint8_t *)fdt + fdt_off_dt_struct(fdt), fdt_size_dt_struct(fdt)};

	each_prop(fdt, zero_pad, &p);
}

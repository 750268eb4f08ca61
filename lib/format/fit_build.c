/* FIT writers for fw_dynamic.itb and u-boot.itb (spec §8, research §7).
 *
 * The tree is described as the vendor's .its describes it, then written
 * with libfdt so that the bytes equal what `mkimage -f its` makes of that
 * .its (U-Boot 2023.01 and the vendor's 2022.10 agree), which lets the
 * tests compare with mkimage byte for byte:
 *  - dtc writes properties and subnodes in source order, and its string
 *    table in the order it first meets each name (reusing a name that is
 *    the tail of an earlier one, as libfdt does);
 *  - mkimage then adds `timestamp` to the root and `value` to each hash
 *    node (libfdt puts a new property first in its node, a new name at the
 *    end of the string table); it grows the tree by 1 KiB steps until its
 *    additions fit and does not pack it afterwards, so the file ends with
 *    that step's unused bytes.
 * The writer enters the names into the string table in that order first,
 * then adds subnodes and properties last to first, since libfdt's
 * read-write API puts each new one before its siblings. */
#include "format/fit_build.h"
#include "base/crypto.h"
#include "format/dtb.h"
#include "format/fit_hash.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MKIMAGE_STEP 1024        /* mkimage's growth step for its additions */
#define FIT_MAX_SIZE 0x7ff00000u /* libfdt offsets are ints */
#define NODE_PROPS 10
#define ALIGN4(x) (((x) + 3) & ~(size_t)3)
#define UNKNOWN_ALGO                                                                               \
	"hash algorithm '%s' unknown: expected crc32, md5, sha1, sha256, sha384 or sha512"

/* ---- the timestamp ---- */

int k1_fit_timestamp(const char *source_date_epoch, const char *const *inputs, size_t n,
		     uint32_t *out, struct k1_error *err)
{
	const char *e = source_date_epoch;
	uint64_t v = 0;
	struct stat st;

	if (e && *e) {
		for (const char *p = e; *p; p++) {
			if (*p < '0' || *p > '9')
				return k1_err(err, K1_EINVAL,
					      "SOURCE_DATE_EPOCH: expected seconds since 1970 (up "
					      "to 4294967295), got '%s'",
					      e);
			v = v > UINT32_MAX ? v : v * 10 + (unsigned)(*p - '0');
		}
		if (v > UINT32_MAX)
			return k1_err(
				err, K1_EINVAL,
				"SOURCE_DATE_EPOCH: %s does not fit the FIT's 32-bit timestamp", e);
		*out = (uint32_t)v;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (inputs[i] && !stat(inputs[i], &st) && st.st_mtime > 0 &&
		    (uint64_t)st.st_mtime > v)
			v = (uint64_t)st.st_mtime;
	*out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	return 0;
}

/* ---- the tree as the .its describes it ---- */

struct fprop {
	const char *name;
	const void *val;
	size_t len;
	bool late; /* added by mkimage after dtc: timestamp, hash values */
};

struct fnode {
	const char *name;
	struct fprop prop[NODE_PROPS];
	int nprops;
	struct fnode *kid, *last, *prev, *next;
};

static void add_prop(struct fnode *n, const char *name, const void *val, size_t len, bool late)
{
	if (n->nprops < NODE_PROPS) /* the builders stay below; never overflow */
		n->prop[n->nprops++] = (struct fprop){name, val, len, late};
}

static void add_str(struct fnode *n, const char *name, const char *s)
{
	add_prop(n, name, s, strlen(s) + 1, false);
}

static void add_kid(struct fnode *parent, struct fnode *kid, const char *name)
{
	kid->name = name;
	kid->prev = parent->last;
	if (parent->last)
		parent->last->next = kid;
	else
		parent->kid = kid;
	parent->last = kid;
}

/* Upper bound of the packed tree: no name sharing assumed. */
static size_t tree_bound(const struct fnode *n)
{
	size_t s = 8 + ALIGN4(strlen(n->name) + 1); /* BEGIN_NODE + name, END_NODE */

	for (int i = 0; i < n->nprops; i++)
		s += 12 + ALIGN4(n->prop[i].len) + strlen(n->prop[i].name) + 1;
	for (const struct fnode *k = n->kid; k; k = k->next)
		s += tree_bound(k);
	return s;
}

/* Struct bytes of the late properties: what mkimage adds. */
static size_t late_bytes(const struct fnode *n)
{
	size_t s = 0;

	for (int i = 0; i < n->nprops; i++)
		if (n->prop[i].late)
			s += 12 + ALIGN4(n->prop[i].len);
	for (const struct fnode *k = n->kid; k; k = k->next)
		s += late_bytes(k);
	return s;
}

/* Enter the property names into the string table in the order dtc (late:
 * mkimage) meets them. libfdt has no call for a bare string, but deleting a
 * property leaves its name in the table. */
static int seed_names(void *fdt, const struct fnode *n, bool late)
{
	int rc;

	for (int i = 0; i < n->nprops; i++) {
		if (n->prop[i].late != late)
			continue;
		rc = fdt_setprop_empty(fdt, 0, n->prop[i].name);
		if (!rc)
			rc = fdt_delprop(fdt, 0, n->prop[i].name);
		if (rc)
			return rc;
	}
	for (const struct fnode *k = n->kid; k; k = k->next)
		if ((rc = seed_names(fdt, k, late)))
			return rc;
	return 0;
}

/* Fill node off: subnodes, then properties, each last to first. */
static int emit_node(void *fdt, int off, const struct fnode *n)
{
	int rc;

	for (const struct fnode *k = n->last; k; k = k->prev) {
		int sub = fdt_add_subnode(fdt, off, k->name);
		if (sub < 0)
			return sub;
		if ((rc = emit_node(fdt, sub, k)))
			return rc;
	}
	for (int i = n->nprops - 1; i >= 0; i--)
		if ((rc = fdt_setprop(fdt, off, n->prop[i].name, n->prop[i].val,
				      (int)n->prop[i].len)))
			return rc;
	return 0;
}

/* Write the tree as dtc + mkimage would; appended to out. */
static int write_tree(const struct fnode *root, struct k1_buf *out, struct k1_error *err)
{
	size_t bound = tree_bound(root), strings0, added, extra, total;
	void *fdt;
	int rc;

	if (bound > FIT_MAX_SIZE - 0x38 - 2 * MKIMAGE_STEP)
		return k1_err(err, K1_ERANGE, "the FIT would exceed %u bytes", FIT_MAX_SIZE);
	bound += 0x38 + 4 + 2 * MKIMAGE_STEP;
	fdt = calloc(1, bound);
	if (!fdt)
		return k1_err(err, K1_ENOMEM, "out of memory (%zu bytes)", bound);
	rc = fdt_create_empty_tree(fdt, (int)bound);
	if (!rc)
		rc = seed_names(fdt, root, false);
	strings0 = rc ? 0 : fdt_size_dt_strings(fdt);
	if (!rc)
		rc = seed_names(fdt, root, true);
	if (!rc)
		rc = emit_node(fdt, 0, root);
	if (!rc)
		rc = fdt_pack(fdt);
	if (!rc)
		k1_dtb_zero_padding(fdt);
	if (rc) {
		free(fdt);
		return k1_err(err, K1_ENOMEM, "writing the FIT failed: %s", fdt_strerror(rc));
	}
	added = late_bytes(root) + (fdt_size_dt_strings(fdt) - strings0);
	extra = (added + MKIMAGE_STEP - 1) / MKIMAGE_STEP * MKIMAGE_STEP - added;
	total = fdt_totalsize(fdt) + extra;
	memset((uint8_t *)fdt + fdt_totalsize(fdt), 0, extra);
	fdt_set_totalsize(fdt, (uint32_t)total);
	rc = k1_buf_append(out, fdt, total);
	free(fdt);
	return rc ? k1_err(err, rc, "out of memory (%zu bytes)", total) : 0;
}

/* ---- the FIT layouts ---- */

struct image {
	struct fnode node, hash, conf;
	char name[32], conf_name[32];
	uint8_t load[8], entry[8];
	uint8_t value[64];
};

struct fit {
	struct fnode root, images, confs;
	uint8_t cells[4], stamp[4];
	struct image *img;
};

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* Root, /images and /configurations, with room for n images. */
static int fit_init(struct fit *f, size_t n, const char *desc, const struct k1_fit_opts *o,
		    struct k1_error *err)
{
	memset(f, 0, sizeof(*f));
	f->img = calloc(n, sizeof(*f->img));
	if (!f->img)
		return k1_err(err, K1_ENOMEM, "out of memory");
	put_be32(f->cells, 2);
	put_be32(f->stamp, o->timestamp);
	f->root.name = "";
	add_prop(&f->root, "timestamp", f->stamp, 4, true);
	add_str(&f->root, "description", desc);
	add_prop(&f->root, "#address-cells", f->cells, 4, false);
	add_str(&f->root, "fit,fdt-list", "of-list");
	add_kid(&f->root, &f->images, "images");
	add_kid(&f->root, &f->confs, "configurations");
	return 0;
}

/* The hash-1 subnode of an image over data; none for algo "none". */
static int add_hash(struct image *im, const char *algo, const uint8_t *data, size_t len,
		    struct k1_error *err)
{
	size_t n;
	int rc = strcmp(algo, "none") ? k1_fit_hash(algo, data, len, im->value, &n, err) : 1;

	if (rc)
		return rc < 0 ? rc : 0;
	add_kid(&im->node, &im->hash, "hash-1");
	add_prop(&im->hash, "value", im->value, n, true);
	add_str(&im->hash, "algo", algo);
	return 0;
}

static const char *hash_name(const struct k1_fit_opts *o)
{
	return o->hash ? o->hash : "crc32";
}

static int check_common(const char *what, size_t len, const struct k1_fit_opts *o,
			struct k1_error *err)
{
	if (!len)
		return k1_err(err, K1_EINVAL, "%s: empty payload", what);
	if (len > FIT_MAX_SIZE)
		return k1_err(err, K1_ERANGE, "%s: %zu bytes, a FIT holds at most %u", what, len,
			      FIT_MAX_SIZE);
	if (strcmp(hash_name(o), "none") && !k1_fit_hash_len(hash_name(o)))
		return k1_err(err, K1_EINVAL, UNKNOWN_ALGO, hash_name(o));
	return 0;
}

/* Image `opensbi` in im: fw_dynamic at load, entered there. */
static void add_opensbi(struct fit *f, struct image *im, const uint8_t *fw, size_t len,
			uint64_t load, uint64_t entry)
{
	put_be64(im->load, load);
	put_be64(im->entry, entry);
	add_kid(&f->images, &im->node, "opensbi");
	add_str(&im->node, "description", "OpenSBI fw_dynamic Firmware");
	add_str(&im->node, "type", "firmware");
	add_str(&im->node, "os", "opensbi");
	add_str(&im->node, "arch", "riscv");
	add_str(&im->node, "compression", "none");
	add_prop(&im->node, "load", im->load, 8, false);
	add_prop(&im->node, "entry", im->entry, 8, false);
	add_prop(&im->node, "data", fw, len, false);
}

int k1_fit_build_opensbi(const uint8_t *fw, size_t len, const struct k1_fit_opts *o,
			 struct k1_buf *out, struct k1_error *err)
{
	struct fit f;
	struct image *im;
	int rc = check_common("opensbi", len, o, err);

	if (rc || (rc = fit_init(&f, 1, "Configuration to load OpenSBI before U-Boot", o, err)))
		return rc;
	im = &f.img[0];
	add_opensbi(&f, im, fw, len, o->load, o->has_entry ? o->entry : o->load);
	rc = add_hash(im, hash_name(o), fw, len, err);
	add_str(&f.confs, "default", "config_1");
	add_kid(&f.confs, &im->conf, "config_1");
	add_str(&im->conf, "description", "opensbi FIT config");
	add_str(&im->conf, "firmware", "opensbi");
	if (!rc)
		rc = write_tree(&f.root, out, err);
	free(f.img);
	return rc;
}

static int check_dtbs(const struct k1_fit_dtb *d, size_t n, size_t dflt, struct k1_error *err)
{
	int rc;

	if (!n)
		return k1_err(err, K1_EINVAL, "u-boot.itb needs at least one device tree");
	if (dflt >= n)
		return k1_err(err, K1_EINVAL, "default device tree %zu of %zu", dflt + 1, n);
	for (size_t i = 0; i < n; i++) {
		if (!d[i].name || !d[i].name[0])
			return k1_err(err, K1_EINVAL, "device tree %zu: empty board name", i + 1);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(d[i].name, d[j].name))
				return k1_err(err, K1_EINVAL,
					      "board name '%s' given twice: the SPL picks the "
					      "configuration by name",
					      d[i].name);
		if ((rc = k1_dtb_check(d[i].data, d[i].len, err)))
			return k1_err_prefix(err, "device tree '%s'", d[i].name), rc;
	}
	return 0;
}

/* The image and configuration of device tree d in f->img[i]; a mainline
 * configuration starts OpenSBI first. */
static int add_board(struct fit *f, size_t i, const struct k1_fit_dtb *d, const char *algo,
		     bool mainline, struct k1_error *err)
{
	struct image *im = &f->img[i];

	add_kid(&f->images, &im->node, im->name);
	add_str(&im->node, "description", d->name);
	add_str(&im->node, "type", "flat_dt");
	add_str(&im->node, "compression", "none");
	add_prop(&im->node, "data", d->data, d->len, false);
	add_kid(&f->confs, &im->conf, im->conf_name);
	add_str(&im->conf, "description", d->name);
	if (mainline)
		add_str(&im->conf, "firmware", "opensbi");
	add_str(&im->conf, "loadables", "uboot");
	add_str(&im->conf, "fdt", im->name);
	return add_hash(im, algo, d->data, d->len, err);
}

/* Image `uboot` in f->img[0]. */
static int add_uboot(struct fit *f, const uint8_t *uboot, size_t len, const struct k1_fit_opts *o,
		     struct k1_error *err)
{
	struct image *im = &f->img[0];

	put_be64(im->load, o->load);
	put_be64(im->entry, o->entry);
	add_kid(&f->images, &im->node, "uboot");
	add_str(&im->node, "description", "U-Boot");
	add_str(&im->node, "type", "standalone");
	add_str(&im->node, "os", "U-Boot");
	add_str(&im->node, "arch", "riscv");
	add_str(&im->node, "compression", "none");
	add_prop(&im->node, "load", im->load, 8, false);
	if (o->has_entry) /* neither the vendor's nor binman's has one: the SPL jumps to load */
		add_prop(&im->node, "entry", im->entry, 8, false);
	add_prop(&im->node, "data", uboot, len, false);
	return add_hash(im, hash_name(o), uboot, len, err);
}

/* The boards from f->img[first], named fdt_N/conf_N (vendor) or
 * fdt-N/conf-N (binman), then the tree into out. */
static int add_boards_write(struct fit *f, size_t first, const struct k1_fit_dtb *dtbs,
			    size_t ndtbs, size_t default_dtb, const char *algo, bool mainline,
			    struct k1_buf *out, struct k1_error *err)
{
	const char sep = mainline ? '-' : '_';
	int rc = 0;

	for (size_t i = 0; i < ndtbs; i++) {
		struct image *im = &f->img[first + i];
		snprintf(im->name, sizeof(im->name), "fdt%c%zu", sep, i + 1);
		snprintf(im->conf_name, sizeof(im->conf_name), "conf%c%zu", sep, i + 1);
	}
	add_str(&f->confs, "default", f->img[first + default_dtb].conf_name);
	for (size_t i = 0; !rc && i < ndtbs; i++)
		rc = add_board(f, first + i, &dtbs[i], algo, mainline, err);
	if (!rc)
		rc = write_tree(&f->root, out, err);
	return rc;
}

int k1_fit_build_uboot(const uint8_t *uboot, size_t len, const struct k1_fit_dtb *dtbs,
		       size_t ndtbs, size_t default_dtb, const struct k1_fit_opts *o,
		       struct k1_buf *out, struct k1_error *err)
{
	struct fit f;
	int rc = check_common("u-boot", len, o, err);

	if (rc || (rc = check_dtbs(dtbs, ndtbs, default_dtb, err)))
		return rc;
	if (ndtbs > 100000)
		return k1_err(err, K1_ERANGE, "%zu device trees: at most 100000", ndtbs);
	if ((rc = fit_init(&f, ndtbs + 1, "U-boot FIT image for k1x", o, err)))
		return rc;
	rc = add_uboot(&f, uboot, len, o, err);
	if (!rc)
		rc = add_boards_write(&f, 1, dtbs, ndtbs, default_dtb, hash_name(o), false, out,
				      err);
	free(f.img);
	return rc;
}

int k1_fit_build_mainline(const uint8_t *uboot, size_t len, const struct k1_fit_sbi *sbi,
			  const struct k1_fit_dtb *dtbs, size_t ndtbs, size_t default_dtb,
			  const struct k1_fit_opts *o, struct k1_buf *out, struct k1_error *err)
{
	struct k1_fit_opts mo = *o;
	struct fit f;
	int rc;

	if (!mo.hash) /* binman.dtsi gives its images no hash nodes */
		mo.hash = "none";
	if ((rc = check_common("u-boot", len, &mo, err)) ||
	    (rc = check_common("opensbi", sbi->len, &mo, err)) ||
	    (rc = check_dtbs(dtbs, ndtbs, default_dtb, err)))
		return rc;
	if (ndtbs > 100000)
		return k1_err(err, K1_ERANGE, "%zu device trees: at most 100000", ndtbs);
	if ((rc = fit_init(&f, ndtbs + 2, "Configuration to load OpenSBI before U-Boot", &mo, err)))
		return rc;
	rc = add_uboot(&f, uboot, len, &mo, err);
	add_opensbi(&f, &f.img[1], sbi->data, sbi->len, sbi->load,
		    sbi->has_entry ? sbi->entry : sbi->load);
	if (!rc)
		rc = add_hash(&f.img[1], mo.hash, sbi->data, sbi->len, err);
	if (!rc)
		rc = add_boards_write(&f, 2, dtbs, ndtbs, default_dtb, mo.hash, true, out, err);
	free(f.img);
	return rc;
}

/* FIT images: u-boot.itb and fw_dynamic.itb (spec §8, research §7).
 *
 * A FIT is a device tree: /images/<name> nodes hold the payloads (an
 * embedded `data` property, or `data-offset`/`data-position` + `data-size`
 * pointing after the tree, as `mkimage -E` writes) with hash-N subnodes,
 * and /configurations/<name> nodes name which images boot together.
 * libfdt reads it only once k1_dtb_open proved the tree sound inside the
 * buffer, so no libfdt call can walk past the bytes we were given. */
#include "format/fit.h"
#include "base/bytes.h"
#include "base/crypto.h"
#include "format/dtb.h"
#include "format/fit_hash.h"
#include "format/format.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zlib.h>

#define MAX_DIGEST 64
#define NAME_MAX_SHOWN 64 /* names in messages are cut to this */

/* Configuration properties that name images (U-Boot's FIT_*_PROP). */
static const char *const conf_refs[] = {
	"kernel", "firmware", "ramdisk", "fdt", "loadables", "fpga", "setup",
};

struct fit {
	struct k1_dtb tree;
	const uint8_t *data; /* tree.fdt */
	size_t len;
	int images; /* offset of /images */
	int confs;  /* offset of /configurations, or < 0 */
};

/* ---- opening ---- */

int k1_fit_open(struct k1_dtb *t, const uint8_t *data, size_t len, struct k1_error *err)
{
	int rc = k1_dtb_open(t, data, len, "FIT", err);

	if (!rc && fdt_path_offset(t->fdt, "/images") < 0)
		rc = k1_err(err, K1_EINVAL, "not a FIT: the device tree has no /images node");
	return rc;
}

static int fit_open(const uint8_t *data, size_t len, struct fit *f, struct k1_error *err)
{
	int rc = k1_fit_open(&f->tree, data, len, err);

	f->data = f->tree.fdt;
	f->len = len;
	if (rc) {
		k1_dtb_close(&f->tree);
		return rc;
	}
	f->images = fdt_path_offset(f->data, "/images");
	f->confs = fdt_path_offset(f->data, "/configurations");
	return 0;
}

static void fit_close(struct fit *f)
{
	k1_dtb_close(&f->tree);
}

int k1_fit_check(const uint8_t *data, size_t len, struct k1_error *err)
{
	struct k1_dtb t;
	int rc = k1_fit_open(&t, data, len, err);

	k1_dtb_close(&t);
	return rc;
}

/* Claims every FDT except a sound, complete one without /images (a plain
 * .dtb): a damaged or truncated FIT should get a reason, not "unknown". */
static int probe(const uint8_t *data, size_t len)
{
	struct k1_dtb t;
	int r;

	if (len < K1_DTB_HEADER_LEN || k1_be32(data) != K1_DTB_MAGIC)
		return 0;
	/* out of memory too: inspect will report the shortage */
	r = k1_dtb_open(&t, data, len, "FIT", NULL) || fdt_path_offset(t.fdt, "/images") >= 0;
	k1_dtb_close(&t);
	return r;
}

/* ---- property access ---- */

/* load/entry: one or two cells, as U-Boot reads them: 1, 0 absent, -1 bad. */
static int get_addr(const void *fdt, int node, const char *name, uint64_t *v)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 4 && len != 8)
		return -1;
	*v = k1_dtb_get_cells(p, (uint32_t)len / 4);
	return 1;
}

/* Bytes as printable ASCII (others as \xNN), NULs as sep: JSON needs valid
 * UTF-8 and hostile files give none. */
static json_t *text_json(const char *s, size_t n, const char *sep)
{
	size_t seplen = strlen(sep), k = 0;
	char *buf = malloc(n * (4 + seplen) + 1);
	json_t *j;

	if (!buf)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!c) {
			memcpy(buf + k, sep, seplen);
			k += seplen;
		} else if (c >= 0x20 && c < 0x7f) {
			buf[k++] = (char)c;
		} else {
			k += (size_t)sprintf(buf + k, "\\x%02x", c);
		}
	}
	j = json_stringn(buf, k);
	free(buf);
	return j;
}

/* A string (list) property as text joined by sep; null when absent. */
static json_t *prop_json(const void *fdt, int node, const char *name, const char *sep)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return json_null();
	if (len <= 0 || p[len - 1] != '\0')
		return json_string("(not a string)");
	return text_json(p, (size_t)len - 1, sep);
}

/* A node name fit for messages: printable, cut to NAME_MAX_SHOWN. */
static const char *shown(const char *s, char out[NAME_MAX_SHOWN * 4 + 4])
{
	size_t k = 0;

	for (size_t i = 0; s[i] && i < NAME_MAX_SHOWN; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			out[k++] = (char)c;
		else
			k += (size_t)sprintf(out + k, "\\x%02x", c);
	}
	out[k] = '\0';
	return out;
}

static const char *node_name(const void *fdt, int node)
{
	const char *n = fdt_get_name(fdt, node, NULL);
	return n ? n : "?";
}

/* ---- image data ---- */

struct img_data {
	bool external; /* data-offset / data-position + data-size */
	bool in_file;  /* ptr/size are usable */
	const uint8_t *ptr;
	uint64_t off, size; /* offset in the file; size in bytes */
	char problem[96];   /* why the data is unusable */
};

/* Where an image's bytes are, as U-Boot's fit_image_get_data_and_size():
 * data-position is absolute, data-offset counts from the 4-aligned end of
 * the tree. */
static void image_data(const struct fit *f, int node, struct img_data *d)
{
	uint32_t pos = 0, size = 0;
	int hp = k1_dtb_u32(f->data, node, "data-position", &pos);
	int ho = hp ? 0 : k1_dtb_u32(f->data, node, "data-offset", &pos);
	int hs = k1_dtb_u32(f->data, node, "data-size", &size);
	int len;

	memset(d, 0, sizeof(*d));
	if (hp || ho) {
		d->external = true;
		d->off = pos + (ho ? ((uint64_t)fdt_totalsize(f->data) + 3) / 4 * 4 : 0);
		d->size = size;
		if (hp < 0 || ho < 0 || hs < 0)
			snprintf(d->problem, sizeof(d->problem), "%s or data-size is not 4 bytes",
				 hp ? "data-position" : "data-offset");
		else if (!hs)
			snprintf(d->problem, sizeof(d->problem), "%s without data-size",
				 hp ? "data-position" : "data-offset");
		else if (d->off > f->len || d->size > f->len - d->off)
			snprintf(d->problem, sizeof(d->problem),
				 "data 0x%llx+0x%llx runs past the end of the file (0x%zx bytes)",
				 (unsigned long long)d->off, (unsigned long long)d->size, f->len);
		else
			d->ptr = f->data + d->off;
	} else {
		d->ptr = fdt_getprop(f->data, node, "data", &len);
		if (d->ptr) {
			d->off = (uint64_t)(d->ptr - f->data);
			d->size = (uint64_t)len;
		} else {
			snprintf(d->problem, sizeof(d->problem),
				 "no data, data-offset or data-position");
		}
	}
	d->in_file = d->ptr != NULL;
}

int k1_fit_image_data(const uint8_t *fit, size_t len, const char *name, const uint8_t **data,
		      size_t *size, struct k1_error *err)
{
	struct fit f;
	struct img_data d;
	int node, rc = fit_open(fit, len, &f, err);

	if (rc)
		return rc;
	node = fdt_subnode_offset(f.data, f.images, name);
	if (node >= 0)
		image_data(&f, node, &d);
	fit_close(&f);
	if (node < 0)
		return k1_err(err, K1_EINVAL, "FIT has no image '%s'", name);
	if (!d.in_file)
		return k1_err(err, K1_EINVAL, "FIT image '%s': %s", name, d.problem);
	*data = fit + d.off; /* the caller's bytes, not our aligned copy */
	*size = (size_t)d.size;
	return 0;
}

/* ---- hashes ---- */

struct hash_result {
	const char *node; /* "hash-1" */
	const char *algo; /* NULL when absent */
	char stored[2 * MAX_DIGEST + 4];
	char computed[2 * MAX_DIGEST + 1];
	int status;       /* 1 match, 0 mismatch, -1 could not compare */
	char reason[160]; /* for status != 1 */
};

static void check_hash(const struct fit *f, int hnode, const struct img_data *d,
		       struct hash_result *r)
{
	uint8_t sum[MAX_DIGEST];
	size_t want, got = 0;
	int vlen;
	const uint8_t *val = fdt_getprop(f->data, hnode, "value", &vlen);

	memset(r, 0, sizeof(*r));
	r->node = node_name(f->data, hnode);
	r->algo = k1_dtb_str(f->data, hnode, "algo");
	r->status = -1;
	if (val && vlen > 0) {
		k1_hex(val, vlen > MAX_DIGEST ? MAX_DIGEST : (size_t)vlen, r->stored);
		if (vlen > MAX_DIGEST)
			strcat(r->stored, "...");
	}
	want = r->algo ? k1_fit_hash_len(r->algo) : 0;
	if (!r->algo)
		snprintf(r->reason, sizeof(r->reason), "no algo property");
	else if (!want)
		snprintf(r->reason, sizeof(r->reason),
			 "unknown algorithm (k1fw knows crc32, md5, sha1, sha256, sha384, sha512)");
	else if (!val)
		snprintf(r->reason, sizeof(r->reason), "no value property");
	else if (!d->in_file)
		snprintf(r->reason, sizeof(r->reason), "the data is unusable: %s", d->problem);
	else if (k1_fit_hash(r->algo, d->ptr, (size_t)d->size, sum, &got, NULL) || got != want)
		snprintf(r->reason, sizeof(r->reason), "computing %s failed", r->algo);
	else if ((size_t)vlen != want)
		snprintf(r->reason, sizeof(r->reason), "value is %d bytes, %s makes %zu", vlen,
			 r->algo, want),
			r->status = 0;
	else
		r->status = memcmp(val, sum, want) == 0;
	if (got == want && want)
		k1_hex(sum, got, r->computed);
}

static bool is_hash_node(const char *name)
{
	return !strncmp(name, "hash", 4);
}

static bool is_sig_node(const char *name)
{
	return !strncmp(name, "signature", 9);
}

/* ---- embedded device trees ---- */

static void size_text(uint64_t v, char *out, size_t n)
{
	if (v && v % (1ULL << 30) == 0)
		snprintf(out, n, "%llu GiB", (unsigned long long)(v >> 30));
	else if (v && v % (1ULL << 20) == 0)
		snprintf(out, n, "%llu MiB", (unsigned long long)(v >> 20));
	else
		snprintf(out, n, "%llu bytes", (unsigned long long)v);
}

/* The regions of the memory nodes as text ("0x0+0x80000000, ...", cut to
 * fit) and their total (saturating). */
struct regions {
	char text[512];
	uint64_t total;
};

static void add_region(void *ctx, uint64_t base, uint64_t size)
{
	struct regions *r = ctx;
	size_t used = strlen(r->text);

	r->total = size > UINT64_MAX - r->total ? UINT64_MAX : r->total + size;
	if (used + 48 < sizeof(r->text))
		snprintf(r->text + used, sizeof(r->text) - used, "%s0x%llx+0x%llx",
			 used ? ", " : "", (unsigned long long)base, (unsigned long long)size);
}

/* One row of device_trees: model, compatible and /memory* of the DTB. */
static json_t *dtb_row(const char *image, const uint8_t *data, size_t n, json_t *notes)
{
	char total_s[32], nm[NAME_MAX_SHOWN * 4 + 4];
	struct regions mem = {"", 0};
	struct k1_dtb t;
	const uint8_t *p;
	uint32_t ac, sc;
	json_t *row;

	if (k1_dtb_open(&t, data, n, "device tree", NULL)) {
		json_array_append_new(notes,
				      json_sprintf("image %s: not a sound device tree (%s)",
						   shown(image, nm), k1_dtb_strerror(t.fdt_err)));
		k1_dtb_close(&t);
		return NULL;
	}
	p = t.fdt;
	if (k1_dtb_memory_regions(p, add_region, &mem) < 0) {
		k1_dtb_root_cells(p, "#address-cells", &ac);
		k1_dtb_root_cells(p, "#size-cells", &sc);
		json_array_append_new(notes, json_sprintf("image %s: /memory reg does not decode "
							  "with #address-cells %u, #size-cells %u",
							  shown(image, nm), ac, sc));
	}
	size_text(mem.total, total_s, sizeof(total_s));
	row = json_pack(
		"{s:o, s:o, s:o, s:s, s:I, s:s}", "image", text_json(image, strlen(image), ""),
		"model", prop_json(p, 0, "model", ", "), "compatible",
		prop_json(p, 0, "compatible", ", "), "memory", mem.text[0] ? total_s : "none",
		"memory_bytes", (json_int_t)mem.total, "regions", mem.text[0] ? mem.text : "-");
	k1_dtb_close(&t);
	return row;
}

/* ---- inspect ---- */

static json_t *addr_json(const void *fdt, int node, const char *name)
{
	uint64_t v;
	int r = get_addr(fdt, node, name, &v);

	if (r == 0)
		return json_null();
	if (r < 0)
		return json_string("(malformed)");
	return json_sprintf("0x%08llx", (unsigned long long)v);
}

static json_t *data_json(const struct img_data *d)
{
	if (!d->in_file && !d->external)
		return json_string("none");
	return json_sprintf("%s @0x%llx%s", d->external ? "external" : "embedded",
			    (unsigned long long)d->off, d->in_file ? "" : " (outside the file)");
}

/* Hash rows for one image into hashes; returns the image's "verified":
 * true all matched, false one failed, null no hash node. */
static json_t *image_hashes(const struct fit *f, int node, const struct img_data *d, json_t *hashes,
			    char *algos, size_t asz)
{
	struct hash_result r;
	const char *iname = node_name(f->data, node);
	int sub, n = 0, good = 0;

	fdt_for_each_subnode(sub, f->data, node)
	{
		if (!is_hash_node(node_name(f->data, sub)))
			continue;
		check_hash(f, sub, d, &r);
		n++;
		good += r.status == 1;
		size_t used = strlen(algos);
		snprintf(algos + used, asz - used, "%s%s", used ? "," : "", r.algo ? r.algo : "?");
		json_array_append_new(
			hashes,
			json_pack("{s:o, s:o, s:o, s:s, s:o}", "image",
				  text_json(iname, strlen(iname), ""), "node",
				  text_json(r.node, strlen(r.node), ""), "algo",
				  r.algo ? text_json(r.algo, strlen(r.algo), "") : json_null(),
				  "value", r.stored[0] ? r.stored : "-", "ok",
				  r.status < 0 ? json_null() : json_boolean(r.status == 1)));
	}
	if (!n)
		snprintf(algos, asz, "none");
	return n ? json_boolean(good == n) : json_null();
}

struct layout {
	bool uboot, opensbi;
};

static void note_layout(const void *fdt, int node, struct layout *l)
{
	const char *os = k1_dtb_str(fdt, node, "os");
	const char *name = node_name(fdt, node);

	if ((os && !strcasecmp(os, "u-boot")) || !strcmp(name, "uboot") || !strcmp(name, "u-boot"))
		l->uboot = true;
	if ((os && !strcasecmp(os, "opensbi")) || !strcmp(name, "opensbi"))
		l->opensbi = true;
}

static const char *layout_text(const struct layout *l)
{
	if (l->uboot && !l->opensbi)
		return "vendor: U-Boot without OpenSBI (the SPL loads OpenSBI from fw_dynamic.itb, "
		       "the opensbi partition)";
	if (l->opensbi && !l->uboot)
		return "OpenSBI only (fw_dynamic.itb, loaded before U-Boot)";
	if (l->opensbi)
		return "mainline: OpenSBI and U-Boot in one FIT";
	return "neither U-Boot nor OpenSBI";
}

static void signature_notes(const void *fdt, int node, const char *what, json_t *notes)
{
	char nm[NAME_MAX_SHOWN * 4 + 4], sn[NAME_MAX_SHOWN * 4 + 4];
	int sub;

	fdt_for_each_subnode(sub, fdt, node)
	{
		if (!is_sig_node(node_name(fdt, sub)))
			continue;
		const char *algo = k1_dtb_str(fdt, sub, "algo");
		json_array_append_new(notes, json_sprintf("%s %s has a signature node %s (%s): not "
							  "checked (needs U-Boot's key)",
							  what, shown(node_name(fdt, node), nm),
							  shown(node_name(fdt, sub), sn),
							  algo ? shown(algo, sn) : "no algo"));
	}
}

/* One images row (+ hashes rows, + device_trees row for a flat_dt). */
static void inspect_image(const struct fit *f, int node, json_t *o, struct layout *l)
{
	struct img_data d;
	char algos[256] = "";
	const char *name = node_name(f->data, node);
	const char *type = k1_dtb_str(f->data, node, "type");
	const char *comp = k1_dtb_str(f->data, node, "compression");
	json_t *verified;

	image_data(f, node, &d);
	verified = image_hashes(f, node, &d, json_object_get(o, "hashes"), algos, sizeof(algos));
	json_array_append_new(
		json_object_get(o, "images"),
		json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "name",
			  text_json(name, strlen(name), ""), "description",
			  prop_json(f->data, node, "description", ", "), "type",
			  prop_json(f->data, node, "type", ", "), "arch",
			  prop_json(f->data, node, "arch", ", "), "os",
			  prop_json(f->data, node, "os", ", "), "compression",
			  prop_json(f->data, node, "compression", ", "), "load",
			  addr_json(f->data, node, "load"), "entry",
			  addr_json(f->data, node, "entry"), "data", data_json(&d), "size",
			  d.in_file || d.external ? json_integer((json_int_t)d.size) : json_null(),
			  "hash", algos, "verified", verified));
	note_layout(f->data, node, l);
	signature_notes(f->data, node, "image", json_object_get(o, "notes"));
	if (type && !strcmp(type, "flat_dt") && d.in_file && (!comp || !strcmp(comp, "none"))) {
		json_t *row = dtb_row(name, d.ptr, (size_t)d.size, json_object_get(o, "notes"));
		if (row)
			json_array_append_new(json_object_get(o, "device_trees"), row);
	}
}

static json_t *conf_row(const void *fdt, int node)
{
	const char *name = node_name(fdt, node);
	json_t *row = json_pack("{s:o, s:o}", "name", text_json(name, strlen(name), ""),
				"description", prop_json(fdt, node, "description", ", "));

	for (size_t i = 0; row && i < sizeof(conf_refs) / sizeof(conf_refs[0]); i++)
		if (i < 5 || fdt_getprop(fdt, node, conf_refs[i], NULL))
			json_object_set_new(row, conf_refs[i],
					    prop_json(fdt, node, conf_refs[i], ", "));
	return row;
}

static void inspect_header(const struct fit *f, json_t *o)
{
	uint32_t ts;
	char when[40];

	json_object_set_new(o, "description", prop_json(f->data, 0, "description", ", "));
	if (k1_dtb_u32(f->data, 0, "timestamp", &ts) == 1) {
		time_t t = (time_t)ts;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		json_object_set_new(o, "timestamp", json_integer(ts));
		json_object_set_new(o, "created", json_string(when));
	} else {
		json_object_set_new(o, "timestamp", json_null());
		json_object_set_new(o, "created", json_null());
	}
	json_object_set_new(o, "default_config",
			    f->confs < 0 ? json_null()
					 : prop_json(f->data, f->confs, "default", ", "));
}

static int inspect(const struct k1_input *in, json_t **out, struct k1_error *err)
{
	struct fit f;
	struct layout l = {0};
	json_t *o;
	int node;

	int rc = fit_open(in->data, in->len, &f, err);

	if (rc)
		return k1_err_prefix(err, "%s", in->path), rc;
	o = json_object();
	if (!o) {
		fit_close(&f);
		return k1_err(err, K1_ENOMEM, "out of memory");
	}
	inspect_header(&f, o);
	json_object_set_new(o, "k1_layout", json_null());
	json_object_set_new(o, "images", json_array());
	json_object_set_new(o, "hashes", json_array());
	json_object_set_new(o, "configurations", json_array());
	json_object_set_new(o, "device_trees", json_array());
	json_object_set_new(o, "notes", json_array());
	fdt_for_each_subnode(node, f.data, f.images) inspect_image(&f, node, o, &l);
	if (f.confs >= 0)
		fdt_for_each_subnode(node, f.data, f.confs)
		{
			json_array_append_new(json_object_get(o, "configurations"),
					      conf_row(f.data, node));
			signature_notes(f.data, node, "configuration", json_object_get(o, "notes"));
		}
	json_object_set_new(o, "k1_layout", json_string(layout_text(&l)));
	fit_close(&f);
	*out = o;
	return 0;
}

/* ---- verify ---- */

static void verify_image_data(const struct fit *f, int node, const struct img_data *d,
			      struct k1_checks *c)
{
	char where[NAME_MAX_SHOWN * 4 + 16], nm[NAME_MAX_SHOWN * 4 + 4];

	snprintf(where, sizeof(where), "image %s", shown(node_name(f->data, node), nm));
	if (d->in_file)
		k1_check_add(c, true, "fit.image_data", where, "%llu bytes %s at 0x%llx",
			     (unsigned long long)d->size, d->external ? "external" : "embedded",
			     (unsigned long long)(c->base + d->off));
	else
		k1_check_add(c, false, "fit.image_data", where,
			     "expected the image data inside "
			     "the file, found %s",
			     d->problem);
}

static void verify_hashes(const struct fit *f, int node, const struct img_data *d,
			  struct k1_checks *c)
{
	char where[NAME_MAX_SHOWN * 8 + 32], nm[NAME_MAX_SHOWN * 4 + 4], hn[NAME_MAX_SHOWN * 4 + 4];
	struct hash_result r;
	int sub, n = 0;

	shown(node_name(f->data, node), nm);
	fdt_for_each_subnode(sub, f->data, node)
	{
		if (!is_hash_node(node_name(f->data, sub)))
			continue;
		n++;
		check_hash(f, sub, d, &r);
		snprintf(where, sizeof(where), "image %s %s", nm, shown(r.node, hn));
		if (!d->in_file)
			continue; /* fit.image_data already failed for this image */
		if (r.status == 1)
			k1_check_add(c, true, "fit.hash", where, "%s %s matches the data", r.algo,
				     r.computed);
		else if (r.status == 0 && r.computed[0])
			k1_check_add(
				c, false, "fit.hash", where,
				"%s: expected %s (stored), found %s (computed over %llu bytes)",
				r.algo, r.stored, r.computed, (unsigned long long)d->size);
		else
			k1_check_add(c, false, "fit.hash", where, "%s: %s",
				     r.algo ? shown(r.algo, hn) : "?", r.reason);
	}
	if (!n)
		k1_check_add(c, true, "fit.hash", shown(node_name(f->data, node), nm),
			     "no hash (mkimage allows it; the data is unprotected)");
}

static void verify_fdt_image(const struct fit *f, int node, const struct img_data *d,
			     struct k1_checks *c)
{
	const char *type = k1_dtb_str(f->data, node, "type");
	const char *comp = k1_dtb_str(f->data, node, "compression");
	char where[NAME_MAX_SHOWN * 4 + 16], nm[NAME_MAX_SHOWN * 4 + 4];
	struct k1_dtb t;

	if (!type || strcmp(type, "flat_dt") || !d->in_file || (comp && strcmp(comp, "none")))
		return;
	snprintf(where, sizeof(where), "image %s", shown(node_name(f->data, node), nm));
	if (k1_dtb_open(&t, d->ptr, (size_t)d->size, "device tree", NULL))
		k1_check_add(c, false, "fit.fdt", where, "expected a sound device tree, found %s",
			     k1_dtb_strerror(t.fdt_err));
	else
		k1_check_add(c, true, "fit.fdt", where, "sound device tree, %u bytes",
			     fdt_totalsize(t.fdt));
	k1_dtb_close(&t);
}

/* Every image a configuration names must exist under /images. */
static void verify_conf(const struct fit *f, int node, struct k1_checks *c)
{
	char where[NAME_MAX_SHOWN * 4 + 32], nm[NAME_MAX_SHOWN * 4 + 4], rn[NAME_MAX_SHOWN * 4 + 4];
	int refs = 0, missing = 0;

	snprintf(where, sizeof(where), "configuration %s", shown(node_name(f->data, node), nm));
	for (size_t i = 0; i < sizeof(conf_refs) / sizeof(conf_refs[0]); i++) {
		int len;
		const char *p = fdt_getprop(f->data, node, conf_refs[i], &len);
		if (!p)
			continue;
		if (len <= 0 || p[len - 1]) {
			missing++;
			k1_check_add(c, false, "fit.config_ref", where,
				     "expected %s to be a string list, found %d raw bytes",
				     conf_refs[i], len);
			continue;
		}
		for (const char *s = p; s < p + len; s += strlen(s) + 1) {
			refs++;
			if (*s && fdt_subnode_offset(f->data, f->images, s) >= 0)
				continue;
			missing++;
			k1_check_add(c, false, "fit.config_ref", where,
				     "%s: expected an image named '%s' under /images, found none",
				     conf_refs[i], shown(s, rn));
		}
	}
	if (!missing)
		k1_check_add(c, true, "fit.config_ref", where, "%d image reference%s, all exist",
			     refs, refs == 1 ? "" : "s");
}

static void verify_confs(const struct fit *f, struct k1_checks *c)
{
	char nm[NAME_MAX_SHOWN * 4 + 4];
	const char *dflt;
	int node;

	if (f->confs < 0) {
		k1_check_add(c, true, "fit.default_config", "/configurations",
			     "no /configurations node (images can only be picked by name)");
		return;
	}
	fdt_for_each_subnode(node, f->data, f->confs) verify_conf(f, node, c);
	dflt = k1_dtb_str(f->data, f->confs, "default");
	if (!fdt_getprop(f->data, f->confs, "default", NULL))
		k1_check_add(c, true, "fit.default_config", "/configurations/default",
			     "none set (the SPL must match a configuration by board name)");
	else if (!dflt || !*dflt)
		k1_check_add(c, false, "fit.default_config", "/configurations/default",
			     "expected a configuration name, found no string");
	else
		k1_check_add(c, fdt_subnode_offset(f->data, f->confs, dflt) >= 0,
			     "fit.default_config", "/configurations/default",
			     "expected a configuration named '%s', %s", shown(dflt, nm),
			     fdt_subnode_offset(f->data, f->confs, dflt) >= 0 ? "found it"
									      : "found none");
}

static int verify(const struct k1_input *in, const struct k1_verify_opts *opts, struct k1_checks *c,
		  struct k1_error *err)
{
	struct fit f;
	struct img_data d;
	char w[32];
	int node, n = 0;

	int rc = fit_open(in->data, in->len, &f, err);

	(void)opts;
	if (rc)
		return k1_err_prefix(err, "%s", in->path), rc;
	fdt_for_each_subnode(node, f.data, f.images) n++;
	k1_check_add(c, n > 0, "fit.structure", k1_check_off(c, 0, w, sizeof(w)),
		     "%s FDT v%u, %u of %zu bytes, %d image%s",
		     n ? "sound" : "expected images in a", fdt_version(f.data),
		     fdt_totalsize(f.data), f.len, n, n == 1 ? "" : "s");
	fdt_for_each_subnode(node, f.data, f.images)
	{
		image_data(&f, node, &d);
		verify_image_data(&f, node, &d, c);
		verify_hashes(&f, node, &d, c);
		verify_fdt_image(&f, node, &d, c);
	}
	verify_confs(&f, c);
	fit_close(&f);
	return 0;
}

const struct k1_format k1_format_fit = {
	.name = "fit",
	.summary = "FIT image (u-boot.itb, fw_dynamic.itb): images, hashes, configurations",
	.probe = probe,
	.inspect = inspect,
	.verify = verify,
};

/* The bootfs part of U-Boot's boot (see bootfs_check.h). */
#include "emu/bootfs_check.h"
#include "format/bootfs_fs.h"
#include "format/env.h"
#include "format/extlinux.h"

#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* verdict lines are cut to their buffers on purpose: a long path must not
 * fail the build */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define NVARS 160
#define FILE_MAX (256u << 20) /* a kernel FIT is read whole to check its hashes */

struct var {
	char name[64], value[512], from[96];
};

struct ctx {
	struct k1_fs *fs;
	struct var vars[NVARS];
	size_t nvars;
	k1_console_fn con;
	void *cctx;
	struct k1_bootfs_result *r;
};

/* the vendor U-Boot's default environment, as far as the bootfs cares
 * (include/configs/k1-x.h and k1-x.env of the vendor tree; product_name
 * normally comes from the board EEPROM: BPI-F3's k1-x_deb1 when none) */
static const char *const vendor_default[][2] = {
	{"knl_name", "Image.itb"},
	{"ramdisk_name", "initramfs-generic.img"},
	{"dtb_dir", ""},
	{"product_name", "k1-x_deb1"},
	{"bootcmd", "run autoboot"},
	{"fdtfile", "spacemit/k1-bananapi-f3.dtb"}, /* mainline CONFIG_DEFAULT_FDT_FILE */
};

static void setvar(struct ctx *c, const char *n, size_t nl, const char *v, size_t vl,
		   const char *from)
{
	struct var *x = NULL;

	for (size_t i = 0; i < c->nvars && !x; i++)
		if (strlen(c->vars[i].name) == nl && !strncmp(c->vars[i].name, n, nl))
			x = &c->vars[i];
	if (!x && (c->nvars == NVARS || nl >= sizeof(x->name)))
		return;
	if (!x)
		x = &c->vars[c->nvars++];
	snprintf(x->name, sizeof(x->name), "%.*s", (int)nl, n);
	snprintf(x->value, sizeof(x->value), "%.*s", (int)vl, v);
	snprintf(x->from, sizeof(x->from), "%s", from);
}

static const struct var *getvar(const struct ctx *c, const char *n)
{
	for (size_t i = 0; i < c->nvars; i++)
		if (!strcmp(c->vars[i].name, n))
			return &c->vars[i];
	return NULL;
}

static const char *val(const struct ctx *c, const char *n)
{
	const struct var *v = getvar(c, n);
	return v ? v->value : "";
}

/* ${name} and $name expanded from the variables (U-Boot's setenv/run). */
static void expand(const struct ctx *c, const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *p = in; *p && o + 1 < outlen;) {
		if (*p == '$') {
			const char *s = p + 1, *e;
			bool br = *s == '{';
			char name[64];
			if (br)
				s++;
			for (e = s; *e && (e[0] == '_' || (e[0] >= '0' && e[0] <= '9') ||
					   ((e[0] | 32) >= 'a' && (e[0] | 32) <= 'z'));
			     e++)
				;
			if (e > s && (size_t)(e - s) < sizeof(name) && (!br || *e == '}')) {
				snprintf(name, sizeof(name), "%.*s", (int)(e - s), s);
				o += (size_t)snprintf(out + o, outlen - o, "%s", val(c, name));
				if (o >= outlen)
					o = outlen - 1;
				p = e + br;
				continue;
			}
		}
		out[o++] = *p++;
	}
	out[o] = 0;
}

static void say(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct ctx *c, const char *fmt, ...)
{
	char line[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	k1_bootsim_say(c->con, c->cctx, "%s", line);
}

static void fail(struct ctx *c, const char *step, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct ctx *c, const char *step, const char *fix, const char *fmt, ...)
{
	va_list ap;

	c->r->boots = false;
	snprintf(c->r->step, sizeof(c->r->step), "%s", step);
	snprintf(c->r->fix, sizeof(c->r->fix), "%s", fix);
	va_start(ap, fmt);
	vsnprintf(c->r->why, sizeof(c->r->why), fmt, ap);
	va_end(ap);
}

/* A file of the bootfs, whole up to cap bytes; NULL when absent. */
static uint8_t *load(struct ctx *c, const char *path, size_t cap, size_t *got, uint64_t *size)
{
	struct k1_error e = {0};
	uint8_t *b;

	if (k1_fs_read(c->fs, path, NULL, 0, got, size, &e))
		return NULL;
	if (*size < cap)
		cap = (size_t)*size;
	if (!(b = malloc(cap ? cap : 1)))
		return NULL;
	if (k1_fs_read(c->fs, path, b, cap, got, size, &e)) {
		free(b);
		return NULL;
	}
	return b;
}

/* What a kernel file is: NULL when it will boot, else why not. */
static const char *kernel_kind(const uint8_t *b, size_t n, char *note, size_t notelen)
{
	struct k1_error why = {0};

	if (n >= 4 && b[0] == 0xD0 && b[1] == 0x0D && b[2] == 0xFE && b[3] == 0xED) {
		if (k1_bootsim_check_fit(b, n, &why)) {
			snprintf(note, notelen, "a FIT that does not verify: %s", why.msg);
			return note;
		}
		snprintf(note, notelen, "FIT");
		return NULL;
	}
	if (n >= 0x3C && !memcmp(b + 0x38, "RSC\x05", 4)) {
		snprintf(note, notelen, "RISC-V Image");
		return NULL;
	}
	if (n >= 4 && b[0] == 0x1F && b[1] == 0x8B) {
		snprintf(note, notelen,
			 "gzip (an Image.gz: booti inflates it to kernel_comp_addr_r)");
		return NULL;
	}
	if (n >= 0x3C && !memcmp(b + 0x38, "ARM\x64", 4))
		return "an arm64 kernel (ARM\\x64 at 0x38), not RISC-V";
	if (n == 0)
		return "empty";
	return "neither a FIT nor a RISC-V Image (no \"RSC\\x05\" at 0x38)";
}

static const char *initrd_kind(const uint8_t *b, size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *name;
	} kinds[] = {
		{"\x1f\x8b", 2, "gzip"},
		{"\x28\xb5\x2f\xfd", 4, "zstd"},
		{"\xfd\x37\x7a\x58", 4, "xz"},
		{"\x02\x21\x4c\x18", 4, "lz4"},
		{"070701", 6, "cpio"},
		{"070702", 6, "cpio"},
		{"\x27\x05\x19\x56", 4, "uImage"},
		{"\x5d\x00\x00", 3, "lzma"},
		{"BZh", 3, "bzip2"},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (n >= kinds[i].len && !memcmp(b, kinds[i].magic, kinds[i].len))
			return kinds[i].name;
	return NULL;
}

/* NULL when the dtb is a K1 device tree, else why not. */
static const char *dtb_kind(const uint8_t *b, size_t n, char *note, size_t notelen)
{
	const char *model;

	if (n < 40 || fdt_check_header(b) || fdt_totalsize(b) > n)
		return "not a device tree blob (no valid FDT header)";
	if (fdt_node_check_compatible(b, 0, "spacemit,k1") &&
	    fdt_node_check_compatible(b, 0, "spacemit,k1-x")) {
		const char *compat = fdt_getprop(b, 0, "compatible", NULL);
		snprintf(note, notelen,
			 "a device tree for another SoC (compatible \"%.100s\", no "
			 "\"spacemit,k1\" or \"spacemit,k1-x\")",
			 compat ? compat : "");
		return note;
	}
	model = fdt_getprop(b, 0, "model", NULL);
	snprintf(note, notelen, "%.200s", model ? model : "K1 device tree");
	return NULL;
}

/* Check one named file; 0 when it is what it must be (desc filled). */
enum want { KERNEL, DTB, INITRD };

static int check_file(struct ctx *c, enum want w, const char *path, const char *asked, char *desc,
		      size_t desclen, const char **why)
{
	uint64_t size;
	size_t got;
	char note[400];
	uint8_t *b = load(c, path,
			  w == KERNEL ? FILE_MAX
			  : w == DTB  ? (8u << 20)
				      : 64,
			  &got, &size);
	const char *bad = NULL;

	*why = NULL;
	if (!b) {
		snprintf(desc, desclen, "%s names %s: not on bootfs", asked, path);
		*why = "missing";
		return -1;
	}
	if (w == KERNEL)
		bad = kernel_kind(b, got, note, sizeof(note));
	else if (w == DTB)
		bad = dtb_kind(b, got, note, sizeof(note));
	else if (!initrd_kind(b, got))
		bad = "not an initrd (no cpio, gzip, zstd, xz, lz4, lzma, bzip2 or uImage header)";
	else
		snprintf(note, sizeof(note), "%s", initrd_kind(b, got));
	free(b);
	if (bad) {
		snprintf(desc, desclen, "%s names %s: %s", asked, path, bad);
		*why = "wrong";
		return -1;
	}
	snprintf(desc, desclen, "%s (%s, %llu bytes)", path, note, (unsigned long long)size);
	return 0;
}

static void resolve(const char *dir, const char *p, char *out, size_t outlen);

/* ---- the vendor convention ---- */

static void import_text(struct ctx *c, const char *file, const uint8_t *t, size_t n)
{
	int line = 0, vars = 0;

	for (size_t pos = 0; pos < n;) {
		const char *s = (const char *)t + pos, *nl = memchr(s, '\n', n - pos);
		size_t l = nl ? (size_t)(nl - s) : n - pos;
		const char *eq = memchr(s, '=', l);
		char from[96];
		pos += l + 1;
		line++;
		while (l && (s[l - 1] == '\r' || s[l - 1] == ' '))
			l--;
		if (!l || *s == '#' || !eq || eq == s)
			continue;
		snprintf(from, sizeof(from), "%s line %d", file, line);
		setvar(c, s, (size_t)(eq - s), eq + 1, l - (size_t)(eq - s) - 1, from);
		vars++;
	}
	say(c, "## Importing %s from bootfs: %d variables", file, vars);
}

static void vendor_dtb_name(struct ctx *c)
{
	static const char *const mapped[] = {"evb",   "deb1",  "deb2",   "hs450",
					     "kx312", "mingo", "MINI-PC"};
	const struct var *p = getvar(c, "product_name");
	char name[600], from[140];

	if (!p || !*p->value)
		return; /* dtb_name keeps its own value */
	snprintf(name, sizeof(name), "${dtb_dir}/%s.dtb", p->value);
	for (size_t i = 0; i < sizeof(mapped) / sizeof(mapped[0]); i++)
		if (!strncmp(p->value, "k1_", 3) && !strcmp(p->value + 3, mapped[i]))
			snprintf(name, sizeof(name), "${dtb_dir}/k1-x_%s.dtb", mapped[i]);
	snprintf(from, sizeof(from), "dtb_env (product_name=%s from %s)", p->value, p->from);
	setvar(c, "dtb_name", 8, name, strlen(name), from);
}

/* a variable's file as `load` reads it: expanded, from the bootfs root */
static void vendor_path(const struct ctx *c, const struct var *v, char *out, size_t outlen)
{
	char tmp[600];

	expand(c, v ? v->value : "", tmp, sizeof(tmp));
	resolve("/", tmp, out, outlen);
}

static void vendor(struct ctx *c)
{
	struct k1_bootfs_result *r = c->r;
	char path[600], asked[300], fix[400];
	const struct var *v;
	const char *why;

	snprintf(r->method, sizeof(r->method), "vendor");
	vendor_dtb_name(c);
	v = getvar(c, "knl_name");
	vendor_path(c, v, path, sizeof(path));
	snprintf(asked, sizeof(asked), "knl_name=%s (%s)", v ? v->value : "",
		 v ? v->from : "unset");
	say(c, "Loading kernel... %s", path);
	if (check_file(c, KERNEL, path, asked, r->kernel, sizeof(r->kernel), &why)) {
		snprintf(fix, sizeof(fix),
			 "put the kernel FIT at %s on the bootfs (or set knl_name in "
			 "env_k1-x.txt to the kernel that is there)",
			 path);
		fail(c, "bootfs.kernel", fix, "%s", r->kernel);
		return;
	}
	v = getvar(c, "dtb_name");
	vendor_path(c, v, path, sizeof(path));
	snprintf(asked, sizeof(asked), "dtb_name=%s (%s)", v ? v->value : "",
		 v ? v->from : "unset");
	say(c, "Loading dtb... %s", path);
	if (check_file(c, DTB, path, asked, r->dtb, sizeof(r->dtb), &why)) {
		if (!strcmp(why, "wrong")) {
			snprintf(fix, sizeof(fix), "put this board's K1 device tree at %s", path);
			fail(c, "bootfs.dtb", fix, "%s", r->dtb);
			return;
		}
		say(c, "load dtb from bootfs fail, use built-in dtb (%s)", r->dtb);
		r->warnings++;
		snprintf(r->dtb, sizeof(r->dtb), "U-Boot's built-in dtb (%s not on bootfs)", path);
	}
	v = getvar(c, "ramdisk_name");
	vendor_path(c, v, path, sizeof(path));
	snprintf(asked, sizeof(asked), "ramdisk_name=%s (%s)", v ? v->value : "",
		 v ? v->from : "unset");
	say(c, "Loading ramdisk ... %s", path);
	if (check_file(c, INITRD, path, asked, r->initrd, sizeof(r->initrd), &why)) {
		if (!strcmp(why, "wrong")) {
			snprintf(fix, sizeof(fix), "put the initramfs at %s", path);
			fail(c, "bootfs.initrd", fix, "%s", r->initrd);
			return;
		}
		say(c, "load ramdisk from bootfs fail, use built-in ramdisk (%s)", r->initrd);
		r->warnings++;
		snprintf(r->initrd, sizeof(r->initrd),
			 "none (%s not on bootfs: the kernel must mount root without an initramfs)",
			 path);
	}
	r->boots = true;
}

/* ---- distro boot ---- */

/* path from an extlinux.conf in dir: absolute from the root, else relative
 * to the file's folder, ".." and "." folded. */
static void resolve(const char *dir, const char *p, char *out, size_t outlen)
{
	char tmp[700], *parts[64], *save = NULL;
	size_t n = 0, o = 0;

	snprintf(tmp, sizeof(tmp), "%s%s", *p == '/' ? "" : dir, p);
	for (char *t = strtok_r(tmp, "/", &save); t && n < 64; t = strtok_r(NULL, "/", &save))
		if (!strcmp(t, ".."))
			n -= n > 0;
		else if (strcmp(t, "."))
			parts[n++] = t;
	out[0] = 0;
	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		int w = snprintf(out + o, outlen - o, "/%s", parts[i]);
		o = w < 0 || (size_t)w >= outlen - o ? outlen - 1 : o + (size_t)w;
	}
	if (!n)
		snprintf(out, outlen, "/");
}

static int distro_file(struct ctx *c, enum want w, const char *dir,
		       const struct k1_extlinux_value *v, const char *kw, const char *suffix,
		       char *desc, size_t desclen)
{
	char path[700], asked[400], fix[500], rel[600];
	const char *why;

	snprintf(rel, sizeof(rel), "%s%s", v->text, suffix);
	resolve(dir, rel, path, sizeof(path));
	(void)kw;
	/* dir ends in "extlinux/": name the file as the user knows it */
	snprintf(asked, sizeof(asked), "%.*sextlinux.conf line %d", (int)strlen(dir), dir, v->line);
	if (!check_file(c, w, path, asked, desc, desclen, &why))
		return 0;
	snprintf(fix, sizeof(fix),
		 "%s: put it on the bootfs partition (paths are relative to the bootfs root, "
		 "not to the running system's /), or correct line %d",
		 path, v->line);
	fail(c,
	     w == KERNEL ? "bootfs.kernel"
	     : w == DTB  ? "bootfs.dtb"
			 : "bootfs.initrd",
	     fix, "%s", desc);
	return -1;
}

static bool distro(struct ctx *c)
{
	static const char *const prefixes[] = {"/", "/boot/"};
	struct k1_bootfs_result *r = c->r;
	struct k1_extlinux *x;
	struct k1_error e = {0};
	uint64_t size;
	size_t got;
	char dir[64], path[80];

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%sextlinux/extlinux.conf", prefixes[i]);
		uint8_t *t = load(c, path, 1u << 20, &got, &size);
		if (!t)
			continue;
		snprintf(r->method, sizeof(r->method), "extlinux");
		snprintf(dir, sizeof(dir), "%sextlinux/", prefixes[i]);
		say(c, "Found %s", path);
		if (!(x = malloc(sizeof(*x)))) {
			free(t);
			fail(c, "bootfs.extlinux", "", "out of memory");
			return true;
		}
		int rc = k1_extlinux_parse((const char *)t, got, x, &e);
		free(t);
		if (rc) {
			fail(c, "bootfs.extlinux",
			     "correct extlinux.conf (each 'label' needs a "
			     "'kernel' or 'linux' line; 'default' must name a label)",
			     "%s: %s", path, e.msg);
			free(x);
			return true;
		}
		const struct k1_extlinux_label *l = k1_extlinux_default(x);
		say(c, "Retrieving file: label %s", l->name.text);
		if (!distro_file(c, KERNEL, dir, &l->kernel, "kernel", "", r->kernel,
				 sizeof(r->kernel)) &&
		    (!l->initrd.line || !distro_file(c, INITRD, dir, &l->initrd, "initrd", "",
						     r->initrd, sizeof(r->initrd)))) {
			char fdtrel[K1_EXTLINUX_VALUE + 80];
			int drc = 0;
			if (l->fdt.line)
				drc = distro_file(c, DTB, dir, &l->fdt, "fdt", "", r->dtb,
						  sizeof(r->dtb));
			else if (l->fdtdir.line) {
				snprintf(fdtrel, sizeof(fdtrel), "/%s", val(c, "fdtfile"));
				drc = distro_file(c, DTB, dir, &l->fdtdir, "fdtdir", fdtrel, r->dtb,
						  sizeof(r->dtb));
			} else
				snprintf(r->dtb, sizeof(r->dtb),
					 "U-Boot's own device tree "
					 "(no fdt or fdtdir line)");
			if (!drc) {
				if (!l->initrd.line)
					snprintf(r->initrd, sizeof(r->initrd),
						 "none (no initrd line)");
				r->boots = true;
			}
		}
		free(x);
		return true;
	}
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%sboot.scr", prefixes[i]);
		uint8_t *t = load(c, path, 64, &got, &size);
		if (!t)
			continue;
		snprintf(r->method, sizeof(r->method), "boot.scr");
		bool ok = got >= 64 && !memcmp(t, "\x27\x05\x19\x56", 4) && t[30] == 6;
		free(t);
		if (!ok) {
			fail(c, "bootfs.script",
			     "make it with mkimage -T script -d boot.cmd boot.scr",
			     "%s is not a U-Boot script image (no uImage header of type script)",
			     path);
			return true;
		}
		say(c, "## Executing script at %s", path);
		snprintf(r->kernel, sizeof(r->kernel),
			 "chosen by %s (its commands are not checked)", path);
		r->warnings++;
		r->boots = true;
		return true;
	}
	return false;
}

void k1_bootfs_check(const uint8_t *part, size_t len, const uint8_t *env, size_t envlen,
		     bool want_distro, k1_console_fn con, void *cctx, struct k1_bootfs_result *r)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct k1_error e = {0};
	struct k1_env ev;
	const char *bootcmd;
	uint64_t size;
	size_t got;
	uint8_t *t;

	memset(r, 0, sizeof(*r));
	if (!c) {
		snprintf(r->step, sizeof(r->step), "bootfs");
		snprintf(r->why, sizeof(r->why), "out of memory");
		return;
	}
	c->con = con, c->cctx = cctx, c->r = r;
	for (size_t i = 0; i < sizeof(vendor_default) / sizeof(vendor_default[0]); i++)
		setvar(c, vendor_default[i][0], strlen(vendor_default[i][0]), vendor_default[i][1],
		       strlen(vendor_default[i][1]), "the vendor default environment");
	if (env && !k1_env_parse(env, envlen, K1_ENV_PLAIN, &ev, &e)) {
		if (ev.crc_ok)
			for (size_t i = 0; i < ev.count; i++)
				if (ev.vars[i].value)
					setvar(c, ev.vars[i].name, ev.vars[i].name_len,
					       ev.vars[i].value, ev.vars[i].value_len,
					       "the env partition");
		k1_env_free(&ev);
	}
	if (k1_fs_open(part, len, &c->fs, &e)) {
		fail(c, "bootfs.filesystem",
		     "write a filesystem image into the bootfs partition (mkfs.ext4 -d DIR "
		     "bootfs.ext4, then fastboot flash bootfs bootfs.ext4)",
		     "%s", e.msg);
		say(c, "** Unrecognized filesystem type **");
		free(c);
		return;
	}
	snprintf(r->fs, sizeof(r->fs), "%s", k1_fs_type(c->fs));
	bootcmd = val(c, "bootcmd");
	if (!want_distro && (t = load(c, "/env_k1-x.txt", 1u << 20, &got, &size))) {
		import_text(c, "env_k1-x.txt", t, got);
		free(t);
		bootcmd = val(c, "bootcmd");
	}
	if (want_distro || strstr(bootcmd, "sysboot") || strstr(bootcmd, "distro_bootcmd") ||
	    strstr(bootcmd, "bootflow")) {
		if (!distro(c))
			fail(c, "bootfs.distro",
			     "add extlinux/extlinux.conf (label, kernel, fdt or fdtdir, initrd, "
			     "append) or boot.scr to the bootfs",
			     "distro boot finds neither extlinux/extlinux.conf nor boot.scr in / "
			     "or "
			     "/boot/ of the bootfs (%s)",
			     r->fs);
	} else {
		vendor(c);
	}
	if (r->boots) {
		snprintf(r->step, sizeof(r->step), "boot");
		snprintf(r->why, sizeof(r->why),
			 "%s boot from the %s bootfs: kernel %s; dtb %s; initrd %s", r->method,
			 r->fs, r->kernel, r->dtb, r->initrd);
	}
	k1_fs_close(c->fs);
	free(c);
}

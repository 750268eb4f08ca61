#include "release/bundle.h"
#include "base/buf.h"
#include "base/bytes.h"
#include "base/copy.h"
#include "base/fileio.h"
#include "base/output.h"
#include "format/bootinfo.h"
#include "format/env.h"
#include "format/fit.h"
#include "format/fit_build.h"
#include "format/format.h"
#include "format/fsbl.h"
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 16

struct bundle {
	struct k1_output out;         /* the folder, built beside its target */
	const char *files[MAX_FILES]; /* relative paths written, in order */
	const char *from[MAX_FILES];  /* the input shipped as it is, or NULL */
	size_t nfiles;
	bool one_fit; /* u-boot.itb carries OpenSBI (mainline): no fw_dynamic.itb needed */
	k1_bundle_log log;
	void *log_ctx;
	struct k1_error *err;
};

static void say(struct bundle *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct bundle *b, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!b->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->log(b->log_ctx, msg);
}

static int put(struct bundle *b, const char *rel, const void *data, size_t len)
{
	int rc;

	if ((rc = k1_output_put(&b->out, rel, data, len, 0644, b->err)))
		return rc;
	b->files[b->nfiles++] = rel;
	say(b, "wrote %s (%zu bytes)", rel, len);
	return 0;
}

/* An input shipped as it is: its checks name the input, not rel. */
static int ship(struct bundle *b, const char *rel, const struct k1_buf *d, const char *input)
{
	int rc = put(b, rel, d->data, d->len);

	if (!rc)
		b->from[b->nfiles - 1] = input;
	return rc;
}

/* Copied by data extents, so a sparse rootfs stays sparse in the release. */
static int copy_file(struct bundle *b, const char *src, const char *rel)
{
	struct k1_extents map = K1_EXTENTS_INIT;
	struct k1_dest d = {.name = rel, .map = &map};
	struct stat st;
	int in, rc = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return k1_err(b->err, K1_EIO, "%s: cannot open: %s", src, strerror(errno));
	if ((rc = k1_output_create(&b->out, rel, 0644, &d.fd, b->err))) {
		close(in);
		return rc;
	}
	if (fstat(in, &st) < 0 || ftruncate(d.fd, st.st_size) < 0)
		rc = k1_err(b->err, K1_EIO, "%s: cannot size: %s", rel, strerror(errno));
	else
		rc = k1_copy_extents(in, src, &d, 0, (uint64_t)st.st_size, NULL, 0, b->err);
	k1_extents_free(&map);
	if (close(d.fd) < 0 && !rc)
		rc = k1_err(b->err, K1_EIO, "%s: write error: %s", rel, strerror(errno));
	close(in);
	if (!rc) {
		b->files[b->nfiles++] = rel;
		say(b, "copied %s to %s", src, rel);
	}
	return rc;
}

static int read_input(struct bundle *b, const char *what, const char *path, struct k1_buf *out)
{
	if (!path)
		return k1_err(b->err, K1_EINVAL, "missing the %s input", what);
	return k1_read_file(path, out, b->err);
}

static int write_bootinfos(struct bundle *b)
{
	static const char *const rel[] = {
		"factory/bootinfo_emmc.bin",
		"factory/bootinfo_sd.bin",
		"factory/bootinfo_spinor.bin",
		"factory/bootinfo_spinand.bin",
	};
	for (int m = 0; m < 4; m++) {
		struct k1_bootinfo bi;
		uint8_t raw[K1_BOOTINFO_SIZE];
		int rc;

		k1_bootinfo_defaults((enum k1_media)m, &bi);
		k1_bootinfo_encode(&bi, raw);
		if ((rc = put(b, rel[m], raw, sizeof(raw))))
			return rc;
	}
	return 0;
}

static int write_fsbl(struct bundle *b, const struct k1_bundle_inputs *in)
{
	struct k1_buf spl = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_fsbl_keys keys;
	struct k1_bootinfo bi;
	int rc;

	k1_bootinfo_defaults(K1_MEDIA_SD, &bi); /* every medium has the same limit */
	if ((rc = read_input(b, "--spl", in->spl, &spl)))
		return rc;
	if (!in->keydir) {
		k1_buf_free(&spl);
		return k1_err(b->err, K1_EINVAL, "missing the --keys input");
	}
	if (!(rc = k1_fsbl_keys_load(in->keydir, &keys, b->err))) {
		/* a mainline SPL is built for less than the bootinfo allows */
		uint32_t limit = k1_fsbl_default_limit(spl.data, spl.len);
		rc = k1_fsbl_build(spl.data, spl.len, &keys,
				   limit < bi.spl_size_limit ? limit : bi.spl_size_limit, &out,
				   b->err);
		k1_fsbl_keys_free(&keys);
		if (rc)
			k1_err_prefix(b->err, "%s", in->spl);
	}
	if (!rc)
		rc = put(b, "factory/FSBL.bin", out.data, out.len);
	k1_buf_free(&spl);
	k1_buf_free(&out);
	return rc;
}

static bool is_fdt(const struct k1_buf *d)
{
	return d->len >= 4 && d->data[0] == 0xd0 && d->data[1] == 0x0d && d->data[2] == 0xfe &&
	       d->data[3] == 0xed;
}

/* Whether the ready u-boot.itb given carries OpenSBI (the mainline layout). */
static int check_one_fit(struct bundle *b, const struct k1_bundle_inputs *in)
{
	struct k1_mapped m;
	int rc;

	if (!in->uboot)
		return 0;
	if ((rc = k1_map_file(in->uboot, &m, b->err)))
		return rc;
	b->one_fit = k1_fit_carries_opensbi(m.data, m.len);
	k1_unmap_file(&m);
	return 0;
}

static int write_opensbi(struct bundle *b, const struct k1_bundle_inputs *in)
{
	struct k1_buf fw = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_fit_opts o = {.hash = "crc32",
				.load = K1_FIT_OPENSBI_LOAD,
				.has_entry = true,
				.entry = K1_FIT_OPENSBI_LOAD,
				.timestamp = in->timestamp};
	int rc;

	if (!in->opensbi && b->one_fit) {
		say(b, "no fw_dynamic.itb: %s carries OpenSBI (mainline layout)", in->uboot);
		return 0;
	}
	if (!in->opensbi)
		return k1_err(b->err, K1_EINVAL, "missing the --opensbi input (fw_dynamic.bin): %s",
			      in->uboot ? "u-boot.itb carries no OpenSBI (vendor layout)"
					: "the vendor layout loads it from the opensbi partition");
	if ((rc = read_input(b, "--opensbi", in->opensbi, &fw)))
		return rc;
	if (is_fdt(&fw)) /* already a FIT: shipped as it is, after verification */
		rc = ship(b, "fw_dynamic.itb", &fw, in->opensbi);
	else if (!(rc = k1_fit_build_opensbi(fw.data, fw.len, &o, &out, b->err)))
		rc = put(b, "fw_dynamic.itb", out.data, out.len);
	else
		k1_err_prefix(b->err, "%s", in->opensbi);
	k1_buf_free(&fw);
	k1_buf_free(&out);
	return rc;
}

static int write_uboot(struct bundle *b, const struct k1_bundle_inputs *in)
{
	struct k1_buf bin = K1_BUF_INIT, out = K1_BUF_INIT;
	struct k1_buf dtb[8];
	struct k1_fit_dtb fd[8];
	struct k1_fit_opts o = {
		.hash = "crc32", .load = K1_FIT_UBOOT_LOAD, .timestamp = in->timestamp};
	size_t n = 0;
	int rc;

	if (in->uboot) {
		if (in->uboot_bin || in->ndtbs)
			return k1_err(b->err, K1_EINVAL,
				      "give either --uboot u-boot.itb or --uboot-bin with --dtb, "
				      "not both");
		if ((rc = read_input(b, "--uboot", in->uboot, &bin)))
			return rc;
		rc = is_fdt(&bin) ? ship(b, "u-boot.itb", &bin, in->uboot)
				  : k1_err(b->err, K1_EINVAL,
					   "%s: not a FIT image (give u-boot-nodtb.bin with "
					   "--uboot-bin)",
					   in->uboot);
		k1_buf_free(&bin);
		return rc;
	}
	if (!in->uboot_bin || !in->ndtbs)
		return k1_err(
			b->err, K1_EINVAL,
			"missing the U-Boot input: --uboot u-boot.itb, or --uboot-bin and --dtb");
	if (in->ndtbs > 8)
		return k1_err(b->err, K1_ERANGE, "at most 8 --dtb in a bundle, got %zu", in->ndtbs);
	if ((rc = read_input(b, "--uboot-bin", in->uboot_bin, &bin)))
		return rc;
	for (; n < in->ndtbs && !rc; n++) {
		dtb[n] = (struct k1_buf)K1_BUF_INIT;
		rc = k1_read_file(in->dtbs[n].path, &dtb[n], b->err);
		fd[n] = (struct k1_fit_dtb){in->dtbs[n].name, dtb[n].data, dtb[n].len};
	}
	if (!rc && !(rc = k1_fit_build_uboot(bin.data, bin.len, fd, n, 0, &o, &out, b->err)))
		rc = put(b, "u-boot.itb", out.data, out.len);
	while (n--)
		k1_buf_free(&dtb[n]);
	k1_buf_free(&bin);
	k1_buf_free(&out);
	return rc;
}

/* env.txt is built with mkenvimage's rules; an env.bin of the K1 size with a
 * good CRC is shipped as it is. */
static int write_env(struct bundle *b, const struct k1_bundle_inputs *in)
{
	struct k1_buf src = K1_BUF_INIT, out = K1_BUF_INIT;
	int rc = 0;

	if (in->env && (rc = k1_read_file(in->env, &src, b->err)))
		return rc;
	if (src.len == K1_ENV_SIZE && k1_env_probe(src.data, src.len)) {
		rc = ship(b, "env.bin", &src, in->env);
	} else if (!(rc = k1_env_build((const char *)src.data, src.len, K1_ENV_SIZE, false, &out,
				       b->err))) {
		rc = put(b, "env.bin", out.data, out.len);
	} else if (in->env) {
		k1_err_prefix(b->err, "%s", in->env);
	}
	k1_buf_free(&src);
	k1_buf_free(&out);
	return rc;
}

static json_t *part(const char *name, const char *offset, const char *size, const char *image)
{
	json_t *p = json_pack("{s:s}", "name", name);
	if (offset)
		json_object_set_new(p, "offset", json_string(offset));
	json_object_set_new(p, "size", json_string(size));
	if (image)
		json_object_set_new(p, "image", json_string(image));
	return p;
}

static int put_table(struct bundle *b, const char *rel, const char *format, json_t *parts)
{
	json_t *t = json_pack("{s:s, s:s, s:o}", "version", "1.0", "format", format, "partitions",
			      parts);
	char *text = json_dumps(t, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	int rc;

	struct k1_buf file = K1_BUF_INIT;

	json_decref(t);
	if (!text || k1_buf_append(&file, text, strlen(text)) || k1_buf_append(&file, "\n", 1))
		rc = k1_err(b->err, K1_ENOMEM, "out of memory");
	else
		rc = put(b, rel, file.data, file.len);
	free(text);
	k1_buf_free(&file);
	return rc;
}

/* The Bianbu 2.x release layout (research §4.6 a/d): fsbl at 128K matches
 * bootinfo_sd's and bootinfo_spinor's spl0_offset 0x20000. */
static int write_tables(struct bundle *b, const struct k1_bundle_inputs *in)
{
	json_t *gpt = json_array(), *mtd = json_array(), *bi;
	/* mainline: the partition stays (the vendor's U-Boot and tools expect it)
	 * but without an image, as the SPL does not read it */
	const char *sbi = in->opensbi ? "fw_dynamic.itb" : NULL;
	int rc;

	bi = part("bootinfo", "0K", "512", "factory/bootinfo_sd.bin");
	json_object_set_new(bi, "hidden", json_true());
	json_object_set_new(bi, "holes", json_string("{\"(80;512)\"}"));
	json_array_append_new(gpt, bi);
	json_array_append_new(gpt, part("fsbl", "128K", "256K", "factory/FSBL.bin"));
	json_array_append_new(gpt, part("env", "384K", "64K", "env.bin"));
	json_array_append_new(gpt, part("opensbi", "1M", "1M", sbi));
	json_array_append_new(gpt, part("uboot", "2M", "2M", "u-boot.itb"));
	json_array_append_new(gpt, part("bootfs", "4M", "256M", in->bootfs ? "bootfs.ext4" : NULL));
	json_array_append_new(gpt, part("rootfs", "260M", "-", in->rootfs ? "rootfs.ext4" : NULL));
	if ((rc = put_table(b, "partition_universal.json", "gpt", gpt))) {
		json_decref(mtd);
		return rc;
	}
	json_array_append_new(mtd, part("bootinfo", "0", "128K", "factory/bootinfo_spinor.bin"));
	json_array_append_new(mtd, part("fsbl", "128K", "256K", "factory/FSBL.bin"));
	json_array_append_new(mtd, part("env", "384K", "64K", "env.bin"));
	json_array_append_new(mtd, part("opensbi", "448K", "192K", sbi));
	json_array_append_new(mtd, part("uboot", "640K", "-", "u-boot.itb"));
	return put_table(b, "partition_2M.json", "mtd", mtd);
}

/* The mainline u-boot.itb: every configuration starts OpenSBI, then U-Boot. */
static int verify_one_fit(struct bundle *b, const char *path)
{
	struct k1_mapped m;
	size_t n = 0;
	int rc = k1_map_file(path, &m, b->err);

	if (rc)
		return rc;
	rc = k1_fit_mainline_check(m.data, m.len, &n, b->err);
	k1_unmap_file(&m);
	if (rc)
		return k1_err_prefix(b->err, "u-boot.itb");
	say(b, "verified u-boot.itb: %zu configuration%s start%s OpenSBI (firmware) then U-Boot", n,
	    n == 1 ? "" : "s", n == 1 ? "s" : "");
	return 0;
}

/* Run `verify` on every file written; the first failed check fails the
 * bundle, named by the input when it was shipped as it is. */
static int verify_all(struct bundle *b)
{
	int rc = 0;

	for (size_t i = 0; i < b->nfiles && !rc; i++) {
		char path[PATH_MAX], label[PATH_MAX + 64];
		struct k1_report r;

		if (!strcmp(b->files[i], "bootfs.ext4") || !strcmp(b->files[i], "rootfs.ext4"))
			continue; /* filesystems are the user's; their fit is checked by the table
				   */
		if ((rc = k1_output_path(&b->out, b->files[i], path, sizeof(path), b->err)))
			break;
		snprintf(label, sizeof(label), "%s", b->from[i] ? b->from[i] : b->files[i]);
		rc = k1_format_report(path, label, K1_REPORT_VERIFY | K1_REPORT_STRICT, NULL, &r,
				      b->err);
		if (!rc)
			say(b, "verified %s (%s, %zu checks)", b->files[i], r.format->name,
			    r.checks.count);
		k1_report_free(&r);
		if (!rc && b->one_fit && !strcmp(b->files[i], "u-boot.itb"))
			rc = verify_one_fit(b, path);
	}
	return rc;
}

static int write_manifest(struct bundle *b)
{
	struct k1_buf sums = K1_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < b->nfiles && !rc; i++) {
		char path[PATH_MAX], line[4200];
		uint8_t h[64];
		size_t hl;
		struct k1_mapped m;

		if ((rc = k1_output_path(&b->out, b->files[i], path, sizeof(path), b->err)) ||
		    (rc = k1_map_file(path, &m, b->err)))
			break;
		rc = k1_digest("sha256", m.data, m.len, h, &hl, b->err);
		k1_unmap_file(&m);
		if (rc)
			break;
		k1_hex(h, hl, line);
		snprintf(line + 2 * hl, sizeof(line) - 2 * hl, "  %s\n", b->files[i]);
		if (k1_buf_append(&sums, line, strlen(line)))
			rc = k1_err(b->err, K1_ENOMEM, "out of memory");
	}
	if (!rc) /* sha256sum -c SHA256SUMS checks a copied release */
		rc = put(b, "SHA256SUMS", sums.data, sums.len);
	k1_buf_free(&sums);
	return rc;
}

int k1_bundle_write(const char *outdir, const struct k1_bundle_inputs *in, k1_bundle_log log,
		    void *log_ctx, struct k1_error *err)
{
	struct bundle b = {.log = log, .log_ctx = log_ctx, .err = err};
	int rc;

	if ((rc = k1_output_init(&b.out, outdir, K1_OUTPUT_FOLDER | K1_OUTPUT_NEW, err)) ||
	    (rc = k1_output_open(&b.out, 0755, err)))
		return rc;
	if (!(rc = check_one_fit(&b, in)) && !(rc = write_bootinfos(&b)) &&
	    !(rc = write_fsbl(&b, in)) && !(rc = write_opensbi(&b, in)) &&
	    !(rc = write_uboot(&b, in)) && !(rc = write_env(&b, in)) &&
	    !(rc = in->bootfs ? copy_file(&b, in->bootfs, "bootfs.ext4") : 0) &&
	    !(rc = in->rootfs ? copy_file(&b, in->rootfs, "rootfs.ext4") : 0) &&
	    !(rc = write_tables(&b, in)) && !(rc = verify_all(&b)) && !(rc = write_manifest(&b)))
		rc = k1_output_commit(&b.out, err);
	if (rc)
		k1_output_abort(&b.out);
	return rc;
}

int k1_bundle_timestamp(const struct k1_bundle_inputs *in, const char *source_date_epoch,
			uint32_t *out, struct k1_error *err)
{
	const char **paths = calloc(5 + in->ndtbs, sizeof(*paths));
	size_t n = 0;
	int rc;

	if (!paths)
		return k1_err(err, K1_ENOMEM, "out of memory");
	paths[n++] = in->spl;
	paths[n++] = in->opensbi;
	paths[n++] = in->uboot;
	paths[n++] = in->uboot_bin;
	paths[n++] = in->env;
	for (size_t i = 0; i < in->ndtbs; i++)
		paths[n++] = in->dtbs[i].path;
	rc = k1_fit_timestamp(source_date_epoch, paths, n, out, err);
	free(paths);
	return rc;
}

/* Before a byte leaves the host: the release folder is checked whole —
 * SHA256SUMS, every K1 artefact with verify's checks, every table with its
 * images' fit, and each bootinfo_<media>.bin against its name. */
#include "base/crypto.h"
#include "base/fileio.h"
#include "format/bootinfo.h"
#include "format/fit.h"
#include "format/format.h"
#include "format/ptable.h"
#include "release/bundle.h"

#include "base/bytes.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct vctx {
	const char *bundle;
	void (*log)(void *ctx, const char *msg);
	void *ctx;
	char **done; /* files already verified */
	size_t ndone;
	struct k1_hash_ahead **later; /* big files' hashes left for the flash (NULL: none) */
	struct k1_error *err;
};

static void say(struct vctx *v, const char *fmt, const char *a, const char *b)
{
	char line[600];
	if (!v->log)
		return;
	snprintf(line, sizeof(line), fmt, a, b);
	v->log(v->ctx, line);
}

static int path_of(struct vctx *v, const char *rel, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", v->bundle, rel);
	return n < 0 || (size_t)n >= outsz ? k1_err(v->err, K1_ERANGE, "%s: path too long", rel)
					   : 0;
}

/* SHA256SUMS ("HEX  name" lines, as sha256sum writes): each file must match. */
static int check_sums(struct vctx *v)
{
	char path[PATH_MAX], line[1200];
	FILE *f;
	int rc = 0;
	size_t n = 0, deferred = 0;
	struct stat st;

	if ((rc = path_of(v, "SHA256SUMS", path, sizeof(path))))
		return rc;
	if (!(f = fopen(path, "r")))
		return 0; /* vendor releases ship none */
	while (!rc && fgets(line, sizeof(line), f)) {
		char hex[65], name[1024], file[PATH_MAX], got[65];
		uint8_t h[64];
		size_t hl = 0;
		struct k1_mapped m;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		if (sscanf(line, "%64[0-9a-fA-F] %1023[^\n]", hex, name) != 2 ||
		    strlen(hex) != 64) {
			rc = k1_err(v->err, K1_EINVAL, "%s: line %zu: expected \"SHA256  FILE\"",
				    path, n + 1);
			break;
		}
		n++;
		if ((rc = path_of(v, name[0] == '*' ? name + 1 : name, file, sizeof(file))))
			break;
		if (v->later && !stat(file, &st) && (uint64_t)st.st_size >= K1_HASH_AHEAD_MIN) {
			rc = k1_hash_ahead_add(v->later, file, hex, v->err);
			deferred++;
			continue;
		}
		if ((rc = k1_map_file(file, &m, v->err)))
			break;
		rc = k1_digest("sha256", m.data, m.len, h, &hl, v->err);
		k1_unmap_file(&m);
		if (!rc)
			k1_hex(h, 32, got);
		if (!rc && strcasecmp(got, hex))
			rc = k1_err(v->err, K1_EINVAL,
				    "%s: SHA-256 expected %s (SHA256SUMS), found %s", file, hex,
				    got);
	}
	fclose(f);
	if (!rc) {
		char count[32], later[120] = "";
		snprintf(count, sizeof(count), "%zu", n - deferred);
		if (deferred)
			snprintf(later, sizeof(later),
				 ", %zu more checked while they are sent, before they are written",
				 deferred);
		say(v, "SHA256SUMS: %s files match%s", count, later);
	}
	return rc;
}

/* verify one file; must: unrecognised content is an error. */
static int verify_file(struct vctx *v, const char *rel, bool must)
{
	char path[PATH_MAX];
	struct k1_report r;
	int rc;

	for (size_t i = 0; i < v->ndone; i++)
		if (!strcmp(v->done[i], rel))
			return 0;
	char **nd = realloc(v->done, (v->ndone + 1) * sizeof(*nd));
	if (!nd)
		return k1_err(v->err, K1_ENOMEM, "out of memory");
	v->done = nd;
	if (!(nd[v->ndone] = strdup(rel)))
		return k1_err(v->err, K1_ENOMEM, "out of memory");
	v->ndone++;
	if ((rc = path_of(v, rel, path, sizeof(path))))
		return rc;
	rc = k1_format_report(path, NULL,
			      K1_REPORT_VERIFY | K1_REPORT_STRICT | (must ? 0 : K1_REPORT_OPTIONAL),
			      NULL, &r, v->err);
	if (!rc && r.format)
		say(v, "verified %s (%s)", rel, r.format->name);
	k1_report_free(&r);
	return rc;
}

/* A u-boot.itb carrying OpenSBI (mainline): each configuration must start
 * OpenSBI then U-Boot, as the mainline SPL does not read the opensbi
 * partition. */
static int verify_one_fit(struct vctx *v, const char *rel)
{
	char path[PATH_MAX];
	struct k1_mapped m;
	size_t n = 0;
	int rc;

	if ((rc = path_of(v, rel, path, sizeof(path))) || (rc = k1_map_file(path, &m, v->err)))
		return rc;
	if (k1_fit_carries_opensbi(m.data, m.len)) {
		rc = k1_fit_mainline_check(m.data, m.len, &n, v->err);
		if (rc)
			k1_err_prefix(v->err, "%s", path);
		else
			say(v, "%s: mainline layout, every configuration starts OpenSBI then %s",
			    rel, "U-Boot");
	}
	k1_unmap_file(&m);
	return rc;
}

static int verify_table(struct vctx *v, const char *rel)
{
	char path[PATH_MAX];
	struct k1_buf text = K1_BUF_INIT;
	struct k1_ptable pt;
	int rc;

	if ((rc = verify_file(v, rel, true)) || (rc = path_of(v, rel, path, sizeof(path))) ||
	    (rc = k1_read_file(path, &text, v->err)))
		return rc;
	rc = k1_ptable_parse((const char *)text.data, text.len, path, &pt, v->err);
	k1_buf_free(&text);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < pt.count; i++) {
		const char *img = pt.parts[i].image;
		if (img && strncmp(img, "factory/bootinfo", 16)) /* bootinfos: below */
			rc = verify_file(v, img, false);
	}
	k1_ptable_free(&pt);
	return rc;
}

static int verify_bootinfos(struct vctx *v)
{
	static const enum k1_media all[] = {K1_MEDIA_EMMC, K1_MEDIA_SD, K1_MEDIA_SPINOR,
					    K1_MEDIA_SPINAND};
	for (size_t i = 0; i < 4; i++) {
		char rel[64], path[PATH_MAX];
		struct k1_buf b = K1_BUF_INIT;
		struct k1_bootinfo bi;
		struct stat st;
		int rc;
		snprintf(rel, sizeof(rel), "factory/bootinfo_%s.bin", k1_media_name(all[i]));
		if ((rc = path_of(v, rel, path, sizeof(path))))
			return rc;
		if (stat(path, &st))
			continue;
		if ((rc = verify_file(v, rel, true)) || (rc = k1_read_file(path, &b, v->err)))
			return rc;
		rc = k1_bootinfo_decode(b.data, b.len, &bi, v->err);
		k1_buf_free(&b);
		if (rc)
			return k1_err_prefix(v->err, "%s", path);
		if (k1_bootinfo_media(&bi) != (int)all[i])
			return k1_err(
				v->err, K1_EINVAL,
				"%s: flash_type \"%.4s\" is not a %s bootinfo, as its name says",
				path, bi.flash_type, k1_media_name(all[i]));
	}
	return 0;
}

int k1_bundle_verify(const char *bundle, void (*log)(void *ctx, const char *msg), void *ctx,
		     struct k1_hash_ahead **later, struct k1_error *err)
{
	struct vctx v = {.bundle = bundle, .log = log, .ctx = ctx, .later = later, .err = err};
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc;

	if (stat(bundle, &st) || !S_ISDIR(st.st_mode)) {
		size_t n = strlen(bundle);
		if (n > 4 && !strcasecmp(bundle + n - 4, ".zip"))
			return k1_err(err, K1_ENOTSUP,
				      "%s: a zip: unpack it first (k1_release_unzip, "
				      "or unzip %s -d DIR)",
				      bundle, bundle);
		return k1_err(err, K1_EINVAL, "%s: not a release folder", bundle);
	}
	if ((rc = check_sums(&v)))
		goto out;
	if ((rc = verify_file(&v, "factory/FSBL.bin", true)))
		goto out;
	{
		char p[PATH_MAX];
		const char *ub = "u-boot.itb";
		if (path_of(&v, ub, p, sizeof(p)) == 0 && stat(p, &st))
			ub = "factory/u-boot.itb";
		if ((rc = verify_file(&v, ub, true)) || (rc = verify_one_fit(&v, ub)))
			goto out;
	}
	if (!(d = opendir(bundle))) {
		rc = k1_err(err, K1_EIO, "%s: cannot list the folder", bundle);
		goto out;
	}
	while (!rc && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (!strncmp(e->d_name, "partition_", 10) && n > 5 &&
		    !strcmp(e->d_name + n - 5, ".json"))
			rc = verify_table(&v, e->d_name);
	}
	closedir(d);
	if (!rc)
		rc = verify_bootinfos(&v);
out:
	for (size_t i = 0; i < v.ndone; i++)
		free(v.done[i]);
	free(v.done);
	return rc;
}

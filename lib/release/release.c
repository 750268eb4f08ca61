/* Vendor release zips (libzip): unpacked, with every entry name checked,
 * into a private temporary folder. */
#include "release/release.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

bool k1_release_is_zip(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool zip = fd >= 0 && read(fd, m, 4) == 4 && !memcmp(m, "PK\3\4", 4);
	if (fd >= 0)
		close(fd);
	return zip;
}

/* A relative name without "..", "." or empty components. */
static bool safe_name(const char *n)
{
	if (!*n || *n == '/')
		return false;
	for (const char *p = n; *p;) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if ((len == 2 && !strncmp(p, "..", 2)) || (len == 1 && *p == '.') ||
		    (len == 0 && slash))
			return false;
		if (!slash)
			break;
		p = slash + 1;
	}
	return !strchr(n, '\\');
}

/* One entry into the scratch folder (its folders are made on the way). */
static int extract(zip_t *z, zip_int64_t i, const char *name, struct k1_output *dir,
		   struct k1_error *err)
{
	char buf[1 << 16];
	size_t len = strlen(name);
	int fd, rc;

	if (name[len - 1] == '/') /* a folder: made when its files come */
		return 0;
	if ((rc = k1_output_create(dir, name, 0644, &fd, err)))
		return rc;
	zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)i, 0);
	if (!zf) {
		rc = k1_err(err, K1_EIO, "%s: %s", name, zip_strerror(z));
	} else {
		zip_int64_t got;
		while ((got = zip_fread(zf, buf, sizeof(buf))) > 0 && !rc)
			if (write(fd, buf, (size_t)got) != got)
				rc = k1_err(err, K1_EIO, "%s: write: %s", name, strerror(errno));
		if (!rc && got < 0)
			rc = k1_err(err, K1_EIO, "%s: %s", name, zip_file_strerror(zf));
		zip_fclose(zf);
	}
	if (close(fd) && !rc)
		rc = k1_err(err, K1_EIO, "%s: close: %s", name, strerror(errno));
	return rc;
}

/* The folder under dir that holds factory/FSBL.bin: dir itself or its one
 * top folder. */
static int find_bundle(const char *zipname, const char *dir, const char *top, char *out,
		       size_t outsz, struct k1_error *err)
{
	struct stat st;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/factory/FSBL.bin", dir);
	if (!stat(p, &st)) {
		snprintf(out, outsz, "%s", dir);
		return 0;
	}
	if (top[0]) {
		snprintf(p, sizeof(p), "%s/%s/factory/FSBL.bin", dir, top);
		if (!stat(p, &st)) {
			snprintf(out, outsz, "%s/%s", dir, top);
			return 0;
		}
	}
	return k1_err(err, K1_EINVAL, "%s: no factory/FSBL.bin in the zip: not a K1 release",
		      zipname);
}

int k1_release_unzip(const char *zipname, struct k1_output *scratch, char *bundle, size_t bundlesz,
		     struct k1_error *err)
{
	char top[256] = "";
	bool one_top = true;
	int zerr = 0, rc = 0;
	zip_t *z = zip_open(zipname, ZIP_RDONLY, &zerr);

	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		rc = k1_err(err, K1_EINVAL, "%s: not a readable zip: %s", zipname,
			    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	if ((rc = k1_output_scratch(scratch, "k1fw-release", err))) {
		zip_discard(z);
		return rc;
	}
	zip_int64_t n = zip_get_num_entries(z, 0);
	for (zip_int64_t i = 0; i < n && !rc; i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
		zip_uint8_t opsys;
		zip_uint32_t attr;
		if (!name || !safe_name(name)) {
			rc = k1_err(err, K1_EINVAL,
				    "%s: entry %lld: unsafe name \"%s\" (absolute or "
				    "with ..): refusing to unpack",
				    zipname, (long long)i, name ? name : "");
			break;
		}
		if (!zip_file_get_external_attributes(z, (zip_uint64_t)i, 0, &opsys, &attr) &&
		    opsys == ZIP_OPSYS_UNIX && S_ISLNK(attr >> 16)) {
			rc = k1_err(err, K1_EINVAL, "%s: %s is a symbolic link: refusing to unpack",
				    zipname, name);
			break;
		}
		size_t tl = strcspn(name, "/");
		if (!name[tl])
			one_top = false; /* a file at the root */
		else if (!top[0] && tl < sizeof(top))
			snprintf(top, sizeof(top), "%.*s", (int)tl, name);
		else if (strncmp(top, name, tl) || top[tl])
			one_top = false;
		rc = extract(z, i, name, scratch, err);
	}
	zip_discard(z);
	if (!rc)
		rc = find_bundle(zipname, scratch->temp, one_top ? top : "", bundle, bundlesz, err);
	if (rc)
		k1_output_abort(scratch);
	return rc;
}

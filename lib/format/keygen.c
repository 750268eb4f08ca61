#include "format/keygen.h"
#include "base/crypto.h"
#include "base/fileio.h"
#include "format/fsbl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_FILES (2 * K1_KEY_COUNT)

static int key_path(char *out, size_t outsz, const char *dir, int i, struct k1_error *err)
{
	char name[64];
	snprintf(name, sizeof(name), "%s_%s.key", k1_key_file_stem[i / 2], i % 2 ? "pub" : "prv");
	return k1_path_join(out, outsz, dir, name, err);
}

static void remove_written(const char *dir, int count)
{
	char path[4096];
	for (int i = 0; i < count; i++)
		if (!key_path(path, sizeof(path), dir, i, NULL))
			unlink(path);
}

int k1_keygen(const char *dir, uint8_t rotpk_hash[32], struct k1_error *err)
{
	char path[4096];
	int rc, written = 0;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return k1_err(err, K1_EIO, "%s: cannot create key folder: %s", dir,
			      strerror(errno));
	for (int i = 0; i < N_FILES; i++) {
		if ((rc = key_path(path, sizeof(path), dir, i, err)))
			return rc;
		if (access(path, F_OK) == 0)
			return k1_err(err, K1_EEXIST,
				      "%s: already exists; k1fw never overwrites a key", path);
	}
	for (int k = 0; k < K1_KEY_COUNT; k++) {
		struct k1_buf prv = K1_BUF_INIT, pub = K1_BUF_INIT;
		rc = k1_rsa_generate_pem(2048, &prv, &pub, err);
		if (!rc && !(rc = key_path(path, sizeof(path), dir, 2 * k, err)) &&
		    !(rc = k1_write_file_new(path, prv.data, prv.len, 0600, err)))
			written++;
		if (!rc && !(rc = key_path(path, sizeof(path), dir, 2 * k + 1, err)) &&
		    !(rc = k1_write_file_new(path, pub.data, pub.len, 0644, err)))
			written++;
		/* wipe the private PEM before freeing: it must not linger in memory */
		if (prv.data)
			memset(prv.data, 0, prv.cap);
		k1_buf_free(&prv);
		k1_buf_free(&pub);
		if (rc) {
			remove_written(dir, written);
			return rc;
		}
	}
	/* the hash comes from the key as written, read back the way fsbl reads it */
	struct k1_key *rotpk;
	if ((rc = key_path(path, sizeof(path), dir, 0, err)) ||
	    (rc = k1_key_load(path, &rotpk, err)))
		return rc;
	rc = k1_rotpk_hash(rotpk, rotpk_hash, err);
	k1_key_free(rotpk);
	return rc;
}

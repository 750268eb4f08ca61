#include "format/keygen.h"
#include "base/crypto.h"
#include "base/output.h"
#include "format/fsbl.h"

#include <stdio.h>
#include <string.h>

static void key_name(char *out, size_t outsz, int i)
{
	snprintf(out, outsz, "%s_%s.key", k1_key_file_stem[i / 2], i % 2 ? "pub" : "prv");
}

/* Generate and write one key pair into the temporary folder. */
static int write_pair(struct k1_output *o, int k, struct k1_error *err)
{
	struct k1_buf prv = K1_BUF_INIT, pub = K1_BUF_INIT;
	char name[64];
	int rc = k1_rsa_generate_pem(2048, &prv, &pub, err);

	key_name(name, sizeof(name), 2 * k);
	if (!rc)
		rc = k1_output_put(o, name, prv.data, prv.len, 0600, err);
	key_name(name, sizeof(name), 2 * k + 1);
	if (!rc)
		rc = k1_output_put(o, name, pub.data, pub.len, 0644, err);
	/* wipe the private PEM before freeing: it must not linger in memory */
	if (prv.data)
		memset(prv.data, 0, prv.cap);
	k1_buf_free(&prv);
	k1_buf_free(&pub);
	return rc;
}

int k1_keygen(const char *dir, uint8_t rotpk_hash[32], struct k1_error *err)
{
	struct k1_output o;
	struct k1_key *rotpk = NULL;
	char name[64], path[PATH_MAX];
	int rc;

	if ((rc = k1_output_init(&o, dir, K1_OUTPUT_FOLDER | K1_OUTPUT_NEW | K1_OUTPUT_EMPTY_OK,
				 err)) ||
	    (rc = k1_output_open(&o, 0700, err)))
		return rc;
	for (int k = 0; k < K1_KEY_COUNT && !rc; k++)
		rc = write_pair(&o, k, err);
	/* the hash comes from the key as written, read back the way fsbl reads it */
	key_name(name, sizeof(name), 0);
	if (!rc && !(rc = k1_output_path(&o, name, path, sizeof(path), err)) &&
	    !(rc = k1_key_load(path, &rotpk, err)))
		rc = k1_rotpk_hash(rotpk, rotpk_hash, err);
	k1_key_free(rotpk);
	if (!rc)
		rc = k1_output_commit(&o, err);
	k1_output_abort(&o);
	return rc;
}

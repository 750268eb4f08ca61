/* A fresh K1 signing key set, in the vendor's file names. */
#ifndef K1_KEYGEN_H
#define K1_KEYGEN_H

#include "base/error.h"

#include <stdint.h>

/* Create dir if needed and write <stem>_prv.key (mode 0600) and
 * <stem>_pub.key (0644) for every key of k1_key_file_stem: RSA-2048.
 * Refuses (K1_EEXIST) before writing anything if any of them exists; on a
 * later failure removes what it wrote. rotpk_hash receives SHA-256 of the
 * new ROTPK modulus (the efuse value). */
int k1_keygen(const char *dir, uint8_t rotpk_hash[32], struct k1_error *err);

#endif

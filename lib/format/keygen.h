/* A fresh K1 signing key set, in the vendor's file names. */
#ifndef K1_KEYGEN_H
#define K1_KEYGEN_H

#include "base/error.h"

#include <stdint.h>

/* Write the folder dir (new, or an existing empty one) holding
 * <stem>_prv.key (mode 0600) and <stem>_pub.key (0644) for every key of
 * k1_key_file_stem: RSA-2048. The set is made in a temporary folder beside
 * dir and renamed into place: all keys or none (K1_EEXIST when dir holds
 * anything). rotpk_hash receives SHA-256 of the new ROTPK modulus (the
 * efuse value). */
int k1_keygen(const char *dir, uint8_t rotpk_hash[32], struct k1_error *err);

#endif

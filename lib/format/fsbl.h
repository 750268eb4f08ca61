/* FSBL.bin: U-Boot SPL behind the K1's signed 4 KiB header (spec §3). */
#ifndef K1_FSBL_H
#define K1_FSBL_H

#include "base/buf.h"
#include "base/crypto.h"
#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

#define K1_FSBL_KEY_BYTES 256 /* RSA-2048 moduli and signatures */
#define K1_FSBL_HEADER_SIZE 0x1000
#define K1_FSBL_OVERHEAD 0x1100 /* header + signature1 */
#define K1_FSBL_SPL_ALIGN 32

/* Offsets of the signed header (spec §3). */
enum {
	K1_FSBL_OFF_ROTPK = 0x000,
	K1_FSBL_OFF_HEADER0 = 0x100,
	K1_FSBL_OFF_KEYDATA = 0x120,
	K1_FSBL_OFF_KEYTABLE = 0x128,
	K1_FSBL_OFF_ROTPK_HASH = 0x2B8,
	K1_FSBL_OFF_OEM_KEYS = 0x300,
	K1_FSBL_OFF_SIG0 = 0xB00,
	K1_FSBL_OFF_HEADER1 = 0xFE0,
	K1_FSBL_OFF_SPL = 0x1000,
};

/* The key names of the vendor's key folder, in key-table order. */
enum { K1_KEY_ROTPK, K1_KEY_SPL, K1_KEY_UBOOT, K1_KEY_KERNEL, K1_KEY_ROOTFS, K1_KEY_COUNT };
extern const char *const k1_key_file_stem[K1_KEY_COUNT]; /* "rsakeypair0", "spl_pubkey", ... */

struct k1_fsbl_keys {
	struct k1_key *key[K1_KEY_COUNT];
};

/* Load a vendor-style key folder: rsakeypair0_prv.key and spl_pubkey_prv.key
 * (private: they sign), {uboot,kernel,rootfs}_pubkey_pub.key or, failing
 * that, _prv.key. All RSA-2048. */
int k1_fsbl_keys_load(const char *dir, struct k1_fsbl_keys *keys, struct k1_error *err);
void k1_fsbl_keys_free(struct k1_fsbl_keys *keys);

/* FSBL.bin for spl (appended to out). size_limit: the bootinfo's
 * spl_size_limit, which bounds the whole output (0: no limit). */
int k1_fsbl_build(const uint8_t *spl, size_t spl_len, const struct k1_fsbl_keys *keys,
		  uint32_t size_limit, struct k1_buf *out, struct k1_error *err);

/* Never look at more than this much of a region we expect an FSBL in:
 * the BootROM's SRAM is 256 KiB, spl_size_limit 0x36000. */
#define K1_FSBL_READ_CAP (1u << 20)

/* Length of the FSBL at data[0..avail) (a medium, a boot partition) from
 * header1.imgsize: header, SPL, signature1; clipped to avail and
 * K1_FSBL_READ_CAP. */
size_t k1_fsbl_len(const uint8_t *data, size_t avail);

/* SHA-256 of the 256-byte ROTPK modulus: the value secure boot burns into
 * the efuses. */
int k1_rotpk_hash(const struct k1_key *rotpk, uint8_t hash[32], struct k1_error *err);

/* Which U-Boot an SPL (u-boot-spl.bin, u-boot-spl-ddr.bin, or the SPL
 * inside an FSBL.bin) is, from its "U-Boot SPL <version>" banner: 2022.10
 * is the vendor's fork, any other release mainline. version (may be NULL)
 * gets the version string, "" when there is no banner. */
enum k1_spl_kind { K1_SPL_UNKNOWN, K1_SPL_VENDOR, K1_SPL_MAINLINE };
enum k1_spl_kind k1_spl_kind(const uint8_t *spl, size_t len, char *version, size_t vlen);

/* The spl_size_limit (whole FSBL.bin) an SPL is built for: mainline's
 * spacemit_k1_defconfig has CONFIG_SPL_SIZE_LIMIT 0x31000 for
 * u-boot-spl-ddr.bin (SPL and DDR firmware), the limit the vendor U-Boot
 * v1.0.15 also writes into the eMMC bootinfo; the vendor's newer SPLs
 * 0x34F00, the bootinfo files' 0x36000 (spec §2, §6.1, §6.2). */
#define K1_FSBL_LIMIT_VENDOR 0x36000u
#define K1_FSBL_LIMIT_MAINLINE (0x31000u + K1_FSBL_OVERHEAD)
uint32_t k1_fsbl_default_limit(const uint8_t *spl, size_t len);

#endif

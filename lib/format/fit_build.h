/* Writing FIT images (spec §8, research §7): fw_dynamic.itb and u-boot.itb
 * in the vendor's shape, laid out byte for byte as `mkimage -f its` lays out
 * the equivalent .its (dtc string order, mkimage's timestamp and hash
 * values, its 1 KiB growth steps), and rewriting the RAM size in the device
 * trees of a FIT. Readers are in fit.h. */
#ifndef K1_FIT_BUILD_H
#define K1_FIT_BUILD_H

#include "base/buf.h"
#include "base/error.h"
#include "format/fit_hash.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the vendor SPL puts U-Boot (CONFIG_SYS_TEXT_BASE) and OpenSBI
 * (FW_TEXT_START), research §7. */
#define K1_FIT_UBOOT_LOAD 0x00200000u
#define K1_FIT_OPENSBI_LOAD 0x0u

/* K1 DRAM: up to 2 GiB at 0x0, the rest at 4 GiB (0x80000000-0xffffffff is
 * I/O), as the vendor U-Boot's dram_init_banksize() splits it. */
#define K1_RAM_LOW_MAX 0x80000000ull
#define K1_RAM_HIGH_BASE 0x100000000ull
#define K1_RAM_MAX (16ull << 30)
#define K1_RAM_UNIT (1ull << 20) /* sizes are whole MiB, as the DDR code reports */

struct k1_fit_opts {
	const char *hash; /* crc32 (also when NULL), md5, sha1, sha256, sha384, sha512;
			     "none": no hash nodes */
	uint64_t load;    /* the image's load address */
	bool has_entry;
	uint64_t entry;
	uint32_t timestamp; /* the root `timestamp`: SOURCE_DATE_EPOCH or input mtimes */
};

/* The root `timestamp` for a FIT made from inputs[0..n) (NULL entries
 * skipped), the one rule of `k1fw fit` and `k1fw bundle`: the value of
 * SOURCE_DATE_EPOCH when given and not empty (decimal seconds, up to
 * 4294967295), else the newest modification time of the inputs; never the
 * clock, so the same inputs give the same bytes. K1_EINVAL for a value that
 * is not one. */
int k1_fit_timestamp(const char *source_date_epoch, const char *const *inputs, size_t n,
		     uint32_t *out, struct k1_error *err);

/* One device tree of u-boot.itb. name is the board name the SPL matches
 * against the EEPROM product name: image and configuration description. */
struct k1_fit_dtb {
	const char *name;
	const uint8_t *data;
	size_t len;
};

/* fw_dynamic.itb: image `opensbi` (firmware, os opensbi, riscv) and the
 * default configuration config_1. The FIT is appended to out. */
int k1_fit_build_opensbi(const uint8_t *fw, size_t len, const struct k1_fit_opts *o,
			 struct k1_buf *out, struct k1_error *err);

/* u-boot.itb: image `uboot` (standalone, os U-Boot, riscv), fdt_N and
 * conf_N { description = name; loadables = "uboot"; fdt = "fdt_N"; } per
 * device tree, default conf_<default_dtb + 1>. Names must be unique. */
int k1_fit_build_uboot(const uint8_t *uboot, size_t len, const struct k1_fit_dtb *dtbs,
		       size_t ndtbs, size_t default_dtb, const struct k1_fit_opts *o,
		       struct k1_buf *out, struct k1_error *err);

/* The OpenSBI of a mainline u-boot.itb: fw_dynamic.bin, its load address
 * (CONFIG_SPL_OPENSBI_LOAD_ADDR) and entry (default: load). */
struct k1_fit_sbi {
	const uint8_t *data;
	size_t len;
	uint64_t load;
	bool has_entry;
	uint64_t entry;
};

/* The mainline u-boot.itb, shaped as U-Boot's arch/riscv/dts/binman.dtsi:
 * images `uboot` (o: load, entry), `opensbi` and fdt-N, configurations
 * conf-N { description = name; firmware = "opensbi"; loadables = "uboot";
 * fdt = "fdt-N"; }, default conf-<default_dtb + 1>. No hash nodes unless
 * o->hash names an algorithm (binman's have none). */
int k1_fit_build_mainline(const uint8_t *uboot, size_t len, const struct k1_fit_sbi *sbi,
			  const struct k1_fit_dtb *dtbs, size_t ndtbs, size_t default_dtb,
			  const struct k1_fit_opts *o, struct k1_buf *out, struct k1_error *err);

/* 0 when size is a RAM size k1fw can describe (whole MiB, 1 MiB..16 GiB). */
int k1_ram_size_check(uint64_t size, struct k1_error *err);

/* A copy of the device tree dtb with one memory node (the first of the root,
 * renamed memory@0; others are removed, created when absent) whose reg
 * describes size bytes of K1 DRAM. The free space at the end of the tree
 * is kept. Appended to out. */
int k1_dtb_set_memory(const uint8_t *dtb, size_t len, uint64_t size, struct k1_buf *out,
		      struct k1_error *err);

/* A copy of the FIT with k1_dtb_set_memory applied to every flat_dt image
 * and their hashes recomputed; embedded or external (mkimage -E, -p) data.
 * Refuses signed FITs and compressed device trees. *changed (may be NULL)
 * counts the device trees whose bytes changed. Appended to out. */
int k1_fit_set_memory(const uint8_t *fit, size_t len, uint64_t size, struct k1_buf *out,
		      unsigned *changed, struct k1_error *err);

#endif

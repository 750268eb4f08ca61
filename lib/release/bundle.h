/* A complete, flashable K1 release folder in the vendor's layout: factory/
 * bootinfos and FSBL.bin, env.bin, fw_dynamic.itb, u-boot.itb, the partition
 * tables and a SHA256SUMS manifest. Every artefact is verified before the
 * folder appears; a failure leaves nothing behind. */
#ifndef K1_BUNDLE_H
#define K1_BUNDLE_H

#include "base/error.h"
#include "release/hash_ahead.h"

#include <stddef.h>
#include <stdint.h>

struct k1_bundle_dtb {
	const char *name; /* board name (configuration description) */
	const char *path;
};

struct k1_bundle_inputs {
	const char *spl;       /* u-boot-spl.bin */
	const char *keydir;    /* vendor key names (k1fw keygen) */
	const char *opensbi;   /* fw_dynamic.bin, or a ready fw_dynamic.itb */
	const char *uboot;     /* a ready u-boot.itb, or NULL with uboot_bin */
	const char *uboot_bin; /* u-boot-nodtb.bin, packed with dtbs */
	const struct k1_bundle_dtb *dtbs;
	size_t ndtbs;
	const char *env;    /* env text or env.bin; NULL: an empty environment */
	const char *bootfs; /* optional filesystem images, copied */
	const char *rootfs;
	uint32_t timestamp; /* FIT timestamps: k1_bundle_timestamp */
};

/* One progress line per step (may be NULL). */
typedef void (*k1_bundle_log)(void *ctx, const char *msg);

/* Write the release folder outdir, which must not exist yet. It is built
 * in "<outdir>.tmp-XXXXXX" beside it and renamed into place once every
 * file verifies. */
int k1_bundle_write(const char *outdir, const struct k1_bundle_inputs *in, k1_bundle_log log,
		    void *log_ctx, struct k1_error *err);

/* The FITs' timestamp for these inputs, by the rule of k1_fit_timestamp
 * (fit_build.h): source_date_epoch (SOURCE_DATE_EPOCH's value, may be
 * NULL), else the newest input. */
int k1_bundle_timestamp(const struct k1_bundle_inputs *in, const char *source_date_epoch,
			uint32_t *out, struct k1_error *err);

/* Verify the whole release before anything is sent: SHA256SUMS when
 * present, every K1 artefact with `verify`'s checks, every table's layout
 * and the images' fit, each factory/bootinfo_<media>.bin's media. log
 * (may be NULL) gets one line per file. later (may be NULL): the SHA-256
 * of files of K1_HASH_AHEAD_MIN bytes or more is left to *later, for the
 * flash to check while it sends them (hash_ahead.h). */
int k1_bundle_verify(const char *bundle, void (*log)(void *ctx, const char *msg), void *ctx,
		     struct k1_hash_ahead **later, struct k1_error *err);

#endif

/* FIT images (u-boot.itb, fw_dynamic.itb): device trees whose /images
 * subnodes carry the payloads, spec §8. The format handler is
 * k1_format_fit (format.h); these are the pieces other readers reuse. */
#ifndef K1_FIT_H
#define K1_FIT_H

#include "base/error.h"
#include "format/dtb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Open data[0..len) as a FIT: a sound device tree (k1_dtb_open) with an
 * /images node. Otherwise K1_EINVAL (or K1_ENOTSUP, K1_ENOMEM) with a
 * one-line reason ("truncated FIT: ..."). Close t whatever the result. */
int k1_fit_open(struct k1_dtb *t, const uint8_t *data, size_t len, struct k1_error *err);

/* 0 when data[0..len) opens as a FIT. */
int k1_fit_check(const uint8_t *data, size_t len, struct k1_error *err);

/* The bytes of image `name` (embedded `data`, or external `data-offset` /
 * `data-position` + `data-size` as `mkimage -E` writes), bounds-checked
 * against len; *data points into fit. Checks the FIT as k1_fit_check does. */
int k1_fit_image_data(const uint8_t *fit, size_t len, const char *name, const uint8_t **data,
		      size_t *size, struct k1_error *err);

/* What one configuration of a u-boot.itb starts (spec §6.2): the mainline
 * SPL boots `firmware` (OpenSBI) and the first of `loadables` (U-Boot);
 * the vendor's has no firmware and loads OpenSBI from the opensbi
 * partition. Empty strings for what the configuration does not name. */
struct k1_fit_conf {
	char name[64], firmware[64], uboot[64], fdt[64];
};

/* true when some image of the FIT is OpenSBI (os "opensbi", or named
 * opensbi): the mainline one-FIT layout. false for anything else,
 * including data that is not a FIT. */
bool k1_fit_carries_opensbi(const uint8_t *fit, size_t len);

/* Configuration conf (NULL: the default) as the mainline SPL reads it:
 * firmware must name an image with os "opensbi", the first loadable one
 * with os "U-Boot", fdt (when given) a flat_dt. 0 with c filled, else
 * K1_EINVAL naming the configuration and property. */
int k1_fit_mainline_conf(const uint8_t *fit, size_t len, const char *conf, struct k1_fit_conf *c,
			 struct k1_error *err);

/* k1_fit_mainline_conf for every configuration; *count (may be NULL) gets
 * how many were checked. */
int k1_fit_mainline_check(const uint8_t *fit, size_t len, size_t *count, struct k1_error *err);

#endif

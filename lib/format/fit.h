/* FIT images (u-boot.itb, fw_dynamic.itb): device trees whose /images
 * subnodes carry the payloads, spec §8. The format handler is
 * k1_format_fit (format.h); these are the pieces other readers reuse. */
#ifndef K1_FIT_H
#define K1_FIT_H

#include "base/error.h"
#include "format/dtb.h"

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

#endif

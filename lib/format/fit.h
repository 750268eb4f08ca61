/* FIT images (u-boot.itb, fw_dynamic.itb): device trees whose /images
 * subnodes carry the payloads, spec §8. The format handler is
 * k1_format_fit (format.h); these are the pieces other readers reuse. */
#ifndef K1_FIT_H
#define K1_FIT_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

/* The FDT magic, stored big-endian at offset 0. */
#define K1_FIT_MAGIC 0xd00dfeedu

/* 0 when data[0..len) holds a sound FIT: an FDT header, a totalsize within
 * len, a structure libfdt can walk safely, and an /images node. Otherwise
 * K1_EINVAL with a one-line reason ("truncated FIT: ..."). */
int k1_fit_check(const uint8_t *data, size_t len, struct k1_error *err);

/* The bytes of image `name` (embedded `data`, or external `data-offset` /
 * `data-position` + `data-size` as `mkimage -E` writes), bounds-checked
 * against len; *data points into fit. Checks the FIT as k1_fit_check does. */
int k1_fit_image_data(const uint8_t *fit, size_t len, const char *name, const uint8_t **data,
		      size_t *size, struct k1_error *err);

#endif

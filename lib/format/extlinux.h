/* extlinux.conf as U-Boot's pxe_utils reads it (distro boot): keywords
 * case-insensitive, one per line, '#' comments; `label` starts an entry,
 * `kernel`/`linux`, `fdt`/`devicetree`, `fdtdir`/`devicetreedir`,
 * `initrd`, `append` fill it; `default` names the entry to boot (else the
 * first). Each value keeps its line number for verdicts. */
#ifndef K1_EXTLINUX_H
#define K1_EXTLINUX_H

#include "base/error.h"

#include <stddef.h>

#define K1_EXTLINUX_LABELS 32
#define K1_EXTLINUX_VALUE 256

struct k1_extlinux_value {
	char text[K1_EXTLINUX_VALUE];
	int line; /* 0: absent */
};

struct k1_extlinux_label {
	struct k1_extlinux_value name, kernel, fdt, fdtdir, initrd, append;
};

struct k1_extlinux {
	struct k1_extlinux_label labels[K1_EXTLINUX_LABELS];
	size_t count;
	struct k1_extlinux_value def; /* the `default` line */
};

/* Parse; K1_EINVAL with the line named when U-Boot would not boot from it:
 * no label, a label keyword before any label, a label without kernel, a
 * default naming no label, a NUL byte (not text). */
int k1_extlinux_parse(const char *text, size_t len, struct k1_extlinux *out, struct k1_error *err);

/* The entry U-Boot boots (after a successful parse). */
const struct k1_extlinux_label *k1_extlinux_default(const struct k1_extlinux *x);

#endif

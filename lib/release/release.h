/* A vendor release as published: a zip holding factory/, partition_*.json,
 * u-boot.itb, fastboot.yaml, ... (at its root or in one top folder). It is
 * unpacked into a private temporary folder and flashed from there. */
#ifndef K1_RELEASE_H
#define K1_RELEASE_H

#include "base/error.h"
#include "base/output.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether path is a zip file (by its "PK\3\4" magic). */
bool k1_release_is_zip(const char *path);

/* Unpack zip into a new scratch folder under $TMPDIR (or /tmp), made by
 * k1_output_scratch: remove it with k1_output_abort(scratch) (the program's
 * signal handler removes it too). *bundle receives the folder in it that
 * holds factory/FSBL.bin. Entries with absolute paths, ".." or links are
 * refused; nothing is written outside the new folder. */
int k1_release_unzip(const char *zip, struct k1_output *scratch, char *bundle, size_t bundlesz,
		     struct k1_error *err);

#endif

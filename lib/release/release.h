/* A vendor release as published: a zip holding factory/, partition_*.json,
 * u-boot.itb, fastboot.yaml, ... (at its root or in one top folder). It is
 * unpacked into a private temporary folder and flashed from there. */
#ifndef K1_RELEASE_H
#define K1_RELEASE_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether path is a zip file (by its "PK\3\4" magic). */
bool k1_release_is_zip(const char *path);

/* Unpack zip into a new folder under $TMPDIR (or /tmp). *tmpdir receives
 * that folder (remove it with k1_release_remove), *bundle the folder in it
 * that holds factory/FSBL.bin. Entries with absolute paths, ".." or links
 * are refused; nothing is written outside the new folder. */
int k1_release_unzip(const char *zip, char *tmpdir, size_t tmpsz, char *bundle, size_t bundlesz,
		     struct k1_error *err);

/* Delete a folder made by k1_release_unzip, with everything in it. */
void k1_release_remove(const char *tmpdir);

#endif

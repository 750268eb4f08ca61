/* libk1fw: build, check, assemble and flash SpacemiT K1 boot firmware.
 *
 * The one public header: include it and link with `pkg-config --cflags
 * --libs libk1fw`. Every function returns 0 (or a count) on success and a
 * negative K1_E* code on failure, with a struct k1_error naming the file,
 * field or offset; the library never prints and never exits.
 *
 * The headers listed here, and the ones they include, are what the shared
 * library exports (libk1fw.so.0): the library is compiled with hidden
 * visibility and with this file included first, so the push/pop below
 * makes exactly these declarations public. A header that is not reachable
 * from here stays internal. */
#ifndef K1FW_H
#define K1FW_H

/* PATH_MAX sizes struct k1_flash_step: the kernel's value, also when the
 * program is compiled without _GNU_SOURCE (-std=c11). */
#include <linux/limits.h>

#pragma GCC visibility push(default)

#include "base/buf.h"
#include "base/error.h"
#include "base/fileio.h"
#include "base/version.h"

#include "format/bootinfo.h"
#include "format/check.h"
#include "format/env.h"
#include "format/fit_build.h"
#include "format/format.h"
#include "format/fsbl.h"
#include "format/keygen.h"

#include "recipe/recipe.h"

#include "image/image.h"

#include "release/bundle.h"
#include "release/release.h"

#include "fastboot/fastboot.h"

#include "flash/flash.h"

#include "emu/bootsim.h"

#pragma GCC visibility pop

#endif

/* The one way libk1fw writes an output (after git's tempfile.h/lockfile.h).
 *
 *   k1_output_init      check the target before anything is read: resolve it
 *                       (a symlink is written through: its target is
 *                       replaced and the link stays), refuse a folder, a
 *                       device, a FIFO or a socket, a missing or unwritable
 *                       folder;
 *   k1_output_input     refuse a target that is the same file as an input
 *                       (same inode, whatever the path);
 *   k1_output_open      create a temporary file (or folder) beside the
 *                       target, registered for k1_output_remove_all;
 *   k1_output_commit    rename it into place;
 *   k1_output_abort     remove it (any time, also after commit: a no-op).
 *
 * A block device (K1_OUTPUT_BLOCKDEV, `k1fw image` only) is written in place:
 * it must not be in use (base/blockdev.h) and stays a device node. The
 * library installs no signal handler: the program's handler calls
 * k1_output_remove_all(), which is async-signal-safe. */
#ifndef K1_OUTPUT_H
#define K1_OUTPUT_H

#include "base/error.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum k1_output_flags {
	K1_OUTPUT_FOLDER = 1 << 0,   /* a new folder, filled with k1_output_put */
	K1_OUTPUT_NEW = 1 << 1,      /* refuse an existing target */
	K1_OUTPUT_EMPTY_OK = 1 << 2, /* FOLDER|NEW: an existing empty folder is replaced */
	K1_OUTPUT_BLOCKDEV = 1 << 3, /* a block device is written in place */
	K1_OUTPUT_NOSYNC = 1 << 4,   /* no fsync before the rename (large images) */
};

struct k1_output {
	char name[PATH_MAX];   /* as the user gave it, for messages */
	char target[PATH_MAX]; /* what is replaced: symlinks resolved, folder canonical */
	char temp[PATH_MAX];   /* the temporary file or folder, "" when none */
	unsigned flags;
	int fd;   /* the temporary file or the device; -1 */
	int slot; /* in the cleanup registry; -1 */
	bool exists;
	dev_t dev, rdev; /* the target's, when it exists */
	ino_t ino;
	bool blockdev;
	uint64_t device_size; /* a block device's size */
};

/* Check path as an output. Creates nothing. */
int k1_output_init(struct k1_output *o, const char *path, unsigned flags, struct k1_error *err);

/* Refuse (K1_EINVAL) when input is the output's target. A missing input is
 * not an error here (its reader reports it). */
int k1_output_input(const struct k1_output *o, const char *input, struct k1_error *err);
int k1_output_inputs(const struct k1_output *o, const char *const *inputs, size_t n,
		     struct k1_error *err);

/* Create the temporary file (o->fd, mode applied) or folder beside the
 * target; a block device is opened (exclusively) and sized. */
int k1_output_open(struct k1_output *o, mode_t mode, struct k1_error *err);

/* Put the temporary file or folder in place (a device: flush it). The
 * output can be opened again afterwards. */
int k1_output_commit(struct k1_output *o, struct k1_error *err);

/* Close and remove what k1_output_open made. Safe to call at any time. */
void k1_output_abort(struct k1_output *o);

/* open + write data + commit; aborts on error. */
int k1_output_write(struct k1_output *o, const void *data, size_t len, mode_t mode,
		    struct k1_error *err);

/* init (no flags) + write: a whole file replaced by data, for outputs that
 * have no inputs to check against (a program's own state files). */
int k1_output_replace(const char *path, const void *data, size_t len, mode_t mode,
		      struct k1_error *err);

/* Folder outputs: a new file rel (folders in it are created) inside the
 * temporary folder, written with data or returned open in *fd. */
int k1_output_put(struct k1_output *o, const char *rel, const void *data, size_t len, mode_t mode,
		  struct k1_error *err);
int k1_output_create(struct k1_output *o, const char *rel, mode_t mode, int *fd,
		     struct k1_error *err);
/* The path of rel inside the temporary folder. */
int k1_output_path(const struct k1_output *o, const char *rel, char *out, size_t outsz,
		   struct k1_error *err);

/* A private scratch folder "$TMPDIR/<stem>-XXXXXX" (never committed):
 * registered like a temporary, removed by k1_output_abort. */
int k1_output_scratch(struct k1_output *o, const char *stem, struct k1_error *err);

/* Remove every temporary file and folder still registered. Only
 * async-signal-safe calls: for the program's signal handler. */
void k1_output_remove_all(void);

#endif

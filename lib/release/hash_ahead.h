/* SHA-256 of a release's big files, checked on a thread while the flash
 * runs instead of before it: a file's bytes may go to the board's RAM
 * (download) before its hash is known, never to its storage (the flash
 * command waits for k1_hash_ahead_wait). The small files are still hashed
 * before anything is sent (k1_bundle_verify). */
#ifndef K1_RELEASE_HASH_AHEAD_H
#define K1_RELEASE_HASH_AHEAD_H

#include "base/error.h"

#include <stdint.h>

#define K1_HASH_AHEAD_MIN (32ull << 20) /* smaller files are hashed at once */

struct k1_hash_ahead;

/* Add path with its expected SHA-256 (64 hex digits); *ha is created on
 * the first. */
int k1_hash_ahead_add(struct k1_hash_ahead **ha, const char *path, const char *hex,
		      struct k1_error *err);
/* Start hashing, in the order added. */
int k1_hash_ahead_start(struct k1_hash_ahead *ha, struct k1_error *err);
/* 0 when path (the same file by device and inode) is not pending or its
 * hash matches (waiting for it); K1_EINVAL with "PATH: SHA-256 expected
 * ... (SHA256SUMS), found ..." when not; K1_EIO when it cannot be read. */
int k1_hash_ahead_wait(struct k1_hash_ahead *ha, const char *path, struct k1_error *err);
/* Every file's: the first that does not match, as k1_hash_ahead_wait. */
int k1_hash_ahead_wait_all(struct k1_hash_ahead *ha, struct k1_error *err);
/* Stop the thread (between two chunks) and free; ha may be NULL. */
void k1_hash_ahead_free(struct k1_hash_ahead *ha);

#endif

/* The big partition images of a run opened ahead: their bitmap and zero
 * blocks are read (k1_flash_image_open) on a thread of their own from the
 * start of the run, while the board goes through its boot stages, instead
 * of in front of their own downloads. */
#ifndef K1_FLASH_PREPARE_H
#define K1_FLASH_PREPARE_H

#include "flash/flash.h"

#define K1_FLASH_PREPARE_MIN (32ull << 20) /* smaller images are opened when sent */

struct k1_flash_prepared;

/* Start opening plan's flash images of K1_FLASH_PREPARE_MIN bytes or more,
 * in plan order (fs_skip as k1_flash_image_open). *out NULL: none to open,
 * or the thread could not start (then each is opened when sent). */
void k1_flash_prepare_start(const struct k1_flash_plan *plan, bool fs_skip,
			    struct k1_flash_prepared **out);
/* path's image when it was opened ahead (waiting for it): 1, and *fd, *im
 * (or *rc and err, as k1_flash_image_open would have failed) are the
 * caller's now; 0 when it was not. */
int k1_flash_prepare_take(struct k1_flash_prepared *p, const char *path, bool fs_skip, int *fd,
			  struct k1_flash_image *im, int *rc, struct k1_error *err);
/* Stop the thread and close what was not taken; p may be NULL. */
void k1_flash_prepare_free(struct k1_flash_prepared *p);

#endif

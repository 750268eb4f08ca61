/* Block devices as outputs (an SD card written by `k1fw image -o /dev/sdX`):
 * refuse one that is in use, size it, zero ranges, flush it so a read-back
 * sees the medium rather than the page cache. Linux only (sysfs, procfs). */
#ifndef K1_BLOCKDEV_H
#define K1_BLOCKDEV_H

#include "base/error.h"

#include <stdint.h>
#include <sys/types.h>

/* K1_EBUSY naming the reason when the disk of rdev (itself or any of its
 * partitions) holds / (the running system, also through LVM, RAID or
 * encryption), is mounted, is held by another device (device mapper, md)
 * or is in use as swap. name is the device as the user gave it. Reads
 * /sys/dev/block, /proc/self/mountinfo and /proc/swaps. */
int k1_blockdev_check_unused(const char *name, dev_t rdev, struct k1_error *err);

/* The size in bytes (BLKGETSIZE64). */
int k1_blockdev_size(int fd, const char *name, uint64_t *size, struct k1_error *err);

/* Zero [off, off + len): BLKZEROOUT where aligned, zeros written elsewhere
 * or when the device has no zeroing command. */
int k1_blockdev_zero(int fd, const char *name, uint64_t off, uint64_t len, struct k1_error *err);

/* fsync, then drop the device's cached pages (BLKFLSBUF, else
 * POSIX_FADV_DONTNEED), so reads that follow come from the medium. */
int k1_blockdev_flush(int fd, const char *name, struct k1_error *err);

#endif

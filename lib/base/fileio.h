/* Reading files, and path helpers. Outputs are written by base/output.h. */
#ifndef K1_FILEIO_H
#define K1_FILEIO_H

#include "base/buf.h"
#include "base/error.h"

#include <stdint.h>
#include <sys/types.h>

/* Read a whole regular file into out (appended). */
int k1_read_file(const char *path, struct k1_buf *out, struct k1_error *err);

/* A read-only view of a whole file (mmap for regular files). */
struct k1_mapped {
	const uint8_t *data;
	size_t len;
	void *map_base; /* for munmap; NULL when empty */
};
int k1_map_file(const char *path, struct k1_mapped *m, struct k1_error *err);
void k1_unmap_file(struct k1_mapped *m);

/* Join dir and name into out (size outsz); K1_ERANGE if too long. */
int k1_path_join(char *out, size_t outsz, const char *dir, const char *name, struct k1_error *err);

/* The folder part of path ("." when it has none), into out. */
void k1_dirname(char *out, size_t outsz, const char *path);

#endif

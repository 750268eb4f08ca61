/* The vendor's JSON image recipe language (build_binary_file.py), spec §4:
 * structure / file / pubkey / hash / signature items, evaluated twice so
 * forward references resolve. Output equals the vendor script's for every
 * valid recipe; what the vendor silently mangles is an error here. */
#ifndef K1_RECIPE_H
#define K1_RECIPE_H

#include "base/buf.h"
#include "base/error.h"

#include <stddef.h>

struct k1_recipe_opts {
	/* Called for each warning (e.g. a forward reference whose value
	 * changed between the passes); may be NULL. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	/* Largest image, item or source file accepted, in bytes; 0 means
	 * K1_RECIPE_MAX_SIZE. */
	size_t max_size;
	/* Called with every file (source or key) before it is read; a
	 * non-zero return (err filled) stops the build, e.g. when the file is
	 * the output (base/output.h k1_output_input). May be NULL. */
	int (*on_file)(void *ctx, const char *path, struct k1_error *err);
	void *file_ctx;
};

#define K1_RECIPE_MAX_SIZE ((size_t)256 << 20)

/* Build the recipe file at path; the image is appended to out. Sources are
 * resolved against the recipe's folder. Nothing is written anywhere. */
int k1_recipe_build_file(const char *path, const struct k1_recipe_opts *opts, struct k1_buf *out,
			 struct k1_error *err);

/* The same from JSON text in memory (name is used in messages, base_dir
 * resolves relative sources). */
int k1_recipe_build_text(const char *text, size_t len, const char *name, const char *base_dir,
			 const struct k1_recipe_opts *opts, struct k1_buf *out,
			 struct k1_error *err);

#endif

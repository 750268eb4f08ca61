/* Placeholder until the recipe engine lands (being written now). */
#include "recipe.h"

int k1_recipe_build_file(const char *path, const struct k1_recipe_opts *opts,
			 struct k1_buf *out, struct k1_error *err)
{
	(void)opts;
	(void)out;
	return k1_err(err, K1_ENOTSUP, "%s: recipes are not supported yet", path);
}

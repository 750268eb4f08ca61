/* libFuzzer target for the recipe language (lib/recipe.c): any bytes as a
 * recipe; sources resolve in a folder that does not exist, and the size
 * limit is small so the fuzzer explores parsing rather than memset. */
#include "recipe/recipe.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k1_recipe_opts opts = {.max_size = 1 << 20};
	struct k1_buf out = K1_BUF_INIT;
	struct k1_error err;

	k1_recipe_build_text((const char *)data, size, "fuzz.json", "/nonexistent/k1fw-fuzz", &opts,
			     &out, &err);
	k1_buf_free(&out);
	return 0;
}

/* libFuzzer: the extlinux.conf reader on arbitrary text. */
#include "format/extlinux.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k1_extlinux *x = malloc(sizeof(*x));
	struct k1_error err;

	if (!x)
		return 0;
	if (!k1_extlinux_parse((const char *)data, size, x, &err) && !k1_extlinux_default(x))
		abort(); /* a parsed file always has an entry to boot */
	free(x);
	return 0;
}

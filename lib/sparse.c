/* Placeholder until the sparse reader lands: probes nothing. */
#include "format.h"

static int probe(const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	return 0;
}

const struct k1_format k1_format_sparse = {
	.name = "sparse",
	.summary = "not yet supported",
	.probe = probe,
};

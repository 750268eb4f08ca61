/* Placeholder until the fit reader lands: probes nothing. */
#include "format.h"

static int probe(const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	return 0;
}

const struct k1_format k1_format_fit = {
	.name = "fit",
	.summary = "not yet supported",
	.probe = probe,
};

#include "format.h"

#include <string.h>

extern const struct k1_format k1_format_bootinfo;
extern const struct k1_format k1_format_fsbl;
extern const struct k1_format k1_format_fit;
extern const struct k1_format k1_format_env;
extern const struct k1_format k1_format_ptable;
extern const struct k1_format k1_format_sparse;
extern const struct k1_format k1_format_disk;

/* Order matters: formats with strong magics first; the environment (which
 * has only a CRC) and the disk image (whose sector 0 is a bootinfo) after
 * the ones they could be mistaken for. */
const struct k1_format *const k1_formats[] = {
	&k1_format_fsbl,
	&k1_format_fit,
	&k1_format_sparse,
	&k1_format_disk,
	&k1_format_bootinfo,
	&k1_format_ptable,
	&k1_format_env,
	NULL,
};

const struct k1_format *k1_format_detect(const uint8_t *data, size_t len)
{
	for (size_t i = 0; k1_formats[i]; i++)
		if (k1_formats[i]->probe(data, len))
			return k1_formats[i];
	return NULL;
}

const struct k1_format *k1_format_by_name(const char *name)
{
	for (size_t i = 0; k1_formats[i]; i++)
		if (!strcmp(k1_formats[i]->name, name))
			return k1_formats[i];
	return NULL;
}

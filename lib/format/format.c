#include "format/format.h"

#include "base/fileio.h"

#include <string.h>

extern const struct k1_format k1_format_bootinfo;
extern const struct k1_format k1_format_fsbl;
extern const struct k1_format k1_format_fit;
extern const struct k1_format k1_format_env;
extern const struct k1_format k1_format_ptable;
extern const struct k1_format k1_format_sparse;
extern const struct k1_format k1_format_disk;
extern const struct k1_format k1_format_eeprom;

/* Order matters: formats with strong magics first; the environment (which
 * has only a CRC) and the disk image (whose sector 0 is a bootinfo) after
 * the ones they could be mistaken for. */
const struct k1_format *const k1_formats[] = {
	&k1_format_fsbl,   &k1_format_fit,      &k1_format_sparse,
	&k1_format_disk,   &k1_format_bootinfo, &k1_format_ptable,
	&k1_format_eeprom, &k1_format_env,      NULL,
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

int k1_format_verify_file(const char *path, const char *label, bool must,
			  const struct k1_format **format, size_t *nchecks, struct k1_error *err)
{
	struct k1_mapped m;
	struct k1_checks c = {0};
	const struct k1_format *f;
	int rc;

	if (format)
		*format = NULL;
	if ((rc = k1_map_file(path, &m, err)))
		return rc;
	f = k1_format_detect(m.data, m.len);
	struct k1_input in = {path, m.data, m.len};
	if (!f) {
		if (must)
			rc = k1_err(err, K1_EINVAL, "%s: not recognised as a K1 artefact", label);
	} else if (!(rc = f->verify(&in, NULL, &c, err))) {
		for (size_t k = 0; k < c.count && !rc; k++)
			if (!c.items[k].ok)
				rc = k1_err(err, K1_EINVAL, "%s: verify failed: %s%s%s: %s", label,
					    c.items[k].name, c.items[k].where[0] ? " @ " : "",
					    c.items[k].where, c.items[k].message);
	}
	if (format)
		*format = f;
	if (nchecks)
		*nchecks = c.count;
	k1_checks_free(&c);
	k1_unmap_file(&m);
	return rc;
}

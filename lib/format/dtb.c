#include "format/dtb.h"

#include "base/bytes.h"

#include <libfdt.h>

const char *k1_fdt_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	return p && len > 0 && p[len - 1] == '\0' ? p : NULL;
}

int k1_fdt_u32(const void *fdt, int node, const char *name, uint32_t *v)
{
	int len;
	const uint8_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p)
		return 0;
	if (len != 4)
		return -1;
	*v = k1_be32(p);
	return 1;
}

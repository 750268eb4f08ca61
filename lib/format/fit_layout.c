/* The layout of a u-boot.itb: does it carry OpenSBI (mainline, spec §6.2),
 * and does each configuration name what the mainline SPL starts? */
#include "format/fit.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *image_os(const void *fdt, int images, const char *name)
{
	int node = fdt_subnode_offset(fdt, images, name);
	return node < 0 ? NULL : k1_dtb_str(fdt, node, "os");
}

bool k1_fit_carries_opensbi(const uint8_t *fit, size_t len)
{
	int images, node;

	if (k1_fit_check(fit, len, NULL) || (images = fdt_path_offset(fit, "/images")) < 0)
		return false;
	fdt_for_each_subnode(node, fit, images)
	{
		const char *os = k1_dtb_str(fit, node, "os");
		const char *name = fdt_get_name(fit, node, NULL);
		if ((os && !strcasecmp(os, "opensbi")) || (name && !strcmp(name, "opensbi")))
			return true;
	}
	return false;
}

/* The first string of property prop of node, into out; "" when absent. */
static void first_str(const void *fdt, int node, const char *prop, char *out, size_t n)
{
	int len = 0;
	const char *v = fdt_getprop(fdt, node, prop, &len);

	snprintf(out, n, "%.*s", v && len > 0 ? (int)strnlen(v, (size_t)len) : 0, v ? v : "");
}

static int conf_check(const void *fit, int images, int node, struct k1_fit_conf *c,
		      struct k1_error *err)
{
	const char *os;

	snprintf(c->name, sizeof(c->name), "%s", fdt_get_name(fit, node, NULL));
	first_str(fit, node, "firmware", c->firmware, sizeof(c->firmware));
	first_str(fit, node, "loadables", c->uboot, sizeof(c->uboot));
	first_str(fit, node, "fdt", c->fdt, sizeof(c->fdt));
	if (!c->firmware[0])
		return k1_err(err, K1_EINVAL,
			      "configuration %s has no firmware: the mainline SPL starts no "
			      "OpenSBI (vendor layout: OpenSBI comes from the opensbi partition)",
			      c->name);
	os = image_os(fit, images, c->firmware);
	if (!os || strcasecmp(os, "opensbi"))
		return k1_err(err, K1_EINVAL,
			      "configuration %s: firmware = \"%s\" is not an OpenSBI image (os "
			      "\"%s\", expected \"opensbi\")",
			      c->name, c->firmware, os ? os : "none");
	os = c->uboot[0] ? image_os(fit, images, c->uboot) : NULL;
	if (!os || strcasecmp(os, "u-boot"))
		return k1_err(err, K1_EINVAL,
			      "configuration %s: loadables = \"%s\" is not a U-Boot image (os "
			      "\"%s\", expected \"U-Boot\"): OpenSBI would have nothing to start",
			      c->name, c->uboot, os ? os : "none");
	if (c->fdt[0]) {
		int f = fdt_subnode_offset(fit, images, c->fdt);
		const char *type = f < 0 ? NULL : k1_dtb_str(fit, f, "type");
		if (!type || strcmp(type, "flat_dt"))
			return k1_err(err, K1_EINVAL,
				      "configuration %s: fdt = \"%s\" is not a flat_dt image",
				      c->name, c->fdt);
	}
	return 0;
}

int k1_fit_mainline_conf(const uint8_t *fit, size_t len, const char *conf, struct k1_fit_conf *c,
			 struct k1_error *err)
{
	int images, confs, node;
	int rc = k1_fit_check(fit, len, err);

	memset(c, 0, sizeof(*c));
	if (rc)
		return rc;
	images = fdt_path_offset(fit, "/images");
	confs = fdt_path_offset(fit, "/configurations");
	if (confs < 0)
		return k1_err(err, K1_EINVAL, "no /configurations: the SPL cannot pick one");
	if (!conf && !(conf = k1_dtb_str(fit, confs, "default")))
		return k1_err(err, K1_EINVAL, "/configurations has no default");
	node = fdt_subnode_offset(fit, confs, conf);
	if (node < 0)
		return k1_err(err, K1_EINVAL, "no configuration %s", conf);
	return conf_check(fit, images, node, c, err);
}

int k1_fit_mainline_check(const uint8_t *fit, size_t len, size_t *count, struct k1_error *err)
{
	struct k1_fit_conf c;
	int confs, node, rc = k1_fit_check(fit, len, err);
	size_t n = 0;

	if (rc)
		return rc;
	if ((confs = fdt_path_offset(fit, "/configurations")) < 0)
		return k1_err(err, K1_EINVAL, "no /configurations: the SPL cannot pick one");
	fdt_for_each_subnode(node, fit, confs)
	{
		if ((rc = conf_check(fit, fdt_path_offset(fit, "/images"), node, &c, err)))
			return rc;
		n++;
	}
	if (!n)
		return k1_err(err, K1_EINVAL, "/configurations is empty");
	if (count)
		*count = n;
	return 0;
}

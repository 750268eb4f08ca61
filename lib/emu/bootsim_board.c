/* What the board EEPROM does to a boot (spec §6.1; vendor spl.c,
 * k1x-i2c-eeprom.c, drivers/ddr/spacemit/k1x, boot/common_fit.c, k1x.c):
 * the SPL trains ddr_cs_num chip selects, boots the u-boot.itb
 * configuration named by product_name, and U-Boot rewrites an EEPROM that
 * has no usable MAC pair. */
#include "emu/bootsim.h"
#include "format/eeprom.h"
#include "format/fit.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int k1_ram_parse(const char *s, unsigned *gib)
{
	static const unsigned sizes[] = {2, 4, 8, 16};
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || (strcasecmp(end, "G") && strcasecmp(end, "GB") && strcasecmp(end, "GiB")))
		return K1_EINVAL;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (v == sizes[i]) {
			*gib = sizes[i];
			return 0;
		}
	return K1_EINVAL;
}

static unsigned ram_of(const struct k1_bootsim_opts *o)
{
	return o->ram_gib ? o->ram_gib : 4;
}

static void spl_view(const struct k1_bootsim_opts *o, struct k1_eeprom_spl *s)
{
	if (o->eeprom)
		k1_eeprom_spl_view(o->eeprom, o->eeprom_len, s);
	else
		memset(s, 0, sizeof(*s));
}

/* The rate the SPL's table settles on: the highest level not above it. */
static unsigned rate_level(unsigned want)
{
	static const unsigned levels[] = {600, 800, 1066, 1200, 1600, 2400, 3200};
	unsigned got = 600;

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (want >= levels[i])
			got = levels[i];
	return got;
}

int k1_bootsim_ddr(const struct k1_bootsim_opts *o, const char *medium, k1_console_fn con,
		   void *ctx, struct k1_bootsim_result *r)
{
	struct k1_eeprom_spl s;
	unsigned cs, ram = ram_of(o);
	char src[96];

	spl_view(o, &s);
	cs = s.cs_num ? s.cs_num : K1_SPL_DEFAULT_CS_NUM;
	snprintf(src, sizeof(src), "%s",
		 !o->eeprom    ? "no EEPROM: the SPL's device tree says 2"
		 : !s.readable ? "the EEPROM has no usable TlvInfo header: the device tree's 2"
		 : !s.cs_num   ? "not set in the EEPROM: the SPL's device tree says 2"
			       : "from the EEPROM");
	if ((ram == 2 && cs != 1) || cs < 1 || cs > 2) {
		/* training a chip select the board does not have never ends: the
		 * console stays silent after the banner */
		k1_bootsim_fail(r, medium, "spl.ddr",
				"set ddr_cs_num to 1 in the board EEPROM (the board in USB "
				"download mode: k1fw eeprom set -s WHERE --bundle RELEASE "
				"ddr_cs_num=1; an emulated board: k1fw eeprom set --file "
				"BOARD/eeprom.bin ddr_cs_num=1)",
				"ddr_cs_num %u (%s) on a %u GB board: %s; the SPL stops after its "
				"banner",
				cs, src, ram,
				cs == 2 ? "2 GB boards have one DDR chip select and need 1"
					: "only 1 or 2 chip selects exist");
		if (cs != 2 && cs != 1)
			snprintf(r->fix, sizeof(r->fix),
				 "set ddr_cs_num to %s in the board EEPROM (k1fw eeprom set ... "
				 "ddr_cs_num=%s)",
				 ram == 2 ? "1" : "2", ram == 2 ? "1" : "2");
		return K1_EINVAL;
	}
	k1_bootsim_say(con, ctx, "DDR type %s", s.ddr_type[0] ? s.ddr_type : "LPDDR4X");
	k1_bootsim_say(con, ctx, "lpddr4_silicon_init consume 11ms");
	k1_bootsim_say(con, ctx, "Change DDR data rate to %uMT/s",
		       rate_level(s.datarate ? s.datarate : 2400));
	return 0;
}

int k1_bootsim_fit_config(const uint8_t *fit, size_t len, const struct k1_bootsim_opts *o,
			  const char *medium, char *conf, size_t conflen, k1_console_fn con,
			  void *ctx, struct k1_bootsim_result *r)
{
	struct k1_eeprom_spl s;
	char want[80], list[400] = "";
	const char *dflt, *dflt_desc = NULL;
	int confs, node, dflt_node = -1;
	size_t used = 0;

	spl_view(o, &s);
	k1_eeprom_fit_name(s.product_name, want, sizeof(want));
	if (k1_fit_check(fit, len, NULL) || (confs = fdt_path_offset(fit, "/configurations")) < 0) {
		k1_bootsim_fail(r, medium, "spl.fit_config",
				"build u-boot.itb with a /configurations node (k1fw fit)",
				"u-boot.itb has no /configurations: the SPL cannot pick one");
		return K1_EINVAL;
	}
	dflt = fdt_getprop(fit, confs, "default", NULL);
	fdt_for_each_subnode(node, fit, confs)
	{
		const char *name = fdt_get_name(fit, node, NULL);
		const char *desc = fdt_getprop(fit, node, "description", NULL);
		if (!desc) {
			k1_bootsim_say(con, ctx,
				       "fit_find_config_node: Missing FDT description in "
				       "DTB");
			k1_bootsim_fail(
				r, medium, "spl.fit_config",
				"give every configuration of u-boot.itb a description",
				"configuration %s of u-boot.itb has no description: the SPL "
				"gives up",
				name ? name : "?");
			return K1_EINVAL;
		}
		if (dflt && name && !strcmp(dflt, name)) {
			dflt_node = node;
			dflt_desc = desc;
		}
		if (used + strlen(desc) + 3 < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
						 used ? ", " : "", desc);
		if (!strcmp(desc, want)) {
			k1_bootsim_say(con, ctx, "Boot from fit configuration %s", desc);
			if (conf)
				snprintf(conf, conflen, "%s", name ? name : "");
			return 0;
		}
	}
	if (dflt_node >= 0) {
		k1_bootsim_say(con, ctx,
			       "spl: no configuration of u-boot.itb is \"%s\" (the EEPROM's "
			       "product_name): the default %s (%s) boots",
			       want, dflt, dflt_desc);
		r->warnings++;
		if (conf)
			snprintf(conf, conflen, "%s", dflt);
		return 0;
	}
	k1_bootsim_say(con, ctx, "SPL: failed to boot from all boot devices");
	k1_bootsim_fail(r, medium, "spl.fit_config",
			"set product_name to a configuration u-boot.itb has (k1fw eeprom set ... "
			"product_name=NAME) or give u-boot.itb a default configuration",
			"u-boot.itb has no configuration \"%s\" (the EEPROM's product_name%s) and "
			"no default; it has: %s",
			want, s.product_name[0] ? "" : " is not set: k1-x_deb1",
			list[0] ? list : "none");
	return K1_EINVAL;
}

void k1_bootsim_uboot_eeprom(const struct k1_bootsim_opts *o, k1_console_fn con, void *ctx,
			     struct k1_bootsim_result *r)
{
	struct k1_eeprom e;
	const struct k1_tlv *mac, *size;
	bool pair;

	if (!o->eeprom)
		return;
	if (k1_eeprom_parse(o->eeprom, o->eeprom_len, &e, NULL) || !e.header_ok || !e.crc_last ||
	    e.crc_stored != e.crc_computed) {
		k1_bootsim_say(con, ctx,
			       "EEPROM: no valid TlvInfo (header or CRC): U-Boot rewrites it with "
			       "only a random MAC and ethsize; ddr_cs_num and product_name are "
			       "then gone from it");
		r->warnings++;
		return;
	}
	mac = k1_eeprom_find(&e, 0x24);
	size = k1_eeprom_find(&e, 0x2A);
	pair = mac && mac->len == 6 && !(mac->val[0] & 1) && size && size->len == 2 &&
	       (size->val[0] << 8 | size->val[1]) >= 2;
	k1_bootsim_say(con, ctx, "EEPROM: TlvInfo v%u len=%u", e.version, e.total);
	if (!pair) {
		k1_bootsim_say(con, ctx,
			       "EEPROM: no ethaddr with ethsize >= 2: U-Boot writes a random "
			       "FE:FE:FE MAC and ethsize 2 into it");
		r->warnings++;
	}
}

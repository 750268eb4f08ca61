/* Which U-Boot an SPL is, from the banner it prints (spec §6.2): the
 * vendor's fork is 2022.10 ("U-Boot SPL 2022.10ky (...)"), mainline's K1
 * SPL (u-boot-spl-ddr.bin) any later release. */
#include "format/fsbl.h"

#include <stdio.h>
#include <string.h>

#define BANNER "U-Boot SPL "

enum k1_spl_kind k1_spl_kind(const uint8_t *spl, size_t len, char *version, size_t vlen)
{
	const uint8_t *p =
		len >= sizeof(BANNER) ? memmem(spl, len, BANNER, sizeof(BANNER) - 1) : NULL;
	size_t n = 0, room;

	if (version && vlen)
		version[0] = '\0';
	/* the version string: digits first ("2022.10ky", "2026.04-rc4-...") */
	while (p && (p = memmem(p, len - (size_t)(p - spl), BANNER, sizeof(BANNER) - 1))) {
		p += sizeof(BANNER) - 1;
		room = len - (size_t)(p - spl);
		if (room >= 4 && p[0] >= '1' && p[0] <= '9')
			break;
	}
	if (!p)
		return K1_SPL_UNKNOWN;
	room = len - (size_t)(p - spl);
	while (n < room && n < 63 && p[n] > ' ' && p[n] < 0x7f)
		n++;
	if (version && vlen)
		snprintf(version, vlen, "%.*s", (int)n, (const char *)p);
	return n >= 7 && !memcmp(p, "2022.10", 7) ? K1_SPL_VENDOR : K1_SPL_MAINLINE;
}

uint32_t k1_fsbl_default_limit(const uint8_t *spl, size_t len)
{
	return k1_spl_kind(spl, len, NULL, 0) == K1_SPL_MAINLINE ? K1_FSBL_LIMIT_MAINLINE
								 : K1_FSBL_LIMIT_VENDOR;
}

/* libFuzzer: the mainline-layout readers of fit_layout.c (does a u-boot.itb
 * carry OpenSBI, what does each configuration start) on arbitrary bytes:
 * a clean answer or error, never a crash; a configuration that checks
 * names an OpenSBI firmware and a U-Boot loadable. */
#include "format/fit.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k1_fit_conf c;
	struct k1_error err;
	size_t n = 0;

	(void)k1_fit_carries_opensbi(data, size);
	if (!k1_fit_mainline_conf(data, size, NULL, &c, &err) && (!c.firmware[0] || !c.uboot[0]))
		abort();
	if (!k1_fit_mainline_check(data, size, &n, &err) && !n)
		abort();
	return 0;
}

/* libFuzzer: the FIT reader (probe, inspect, verify, image lookup) on
 * arbitrary bytes. Seed it with real FITs: the golden u-boot.itb and the
 * ones tests/cli/test_fit.sh builds with mkimage. */
#include "format/fit.h"
#include "format/format.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct k1_format *f = &k1_format_fit;
	struct k1_input in = {"fuzz", data, size};
	struct k1_error err;
	struct k1_checks c = {0};
	json_t *j = NULL;
	const uint8_t *img;
	size_t len;

	if (!f->probe(data, size))
		return 0;
	if (!f->inspect(&in, &j, &err))
		json_decref(j);
	f->verify(&in, NULL, &c, &err);
	k1_checks_free(&c);
	k1_fit_image_data(data, size, "uboot", &img, &len, &err);
	return 0;
}

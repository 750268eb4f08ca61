/* libFuzzer: the disk-image reader (probe, inspect, verify) and the GPT
 * reader on arbitrary bytes. inspect and verify run whatever probe says:
 * both must cope with any input. Seed it with small GPT images, e.g. the
 * first and last 17 KiB of a card made by tests/cli/test_disk.sh, or
 * `truncate -s 64K s.img && sfdisk s.img` with a few partitions. */
#include "format/format.h"
#include "format/gpt.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct k1_format *f = &k1_format_disk;
	struct k1_input in = {"fuzz", data, size};
	struct k1_error err;
	struct k1_checks c = {0};
	struct k1_gpt g;
	json_t *j = NULL;

	(void)f->probe(data, size);
	if (!f->inspect(&in, &j, &err))
		json_decref(j);
	f->verify(&in, NULL, &c, &err);
	k1_checks_free(&c);
	if (!k1_gpt_read(data, size, 1, &g, &err))
		k1_gpt_free(&g);
	return 0;
}

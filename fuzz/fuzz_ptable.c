/* libFuzzer: the partition-table reader (parse, probe, inspect, verify) on
 * arbitrary bytes. Files the table names are looked up beside "fuzz.json"
 * in the current folder, so the file checks run too. */
#include "format/format.h"
#include "format/ptable.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct k1_format *f = &k1_format_ptable;
	struct k1_input in = {"fuzz.json", data, size};
	struct k1_error err;
	struct k1_checks c = {0};
	struct k1_ptable pt;
	json_t *j = NULL;

	if (!k1_ptable_parse((const char *)data, size, "fuzz", &pt, &err))
		k1_ptable_free(&pt);
	if (!f->probe(data, size))
		return 0;
	if (!f->inspect(&in, &j, &err))
		json_decref(j);
	f->verify(&in, NULL, &c, &err);
	k1_checks_free(&c);
	return 0;
}

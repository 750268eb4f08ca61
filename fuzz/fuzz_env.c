/* libFuzzer: the environment reader (probe, inspect, verify) on arbitrary
 * bytes, and the builder on the same bytes taken as text. */
#include "format/env.h"
#include "format/format.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct k1_format *f = &k1_format_env;
	struct k1_input in = {"fuzz", data, size};
	struct k1_error err;
	struct k1_checks c = {0};
	struct k1_buf out = K1_BUF_INIT;
	struct k1_env env;
	json_t *j = NULL;

	/* the text, into an image whose size the first byte picks */
	if (size > 0)
		k1_env_build((const char *)data + 1, size - 1, 6 + data[0], data[0] & 1, &out,
			     &err);
	k1_buf_free(&out);
	for (int layout = K1_ENV_AUTO; layout <= K1_ENV_REDUNDANT; layout++)
		if (!k1_env_parse(data, size, (enum k1_env_layout)layout, &env, &err))
			k1_env_free(&env);
	if (!f->probe(data, size))
		return 0;
	if (!f->inspect(&in, &j, &err))
		json_decref(j);
	f->verify(&in, NULL, &c, &err);
	k1_checks_free(&c);
	return 0;
}

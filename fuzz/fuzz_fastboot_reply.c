/* libFuzzer: the fastboot reply parser (k1_fb_parse_reply) on arbitrary
 * packets: it must accept or refuse with a message, never read past the
 * packet, and always leave a NUL-terminated message of at most 256 bytes. */
#include "fastboot/fastboot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k1_fb_reply r;
	struct k1_error err = {0};
	int rc = k1_fb_parse_reply(data, size, &r, &err);

	if (rc == 0) {
		size_t n = strnlen(r.msg, sizeof(r.msg));
		if (n > K1_FB_RESPONSE_MAX || n + 4 > size)
			abort();
		if (r.type == K1_FB_DATA && size != 12)
			abort();
	} else if (rc != K1_EPROTO || !err.msg[0]) {
		abort(); /* refusals are protocol errors with words */
	}
	return 0;
}

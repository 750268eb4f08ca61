/* libFuzzer: the emulator's fastboot command parser and reply builder on
 * arbitrary packets. */
#include "emu/fastboot_proto.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct k1_fb_cmd cmd;
	struct k1_error err;
	char reply[K1_FB_REPLY_MAX + 1];

	if (k1_fb_parse(data, size, &cmd, &err) == 0) {
		k1_fb_reply(reply, "OKAY", "%s:%s", cmd.name, cmd.arg);
		if (strlen(reply) > K1_FB_REPLY_MAX)
			__builtin_trap();
	} else {
		k1_fb_reply(reply, "FAIL", "%s", err.msg);
	}
	return 0;
}

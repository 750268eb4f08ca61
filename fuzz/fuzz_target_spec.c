/* libFuzzer: the -s parser (k1_target_parse) on arbitrary strings: accept
 * with a host or port path that fits, or refuse with words; what it accepts
 * formats back and parses to the same target. */
#include "fastboot/transport.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[300], back[300];
	struct k1_target t, t2;
	struct k1_error err = {0};

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (k1_target_parse(s, &t, &err)) {
		if (!err.msg[0])
			abort();
		return 0;
	}
	k1_target_format(&t, back, sizeof(back));
	if (k1_target_parse(back, &t2, &err) || t.kind != t2.kind || t.port != t2.port ||
	    strcmp(t.host, t2.host) || strcmp(t.usb_path, t2.usb_path))
		abort();
	return 0;
}

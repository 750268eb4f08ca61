/* libFuzzer: the console-log reader on arbitrary bytes: the line cleaner
 * and timestamp stripper on one line, then the whole reader fed in chunks
 * whose size the first byte picks, its report and status line. */
#include "emu/bootlog.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct k1_bootlog b;
	struct k1_bootlog_report r;
	char text[K1_BOOTLOG_LINE_MAX], body[K1_BOOTLOG_LINE_MAX], status[200];
	size_t chunk = size ? (size_t)data[0] % 64 + 1 : 1;

	k1_bootlog_clean((const char *)data, size, text, 1 + (size % sizeof(text)));
	k1_bootlog_body(text, body, sizeof(body));
	k1_bootlog_clean((const char *)data, size, text, sizeof(text));
	k1_bootlog_body(text, body, 1 + (size % 7));
	k1_bootlog_init(&b);
	for (size_t off = 0; off < size; off += chunk)
		k1_bootlog_feed(&b, data + off, size - off < chunk ? size - off : chunk);
	k1_bootlog_report(&b, false, &r);
	k1_bootlog_flush(&b);
	k1_bootlog_report(&b, true, &r);
	k1_bootlog_status(&r, status, sizeof(status));
	if (strlen(status) >= sizeof(status))
		abort();
	return 0;
}

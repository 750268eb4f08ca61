/* Printing what the console reader (emu/bootlog.h) concluded: as text, as
 * the JSON object of `doctor --log --json`, as an exit status. Shared by
 * doctor --log, console and flash --console. */
#ifndef K1FW_BOOTLOG_REPORT_H
#define K1FW_BOOTLOG_REPORT_H

#include "emu/bootlog.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

enum { EXIT_CANNOT_TELL = 3 }; /* doctor --log: the log ends without a verdict */

/* {"soc", "board", "medium", "reached", "boots", "step", "why", "fix",
 *  "evidence": [{"line", "text"}], "warnings", "versions"} */
json_t *bootlog_report_json(const struct k1_bootlog_report *r);
void bootlog_report_print(FILE *f, const struct k1_bootlog_report *r);
/* 0 boots, 1 does not, 3 cannot tell. */
int bootlog_report_exit(const struct k1_bootlog_report *r);

/* k1fw doctor --log FILE|-: read the file, print the report. */
int doctor_log(const char *path, bool json);

#endif

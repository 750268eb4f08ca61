/* The console-log reader: every row of the pattern table against its own
 * sample, then the context rules (fallback media, recovered errors, hangs
 * after a banner, reset loops, other chips) and the line cleaner (CR/LF,
 * ANSI, NUL, terminal timestamps, chunked input). */
#include "testutil.h"

#include "emu/bootlog.h"

static struct k1_bootlog *read_log(const char *text)
{
	struct k1_bootlog *b = malloc(sizeof(*b));
	assert_non_null(b);
	k1_bootlog_init(b);
	k1_bootlog_feed(b, text, strlen(text));
	k1_bootlog_flush(b);
	return b;
}

static void report(const char *text, bool at_end, struct k1_bootlog_report *r)
{
	struct k1_bootlog *b = read_log(text);
	k1_bootlog_report(b, at_end, r);
	free(b);
}

static char *with_newline(const char *s)
{
	char *t = malloc(strlen(s) + 2);
	assert_non_null(t);
	sprintf(t, "%s\n", s);
	return t;
}

/* ---- every row ---- */

static void row_matches_its_sample(const struct k1_log_pattern *p)
{
	char text[K1_BOOTLOG_LINE_MAX], body[K1_BOOTLOG_LINE_MAX];

	k1_bootlog_clean(p->sample, strlen(p->sample), text, sizeof(text));
	k1_bootlog_body(text, body, sizeof(body));
	if (!k1_log_pattern_match(p, body))
		fail_msg("row %s does not match its sample '%s'", p->id, p->sample);
}

static void row_does_what_it_says(const struct k1_log_pattern *p)
{
	char *log = with_newline(p->sample);
	struct k1_bootlog_report r, open;

	report(log, true, &r);
	report(log, false, &open);
	switch (p->kind) {
	case K1_LOGK_HARMLESS:
		if (r.boots == 0 || r.nwarnings)
			fail_msg("harmless row %s blamed: %s", p->id, r.step);
		break;
	case K1_LOGK_RESTART:
		assert_int_equal(r.reached, K1_LOG_BROM);
		assert_string_equal(r.soc, "k1");
		break;
	case K1_LOGK_STAGE:
		if (r.reached != p->stage)
			fail_msg("row %s: reached %s, expected %s", p->id,
				 k1_log_stage_name(r.reached), k1_log_stage_name(p->stage));
		if (p->flags & K1_LOGF_IF_LAST) {
			assert_int_equal(r.boots, 0);
			assert_string_equal(r.step, p->step);
			assert_int_equal(open.boots, -1); /* more may follow */
		} else if (p->stage == K1_LOG_OS) {
			assert_int_equal(r.boots, 1);
		} else if (r.boots == 0) {
			fail_msg("row %s: a stage line alone does not boot: %s", p->id, r.step);
		}
		break;
	case K1_LOGK_FAIL:
		if (strcmp(r.step, p->step))
			fail_msg("row %s: step '%s', expected '%s'", p->id, r.step, p->step);
		assert_int_equal(r.boots, p->flags & K1_LOGF_UNKNOWN ? -1 : 0);
		assert_true(r.nevidence >= 1);
		assert_true(r.why[0] && r.fix[0] && r.brief[0]);
		assert_null(strstr(r.why, "%M"));
		break;
	case K1_LOGK_WARN:
		assert_int_not_equal(r.boots, 0);
		assert_int_equal(r.nwarnings, 1);
		break;
	case K1_LOGK_HOST:
		assert_int_equal(r.boots, -1);
		assert_int_equal(r.reached, K1_LOG_NONE);
		assert_null(r.soc);
		break;
	case K1_LOGK_FACT:
		if (p->fact == K1_LOGX_SOC)
			assert_string_equal(r.soc, p->value);
		break;
	case K1_LOGK_CHIP:
		assert_string_equal(r.soc, p->value);
		assert_string_equal(r.step, "soc");
		assert_int_equal(r.boots, -1);
		break;
	case K1_LOGK_LOOP:
		break;
	}
	free(log);
}

/* Three boots that each end at the row's stage. */
static void loop_row_is_used(const struct k1_log_pattern *p)
{
	static const char *const boot[] = {
		[K1_LOG_NONE] = "try sd...\nbm:0\nj...\nU-Boot SPL 2022.10spacemit\nDDR type "
				"LPDDR4X\nOpenSBI v1.3\nPlatform Name : spacemit k1-x deb1 board\n",
		[K1_LOG_BROM] = "try sd...\nbm:0\n",
		[K1_LOG_SPL] = "try sd...\nbm:0\nj...\nU-Boot SPL 2022.10spacemit\nDDR type "
			       "LPDDR4X\n",
		[K1_LOG_UBOOT] = "try sd...\nbm:0\nj...\nU-Boot SPL 2022.10spacemit\nU-Boot "
				 "2022.10spacemit\nModel: Milk-V Jupiter\n",
		[K1_LOG_KERNEL] = "try sd...\nbm:0\nj...\nU-Boot SPL 2022.10spacemit\nStarting "
				  "kernel ...\n[    0.000000] Linux version 6.6.63\n[    0.1] "
				  "smp: Bringing up secondary CPUs ...\n",
	};
	char log[2048] = "";
	struct k1_bootlog_report r;

	for (int i = 0; i < 3; i++)
		strcat(log, boot[p->stage]);
	report(log, true, &r);
	if (strcmp(r.step, p->step))
		fail_msg("loop row %s: step '%s', expected '%s'", p->id, r.step, p->step);
	assert_int_equal(r.boots, 0);
	assert_int_equal(r.attempts, 3);
	assert_true(r.nevidence >= 3);
}

static void test_every_row(void **state)
{
	(void)state;
	assert_true(k1_log_npatterns > 50);
	for (size_t i = 0; i < k1_log_npatterns; i++) {
		const struct k1_log_pattern *p = &k1_log_patterns[i];
		if (p->kind == K1_LOGK_LOOP) {
			assert_null(p->text);
			loop_row_is_used(p);
			continue;
		}
		assert_non_null(p->sample);
		row_matches_its_sample(p);
		row_does_what_it_says(p);
		for (size_t j = 0; j < i; j++) /* ids are unique */
			assert_string_not_equal(p->id, k1_log_patterns[j].id);
	}
}

/* ---- context ---- */

static void test_sd_fallback_then_emmc(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("sys: 0x0\ntry sd...\nbm:3\nERROR:   CMD8\nERROR:   sd f! l:76\nbm:0\n"
	       "ERROR:   emmc: invalid bootinfo magic code:0x0\nERROR:   invalid bootinfo image.\n"
	       "ERROR:   entering download mode.\nROM: usb download handler\n",
	       true, &r);
	assert_string_equal(r.step, "bootinfo.magic");
	assert_string_equal(r.medium, "emmc");
	assert_int_equal(r.reached, K1_LOG_DOWNLOAD);
	assert_int_equal(r.nevidence, 3);
	assert_int_equal(r.evidence[0].line, 7);
	assert_int_equal(r.nwarnings, 1); /* the SD card, once */
	assert_non_null(strstr(r.warnings[0], "sd.card"));
	char status[200];
	k1_bootlog_status(&r, status, sizeof(status));
	assert_string_equal(status, "BootROM: download mode (eMMC has no bootinfo)");
}

static void test_sd_only(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("try sd...\nbm:3\nERROR:   CMD8\nERROR:   sd f! l:76\n"
	       "ERROR:   entering download mode.\n",
	       true, &r);
	assert_string_equal(r.step, "sd.card");
	assert_string_equal(r.medium, "sd");
}

static void test_fallback_boots(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("try sd...\nbm:3\nERROR: CMD8\nbm:0\nj...\nU-Boot SPL 2022.10ky (x)\n"
	       "mmc_load_image_raw_sector: mmc block read error\nOpenSBI v1.3\n"
	       "U-Boot 2022.10spacemit (y)\n*** Warning - bad CRC, using default environment\n"
	       "No FDT memory address configured. Please configure\nStarting kernel ...\n"
	       "[    1.0] systemd[1]: Started\n",
	       true, &r);
	assert_int_equal(r.boots, 1);
	assert_string_equal(r.medium, "emmc");
	assert_string_equal(r.spl, "2022.10ky");
	assert_string_equal(r.spl_kind, "vendor");
	assert_string_equal(r.opensbi, "v1.3");
	assert_string_equal(r.opensbi_kind, "vendor");
	assert_int_equal(r.nwarnings, 3); /* sd, mmc read, env CRC; not the FDT line */
}

static void test_spl_read_errors_everywhere(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("try sd...\nbm:3\nj...\nU-Boot SPL 2022.10spacemit (x)\n"
	       "spl: mmc block read error from mmc_load_image_raw_sector\n"
	       "mmc_load_image_raw_sector: mmc block read error\n"
	       "SPL: failed to boot from all boot devices\n"
	       "### ERROR ### Please RESET the board ###\n",
	       true, &r);
	assert_string_equal(r.step, "spl.mmc_read");
	assert_non_null(strstr(r.why, "the SD card"));
	assert_int_equal(r.nevidence, 4);
}

static void test_backup_slot_is_not_the_cause(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("bm:0\nERROR:   emmc: spl0 fsbl at 0x200: FSBL is 0x40000 bytes, over the bootinfo "
	       "spl_size_limit 0x36000\nERROR:   emmc: spl1 fsbl at 0x0: no FSBL header (\"AIHD\" "
	       "at +0x100): found zeros\nERROR:   invalid fsbl image.\nERROR:   entering download "
	       "mode.\n",
	       true, &r);
	assert_string_equal(r.step, "fsbl.size");
}

static void test_hang_after_banner(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("try sd...\nbm:3\nj...\nU-Boot SPL 2022.10spacemit (May 25 2024)\n", true, &r);
	assert_string_equal(r.step, "spl.ddr");
	assert_int_equal(r.evidence[0].line, 4);
	/* host output after it is not the board's */
	report("j...\nU-Boot SPL 2022.10spacemit (x)\n$ fastboot devices\n", true, &r);
	assert_string_equal(r.step, "spl.ddr");
	/* the board's own next line is */
	report("j...\nU-Boot SPL 2022.10spacemit (x)\nDDR type LPDDR4X\n", true, &r);
	assert_int_equal(r.boots, -1);
	assert_string_equal(r.step, "");
}

static void test_uboot_finds_no_kernel(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("U-Boot 2022.10spacemit (x)\nFailed to load 'Image.itb'\n"
	       "No FDT memory address configured. Please configure\nAborting!\n"
	       "Bad Linux RISCV Image magic!\n"
	       "[   2.148] ########### boot failed by default config, check your boot config\n"
	       "=> \n",
	       true, &r);
	assert_string_equal(r.step, "uboot.kernel");
	assert_int_equal(r.nevidence, 3);
}

static void test_kernel_past_bootloader(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("Starting kernel ...\n[    0.000000] Linux version 6.6.63 (x)\n"
	       "[    1.0] VFS: Cannot open root device\n"
	       "[    7.6] Kernel panic - not syncing: VFS: Unable to mount root fs on "
	       "unknown-block(0,0)\n",
	       true, &r);
	assert_string_equal(r.step, "kernel.rootfs");
	assert_non_null(strstr(r.why, "past the bootloader"));
	assert_string_equal(r.kernel, "6.6.63");
}

static void test_other_chips(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	report("try sd...\nbm:3\nERROR:   CMD8\nERROR:   sd f! l:90\nbm:4\nj...\n"
	       "U-Boot SPL 2022.10 (May 27 2026)\n[   0.900] Model: spacemit k3 pico itx board\n",
	       true, &r);
	assert_string_equal(r.soc, "k3");
	assert_int_equal(r.boots, -1);
	assert_non_null(strstr(r.why, "K3"));
	/* a K1 by name wins over another chip's driver line */
	report("[    0.0] Machine model: Banana Pi BPI-F3\n[    2.9] th1520 rpmsg: driver is "
	       "registered.\n",
	       true, &r);
	assert_string_equal(r.soc, "k1");
	report("hello\nworld\n", true, &r);
	assert_null(r.soc);
	assert_int_equal(r.boots, -1);
	assert_non_null(strstr(r.why, "115200"));
	report("", true, &r);
	assert_string_equal(r.why, "the log is empty");
}

static void test_restarts(void **state)
{
	struct k1_bootlog_report r;
	(void)state;
	/* a failed boot, then (after flashing) a good one: the last one counts */
	report("sys: 0x0\ntry sd...\nbm:0\nERROR:   emmc: invalid bootinfo magic code:0x0\n"
	       "ERROR:   entering download mode.\nresetting ...\nsys: 0x0\ntry sd...\nbm:0\nj...\n"
	       "U-Boot SPL 2022.10 (k1fw emulate)\nStarting kernel ...\nk1fw-emulate login:\n",
	       true, &r);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.boots, 1);
	assert_string_equal(r.spl_kind, "emulator");
	/* the same failure three times is that failure, with a note */
	report("try sd...\nbm:0\nERROR: emmc: invalid bootinfo magic code:0x0\n"
	       "try sd...\nbm:0\nERROR: emmc: invalid bootinfo magic code:0x0\n"
	       "try sd...\nbm:0\nERROR: emmc: invalid bootinfo magic code:0x0\n",
	       true, &r);
	assert_string_equal(r.step, "bootinfo.magic");
	assert_non_null(strstr(r.warnings[r.nwarnings - 1], "started 3 times"));
}

/* ---- cleaning ---- */

static void test_clean(void **state)
{
	char t[256], b[256];
	(void)state;
	k1_bootlog_clean("\x1b[1;32mU-Boot\x1b[0m SPL\r", 23, t, sizeof(t));
	assert_string_equal(t, "U-Boot SPL");
	k1_bootlog_clean("a\0b\tc\x7f\x1b]0;title\x07"
			 "d",
			 17, t, sizeof(t));
	assert_string_equal(t, "ab cd");
	k1_bootlog_clean("progress 10%\rprogress 100%", 26, t, sizeof(t));
	assert_string_equal(t, "progress 100%");
	k1_bootlog_clean("bad \xff\xfe utf8 \xc3\xa9", 14, t, sizeof(t));
	assert_string_equal(t, "bad ?? utf8 \xc3\xa9");
	k1_bootlog_clean("\x1b(Bx\x1b[", 6, t, sizeof(t));
	assert_string_equal(t, "x");
	k1_bootlog_body("[21:33:49.197] [   0.316] DDR type   LPDDR4X  ", b, sizeof(b));
	assert_string_equal(b, "DDR type LPDDR4X");
	k1_bootlog_body("[2024-05-17 18:52:03.123] bm:3", b, sizeof(b));
	assert_string_equal(b, "bm:3");
	k1_bootlog_body("2024-05-17 18:52:03 j...", b, sizeof(b));
	assert_string_equal(b, "j...");
	k1_bootlog_body("May  7 18:52:03 try sd...", b, sizeof(b));
	assert_string_equal(b, "try sd...");
	k1_bootlog_body("12:00:00.5 -> sys: 0x0", b, sizeof(b));
	assert_string_equal(b, "sys: 0x0");
	k1_bootlog_body("[  OK  ] Reached target", b, sizeof(b));
	assert_string_equal(b, "[ OK ] Reached target");
	k1_bootlog_body("12:00 is not a stamp", b, sizeof(b));
	assert_string_equal(b, "12:00 is not a stamp");
}

static void test_line_numbers_and_chunks(void **state)
{
	const char *log = "sys: 0x0\r\ntry sd...\r\n\r\nbm:0\rERROR:   emmc: invalid bootinfo "
			  "magic code:0x0\n\x1b[31mERROR:   entering download mode.\x1b[0m\n";
	struct k1_bootlog *whole = read_log(log), *bytes = malloc(sizeof(*bytes));
	struct k1_bootlog_report a, b;
	(void)state;

	k1_bootlog_init(bytes);
	for (size_t i = 0; i < strlen(log); i++)
		k1_bootlog_feed(bytes, log + i, 1);
	k1_bootlog_flush(bytes);
	k1_bootlog_report(whole, true, &a);
	k1_bootlog_report(bytes, true, &b);
	assert_string_equal(a.step, "bootinfo.magic");
	assert_string_equal(b.step, a.step);
	assert_int_equal(a.evidence[0].line, 5); /* CRLF, an empty line, a lone CR */
	assert_int_equal(b.evidence[0].line, 5);
	assert_string_equal(a.evidence[1].text, "ERROR:   entering download mode.");
	free(whole);
	free(bytes);
}

static void test_long_lines_and_floods(void **state)
{
	struct k1_bootlog *b = malloc(sizeof(*b));
	struct k1_bootlog_report r;
	char big[5000];
	(void)state;

	memset(big, 'x', sizeof(big));
	k1_bootlog_init(b);
	k1_bootlog_feed(b, big, sizeof(big));
	k1_bootlog_feed(b, "\nbm:0\n", 6);
	for (int i = 0; i < 200; i++)
		k1_bootlog_feed(b, "Failed to load 'x'\n", 19);
	k1_bootlog_report(b, true, &r);
	assert_string_equal(r.step, "uboot.bootfs_file");
	assert_int_equal(r.nevidence, K1_BOOTLOG_MAX_EVIDENCE);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_sd_fallback_then_emmc),
		cmocka_unit_test(test_sd_only),
		cmocka_unit_test(test_fallback_boots),
		cmocka_unit_test(test_spl_read_errors_everywhere),
		cmocka_unit_test(test_backup_slot_is_not_the_cause),
		cmocka_unit_test(test_hang_after_banner),
		cmocka_unit_test(test_uboot_finds_no_kernel),
		cmocka_unit_test(test_kernel_past_bootloader),
		cmocka_unit_test(test_other_chips),
		cmocka_unit_test(test_restarts),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_line_numbers_and_chunks),
		cmocka_unit_test(test_long_lines_and_floods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

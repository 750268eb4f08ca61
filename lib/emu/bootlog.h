/* Reading what a K1 board prints on its serial console (UART0, 115200 8N1):
 * BootROM, FSBL/SPL, OpenSBI, U-Boot, Linux. Lines are cleaned (CR/LF, ANSI
 * colour, NUL and other control bytes, terminal-program timestamps),
 * matched against one table of known lines (bootlog_patterns.c: each row a
 * stage, a step, a cause and a fix) and folded into a verdict: boots, does
 * not boot (the step, why, the fix and the lines that show it), or cannot
 * tell. Fed in chunks of any size, so `k1fw console` can ask for the
 * conclusion so far after every line; `k1fw doctor --log` asks at the end. */
#ifndef K1_BOOTLOG_H
#define K1_BOOTLOG_H

#include <stdbool.h>
#include <stddef.h>

#define K1_BOOTLOG_LINE_MAX 512 /* longer lines are cut (the rest is dropped) */
#define K1_BOOTLOG_TEXT_MAX 200 /* evidence text kept per line */
#define K1_BOOTLOG_MAX_HITS 48  /* failure lines kept per boot attempt */
#define K1_BOOTLOG_MAX_WARN 16
#define K1_BOOTLOG_MAX_EVIDENCE 12

/* How far a boot got, in boot order. */
enum k1_log_stage {
	K1_LOG_NONE,
	K1_LOG_BROM,     /* BootROM lines: sys:, try sd..., bm:N */
	K1_LOG_DOWNLOAD, /* the BootROM's USB download mode */
	K1_LOG_SPL,      /* the FSBL (U-Boot SPL) banner */
	K1_LOG_OPENSBI,
	K1_LOG_UBOOT,
	K1_LOG_KERNEL,
	K1_LOG_OS, /* userspace: systemd, a login prompt */
};
const char *k1_log_stage_name(enum k1_log_stage s); /* "brom", ..., "os"; "" for NONE */

/* What a row of the table says about a line. */
enum k1_log_kind {
	K1_LOGK_HARMLESS, /* known and harmless: no other row is tried on it */
	K1_LOGK_RESTART,  /* the BootROM starts again: a new boot attempt */
	K1_LOGK_STAGE,    /* progress (and facts); with K1_LOGF_IF_LAST a hang when last */
	K1_LOGK_FAIL,     /* a failure, unless a later line gets past its stage */
	K1_LOGK_WARN,     /* worth saying, never a failure */
	K1_LOGK_HOST,     /* the host's output (fastboot, a shell) mixed into the log */
	K1_LOGK_FACT,     /* only a fact (e.g. the SoC), no stage */
	K1_LOGK_CHIP,     /* the log is from another SoC (value: its id, brief: its name) */
	K1_LOGK_LOOP,     /* no text: the cause when boots repeat ending at stage */
};

enum k1_log_match { K1_LOGM_CONTAINS, K1_LOGM_PREFIX, K1_LOGM_EXACT };

enum {
	K1_LOGF_GENERIC = 1u << 0, /* a failure only when no specific one stands */
	K1_LOGF_IF_LAST = 1u << 1, /* a STAGE row that is a hang when nothing follows */
	K1_LOGF_UNKNOWN = 1u << 2, /* the verdict is "cannot tell" (e.g. the wrong UART) */
	K1_LOGF_MEDIUM = 1u << 3,  /* the BootROM moves to the medium in value */
	K1_LOGF_JUMP = 1u << 4,    /* the BootROM starts the FSBL of the current medium */
};

/* Facts a row reads from its line: value, or the rest of the line after text. */
enum k1_log_fact {
	K1_LOGX_NONE,
	K1_LOGX_SOC,
	K1_LOGX_BOARD,
	K1_LOGX_SPL,
	K1_LOGX_UBOOT,
	K1_LOGX_OPENSBI,
	K1_LOGX_KERNEL,
};

struct k1_log_pattern {
	const char *id;
	enum k1_log_kind kind;
	enum k1_log_match how;
	const char *text; /* matched case-insensitively against the cleaned line */
	enum k1_log_stage stage;
	unsigned flags;
	enum k1_log_fact fact;
	const char *value;
	const char *step;  /* FAIL, IF_LAST, LOOP: the failing step */
	const char *brief; /* a few words for a status line; %M is the medium */
	const char *why;   /* %M is the medium ("the eMMC") */
	const char *fix;
	const char *sample; /* a line this row matches (tests/unit/test_bootlog.c) */
};

extern const struct k1_log_pattern k1_log_patterns[];
extern const size_t k1_log_npatterns;

/* Does a cleaned line (k1_bootlog_body) match row p? */
bool k1_log_pattern_match(const struct k1_log_pattern *p, const char *body);

/* One raw line (no terminator) to display text: ANSI sequences, NUL and
 * control bytes removed (a CR keeps what follows it, as a terminal shows),
 * tabs to spaces, invalid UTF-8 to '?', trailing blanks trimmed. Returns
 * the length written (out is always terminated; outsz > 0). */
size_t k1_bootlog_clean(const char *raw, size_t n, char *out, size_t outsz);
/* Display text to the body that rows match: terminal timestamps ([12:34:56.789],
 * [2024-05-17 18:52:03], "May 17 18:52:03 "), kernel and vendor U-Boot
 * timestamps ([    0.000000]) removed, runs of blanks made one space. */
size_t k1_bootlog_body(const char *text, char *out, size_t outsz);

struct k1_log_hit {
	size_t row; /* index into k1_log_patterns */
	size_t line;
	char medium[8];
	bool resolved; /* a later line got past it */
	char text[K1_BOOTLOG_TEXT_MAX];
};

struct k1_log_attempt {
	enum k1_log_stage reached;
	char medium[8];       /* the medium the BootROM is on (bm:N) */
	bool jumped;          /* it started that medium's FSBL (j...) */
	bool restart_seen[4]; /* which RESTART rows this attempt has had */
	bool board_lines;     /* any non-restart board line yet */
	size_t first_line;    /* of the attempt, and its text */
	char first_text[K1_BOOTLOG_TEXT_MAX];
	struct k1_log_hit hits[K1_BOOTLOG_MAX_HITS];
	size_t nhits;
	struct k1_log_hit last; /* the last board line that matched a STAGE row */
	bool last_is_stage;     /* ... and nothing board-like came after it */
	size_t warn_rows[K1_BOOTLOG_MAX_WARN];
	size_t warn_lines[K1_BOOTLOG_MAX_WARN];
	size_t nwarn;
};

struct k1_bootlog {
	/* the line being assembled from fed bytes */
	char raw[K1_BOOTLOG_LINE_MAX];
	size_t rawlen;
	bool pending_cr;
	size_t line;    /* number of the line being assembled (1-based) */
	size_t nlines;  /* non-empty lines seen */
	size_t matched; /* lines that matched a row (other than host output) */
	size_t host;    /* lines of host output */
	/* facts from the whole log (the first seen wins) */
	const char *chip, *chip_name; /* another SoC, named by a CHIP row */
	bool k1_named;  /* a line only a K1 prints (k1-x, ky x1, 2022.10spacemit, BPI-F3) */
	bool k1_family; /* BootROM lines: a K1, or its sibling the K3 */
	char board[96];
	char spl[96], uboot[96], opensbi[48], kernel[64];
	/* boot attempts: the current one and how the previous ones ended */
	struct k1_log_attempt cur;
	size_t attempts;            /* started, including cur */
	enum k1_log_stage ended[8]; /* reached stage of the last completed ones */
	size_t ended_line[8];
	char ended_text[8][K1_BOOTLOG_TEXT_MAX];
	size_t nended; /* completed attempts (may exceed 8: a ring) */
	/* called with each display line before it is read (a console shows or
	 * logs it); NULL: none */
	void (*on_line)(void *ctx, size_t line, const char *text);
	void *on_line_ctx;
};

void k1_bootlog_init(struct k1_bootlog *b);
/* Bytes as they come (a file, a tty): lines end at LF, CR or CRLF. */
void k1_bootlog_feed(struct k1_bootlog *b, const void *data, size_t n);
/* The last line when it has no terminator (end of file). */
void k1_bootlog_flush(struct k1_bootlog *b);
/* One display line (k1_bootlog_clean output) numbered line. */
void k1_bootlog_line(struct k1_bootlog *b, size_t line, const char *text);

struct k1_log_evidence {
	size_t line;
	char text[K1_BOOTLOG_TEXT_MAX];
};

struct k1_bootlog_report {
	const char *soc; /* "k1", "k3", "allwinner", ..., NULL: nothing recognised */
	char board[128]; /* "": not named; "BPI-F3 (k1-x_deb1)" */
	char medium[8];  /* "sd", "emmc", "nor", "nand", "": not seen */
	enum k1_log_stage reached;
	int boots;     /* 1 boots, 0 does not boot, -1 cannot tell */
	char step[48]; /* empty: none */
	char brief[96];
	char why[600];
	char fix[600];
	struct k1_log_evidence evidence[K1_BOOTLOG_MAX_EVIDENCE];
	size_t nevidence;
	char warnings[K1_BOOTLOG_MAX_WARN][400];
	size_t nwarnings;
	char spl[96], uboot[96], opensbi[48], kernel[64]; /* versions seen, "": none */
	const char *spl_kind, *uboot_kind, *opensbi_kind; /* "vendor", "mainline", "emulator" */
	size_t attempts;
};

/* The conclusion so far (self-contained: b may go). at_end: the log ends here (a file's end, or a
 * quiet console): a boot whose last line is a banner that must be followed
 * by more (the SPL's, "Starting kernel ...") is then a hang. */
void k1_bootlog_report(const struct k1_bootlog *b, bool at_end, struct k1_bootlog_report *r);

/* A status line for a live console: "BootROM: download mode (eMMC has no
 * bootinfo)", "SPL running", "U-Boot prompt", "Linux booting", ... */
void k1_bootlog_status(const struct k1_bootlog_report *r, char *out, size_t outsz);

#endif

/* The console reader: lines in, table rows applied, boot attempts kept
 * apart (the BootROM's first lines start a new one), and the verdict of
 * the last attempt: its standing failure (the last specific one, else the
 * last generic one), a banner with nothing after it, a reset loop, or the
 * stage it reached. */
#include "emu/bootlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const stage_names[] = {"",        "brom",  "download", "spl",
					  "opensbi", "uboot", "kernel",   "os"};

const char *k1_log_stage_name(enum k1_log_stage s)
{
	return (unsigned)s <= K1_LOG_OS ? stage_names[s] : "";
}

bool k1_log_pattern_match(const struct k1_log_pattern *p, const char *body)
{
	size_t n;

	if (!p->text)
		return false;
	n = strlen(p->text);
	switch (p->how) {
	case K1_LOGM_PREFIX:
		return !strncasecmp(body, p->text, n);
	case K1_LOGM_EXACT:
		return !strcasecmp(body, p->text);
	case K1_LOGM_CONTAINS:
		return strcasestr(body, p->text) != NULL;
	}
	return false;
}

void k1_bootlog_init(struct k1_bootlog *b)
{
	memset(b, 0, sizeof(*b));
	b->line = 1;
}

/* Copy, cut at a UTF-8 character boundary so JSON stays valid. */
static void copy(char *dst, size_t n, const char *src)
{
	size_t l = strnlen(src, n - 1);

	if (src[l])
		while (l > 0 && ((unsigned char)src[l] & 0xC0) == 0x80)
			l--;
	memcpy(dst, src, l);
	dst[l] = '\0';
}

/* ---- one line ---- */

static void new_attempt(struct k1_bootlog *b, size_t line, const char *text)
{
	if (b->attempts) {
		size_t i = b->nended % 8;
		b->ended[i] = b->cur.reached;
		b->ended_line[i] = b->cur.first_line;
		copy(b->ended_text[i], sizeof(b->ended_text[i]), b->cur.first_text);
		b->nended++;
	}
	memset(&b->cur, 0, sizeof(b->cur));
	b->cur.first_line = line;
	copy(b->cur.first_text, sizeof(b->cur.first_text), text);
	b->attempts++;
}

/* Progress to stage s; resolve: a later stage shows the failures before it
 * did not stop the boot (download mode is where BootROM failures lead, so
 * it resolves nothing; a failure line itself resolves nothing either). */
static void reach(struct k1_log_attempt *a, enum k1_log_stage s, bool resolve)
{
	if (s <= a->reached)
		return;
	a->reached = s;
	if (!resolve || s == K1_LOG_DOWNLOAD)
		return;
	for (size_t i = 0; i < a->nhits; i++)
		if (k1_log_patterns[a->hits[i].row].stage < s)
			a->hits[i].resolved = true;
}

static void set_medium(struct k1_log_attempt *a, const char *medium)
{
	/* the BootROM gave up on the previous medium and tries the next */
	for (size_t i = 0; i < a->nhits; i++)
		if (k1_log_patterns[a->hits[i].row].stage <= K1_LOG_BROM)
			a->hits[i].resolved = true;
	copy(a->medium, sizeof(a->medium), medium);
	a->jumped = false;
}

/* The text after the row's match, up to " (" for versions. */
static void fact_value(const struct k1_log_pattern *p, const char *body, char *out, size_t n,
		       bool version)
{
	const char *v = p->value;
	char tmp[K1_BOOTLOG_LINE_MAX];

	if (!v) {
		const char *at = p->how == K1_LOGM_CONTAINS ? strcasestr(body, p->text) : body;
		const char *sp = strrchr(p->text, ' ');
		/* a version starts after the row's last word ("U-Boot 20" -> "2022.10") */
		size_t skip = version && sp ? (size_t)(sp - p->text) + 1 : strlen(p->text);
		v = at ? at + skip : "";
		while (*v == ' ')
			v++;
	}
	copy(tmp, sizeof(tmp), v);
	if (version) {
		char *cut = strstr(tmp, " (");
		if (cut && !strstr(cut, "k1fw emulate"))
			*cut = '\0';
		if ((cut = strstr(tmp, " ...")))
			*cut = '\0';
		if (p->fact == K1_LOGX_KERNEL && (cut = strchr(tmp, ' ')))
			*cut = '\0';
	}
	copy(out, n, tmp);
}

static void take_fact(struct k1_bootlog *b, const struct k1_log_pattern *p, const char *body)
{
	char *dst = NULL;
	size_t n = 0;

	switch (p->fact) {
	case K1_LOGX_NONE:
		return;
	case K1_LOGX_SOC:
		if (p->kind == K1_LOGK_CHIP && !b->chip)
			b->chip = p->value, b->chip_name = p->brief;
		else if (!strcmp(p->value, "k1"))
			b->k1_named = true;
		else
			b->k1_family = true;
		return;
	case K1_LOGX_BOARD:
		dst = b->board, n = sizeof(b->board);
		break;
	case K1_LOGX_SPL:
		dst = b->spl, n = sizeof(b->spl);
		break;
	case K1_LOGX_UBOOT:
		dst = b->uboot, n = sizeof(b->uboot);
		break;
	case K1_LOGX_OPENSBI:
		dst = b->opensbi, n = sizeof(b->opensbi);
		break;
	case K1_LOGX_KERNEL:
		dst = b->kernel, n = sizeof(b->kernel);
		break;
	}
	if (!dst[0])
		fact_value(p, body, dst, n, p->fact != K1_LOGX_BOARD);
}

static void add_hit(struct k1_log_attempt *a, size_t row, size_t line, const char *text)
{
	struct k1_log_hit *h;

	if (a->nhits == K1_BOOTLOG_MAX_HITS) /* keep the latest: they decide */
		memmove(a->hits, a->hits + 1, (--a->nhits) * sizeof(a->hits[0]));
	h = &a->hits[a->nhits++];
	memset(h, 0, sizeof(*h));
	h->row = row;
	h->line = line;
	copy(h->medium, sizeof(h->medium), a->medium);
	copy(h->text, sizeof(h->text), text);
}

void k1_bootlog_line(struct k1_bootlog *b, size_t line, const char *text)
{
	char body[K1_BOOTLOG_LINE_MAX];
	bool any = false, restart = false, stage_row = false;

	if (!k1_bootlog_body(text, body, sizeof(body)))
		return;
	b->nlines++;
	if (!b->attempts)
		new_attempt(b, line, text);
	for (size_t i = 0; i < k1_log_npatterns; i++) {
		const struct k1_log_pattern *p = &k1_log_patterns[i];
		struct k1_log_attempt *a = &b->cur;

		if (p->kind == K1_LOGK_LOOP || !k1_log_pattern_match(p, body))
			continue;
		any = true;
		take_fact(b, p, body);
		switch (p->kind) {
		case K1_LOGK_HARMLESS:
			i = k1_log_npatterns; /* nothing else applies to this line */
			break;
		case K1_LOGK_HOST: /* not the board's: it neither progresses nor follows a banner */
			b->host++;
			return;
		case K1_LOGK_RESTART: {
			size_t slot = i % 4;
			if (a->board_lines || a->restart_seen[slot])
				new_attempt(b, line, text);
			b->cur.restart_seen[slot] = true;
			reach(&b->cur, p->stage, true);
			restart = true;
			continue;
		}
		case K1_LOGK_STAGE:
			if (p->flags & K1_LOGF_MEDIUM)
				set_medium(a, p->value);
			if (p->flags & K1_LOGF_JUMP)
				a->jumped = true;
			reach(a, p->stage, true);
			stage_row = true;
			a->last_is_stage = (p->flags & K1_LOGF_IF_LAST) != 0;
			if (a->last_is_stage) {
				memset(&a->last, 0, sizeof(a->last));
				a->last.row = i;
				a->last.line = line;
				copy(a->last.medium, sizeof(a->last.medium), a->medium);
				copy(a->last.text, sizeof(a->last.text), text);
			}
			break;
		case K1_LOGK_FAIL:
			reach(a, p->stage, false);
			add_hit(a, i, line, text);
			break;
		case K1_LOGK_WARN:
			if (a->nwarn < K1_BOOTLOG_MAX_WARN) {
				a->warn_rows[a->nwarn] = i;
				a->warn_lines[a->nwarn++] = line;
			}
			break;
		case K1_LOGK_FACT:
		case K1_LOGK_CHIP:
		case K1_LOGK_LOOP:
			break;
		}
	}
	if (any)
		b->matched++;
	/* anything the board printed after a banner means it did not hang there */
	if (!stage_row)
		b->cur.last_is_stage = false;
	if (!restart)
		b->cur.board_lines = true;
}

/* ---- bytes to lines ---- */

static void end_line(struct k1_bootlog *b)
{
	char text[K1_BOOTLOG_LINE_MAX];

	k1_bootlog_clean(b->raw, b->rawlen, text, sizeof(text));
	b->rawlen = 0;
	if (!text[0])
		return;
	if (b->on_line)
		b->on_line(b->on_line_ctx, b->line, text);
	k1_bootlog_line(b, b->line, text);
}

void k1_bootlog_feed(struct k1_bootlog *b, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (b->pending_cr) {
			b->pending_cr = false;
			b->line++; /* CR LF and a lone CR each end one line */
			if (c == '\n')
				continue;
		}
		if (c == '\r') {
			end_line(b);
			b->pending_cr = true;
		} else if (c == '\n') {
			end_line(b);
			b->line++;
		} else if (b->rawlen < sizeof(b->raw)) {
			b->raw[b->rawlen++] = (char)c;
		}
	}
}

void k1_bootlog_flush(struct k1_bootlog *b)
{
	if (b->rawlen)
		end_line(b);
}

/* ---- the verdict ---- */

static const char *medium_long(const char *m)
{
	return !strcmp(m, "sd")     ? "the SD card"
	       : !strcmp(m, "emmc") ? "the eMMC"
	       : !strcmp(m, "nor")  ? "the SPI NOR flash"
	       : !strcmp(m, "nand") ? "the SPI NAND flash"
				    : "the boot medium";
}

static const char *medium_short(const char *m)
{
	return !strcmp(m, "sd")     ? "SD card"
	       : !strcmp(m, "emmc") ? "eMMC"
	       : !strcmp(m, "nor")  ? "SPI NOR"
	       : !strcmp(m, "nand") ? "SPI NAND"
				    : "boot medium";
}

/* fmt with %M replaced by the medium's name. */
static void expand(char *out, size_t n, const char *fmt, const char *medium, bool brief)
{
	size_t o = 0;

	for (const char *s = fmt ? fmt : ""; *s && o + 1 < n; s++) {
		if (s[0] == '%' && s[1] == 'M') {
			o += (size_t)snprintf(out + o, n - o, "%s",
					      brief ? medium_short(medium) : medium_long(medium));
			if (o >= n)
				o = n - 1;
			s++;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

static void fill(struct k1_bootlog_report *r, const struct k1_log_pattern *p, const char *medium)
{
	copy(r->step, sizeof(r->step), p->step ? p->step : p->id);
	expand(r->brief, sizeof(r->brief), p->brief, medium, true);
	expand(r->why, sizeof(r->why), p->why, medium, false);
	expand(r->fix, sizeof(r->fix), p->fix, medium, false);
}

static void evidence(struct k1_bootlog_report *r, size_t line, const char *text)
{
	if (r->nevidence == K1_BOOTLOG_MAX_EVIDENCE)
		return;
	r->evidence[r->nevidence].line = line;
	copy(r->evidence[r->nevidence].text, sizeof(r->evidence[0].text), text);
	r->nevidence++;
}

static void warn(struct k1_bootlog_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct k1_bootlog_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nwarnings == K1_BOOTLOG_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(r->warnings[r->nwarnings++], sizeof(r->warnings[0]), fmt, ap);
	va_end(ap);
}

/* The failure that decides: in the BootROM the first specific one on the
 * last medium tried (it names the cause, then backup slots are tried),
 * later the last specific one (details come first, the outcome last);
 * generic ones only when no specific one stands. */
static const struct k1_log_hit *primary_hit(const struct k1_log_attempt *a)
{
	const struct k1_log_hit *best = NULL;

	for (size_t i = 0; i < a->nhits; i++) {
		const struct k1_log_hit *h = &a->hits[i];
		const struct k1_log_pattern *p = &k1_log_patterns[h->row];
		bool generic = p->flags & K1_LOGF_GENERIC;
		bool best_generic = best && (k1_log_patterns[best->row].flags & K1_LOGF_GENERIC);

		if (h->resolved)
			continue;
		if (!best || (best_generic && !generic))
			best = h;
		else if (generic == best_generic &&
			 (p->stage > K1_LOG_BROM ||
			  k1_log_patterns[best->row].stage > K1_LOG_BROM ||
			  strcmp(h->medium, best->medium)))
			best = h;
	}
	return best;
}

/* Board names as the vendor's FIT configurations and DTs spell them. */
static void board_name(const char *raw, char *out, size_t n)
{
	static const char *const names[][2] = {
		{"deb1", "BPI-F3"},
		{"bpi-f3", "BPI-F3"},
		{"milkv-jupiter", "Milk-V Jupiter"},
		{"milk-v jupiter", "Milk-V Jupiter"},
		{"MUSE-Pi-Pro", "MUSE Pi Pro"},
		{"MUSE-Book", "MUSE Book"},
		{"MUSE-Paper", "MUSE Paper"},
		{"MUSE-Pi", "MUSE Pi"},
		{"orangepi-rv2", "Orange Pi RV2"},
		{"orangepi-r2s", "Orange Pi R2S"},
		{"lpi3a", "LicheePi 3A"},
		{"bit-brick", "BIT-BRICK K1"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasestr(raw, names[i][0])) {
			if (!strcasecmp(raw, names[i][1]))
				break;
			snprintf(out, n, "%s (%s)", names[i][1], raw);
			return;
		}
	snprintf(out, n, "%s", raw);
}

static const struct k1_log_pattern *loop_row(enum k1_log_stage s)
{
	const struct k1_log_pattern *any = NULL;

	for (size_t i = 0; i < k1_log_npatterns; i++) {
		const struct k1_log_pattern *p = &k1_log_patterns[i];
		if (p->kind != K1_LOGK_LOOP)
			continue;
		if (p->stage == s)
			return p;
		if (p->stage == K1_LOG_NONE)
			any = p;
	}
	return any;
}

/* How many completed attempts in a row, the latest first, ended at stage s. */
static size_t repeats(const struct k1_bootlog *b, enum k1_log_stage *s)
{
	size_t n = 0, keep = b->nended < 8 ? b->nended : 8;

	if (!keep)
		return 0;
	*s = b->ended[(b->nended - 1) % 8];
	while (n < keep && b->ended[(b->nended - 1 - n) % 8] == *s)
		n++;
	return n;
}

static const char *version_kind(const char *v, bool opensbi)
{
	int major = 0, minor = 0;

	if (!v[0])
		return NULL;
	if (strstr(v, "k1fw emulate"))
		return "emulator";
	if (opensbi) { /* the vendor's OpenSBI is a 1.3 fork; K1 is upstream since 1.7 */
		if (sscanf(v, "v%d.%d", &major, &minor) == 2 && (major > 1 || minor >= 7))
			return "mainline";
		return "vendor";
	}
	return !strncmp(v, "2022.10", 7) || strcasestr(v, "spacemit") ? "vendor" : "mainline";
}

void k1_bootlog_report(const struct k1_bootlog *b, bool at_end, struct k1_bootlog_report *r)
{
	const struct k1_log_attempt *a = &b->cur;
	const struct k1_log_hit *primary = NULL;
	enum k1_log_stage loop_stage = K1_LOG_NONE;
	size_t loops;

	memset(r, 0, sizeof(*r));
	r->boots = -1;
	r->attempts = b->attempts;
	r->reached = a->reached;
	/* a K1 by name beats another chip's marker (a BPI-F3 kernel prints
	 * "th1520 rpmsg"), which beats the BootROM lines K1 and K3 share */
	r->soc = b->k1_named ? "k1" : b->chip ? b->chip : b->k1_family ? "k1" : NULL;
	if (b->board[0])
		board_name(b->board, r->board, sizeof(r->board));
	copy(r->medium, sizeof(r->medium), a->medium);
	copy(r->spl, sizeof(r->spl), b->spl);
	copy(r->uboot, sizeof(r->uboot), b->uboot);
	copy(r->opensbi, sizeof(r->opensbi), b->opensbi);
	copy(r->kernel, sizeof(r->kernel), b->kernel);
	r->spl_kind = version_kind(b->spl, false);
	r->uboot_kind = version_kind(b->uboot, false);
	r->opensbi_kind = version_kind(b->opensbi, true);

	if (!b->nlines) {
		copy(r->why, sizeof(r->why), "the log is empty");
		copy(r->fix, sizeof(r->fix),
		     "capture the console from power-on (k1fw console --log FILE)");
		copy(r->brief, sizeof(r->brief), "waiting for console output");
		return;
	}
	if (!b->k1_named && b->chip) {
		copy(r->step, sizeof(r->step), "soc");
		snprintf(r->why, sizeof(r->why),
			 "this log is from a %s, not a SpacemiT K1: k1fw diagnoses K1 boards only",
			 b->chip_name);
		snprintf(r->brief, sizeof(r->brief), "not a K1 (%s)", b->chip_name);
		return;
	}
	if (!b->matched && !b->host) {
		snprintf(r->why, sizeof(r->why),
			 "none of the %zu lines is K1 console output k1fw knows: is the adapter on "
			 "UART0 at 115200 8N1 (garbage means another baud rate)?",
			 b->nlines);
		copy(r->fix, sizeof(r->fix),
		     "capture from power-on on UART0 at 115200 8N1 (k1fw console --log FILE)");
		copy(r->brief, sizeof(r->brief), "no K1 output recognised");
		return;
	}

	/* warnings: failures the boot got past (one per step), and WARN rows */
	for (size_t i = 0; i < a->nhits; i++) {
		const struct k1_log_hit *h = &a->hits[i];
		const struct k1_log_pattern *p = &k1_log_patterns[h->row];
		char why[600];
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = a->hits[j].resolved &&
			       !strcmp(k1_log_patterns[a->hits[j].row].step, p->step);
		if (!h->resolved || seen)
			continue;
		expand(why, sizeof(why), p->why, h->medium, false);
		warn(r, "line %zu (%s), the boot went on past it: %s", h->line, p->step, why);
	}
	for (size_t i = 0; i < a->nwarn; i++)
		warn(r, "line %zu (%s): %s", a->warn_lines[i],
		     k1_log_patterns[a->warn_rows[i]].step, k1_log_patterns[a->warn_rows[i]].why);
	primary = primary_hit(a);
	loops = repeats(b, &loop_stage);
	if (loops >= 2 && a->reached <= loop_stage && loop_stage < K1_LOG_OS && primary)
		warn(r, "the board started %zu times, each boot ending %s %s", loops + 1,
		     loop_stage ? "in" : "at", loop_stage ? k1_log_stage_name(loop_stage) : "once");

	if (primary) {
		const struct k1_log_pattern *p = &k1_log_patterns[primary->row];
		fill(r, p, primary->medium);
		r->boots = p->flags & K1_LOGF_UNKNOWN ? -1 : 0;
		for (size_t i = 0; i < a->nhits; i++)
			if (!a->hits[i].resolved)
				evidence(r, a->hits[i].line, a->hits[i].text);
		return;
	}
	if (loops >= 2 && a->reached <= loop_stage && loop_stage < K1_LOG_OS) {
		const struct k1_log_pattern *p = loop_row(loop_stage);
		size_t keep = loops < 4 ? loops : 4;
		fill(r, p, a->medium);
		r->boots = 0;
		for (size_t i = keep; i > 0; i--) {
			size_t k = (b->nended - i) % 8;
			evidence(r, b->ended_line[k], b->ended_text[k]);
		}
		evidence(r, a->first_line, a->first_text);
		return;
	}
	if (at_end && a->last_is_stage) {
		fill(r, &k1_log_patterns[a->last.row], a->last.medium);
		r->boots = 0;
		evidence(r, a->last.line, a->last.text);
		return;
	}
	if (a->reached == K1_LOG_OS) {
		r->boots = 1;
		snprintf(r->why, sizeof(r->why), "the board boots%s%s to Linux userspace",
			 r->medium[0] ? " from " : "", r->medium[0] ? medium_long(r->medium) : "");
		copy(r->brief, sizeof(r->brief), "Linux up");
		return;
	}
	snprintf(r->why, sizeof(r->why),
		 "the log ends %s%s without an error: it may still be booting, or the capture "
		 "stopped early",
		 a->reached ? "in " : "", a->reached ? k1_log_stage_name(a->reached) : "");
	copy(r->fix, sizeof(r->fix),
	     "capture until the login prompt or an error (k1fw console --log FILE)");
}

void k1_bootlog_status(const struct k1_bootlog_report *r, char *out, size_t outsz)
{
	static const char *const running[] = {
		"waiting for the board", "BootROM running", "BootROM: download mode", "SPL running",
		"OpenSBI running",       "U-Boot running",  "Linux booting",          "Linux up",
	};
	const char *where = running[r->reached <= K1_LOG_OS ? r->reached : 0];

	if (r->boots == 1)
		snprintf(out, outsz, "boots: Linux up%s%s", r->medium[0] ? " from " : "",
			 r->medium);
	else if (r->step[0] && r->reached == K1_LOG_DOWNLOAD)
		snprintf(out, outsz, "BootROM: download mode (%s)", r->brief);
	else if (r->step[0] && !strcmp(r->step, "uboot.prompt"))
		snprintf(out, outsz, "U-Boot prompt");
	else if (r->step[0] && r->reached <= K1_LOG_BROM && r->boots == 0)
		snprintf(out, outsz, "BootROM: %s", r->brief);
	else if (r->step[0] && r->boots == 0)
		snprintf(out, outsz, "does not boot: %s (%s)", r->brief, r->step);
	else if (r->step[0])
		snprintf(out, outsz, "%s", r->brief);
	else if (r->reached == K1_LOG_BROM && r->medium[0])
		snprintf(out, outsz, "BootROM: trying %s", r->medium);
	else
		snprintf(out, outsz, "%s", where);
}

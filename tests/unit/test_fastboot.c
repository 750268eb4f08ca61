/* The fastboot client: the reply parser on every tag and malformed packet,
 * command/getvar/download exchanges over a scripted in-memory transport
 * (INFO lines, FAIL verbatim, DATA size checks, a board lost mid-download),
 * and -s parsing. */
#include "testutil.h"

#include <stdbool.h>
#include <time.h>

#include "fastboot/fastboot.h"
#include "fastboot/transport.h"

/* ---- the reply parser ---- */

static int parse(const char *s, struct k1_fb_reply *r)
{
	struct k1_error err = {0};
	return k1_fb_parse_reply((const uint8_t *)s, strlen(s), r, &err);
}

static void test_reply_tags(void **state)
{
	(void)state;
	struct k1_fb_reply r;
	assert_int_equal(parse("OKAY", &r), 0);
	assert_int_equal(r.type, K1_FB_OKAY);
	assert_string_equal(r.msg, "");
	assert_int_equal(parse("OKAY0x10000000", &r), 0);
	assert_string_equal(r.msg, "0x10000000");
	assert_int_equal(parse("FAILVariable not implemented", &r), 0);
	assert_int_equal(r.type, K1_FB_FAIL);
	assert_string_equal(r.msg, "Variable not implemented");
	assert_int_equal(parse("INFOwriting 'gpt'", &r), 0);
	assert_int_equal(r.type, K1_FB_INFO);
	assert_int_equal(parse("TEXTpartial", &r), 0);
	assert_int_equal(r.type, K1_FB_TEXT);
	assert_int_equal(parse("DATA0002f100", &r), 0);
	assert_int_equal(r.type, K1_FB_DATA);
	assert_int_equal(r.data_size, 0x2f100);
	assert_int_equal(parse("DATAFFFFFFFF", &r), 0);
	assert_int_equal(r.data_size, 0xFFFFFFFFu);
}

static void test_reply_malformed(void **state)
{
	(void)state;
	struct k1_fb_reply r;
	struct k1_error err = {0};
	assert_int_equal(parse("", &r), K1_EPROTO);
	assert_int_equal(parse("OKA", &r), K1_EPROTO);
	assert_int_equal(k1_fb_parse_reply((const uint8_t *)"okay", 4, &r, &err), K1_EPROTO);
	assert_non_null(strstr(err.msg, "\"okay\""));
	assert_int_equal(parse("DATA123", &r), K1_EPROTO);
	assert_int_equal(parse("DATA123456789", &r), K1_EPROTO);
	assert_int_equal(k1_fb_parse_reply((const uint8_t *)"DATA0000g000", 12, &r, &err),
			 K1_EPROTO);
	assert_non_null(strstr(err.msg, "byte 8"));
	/* binary junk in the tag is shown safely */
	assert_int_equal(k1_fb_parse_reply((const uint8_t *)"\x01\xff\x00X", 4, &r, &err),
			 K1_EPROTO);
	assert_non_null(strstr(err.msg, "\"???X\""));
}

static void test_reply_long_and_nul(void **state)
{
	(void)state;
	struct k1_fb_reply r;
	struct k1_error err = {0};
	uint8_t big[600];
	memcpy(big, "INFO", 4);
	memset(big + 4, 'a', sizeof(big) - 4);
	assert_int_equal(k1_fb_parse_reply(big, sizeof(big), &r, &err), 0);
	assert_int_equal(strlen(r.msg), K1_FB_RESPONSE_MAX);
	assert_int_equal(k1_fb_parse_reply((const uint8_t *)"OKAYab\0cd", 9, &r, &err), 0);
	assert_string_equal(r.msg, "ab");
}

/* ---- a scripted transport ---- */

struct script {
	struct k1_transport base;
	const char *replies[16];
	size_t nreplies, next;
	char writes[16][80]; /* commands written */
	size_t nwrites;
	uint64_t data_bytes; /* non-command bytes written */
	uint64_t fail_after; /* data writes fail (ENODEV) past this many bytes; 0 never */
	bool in_data;        /* the last reply was DATA: writes are payload */
	uint8_t *keep;       /* payload copied here when set (keep_cap bytes at most) */
	size_t keep_cap;
	bool slow; /* a data write takes 2 ms before it reads the bytes (a slow link) */
};

static int s_read(struct k1_transport *t, void *buf, size_t len, struct k1_error *err)
{
	struct script *s = (struct script *)t;
	if (s->next >= s->nreplies)
		return k1_err(err, K1_ETIMEDOUT, "script: no more replies");
	size_t n = strlen(s->replies[s->next]);
	if (n > len)
		n = len;
	s->in_data = !strncmp(s->replies[s->next], "DATA", 4);
	memcpy(buf, s->replies[s->next++], n);
	return (int)n;
}

static int s_write(struct k1_transport *t, const void *buf, size_t len, struct k1_error *err)
{
	struct script *s = (struct script *)t;
	if (s->in_data) {
		if (s->fail_after && s->data_bytes + len > s->fail_after) {
			s->data_bytes = s->fail_after;
			return k1_err(err, K1_ENODEV, "script: the device closed the connection");
		}
		if (s->slow)
			nanosleep(&(struct timespec){0, 2000000}, NULL);
		if (s->keep && s->data_bytes + len <= s->keep_cap)
			memcpy(s->keep + s->data_bytes, buf, len);
		s->data_bytes += len;
		return 0;
	}
	if (s->nwrites < 16)
		snprintf(s->writes[s->nwrites++], 80, "%.*s", (int)len, (const char *)buf);
	return 0;
}

static void s_close(struct k1_transport *t)
{
	(void)t;
}

static const struct k1_transport_ops script_ops = {"script", s_read, s_write, s_close};

static void script_init(struct script *s)
{
	memset(s, 0, sizeof(*s));
	s->base.ops = &script_ops;
	snprintf(s->base.name, sizeof(s->base.name), "script");
}

static char infos[4][80];
static int ninfos;
static void on_info(void *ctx, const char *msg)
{
	(void)ctx;
	if (ninfos < 4)
		snprintf(infos[ninfos++], 80, "%s", msg);
}

static void test_command_info_okay(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};
	struct k1_fb_events ev = {on_info, NULL, NULL};
	char out[64];
	script_init(&s);
	s.replies[0] = "INFOone";
	s.replies[1] = "INFOtwo";
	s.replies[2] = "OKAY0.4";
	s.nreplies = 3;
	struct k1_fb fb = {.t = &s.base, .ev = &ev};
	ninfos = 0;
	assert_int_equal(k1_fb_getvar(&fb, "version", out, sizeof(out), &err), 0);
	assert_string_equal(out, "0.4");
	assert_string_equal(s.writes[0], "getvar:version");
	assert_int_equal(ninfos, 2);
	assert_string_equal(infos[1], "two");
}

static void test_fail_verbatim(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};
	script_init(&s);
	s.replies[0] = "FAILoffset must larger then previous size and offset";
	s.nreplies = 1;
	struct k1_fb fb = {.t = &s.base, .ev = NULL};
	assert_int_equal(k1_fb_command(&fb, "flash:gpt", NULL, 0, &err), K1_EFAIL);
	assert_string_equal(err.msg, "flash:gpt: FAILED (remote: 'offset must larger then previous "
				     "size and offset')");
}

static void test_command_too_long(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};
	char cmd[100];
	script_init(&s);
	memset(cmd, 'x', 65);
	cmd[65] = '\0';
	struct k1_fb fb = {.t = &s.base, .ev = NULL};
	assert_int_equal(k1_fb_command(&fb, cmd, NULL, 0, &err), K1_EINVAL);
	assert_int_equal(s.nwrites, 0);
}

static void test_download(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};
	static uint8_t data[3u << 20];
	script_init(&s);
	s.replies[0] = "DATA00300000";
	s.replies[1] = "OKAY";
	s.nreplies = 2;
	struct k1_fb fb = {.t = &s.base, .ev = NULL};
	assert_int_equal(k1_fb_download(&fb, data, sizeof(data), &err), 0);
	assert_string_equal(s.writes[0], "download:00300000");
	assert_int_equal(s.data_bytes, sizeof(data));
	assert_int_equal(fb.sent, sizeof(data));
}

static void test_download_size_mismatch(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};
	uint8_t data[16] = {0};
	script_init(&s);
	s.replies[0] = "DATA00000008";
	s.nreplies = 1;
	struct k1_fb fb = {.t = &s.base, .ev = NULL};
	assert_int_equal(k1_fb_download(&fb, data, sizeof(data), &err), K1_EPROTO);
	assert_non_null(strstr(err.msg, "asked for 0x00000008"));
	assert_int_equal(s.data_bytes, 0);
	assert_int_equal(k1_fb_download(&fb, data, 0, &err), K1_ERANGE);
}

static void test_download_lost(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};
	static uint8_t data[4u << 20];
	script_init(&s);
	s.replies[0] = "DATA00400000";
	s.nreplies = 1;
	s.fail_after = (2u << 20) + 100;
	struct k1_fb fb = {.t = &s.base, .ev = NULL};
	assert_int_equal(k1_fb_download(&fb, data, sizeof(data), &err), K1_ENODEV);
	assert_int_equal(fb.sent, 2u << 20); /* whole chunks that went out */
	assert_non_null(strstr(err.msg, "2097152 of 4194304 bytes sent"));
}

/* A stream through the pipe: bytes from a stable region (sent in place),
 * from a buffer rewritten after each sink call (must be copied), and
 * zeros, in an order that splits chunks; the board sees them in order. */
struct mixed {
	const uint8_t *stable;
	size_t stable_len;
};

static int mixed_fill(void *ctx, k1_fb_sink sink, void *sink_ctx)
{
	struct mixed *m = ctx;
	uint8_t scratch[5000];
	int rc = 0;

	for (int i = 0; i < 3 && !rc; i++) {
		memset(scratch, 0xA0 + i, sizeof(scratch));
		rc = sink(sink_ctx, scratch, sizeof(scratch));
		memset(scratch, 0xEE, sizeof(scratch)); /* a pipe that kept the pointer sends EE */
		if (!rc)
			rc = sink(sink_ctx, m->stable, m->stable_len);
		if (!rc)
			rc = sink(sink_ctx, NULL, 3000);
	}
	return rc;
}

static void test_download_stream_mixed(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};
	static uint8_t stable[(2u << 20) + 17], got[3 * (5000 + sizeof(stable) + 3000)];
	struct mixed m = {stable, sizeof(stable)};
	char data_reply[16];
	size_t at = 0;

	for (size_t i = 0; i < sizeof(stable); i++)
		stable[i] = (uint8_t)(i * 7 + 1);
	script_init(&s);
	snprintf(data_reply, sizeof(data_reply), "DATA%08zx", sizeof(got));
	s.replies[0] = data_reply;
	s.replies[1] = "OKAY";
	s.nreplies = 2;
	s.keep = got;
	s.keep_cap = sizeof(got);
	s.slow = true; /* the producer rewrites its buffer while a chunk is on the wire */
	struct k1_fb fb = {.t = &s.base, .ev = NULL};
	assert_int_equal(k1_fb_download_stream(&fb, sizeof(got), mixed_fill, &m, stable,
					       sizeof(stable), &err),
			 0);
	assert_int_equal(s.data_bytes, sizeof(got));
	for (int i = 0; i < 3; i++) {
		for (size_t k = 0; k < 5000; k++)
			assert_int_equal(got[at + k], 0xA0 + i);
		at += 5000;
		assert_memory_equal(got + at, stable, sizeof(stable));
		at += sizeof(stable);
		for (size_t k = 0; k < 3000; k++)
			assert_int_equal(got[at + k], 0);
		at += 3000;
	}
}

/* A producer that makes more than it announced, or fails, stops the
 * download with its own message. */
static int too_much(void *ctx, k1_fb_sink sink, void *sink_ctx)
{
	(void)ctx;
	return sink(sink_ctx, NULL, 9000);
}

static int broken(void *ctx, k1_fb_sink sink, void *sink_ctx)
{
	(void)ctx;
	int rc = sink(sink_ctx, NULL, 100);
	return rc ? rc : -5; /* libsparse's way: a negative errno */
}

static void test_download_stream_producer_errors(void **state)
{
	(void)state;
	struct script s;
	struct k1_error err = {0};

	script_init(&s);
	s.replies[0] = "DATA00001000";
	s.nreplies = 1;
	struct k1_fb fb = {.t = &s.base, .ev = NULL};
	assert_int_equal(k1_fb_download_stream(&fb, 4096, too_much, NULL, NULL, 0, &err),
			 K1_EINVAL);
	assert_non_null(strstr(err.msg, "more bytes than the 4096 announced"));
	script_init(&s);
	s.replies[0] = "DATA00001000";
	s.nreplies = 1;
	fb.t = &s.base;
	assert_int_equal(k1_fb_download_stream(&fb, 4096, broken, NULL, NULL, 0, &err), K1_EIO);
	assert_non_null(strstr(err.msg, "could not be read"));
}

static void test_parse_size(void **state)
{
	(void)state;
	assert_int_equal(k1_fb_parse_size("0x10000000"), 0x10000000);
	assert_int_equal(k1_fb_parse_size("4096"), 4096);
	assert_int_equal(k1_fb_parse_size(""), 0);
	assert_int_equal(k1_fb_parse_size("NULL"), 0);
	assert_int_equal(k1_fb_parse_size("-1"), 0);
}

static void test_target_parse(void **state)
{
	(void)state;
	struct k1_target t;
	struct k1_error err = {0};
	char s[200];
	assert_int_equal(k1_target_parse(NULL, &t, &err), 0);
	assert_int_equal(t.kind, K1_TARGET_ANY_USB);
	assert_int_equal(k1_target_parse("usb:1-2.3", &t, &err), 0);
	assert_int_equal(t.kind, K1_TARGET_USB);
	assert_string_equal(t.usb_path, "1-2.3");
	assert_int_equal(k1_target_parse("tcp:192.168.1.5", &t, &err), 0);
	assert_int_equal(t.port, 5554);
	assert_int_equal(k1_target_parse("tcp:localhost:1234", &t, &err), 0);
	assert_string_equal(t.host, "localhost");
	assert_int_equal(t.port, 1234);
	assert_int_equal(k1_target_parse("tcp:[::1]:99", &t, &err), 0);
	assert_string_equal(t.host, "::1");
	k1_target_format(&t, s, sizeof(s));
	assert_string_equal(s, "tcp:[::1]:99");
	assert_int_equal(k1_target_parse("udp:192.168.1.5", &t, &err), 0);
	assert_int_equal(t.kind, K1_TARGET_UDP);
	assert_string_equal(t.host, "192.168.1.5");
	assert_int_equal(t.port, 5554);
	assert_int_equal(k1_target_parse("udp:[fe80::1%eth0]:5620", &t, &err), 0);
	assert_int_equal(t.kind, K1_TARGET_UDP);
	assert_string_equal(t.host, "fe80::1%eth0");
	assert_int_equal(t.port, 5620);
	k1_target_format(&t, s, sizeof(s));
	assert_string_equal(s, "udp:[fe80::1%eth0]:5620");
	const char *bad[] = {"usb:",      "usb:1",   "usb:1-",     "usb:1-2..3",     "usb:a-b",
			     "usb:1-2-3", "tcp:",    "tcp:host:0", "tcp:host:70000", "tcp:host:x",
			     "tcp:::1",   "serial0", "tcp:[::1",   "tcp:[[\x1f!]",   "tcp:a b",
			     "tcp:[a]b",  "udp:",    "udp:host:0", "udp:::1",        "udp:[::1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (k1_target_parse(bad[i], &t, &err) != K1_EINVAL)
			fail_msg("accepted %s", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_tags),
		cmocka_unit_test(test_reply_malformed),
		cmocka_unit_test(test_reply_long_and_nul),
		cmocka_unit_test(test_command_info_okay),
		cmocka_unit_test(test_fail_verbatim),
		cmocka_unit_test(test_command_too_long),
		cmocka_unit_test(test_download),
		cmocka_unit_test(test_download_size_mismatch),
		cmocka_unit_test(test_download_lost),
		cmocka_unit_test(test_download_stream_mixed),
		cmocka_unit_test(test_download_stream_producer_errors),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_target_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

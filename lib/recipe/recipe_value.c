/* Python text rules for the recipe language; see recipe_value.h. The
 * tables below were taken from CPython 3.11 (str.isspace(), Unicode Nd). */
#include "recipe/recipe_value.h"

#include "base/error.h"

#include <stdlib.h>
#include <string.h>

struct k1_str k1_str_of(const char *s)
{
	struct k1_str r = {s, strlen(s)};
	return r;
}

bool k1_str_eq(struct k1_str s, const char *lit)
{
	return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

/* Decode one UTF-8 character at p (< end); its length goes to *len. Bytes
 * that are not valid UTF-8 decode as U+FFFD, one at a time. */
static uint32_t utf8_next(const char *p, const char *end, size_t *len)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t avail = (size_t)(end - p), n, i;
	uint32_t cp;

	if (u[0] < 0x80) {
		*len = 1;
		return u[0];
	}
	n = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 0;
	if (n == 0 || n > avail) {
		*len = 1;
		return 0xFFFD;
	}
	cp = u[0] & (0x7F >> n);
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*len = 1;
			return 0xFFFD;
		}
		cp = cp << 6 | (u[i] & 0x3F);
	}
	*len = n;
	return cp;
}

/* Python's str.isspace() (the set str.strip() and re's \s use). */
static bool py_isspace(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Length of the whitespace character at p, or 0. */
static size_t ws_at(const char *p, const char *end)
{
	size_t len;
	return p < end && py_isspace(utf8_next(p, end, &len)) ? len : 0;
}

/* Length of the whitespace character ending at end (> start), or 0. */
static size_t ws_before(const char *start, const char *end)
{
	const char *q = end - 1;
	size_t len;

	while (q > start && ((unsigned char)*q & 0xC0) == 0x80 && end - q < 4)
		q--;
	if (py_isspace(utf8_next(q, end, &len)) && q + len == end)
		return len;
	return 0;
}

struct k1_str k1_py_strip(struct k1_str s)
{
	const char *b = s.p, *e = s.p + s.n;
	size_t n;

	while ((n = ws_at(b, e)) != 0)
		b += n;
	while (e > b && (n = ws_before(b, e)) != 0)
		e -= n;
	s.p = b;
	s.n = (size_t)(e - b);
	return s;
}

void k1_split_init(struct k1_split *sp, struct k1_str s)
{
	sp->p = s.p;
	sp->end = s.p + s.n;
	sp->done = false;
}

bool k1_split_next(struct k1_split *sp, char sep, struct k1_str *part)
{
	const char *q;

	if (sp->done)
		return false;
	q = memchr(sp->p, sep, (size_t)(sp->end - sp->p));
	part->p = sp->p;
	if (q) {
		part->n = (size_t)(q - sp->p);
		sp->p = q + 1;
	} else {
		part->n = (size_t)(sp->end - sp->p);
		sp->done = true;
	}
	*part = k1_py_strip(*part);
	return true;
}

/* ---- int(text, 0) ---- */

/* The code points whose Unicode decimal value is 0 (each starts a run of
 * ten: 0..9), i.e. every Nd block Python's int() accepts. */
static const uint32_t nd_zero[] = {
	0x30,    0x660,   0x6f0,   0x7c0,   0x966,   0x9e6,   0xa66,   0xae6,   0xb66,   0xbe6,
	0xc66,   0xce6,   0xd66,   0xde6,   0xe50,   0xed0,   0xf20,   0x1040,  0x1090,  0x17e0,
	0x1810,  0x1946,  0x19d0,  0x1a80,  0x1a90,  0x1b50,  0x1bb0,  0x1c40,  0x1c50,  0xa620,
	0xa8d0,  0xa900,  0xa9d0,  0xa9f0,  0xaa50,  0xabf0,  0xff10,  0x104a0, 0x10d30, 0x11066,
	0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0,
	0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2,
	0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
};

static int unicode_decimal(uint32_t c)
{
	size_t i;

	for (i = 0; i < sizeof(nd_zero) / sizeof(nd_zero[0]); i++)
		if (c >= nd_zero[i] && c < nd_zero[i] + 10)
			return (int)(c - nd_zero[i]);
	return -1;
}

/* CPython's _PyUnicode_TransformDecimalAndSpaceToASCII: non-ASCII spaces
 * become ' ', non-ASCII decimal digits their ASCII digit, anything else
 * makes the text not a number (false). out holds at least s.n + 1 bytes. */
static bool to_ascii(struct k1_str s, char *out, size_t *outlen)
{
	const char *p = s.p, *end = s.p + s.n;
	size_t n = 0, len;

	while (p < end) {
		uint32_t c = utf8_next(p, end, &len);
		int d;

		p += len;
		if (c < 127)
			out[n++] = (char)c;
		else if (py_isspace(c))
			out[n++] = ' ';
		else if ((d = unicode_decimal(c)) >= 0)
			out[n++] = (char)('0' + d);
		else
			return false;
	}
	out[n] = '\0';
	*outlen = n;
	return true;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Python's digit grammar after the prefix: digits with single '_' between
 * them (and one '_' right after a base prefix). Copies the bare digits to
 * out and returns their count, or -1. */
static long scan_digits(const char *p, const char *end, int base, bool prefixed, char *out)
{
	long n = 0;

	if (prefixed && p < end && *p == '_')
		p++;
	while (p < end) {
		if (digit_value(*p) >= base)
			return -1;
		out[n++] = *p++;
		if (p < end && *p == '_') {
			p++;
			if (p == end)
				return -1;
		}
	}
	return n ? n : -1;
}

/* mag = mag * mul + add (little-endian bytes). */
static int mag_muladd(struct k1_buf *mag, unsigned mul, unsigned add)
{
	unsigned carry = add;
	size_t i;

	for (i = 0; i < mag->len; i++) {
		unsigned v = mag->data[i] * mul + carry;
		mag->data[i] = (uint8_t)v;
		carry = v >> 8;
	}
	while (carry) {
		uint8_t b = (uint8_t)carry;
		if (k1_buf_append(mag, &b, 1))
			return K1_ENOMEM;
		carry >>= 8;
	}
	return 0;
}

static int mag_from_digits(const char *d, long n, int base, struct k1_buf *mag)
{
	long i;

	for (i = 0; i < n; i++)
		if (mag_muladd(mag, (unsigned)base, (unsigned)digit_value(d[i])))
			return K1_ENOMEM;
	return 0;
}

/* Power-of-two bases: pack bits directly (linear, no size limit in Python). */
static int mag_from_pow2(const char *d, long n, int bits, struct k1_buf *mag)
{
	unsigned acc = 0, nacc = 0;
	long i;

	for (i = n - 1; i >= 0; i--) {
		acc |= (unsigned)digit_value(d[i]) << nacc;
		nacc += (unsigned)bits;
		while (nacc >= 8) {
			uint8_t b = (uint8_t)acc;
			if (k1_buf_append(mag, &b, 1))
				return K1_ENOMEM;
			acc >>= 8;
			nacc -= 8;
		}
	}
	if (nacc) {
		uint8_t b = (uint8_t)acc;
		if (k1_buf_append(mag, &b, 1))
			return K1_ENOMEM;
	}
	return 0;
}

static int parse_ascii(const char *p, const char *end, struct k1_pyint *v, char *digits)
{
	int base = 10, bits = 0;
	bool prefixed = false;
	long n;

	if (p < end && (*p == '+' || *p == '-'))
		v->negative = *p++ == '-';
	if (end - p >= 2 && p[0] == '0' && strchr("xXoObB", p[1])) {
		char c = (char)(p[1] | 0x20);
		base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
		bits = c == 'x' ? 4 : c == 'o' ? 3 : 1;
		prefixed = true;
		p += 2;
	}
	n = scan_digits(p, end, base, prefixed, digits);
	if (n < 0)
		return K1_PYINT_NAN;
	if (base == 10 && digits[0] == '0') {
		long i;
		for (i = 0; i < n; i++)
			if (digits[i] != '0')
				return K1_PYINT_NAN; /* "010": leading zeros */
	}
	if (base == 10 && n > 4300)
		return K1_PYINT_TOO_LONG;
	if (bits ? mag_from_pow2(digits, n, bits, &v->mag)
		 : mag_from_digits(digits, n, base, &v->mag))
		return K1_PYINT_NOMEM;
	while (v->mag.len && v->mag.data[v->mag.len - 1] == 0)
		v->mag.len--;
	if (!v->mag.len)
		v->negative = false;
	return K1_PYINT_OK;
}

static bool ascii_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int k1_pyint_parse(struct k1_str s, struct k1_pyint *v)
{
	char *text = malloc(2 * s.n + 2), *digits;
	const char *p, *end;
	size_t n;
	int rc;

	memset(v, 0, sizeof(*v));
	if (!text)
		return K1_PYINT_NOMEM;
	digits = text + s.n + 1;
	if (!to_ascii(s, text, &n)) {
		free(text);
		return K1_PYINT_NAN;
	}
	p = text;
	end = text + n;
	while (p < end && ascii_space(*p))
		p++;
	while (end > p && ascii_space(end[-1]))
		end--;
	rc = parse_ascii(p, end, v, digits);
	free(text);
	if (rc)
		k1_pyint_free(v);
	return rc;
}

void k1_pyint_free(struct k1_pyint *v)
{
	k1_buf_free(&v->mag);
	v->negative = false;
}

bool k1_pyint_u64(const struct k1_pyint *v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v->negative || v->mag.len > 8)
		return false;
	for (i = v->mag.len; i-- > 0;)
		x = x << 8 | v->mag.data[i];
	*out = x;
	return true;
}

uint8_t k1_pyint_low_byte(const struct k1_pyint *v)
{
	uint8_t b = v->mag.len ? v->mag.data[0] : 0;
	return v->negative ? (uint8_t)(0x100 - b) : b;
}

int k1_pyint_itob(const struct k1_pyint *v, struct k1_buf *out)
{
	static const uint8_t zero = 0;

	if (!v->mag.len)
		return k1_buf_append(out, &zero, 1);
	return k1_buf_append(out, v->mag.data, v->mag.len);
}

int k1_itob_u64(uint64_t n, struct k1_buf *out)
{
	uint8_t b[8];
	size_t len = 0;

	do {
		b[len++] = (uint8_t)n;
		n >>= 8;
	} while (n);
	return k1_buf_append(out, b, len);
}

/* ---- the sizeof/sum32/crc32 regex ---- */

/* Does the character at p match pattern letter c under re.IGNORECASE?
 * Sets *uni when it matched through a non-ASCII variant. */
static size_t match_letter(const char *p, const char *end, char c, bool *uni)
{
	size_t len;
	uint32_t u;

	if (p >= end)
		return 0;
	u = utf8_next(p, end, &len);
	if (u < 0x80)
		return (u | (c >= 'a' ? 0x20u : 0u)) == (uint32_t)c ? 1 : 0;
	if ((c == 's' && u == 0x17F) || (c == 'i' && (u == 0x130 || u == 0x131))) {
		*uni = true;
		return len;
	}
	return 0;
}

static size_t match_word(const char *p, const char *end, const char *w, bool *uni)
{
	const char *q = p;
	size_t n;

	for (; *w; w++) {
		if ((n = match_letter(q, end, *w, uni)) == 0)
			return 0;
		q += n;
	}
	return (size_t)(q - p);
}

/* Can \s*$ (re.M) match at p: whitespace up to the end or a newline? */
static bool tail_ok(const char *p, const char *end)
{
	size_t n;

	for (;;) {
		if (p == end || *p == '\n')
			return true;
		if ((n = ws_at(p, end)) == 0)
			return false;
		p += n;
	}
}

static const char *skip_ws(const char *p, const char *end)
{
	size_t n;

	while ((n = ws_at(p, end)) != 0)
		p += n;
	return p;
}

/* Try the pattern where the leading \s* ends (p); fills *arg. */
static enum k1_func match_at(const char *p, const char *end, struct k1_str *arg)
{
	static const char *const words[] = {"sizeof", "sum32", "crc32"};
	const char *open, *line_end, *e;
	enum k1_func f = K1_FUNC_NONE;
	bool uni = false;
	size_t i, n = 0;

	for (i = 0; i < 3 && !n; i++) {
		uni = false;
		if ((n = match_word(p, end, words[i], &uni)) != 0)
			f = (enum k1_func)(K1_FUNC_SIZEOF + i);
	}
	if (!n)
		return K1_FUNC_NONE;
	open = skip_ws(p + n, end);
	if (open >= end || *open != '(')
		return K1_FUNC_NONE;
	line_end = memchr(open, '\n', (size_t)(end - open));
	if (!line_end)
		line_end = end;
	for (e = line_end - 1; e >= open + 2; e--) {
		if (*e == ')' && tail_ok(e + 1, end)) {
			arg->p = open + 1;
			arg->n = (size_t)(e - open - 1);
			return uni ? K1_FUNC_UNICODE : f;
		}
	}
	return K1_FUNC_NONE;
}

enum k1_func k1_match_func(struct k1_str value, struct k1_str *arg)
{
	const char *p = value.p, *end = value.p + value.n;

	for (;;) {
		/* Every line start up to q skips the same whitespace to q, so
		 * the next one worth trying follows the first newline after q. */
		const char *q = skip_ws(p, end);
		enum k1_func f = match_at(q, end, arg);

		if (f != K1_FUNC_NONE)
			return f;
		p = memchr(q, '\n', (size_t)(end - q));
		if (!p)
			return K1_FUNC_NONE;
		p++;
	}
}

/* ---- algorithm strings ---- */

static bool is_ascii(struct k1_str s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if ((unsigned char)s.p[i] >= 0x80)
			return false;
	return true;
}

static char ascii_lower(char c)
{
	return (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
}

/* Does s start with the lower-case word w, ignoring ASCII case? */
static bool prefix_ci(struct k1_str s, size_t at, const char *w)
{
	size_t i, n = strlen(w);

	if (at > s.n || s.n - at < n)
		return false;
	for (i = 0; i < n; i++)
		if (ascii_lower(s.p[at + i]) != w[i])
			return false;
	return true;
}

/* The text after the leading key up to its next occurrence (Python's
 * al_str.split(key)[1]), stripped, lower-case, leading '-'s removed. */
static void alg_param(struct k1_str tok, const char *key, char *param, size_t paramsz)
{
	struct k1_str rest;
	size_t i = 3, n = 0;

	while (i < tok.n && !prefix_ci(tok, i, key))
		i++;
	rest.p = tok.p + 3;
	rest.n = i - 3;
	rest = k1_py_strip(rest);
	while (rest.n && rest.p[0] == '-') {
		rest.p++;
		rest.n--;
	}
	for (i = 0; i < rest.n && n + 1 < paramsz; i++)
		param[n++] = ascii_lower(rest.p[i]);
	param[n] = '\0';
}

enum k1_alg_kind k1_alg_config(struct k1_str alg, char *param, size_t paramsz)
{
	struct k1_split sp;
	struct k1_str tok;

	param[0] = '\0';
	if (!is_ascii(alg))
		return K1_ALG_NONE;
	k1_split_init(&sp, alg);
	while (k1_split_next(&sp, '+', &tok)) {
		if (prefix_ci(tok, 0, "rsa")) {
			alg_param(tok, "rsa", param, paramsz);
			return K1_ALG_RSA;
		}
		if (prefix_ci(tok, 0, "ecc")) {
			alg_param(tok, "ecc", param, paramsz);
			return K1_ALG_ECC;
		}
	}
	return K1_ALG_NONE;
}

const char *k1_hash_config(struct k1_str alg)
{
	static const char *const names[] = {"sha256", "sha384", "sha512"};
	struct k1_split sp;
	struct k1_str tok;
	size_t i;

	if (!is_ascii(alg))
		return NULL;
	k1_split_init(&sp, alg);
	while (k1_split_next(&sp, '+', &tok))
		for (i = 0; i < 3; i++)
			if (tok.n == 6 && prefix_ci(tok, 0, names[i]))
				return names[i];
	return NULL;
}

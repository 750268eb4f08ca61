/* Console lines as people capture them: CR/LF of any kind, ANSI colour from
 * U-Boot or the kernel, NULs from a line that came up mid-byte, timestamps
 * that tio, minicom, grabserial or ts put in front, and the kernel's and
 * the vendor U-Boot's own [   0.123] stamps. */
#include "emu/bootlog.h"

#include <ctype.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0)
		len = 2, min = 0x80, cp = p[0] & 0x1F;
	else if ((p[0] & 0xF0) == 0xE0)
		len = 3, min = 0x800, cp = p[0] & 0x0F;
	else if ((p[0] & 0xF8) == 0xF0)
		len = 4, min = 0x10000, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* Bytes of the escape sequence starting at p[0] == ESC. */
static size_t escape_len(const unsigned char *p, size_t n)
{
	size_t i = 2;

	if (n < 2)
		return n;
	if (p[1] == '[') { /* CSI: parameters, intermediates, one final byte */
		while (i < n && p[i] >= 0x20 && p[i] <= 0x3F)
			i++;
		return i < n && p[i] >= 0x40 && p[i] <= 0x7E ? i + 1 : i;
	}
	if (p[1] == ']') { /* OSC: up to BEL or ESC \ */
		while (i < n && p[i] != 0x07 && !(p[i] == 0x1B && i + 1 < n && p[i + 1] == '\\'))
			i++;
		return i >= n ? n : p[i] == 0x07 ? i + 1 : i + 2;
	}
	if (strchr("()*+", p[1]) && n >= 3) /* character set selection */
		return 3;
	return 2;
}

size_t k1_bootlog_clean(const char *raw, size_t n, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)raw;
	size_t o = 0, i = 0;

	while (i < n) {
		size_t k;
		if (p[i] == 0x1B) {
			i += escape_len(p + i, n - i);
			continue;
		}
		if (p[i] == '\r') { /* a terminal shows what follows the CR */
			size_t j = i + 1;
			while (j < n && (p[j] <= ' ' || p[j] == 0x7F))
				j++;
			if (j < n)
				o = 0;
			i++;
			continue;
		}
		if (p[i] == '\t') {
			if (o + 1 < outsz)
				out[o++] = ' ';
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7F) {
			i++;
			continue;
		}
		k = utf8_len(p + i, n - i);
		if (!k) { /* not UTF-8 (line noise, a wrong baud rate): keep a mark */
			if (o + 1 < outsz)
				out[o++] = '?';
			i++;
			continue;
		}
		if (o + k < outsz)
			memcpy(out + o, p + i, k), o += k;
		i += k;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

/* "[...]" of digits and . : - / T , + Z and spaces, with a digit in it. */
static size_t bracket_stamp(const char *s)
{
	size_t i = 1;
	bool digit = false;

	if (s[0] != '[')
		return 0;
	for (; s[i] && s[i] != ']'; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (!strchr(" .:-/T,+Z", s[i]))
			return 0;
	}
	return s[i] == ']' && digit ? i + 1 : 0;
}

static size_t digits(const char *s, size_t min, size_t max)
{
	size_t i = 0;
	while (i < max && isdigit((unsigned char)s[i]))
		i++;
	return i >= min ? i : 0;
}

/* HH:MM:SS[.fff] */
static size_t clock_stamp(const char *s)
{
	size_t i;

	if (digits(s, 2, 2) != 2 || s[2] != ':' || digits(s + 3, 2, 2) != 2 || s[5] != ':' ||
	    digits(s + 6, 2, 2) != 2)
		return 0;
	i = 8;
	if (s[i] == '.' || s[i] == ',')
		i += 1 + digits(s + i + 1, 1, 9);
	return i;
}

/* A bare stamp a terminal program writes before the line, then its
 * separator: "12:34:56.789 ", "2024-05-17 18:52:03 ", "May 17 18:52:03 ". */
static size_t bare_stamp(const char *s)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	size_t i = 0, c;

	if (digits(s, 4, 4) == 4 && s[4] == '-' && digits(s + 5, 2, 2) == 2 && s[7] == '-' &&
	    digits(s + 8, 2, 2) == 2 && (s[10] == ' ' || s[10] == 'T'))
		i = 11;
	else
		for (int m = 0; m < 12 && !i; m++)
			if (!strncmp(s, months[m], 3) && s[3] == ' ') {
				size_t d = 4 + (s[4] == ' ');
				size_t nd = digits(s + d, 1, 2);
				if (nd && s[d + nd] == ' ')
					i = d + nd + 1;
			}
	c = clock_stamp(s + i);
	if (!c)
		return 0;
	i += c;
	if (s[i] == ' ' && (s[i + 1] == '>' || s[i + 1] == '-')) /* "12:00:00 -> " */
		i += 2 + (s[i + 2] == '>');
	if (s[i] != ' ' && s[i] != '\0')
		return 0;
	return i;
}

size_t k1_bootlog_body(const char *text, char *out, size_t outsz)
{
	const char *s = text;
	size_t o = 0, k;

	for (int round = 0; round < 4; round++) {
		while (*s == ' ')
			s++;
		if ((k = bracket_stamp(s)) || (k = bare_stamp(s)))
			s += k;
		else
			break;
	}
	while (*s == ' ')
		s++;
	for (; *s && o + 1 < outsz; s++) {
		if (*s == ' ' && (o == 0 || out[o - 1] == ' '))
			continue;
		out[o++] = *s;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

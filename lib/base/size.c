#include "base/size.h"

#include "base/error.h"

#include <stddef.h>

static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	return 99;
}

int k1_size_number(const char *s, uint64_t *n, const char **end, bool saturate)
{
	unsigned base = 10;
	uint64_t v = 0;
	const char *p = s;

	if (!s)
		return K1_EINVAL;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		base = 16;
		p += 2;
	} else if (p[0] == '0') {
		base = 8;
	}
	if (digit_value(*p) >= base)
		return K1_EINVAL;
	for (; digit_value(*p) < base; p++) {
		unsigned d = digit_value(*p);
		if (v > (UINT64_MAX - d) / base) {
			if (!saturate)
				return K1_ERANGE;
			v = UINT64_MAX;
			continue;
		}
		v = v * base + d;
	}
	*n = v;
	*end = p;
	return 0;
}

int k1_size_unit_shift(char c)
{
	switch (c) {
	case 'K':
	case 'k':
		return 10;
	case 'M':
	case 'm':
		return 20;
	case 'G':
	case 'g':
		return 30;
	}
	return -1;
}

int k1_size_parse(const char *s, uint64_t *bytes)
{
	const char *p;
	uint64_t n;
	int shift = 0, rc = k1_size_number(s, &n, &p, false);

	if (rc)
		return rc;
	if (k1_size_unit_shift(*p) >= 0) {
		shift = k1_size_unit_shift(*p++);
		if (*p == 'i')
			p++;
	}
	if (*p == 'B')
		p++;
	if (*p)
		return K1_EINVAL;
	if (shift && n > (UINT64_MAX >> shift))
		return K1_ERANGE;
	*bytes = n << shift;
	return 0;
}

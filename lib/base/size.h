/* Sizes as people and U-Boot write them: a number as C writes it (0x..
 * hex, 0.. octal, else decimal) and an optional unit K, M or G (either
 * case, powers of 1024), which may be followed by "i" and "B" as in "KiB";
 * a "B" alone means bytes. The one parser for the command line, the
 * partition tables and fastboot replies; what a bare number means is each
 * caller's business (the vendor's table code counts it as 0 KiB). */
#ifndef K1_SIZE_H
#define K1_SIZE_H

#include <stdbool.h>
#include <stdint.h>

/* The number at the start of s into *n; *end is left after its digits.
 * K1_EINVAL when s does not start with a digit (no sign, no blank),
 * K1_ERANGE when the number does not fit 64 bits, unless saturate, which
 * gives UINT64_MAX instead. */
int k1_size_number(const char *s, uint64_t *n, const char **end, bool saturate);

/* The power of two a unit letter stands for: 10, 20, 30, or -1. */
int k1_size_unit_shift(char c);

/* The whole of s as a size in bytes: K1_EINVAL for anything else (trailing
 * text, an empty string), K1_ERANGE when it exceeds 64 bits. */
int k1_size_parse(const char *s, uint64_t *bytes);

#endif

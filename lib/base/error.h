/* Error reporting for libk1fw: every function returns 0 (or a count) on
 * success and a negative K1_E* code on failure, filling a caller-owned
 * struct k1_error with one line that names the file, field or offset. */
#ifndef K1_ERROR_H
#define K1_ERROR_H

enum k1_errcode {
	K1_OK = 0,
	K1_EINVAL = -1,    /* malformed input: bad recipe, bad option, bad file */
	K1_EIO = -2,       /* a file could not be read or written */
	K1_ENOMEM = -3,    /* allocation failed */
	K1_ECRYPTO = -4,   /* key unusable or OpenSSL failure */
	K1_ERANGE = -5,    /* a value does not fit where it must go */
	K1_EEXIST = -6,    /* refusing to overwrite an existing file */
	K1_ENOTSUP = -7,   /* a recognised but unsupported feature */
	K1_EFAIL = -8,     /* the device answered FAIL (message verbatim) */
	K1_ETIMEDOUT = -9, /* the device did not answer in time */
	K1_ENODEV = -10,   /* no such device, or it went away */
	K1_EACCES = -11,   /* the device exists but may not be opened */
	K1_EPROTO = -12,   /* the device broke the fastboot protocol */
	K1_EBUSY = -13,    /* a block device is in use (mounted, held, the system's) */
};

struct k1_error {
	int code;
	char msg[1024];
};

/* Record an error (printf-style) and return code, so callers can write
 * `return k1_err(err, K1_EINVAL, "...")`. err may be NULL. */
int k1_err(struct k1_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the existing message with "prefix: " (adds context on the way up). */
int k1_err_prefix(struct k1_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *k1_strerror(int code);

#endif

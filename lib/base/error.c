#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int k1_err(struct k1_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

int k1_err_prefix(struct k1_error *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return K1_EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	/* a message that no longer fits is cut: the prefix names the place */
	size_t n = strlen(prefix);
	if (n > sizeof(err->msg) - 3)
		n = sizeof(err->msg) - 3;
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	size_t rest = strnlen(old, sizeof(old));
	if (rest > sizeof(err->msg) - 1 - n)
		rest = sizeof(err->msg) - 1 - n;
	memcpy(err->msg + n, old, rest);
	err->msg[n + rest] = '\0';
	return err->code;
}

const char *k1_strerror(int code)
{
	switch (code) {
	case K1_OK:
		return "success";
	case K1_EINVAL:
		return "invalid input";
	case K1_EIO:
		return "input/output error";
	case K1_ENOMEM:
		return "out of memory";
	case K1_ECRYPTO:
		return "cryptographic error";
	case K1_ERANGE:
		return "value out of range";
	case K1_EEXIST:
		return "file exists";
	case K1_ENOTSUP:
		return "not supported";
	case K1_EFAIL:
		return "the device refused";
	case K1_ETIMEDOUT:
		return "timed out";
	case K1_ENODEV:
		return "no device";
	case K1_EACCES:
		return "permission denied";
	case K1_EPROTO:
		return "protocol error";
	case K1_EBUSY:
		return "device in use";
	}
	return "unknown error";
}

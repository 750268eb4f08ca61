/* The structure item (spec §4): `label, value, size` lines, pad lines and
 * the crc32/sum32/sizeof functions over `+`-joined names, evaluated as
 * the vendor script does (Python int rules, little-endian fields). */
#include "recipe/recipe_ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- structures ---- */

static int parse_size(struct ctx *c, struct k1_str text, uint64_t *size)
{
	struct k1_pyint v;
	struct qbuf q;
	int prc = k1_pyint_parse(text, &v);
	bool ok = !prc && k1_pyint_u64(&v, size);
	bool neg = !prc && v.negative;

	k1_pyint_free(&v);
	if (prc == K1_PYINT_NOMEM)
		return rcp_nomem(c);
	if (prc)
		return rcp_fail(c, K1_EINVAL, "size %s is not a number", rcp_quote(&q, text));
	if (neg)
		return rcp_fail(c, K1_EINVAL, "size %s is negative", rcp_quote(&q, text));
	if (!ok || *size > c->max_size)
		return rcp_fail(c, K1_ERANGE, "size %s is larger than the %zu-byte limit",
				rcp_quote(&q, text), c->max_size);
	return 0;
}

static int pad_line(struct ctx *c, struct k1_str value, uint64_t size, struct k1_buf *data)
{
	struct k1_pyint v;
	struct qbuf q;
	int prc = k1_pyint_parse(value, &v);
	uint8_t byte = prc ? 0 : k1_pyint_low_byte(&v);

	k1_pyint_free(&v);
	if (prc == K1_PYINT_NOMEM)
		return rcp_nomem(c);
	if (prc)
		return rcp_fail(c, K1_EINVAL, "pad value %s is not a number", rcp_quote(&q, value));
	return k1_buf_fill(data, byte, (size_t)size) ? rcp_nomem(c) : 0;
}

static const char *const func_names[] = {"", "sizeof", "sum32", "crc32"};

static void func_accumulate(enum k1_func f, const struct k1_buf *d, uint64_t *acc)
{
	size_t i, done;

	if (f == K1_FUNC_SIZEOF) {
		*acc += d->len;
	} else if (f == K1_FUNC_SUM32) {
		for (i = 0; i + 4 <= d->len; i += 4)
			*acc += (uint32_t)d->data[i] | (uint32_t)d->data[i + 1] << 8 |
				(uint32_t)d->data[i + 2] << 16 | (uint32_t)d->data[i + 3] << 24;
		*acc &= 0xFFFFFFFFu;
	} else {
		for (done = 0; done < d->len;) {
			uInt n = d->len - done > 1u << 30 ? 1u << 30 : (uInt)(d->len - done);
			*acc = crc32((uLong)*acc, d->data + done, n);
			done += n;
		}
	}
}

/* sizeof/sum32/crc32 over registered names (never files). */
static int eval_func(struct ctx *c, enum k1_func f, struct k1_str arg, uint64_t *result)
{
	struct k1_split sp;
	struct k1_str tok;
	struct qbuf q, q2;

	*result = 0;
	k1_split_init(&sp, arg);
	while (k1_split_next(&sp, '+', &tok)) {
		const struct entry *e;
		int rc = rcp_reg_data(c, tok, f == K1_FUNC_SIZEOF, &e);

		if (rc < 0)
			return rc;
		if (rc == 0 && c->pass == 2)
			return rcp_fail(
				c, K1_EINVAL,
				"%s(%s): no item named %s (only item names can be used here, "
				"never files)",
				func_names[f], rcp_show(&q, arg, false), rcp_quote(&q2, tok));
		if (rc == 1)
			func_accumulate(f, &e->data, result);
	}
	return 0;
}

/* The field's bytes: a function result, a number or the text itself. */
static int field_bytes(struct ctx *c, struct k1_str value, struct k1_buf *b)
{
	enum k1_func f;
	struct k1_str arg;
	struct k1_pyint v;
	struct qbuf q;
	uint64_t n;
	int rc;

	f = k1_match_func(value, &arg);
	if (f == K1_FUNC_UNICODE)
		return rcp_fail(c, K1_EINVAL,
				"value %s: a function name spelt with a non-ASCII letter "
				"(the vendor script crashes on it)",
				rcp_quote(&q, value));
	if (f != K1_FUNC_NONE) {
		if ((rc = eval_func(c, f, arg, &n)) != 0)
			return rc;
		return k1_itob_u64(n, b) ? rcp_nomem(c) : 0;
	}
	rc = k1_pyint_parse(value, &v);
	if (rc == K1_PYINT_OK && v.negative)
		rc = rcp_fail(c, K1_EINVAL, "value %s is negative", rcp_quote(&q, value));
	else if (rc == K1_PYINT_OK)
		rc = k1_pyint_itob(&v, b) ? rcp_nomem(c) : 0;
	else if (rc == K1_PYINT_NAN)
		rc = k1_buf_append(b, value.p, value.n) ? rcp_nomem(c) : 0;
	else if (rc == K1_PYINT_TOO_LONG)
		rc = rcp_fail(c, K1_EINVAL,
			      "value %s has more than 4300 decimal digits (Python reads it as text "
			      "or not at all); write it in hex",
			      rcp_quote(&q, value));
	else
		rc = rcp_nomem(c);
	k1_pyint_free(&v);
	return rc;
}

/* "label, value, size" other than name and pad. */
static int field_line(struct ctx *c, struct k1_str value, uint64_t size, struct k1_buf *data)
{
	struct k1_buf b = K1_BUF_INIT;
	struct qbuf q;
	int rc = field_bytes(c, value, &b);

	if (!rc && size >= 1 && b.len > size)
		rc = rcp_fail(c, K1_ERANGE,
			      "value %s needs %zu bytes, more than its %llu-byte field",
			      rcp_quote(&q, value), b.len, (unsigned long long)size);
	if (!rc && size >= 1 && b.len == 0)
		rc = rcp_fail(c, K1_EINVAL,
			      "empty value in a %llu-byte field (the vendor script would emit no "
			      "bytes at all)",
			      (unsigned long long)size);
	if (!rc && (k1_buf_append(data, b.data, b.len) ||
		    k1_buf_fill(data, 0, size > b.len ? (size_t)size - b.len : 0)))
		rc = rcp_nomem(c);
	k1_buf_free(&b);
	return rc;
}

static int structure_line(struct ctx *c, json_t *v, struct k1_str *name, struct k1_buf *data)
{
	struct k1_str line = {json_string_value(v), json_string_length(v)}, f[3];
	struct k1_split sp;
	struct qbuf q;
	uint64_t size;
	size_t n = 0, old;
	int rc;

	k1_split_init(&sp, line);
	while (n < 3 && k1_split_next(&sp, ',', &f[n]))
		n++;
	if (n < 3)
		return rcp_fail(c, K1_EINVAL, "%s: needs \"label, value, size\" (has %zu field%s)",
				rcp_quote(&q, line), n, n == 1 ? "" : "s");
	old = rcp_path_push(c, "%s", rcp_quote(&q, f[0]));
	rc = parse_size(c, f[2], &size);
	if (!rc && k1_str_eq(f[0], "name"))
		*name = f[1];
	else if (!rc && k1_str_eq(f[0], "pad"))
		rc = pad_line(c, f[1], size, data);
	else if (!rc)
		rc = field_line(c, f[1], size, data);
	rcp_path_pop(c, old);
	return rc;
}

int rcp_build_structure(struct ctx *c, json_t *list, struct k1_buf *out)
{
	struct k1_str name = k1_str_of("unkown"); /* sic: the vendor's default */
	struct k1_buf data = K1_BUF_INIT;
	size_t i, old;
	json_t *v;
	int rc = 0;

	if (!json_is_array(list))
		return rcp_fail(c, K1_EINVAL, "structure: must be a list of lines and items");
	json_array_foreach(list, i, v)
	{
		old = rcp_path_push(c, "structure[%zu]", i);
		if (json_is_string(v))
			rc = structure_line(c, v, &name, &data);
		else if (json_is_object(v))
			rc = rcp_run_item(c, v, &data);
		else
			rc = rcp_fail(c, K1_EINVAL,
				      "must be a \"label, value, size\" string or an item object");
		if (!rc)
			rc = rcp_check_size(c, data.len);
		rcp_path_pop(c, old);
		if (rc)
			break;
	}
	if (!rc)
		rc = rcp_reg_put(c, name, &data, NULL);
	if (!rc && k1_buf_append(out, data.data, data.len))
		rc = rcp_nomem(c);
	k1_buf_free(&data);
	return rc;
}

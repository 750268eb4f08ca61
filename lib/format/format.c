#include "format/format.h"

#include "base/fileio.h"

#include <stdio.h>
#include <string.h>

/* Order matters: formats with strong magics first; the environment (which
 * has only a CRC) and the disk image (whose sector 0 is a bootinfo) after
 * the ones they could be mistaken for. */
const struct k1_format *const k1_formats[] = {
	&k1_format_fsbl,   &k1_format_fit,      &k1_format_sparse,
	&k1_format_disk,   &k1_format_bootinfo, &k1_format_ptable,
	&k1_format_eeprom, &k1_format_env,      NULL,
};

const struct k1_format *k1_format_detect(const uint8_t *data, size_t len)
{
	for (size_t i = 0; k1_formats[i]; i++)
		if (k1_formats[i]->probe(data, len))
			return k1_formats[i];
	return NULL;
}

/* The description: file, format and size lead, the format's fields follow. */
static int describe(const struct k1_input *in, const char *label, struct k1_report *r,
		    struct k1_error *err)
{
	json_t *fields = NULL;
	int rc = r->format->inspect(in, &fields, err);

	if (rc)
		return rc;
	r->json = json_pack("{s:s, s:s, s:I}", "file", label, "format", r->format->name, "size",
			    (json_int_t)in->len);
	if (!r->json || json_object_update(r->json, fields))
		rc = k1_err(err, K1_ENOMEM, "%s: out of memory", label);
	json_decref(fields);
	return rc;
}

static int check(const struct k1_input *in, const char *label, unsigned flags,
		 const struct k1_verify_opts *opts, struct k1_report *r, struct k1_error *err)
{
	int rc = r->format->verify(in, opts, &r->checks, err);

	if (rc == K1_ENOMEM)
		return rc;
	if (rc) { /* a recognised file too damaged to look inside fails a check like
		   * any other damage (verify: exit 1, not 2) */
		char name[64];
		size_t n = strlen(in->path);
		const char *msg = err ? err->msg : "cannot be read";
		if (!strncmp(msg, in->path, n) && !strncmp(msg + n, ": ", 2))
			msg += n + 2; /* the FAIL line names the file once */
		snprintf(name, sizeof(name), "%s.readable", r->format->name);
		k1_check_add(&r->checks, false, name, "", "%s", msg);
	}
	if (flags & K1_REPORT_STRICT)
		return k1_checks_first_failure(&r->checks, label, err);
	if (r->checks.oom)
		return k1_err(err, K1_ENOMEM, "%s: out of memory recording the checks", label);
	return 0;
}

int k1_format_report(const char *path, const char *label, unsigned flags,
		     const struct k1_verify_opts *opts, struct k1_report *r, struct k1_error *err)
{
	struct k1_mapped m;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!label)
		label = path;
	if ((rc = k1_map_file(path, &m, err)))
		return rc;
	struct k1_input in = {.path = path, .data = m.data, .len = m.len};
	r->size = m.len;
	r->format = k1_format_detect(m.data, m.len);
	if (!r->format && !(flags & K1_REPORT_OPTIONAL))
		rc = k1_err(err, K1_EINVAL, "%s: not a K1 artefact k1fw recognises (%zu bytes)",
			    label, m.len);
	if (!rc && r->format && (flags & K1_REPORT_INSPECT))
		rc = describe(&in, label, r, err);
	if (!rc && r->format && (flags & K1_REPORT_VERIFY))
		rc = check(&in, label, flags, opts, r, err);
	k1_unmap_file(&m);
	return rc;
}

void k1_report_free(struct k1_report *r)
{
	json_decref(r->json);
	r->json = NULL;
	k1_checks_free(&r->checks);
}

/* extlinux.conf reader (see extlinux.h). */
#include "format/extlinux.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static void set(struct k1_extlinux_value *v, const char *s, size_t n, int line)
{
	if (n >= sizeof(v->text))
		n = sizeof(v->text) - 1;
	memcpy(v->text, s, n);
	v->text[n] = 0;
	v->line = line;
}

static struct k1_extlinux_value *field(struct k1_extlinux_label *l, const char *kw, size_t n)
{
	static const struct {
		const char *kw;
		size_t off;
	} map[] = {
		{"kernel", offsetof(struct k1_extlinux_label, kernel)},
		{"linux", offsetof(struct k1_extlinux_label, kernel)},
		{"fdt", offsetof(struct k1_extlinux_label, fdt)},
		{"devicetree", offsetof(struct k1_extlinux_label, fdt)},
		{"fdtdir", offsetof(struct k1_extlinux_label, fdtdir)},
		{"devicetreedir", offsetof(struct k1_extlinux_label, fdtdir)},
		{"initrd", offsetof(struct k1_extlinux_label, initrd)},
		{"append", offsetof(struct k1_extlinux_label, append)},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].kw) == n && !strncasecmp(kw, map[i].kw, n))
			return (struct k1_extlinux_value *)((char *)l + map[i].off);
	return NULL;
}

int k1_extlinux_parse(const char *text, size_t len, struct k1_extlinux *x, struct k1_error *err)
{
	struct k1_extlinux_label *cur = NULL, scratch;
	int line = 0;

	memset(x, 0, sizeof(*x));
	if (memchr(text, 0, len))
		return k1_err(err, K1_EINVAL, "extlinux.conf: not text (a NUL byte at %zu)",
			      (size_t)((const char *)memchr(text, 0, len) - text));
	for (size_t pos = 0; pos < len;) {
		const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos, kl;
		pos += n + 1;
		line++;
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		if (!n || *s == '#')
			continue;
		for (kl = 0; kl < n && s[kl] != ' ' && s[kl] != '\t'; kl++)
			;
		const char *v = s + kl;
		size_t vl = n - kl;
		while (vl && (*v == ' ' || *v == '\t'))
			v++, vl--;
		if (kl == 5 && !strncasecmp(s, "label", 5)) {
			if (x->count == K1_EXTLINUX_LABELS)
				return k1_err(err, K1_EINVAL,
					      "extlinux.conf line %d: more than %d labels", line,
					      K1_EXTLINUX_LABELS);
			cur = &x->labels[x->count++];
			set(&cur->name, v, vl, line);
			if (!vl)
				return k1_err(err, K1_EINVAL,
					      "extlinux.conf line %d: label without a name", line);
			continue;
		}
		if (kl == 7 && !strncasecmp(s, "default", 7)) {
			set(&x->def, v, vl, line);
			continue;
		}
		struct k1_extlinux_value *f = field(cur ? cur : &scratch, s, kl);
		if (!f)
			continue; /* menu, timeout, prompt, ...: U-Boot ignores or shows them */
		if (!cur)
			return k1_err(err, K1_EINVAL,
				      "extlinux.conf line %d: '%.*s' before any 'label' line", line,
				      (int)kl, s);
		if (!vl && f != &cur->append)
			return k1_err(err, K1_EINVAL,
				      "extlinux.conf line %d: '%.*s' without a value", line,
				      (int)kl, s);
		set(f, v, vl, line);
	}
	if (!x->count)
		return k1_err(err, K1_EINVAL, "extlinux.conf: no 'label' entry (%d lines)", line);
	for (size_t i = 0; i < x->count; i++)
		if (!x->labels[i].kernel.line)
			return k1_err(
				err, K1_EINVAL,
				"extlinux.conf line %d: label %s has no 'kernel' or 'linux' line",
				x->labels[i].name.line, x->labels[i].name.text);
	if (x->def.line && !k1_extlinux_default(x))
		return k1_err(err, K1_EINVAL, "extlinux.conf line %d: default '%s' names no label",
			      x->def.line, x->def.text);
	return 0;
}

const struct k1_extlinux_label *k1_extlinux_default(const struct k1_extlinux *x)
{
	if (!x->def.line)
		return x->count ? &x->labels[0] : NULL;
	for (size_t i = 0; i < x->count; i++)
		if (!strcmp(x->labels[i].name.text, x->def.text))
			return &x->labels[i];
	return NULL;
}

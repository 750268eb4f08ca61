/* Private to the recipe engine (recipe.c, recipe_crypto.c, recipe_struct.c):
 * the evaluation context, the registry of built items and the helpers the
 * item builders share. Not part of libk1fw's API. */
#ifndef K1_RECIPE_CTX_H
#define K1_RECIPE_CTX_H

#include "recipe/recipe.h"
#include "recipe/recipe_value.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One registry entry: an item's bytes, or (key != NULL) the key a pubkey
 * item registers as "<name>_key" for signature items. */
struct entry {
	char *name;
	struct k1_buf data;
	struct k1_key *key;
	bool fresh; /* (re)built during the second pass */
};

/* A second-pass use of a name not yet rebuilt in that pass. */
struct fwdref {
	char *name;
	char *where;
	size_t len;
	uint8_t digest[64];
	bool length_only;
};

struct ctx {
	const char *recipe;
	const char *base_dir;
	const struct k1_recipe_opts *opts;
	size_t max_size;
	int pass;
	struct entry *reg;
	size_t nreg, capreg;
	struct fwdref *refs;
	size_t nrefs, caprefs;
	char path[768];
	size_t pathlen;
	struct k1_error *err;
};

/* User text shown in messages: quoted, control characters escaped, cut. */
struct qbuf {
	char s[112];
};

struct attrs {
	const char *name;
	const char *algorithm; /* NULL: absent */
	const char *source;    /* NULL: absent */
	const char *key;
	size_t align;
};

/* User text for messages (quoted, escaped, cut); errors prefixed with the
 * recipe and the item path; the item path stack. */
const char *rcp_show(struct qbuf *b, struct k1_str s, bool quoted);
const char *rcp_quote(struct qbuf *b, struct k1_str s);
const char *rcp_quotez(struct qbuf *b, const char *s);
int rcp_fail(struct ctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int rcp_fail_wrap(struct ctx *c, int code, const char *what);
size_t rcp_path_push(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rcp_path_pop(struct ctx *c, size_t old);
int rcp_check_size(struct ctx *c, size_t len);
int rcp_nomem(struct ctx *c);

/* The registry and the sources an item names. */
struct entry *rcp_reg_find(struct ctx *c, struct k1_str name);
int rcp_reg_put(struct ctx *c, struct k1_str name, const struct k1_buf *data, struct k1_key *key);
int rcp_reg_data(struct ctx *c, struct k1_str name, bool length_only, const struct entry **out);
int rcp_collect_sources(struct ctx *c, const char *source, struct k1_buf *data);

/* Items: attributes, the shared tail of every builder, the dispatcher. */
int rcp_parse_attrs(struct ctx *c, json_t *spec, const char *const *allowed, struct attrs *a);
int rcp_finish_item(struct ctx *c, const struct attrs *a, struct k1_buf *data, struct k1_buf *out);
int rcp_run_item(struct ctx *c, json_t *obj, struct k1_buf *out);

/* The item builders (recipe_crypto.c, recipe_struct.c). */
int rcp_build_file(struct ctx *c, json_t *spec, struct k1_buf *out);
int rcp_build_pubkey(struct ctx *c, json_t *spec, struct k1_buf *out);
int rcp_build_hash(struct ctx *c, json_t *spec, struct k1_buf *out);
int rcp_build_signature(struct ctx *c, json_t *spec, struct k1_buf *out);
int rcp_build_structure(struct ctx *c, json_t *list, struct k1_buf *out);

#endif

/* k1check: recognise K1 boot artefacts and run their checks through the
 * installed libk1fw, as `k1fw verify` does. Build it against an installed
 * tree:
 *   cc k1check.c $(pkg-config --cflags --libs libk1fw) -o k1check
 * Usage: k1check FILE...   Exit 0 all sound, 1 a check failed, 2 bad input. */
#include <k1fw.h>

#include <stdio.h>

static int check_one(const char *path)
{
	struct k1_error err = {0};
	struct k1_mapped m;

	if (k1_map_file(path, &m, &err)) {
		fprintf(stderr, "k1check: %s\n", err.msg);
		return 2;
	}
	const struct k1_format *f = k1_format_detect(m.data, m.len);
	if (!f) {
		fprintf(stderr, "k1check: %s: not a K1 artefact\n", path);
		k1_unmap_file(&m);
		return 2;
	}
	struct k1_input in = {.path = path, .data = m.data, .len = m.len};
	struct k1_verify_opts opts = {0};
	struct k1_checks checks = {0};
	int rc = 0;
	if (f->verify(&in, &opts, &checks, &err)) {
		fprintf(stderr, "k1check: %s: %s\n", path, err.msg);
		rc = 2;
	} else {
		size_t failed = k1_checks_failed(&checks);
		printf("%s: %s, %zu checks, %zu failed\n", path, f->name, checks.count, failed);
		for (size_t i = 0; i < checks.count; i++)
			if (!checks.items[i].ok)
				printf("  FAIL %s @ %s: %s\n", checks.items[i].name,
				       checks.items[i].where, checks.items[i].message);
		rc = failed ? 1 : 0;
	}
	k1_checks_free(&checks);
	k1_unmap_file(&m);
	return rc;
}

int main(int argc, char **argv)
{
	int worst = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: k1check FILE...  (libk1fw %s)\n", k1_version());
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int rc = check_one(argv[i]);
		if (rc > worst)
			worst = rc;
	}
	return worst;
}

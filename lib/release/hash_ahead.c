/* The big files' SHA-256 on a thread of its own (hash_ahead.h). */
#include "release/hash_ahead.h"

#include "base/bytes.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (4u << 20)

enum state { PENDING, MATCHES, DIFFERS };

struct entry {
	char *path;
	char hex[65];
	dev_t dev;
	ino_t ino;
	enum state state;
	int rc;
	char msg[sizeof(((struct k1_error *)0)->msg)];
};

struct k1_hash_ahead {
	struct entry *v;
	size_t n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop;
};

int k1_hash_ahead_add(struct k1_hash_ahead **ha, const char *path, const char *hex,
		      struct k1_error *err)
{
	struct stat st;
	struct entry *v;

	if (stat(path, &st))
		return k1_err(err, K1_EIO, "%s: %s", path, strerror(errno));
	if (!*ha) {
		if (!(*ha = calloc(1, sizeof(**ha))))
			return k1_err(err, K1_ENOMEM, "out of memory");
		pthread_mutex_init(&(*ha)->mu, NULL);
		pthread_cond_init(&(*ha)->cv, NULL);
	}
	if (!(v = realloc((*ha)->v, ((*ha)->n + 1) * sizeof(*v))))
		return k1_err(err, K1_ENOMEM, "out of memory");
	(*ha)->v = v;
	v += (*ha)->n;
	memset(v, 0, sizeof(*v));
	if (!(v->path = strdup(path)))
		return k1_err(err, K1_ENOMEM, "out of memory");
	snprintf(v->hex, sizeof(v->hex), "%s", hex);
	v->dev = st.st_dev;
	v->ino = st.st_ino;
	(*ha)->n++;
	return 0;
}

/* One file's hash into e (its state set under the lock by the caller). */
static int hash_file(struct k1_hash_ahead *ha, struct entry *e, char *got)
{
	uint8_t h[32], *buf = malloc(READ_CHUNK);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int fd = open(e->path, O_RDONLY | O_CLOEXEC), rc = 0;
	unsigned hl = 0;
	ssize_t n;

	if (fd < 0 || !buf || !md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		rc = fd < 0 ? K1_EIO : K1_ENOMEM;
		snprintf(e->msg, sizeof(e->msg), "%s: %s", e->path,
			 fd < 0 ? strerror(errno) : "out of memory");
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while ((n = read(fd, buf, READ_CHUNK)) > 0 && !__atomic_load_n(&ha->stop, __ATOMIC_RELAXED))
		EVP_DigestUpdate(md, buf, (size_t)n);
	if (n < 0) {
		rc = K1_EIO;
		snprintf(e->msg, sizeof(e->msg), "%s: %s", e->path, strerror(errno));
	} else if (!EVP_DigestFinal_ex(md, h, &hl)) {
		rc = K1_ECRYPTO;
		snprintf(e->msg, sizeof(e->msg), "%s: SHA-256 failed", e->path);
	} else {
		k1_hex(h, 32, got);
	}
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

static void *run(void *arg)
{
	struct k1_hash_ahead *ha = arg;

	for (size_t i = 0; i < ha->n && !__atomic_load_n(&ha->stop, __ATOMIC_RELAXED); i++) {
		struct entry *e = &ha->v[i];
		char got[65] = "";
		int rc = hash_file(ha, e, got);

		if (!rc && strcasecmp(got, e->hex)) {
			rc = K1_EINVAL;
			snprintf(e->msg, sizeof(e->msg),
				 "%s: SHA-256 expected %s (SHA256SUMS), found %s", e->path, e->hex,
				 got);
		}
		pthread_mutex_lock(&ha->mu);
		e->rc = rc;
		e->state = rc ? DIFFERS : MATCHES;
		pthread_cond_broadcast(&ha->cv);
		pthread_mutex_unlock(&ha->mu);
	}
	return NULL;
}

int k1_hash_ahead_start(struct k1_hash_ahead *ha, struct k1_error *err)
{
	int rc = 0;

	if (!ha)
		return 0;
	pthread_mutex_lock(&ha->mu); /* several boards' runs may share one */
	if (!ha->running && pthread_create(&ha->thread, NULL, run, ha))
		rc = k1_err(err, K1_ENOMEM, "cannot start the hashing thread");
	ha->running = !rc;
	pthread_mutex_unlock(&ha->mu);
	return rc;
}

int k1_hash_ahead_wait(struct k1_hash_ahead *ha, const char *path, struct k1_error *err)
{
	struct stat st;
	struct entry *e = NULL;
	int rc;

	if (!ha || stat(path, &st))
		return 0; /* not one of them (a file that vanished fails where it is read) */
	for (size_t i = 0; i < ha->n && !e; i++)
		if (ha->v[i].dev == st.st_dev && ha->v[i].ino == st.st_ino)
			e = &ha->v[i];
	if (!e)
		return 0;
	if ((rc = k1_hash_ahead_start(ha, err)))
		return rc;
	pthread_mutex_lock(&ha->mu);
	while (e->state == PENDING)
		pthread_cond_wait(&ha->cv, &ha->mu);
	rc = e->rc;
	pthread_mutex_unlock(&ha->mu);
	return rc ? k1_err(err, rc, "%s", e->msg) : 0;
}

int k1_hash_ahead_wait_all(struct k1_hash_ahead *ha, struct k1_error *err)
{
	int rc = 0;

	for (size_t i = 0; ha && i < ha->n && !rc; i++)
		rc = k1_hash_ahead_wait(ha, ha->v[i].path, err);
	return rc;
}

void k1_hash_ahead_free(struct k1_hash_ahead *ha)
{
	if (!ha)
		return;
	if (ha->running) {
		__atomic_store_n(&ha->stop, true, __ATOMIC_RELAXED);
		pthread_join(ha->thread, NULL);
	}
	for (size_t i = 0; i < ha->n; i++)
		free(ha->v[i].path);
	free(ha->v);
	pthread_cond_destroy(&ha->cv);
	pthread_mutex_destroy(&ha->mu);
	free(ha);
}

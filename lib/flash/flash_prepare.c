/* Opening the big images ahead (flash_prepare.h). */
#include "flash/flash_prepare.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum state { WAITING, OPENED, TAKEN };

struct item {
	const char *path; /* the plan's, which outlives the run's use of this */
	enum state state;
	int fd, rc;
	struct k1_flash_image im;
	struct k1_error err;
};

struct k1_flash_prepared {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	struct item *v;
	size_t n;
	bool fs_skip, stop;
};

static void *run(void *arg)
{
	struct k1_flash_prepared *p = arg;

	for (size_t i = 0; i < p->n; i++) {
		struct item *it = &p->v[i];
		pthread_mutex_lock(&p->mu);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (!stop)
			it->rc = k1_flash_image_open_path(it->path, p->fs_skip, &it->fd, &it->im,
							  &it->err);
		else
			it->rc = k1_err(&it->err, K1_EIO, "%s: not opened (stopped)", it->path);
		pthread_mutex_lock(&p->mu);
		it->state = OPENED;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

void k1_flash_prepare_start(const struct k1_flash_plan *plan, bool fs_skip,
			    struct k1_flash_prepared **out)
{
	struct k1_flash_prepared *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p || !(p->v = calloc(plan->count ? plan->count : 1, sizeof(*p->v)))) {
		free(p);
		return;
	}
	for (size_t i = 0; i < plan->count; i++) {
		const struct k1_flash_step *s = &plan->steps[i];
		if (s->kind == K1_STEP_FLASH && s->size >= K1_FLASH_PREPARE_MIN)
			p->v[p->n++] = (struct item){.path = s->path, .fd = -1};
	}
	p->fs_skip = fs_skip;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (!p->n || pthread_create(&p->thread, NULL, run, p)) {
		p->n = 0; /* nothing to join */
		k1_flash_prepare_free(p);
		return;
	}
	*out = p;
}

int k1_flash_prepare_take(struct k1_flash_prepared *p, const char *path, bool fs_skip, int *fd,
			  struct k1_flash_image *im, int *rc, struct k1_error *err)
{
	struct item *it = NULL;

	if (!p || fs_skip != p->fs_skip)
		return 0;
	pthread_mutex_lock(&p->mu);
	for (size_t i = 0; i < p->n && !it; i++)
		if (p->v[i].state != TAKEN && !strcmp(p->v[i].path, path))
			it = &p->v[i];
	if (!it) {
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	while (it->state == WAITING)
		pthread_cond_wait(&p->cv, &p->mu);
	it->state = TAKEN;
	pthread_mutex_unlock(&p->mu);
	*fd = it->fd;
	*im = it->im;
	if ((*rc = it->rc) && err)
		*err = it->err;
	return 1;
}

void k1_flash_prepare_free(struct k1_flash_prepared *p)
{
	if (!p)
		return;
	if (p->n) {
		pthread_mutex_lock(&p->mu);
		p->stop = true;
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].state == OPENED && !p->v[i].rc) {
			k1_flash_image_close(&p->v[i].im);
			close(p->v[i].fd);
		}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->v);
	free(p);
}

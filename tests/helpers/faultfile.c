/* SPDX-License-Identifier: MIT */
#include "faultfile.h"

#include "core/error.h"
#include "core/util.h"
#include "io/file_backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The backend's private state. */
struct faulty {
	struct kdx_file *inner;
	struct faultfile *ctl;
};

static bool touches(uint64_t offset, size_t len, uint64_t start,
		    uint64_t size)
{
	return size && offset < start + size && start < offset + len;
}

/* Decide under the lock what this read meets: an error to inject, or how
 * many bytes to serve (0: the storage ended). */
static struct kdx_error *plan_read(struct faultfile *f, uint64_t offset,
				   size_t *len)
{
	const struct faultfile_plan *p = &f->plan;
	struct faultfile_stats *s = &f->stats;
	uint64_t n = ++s->reads;

	if (p->eintr_every && n % p->eintr_every == 0) {
		s->interrupts++;
		return kdx_err_os(EINTR, "injected interruption");
	}
	if (p->vanish)
		*len = offset >= p->vanish_at ?
			       0 :
			       (size_t)kdx_min_u64(*len, p->vanish_at - offset);
	if (n == p->fail_nth ||
	    touches(offset, *len, p->bad_offset, p->bad_len)) {
		s->faults++;
		s->fault_offset = offset;
		return kdx_err_os(EIO, "injected fault");
	}
	if (p->short_reads && *len > p->short_reads) {
		*len = p->short_reads;
		s->short_reads++;
	}
	return NULL;
}

static struct kdx_error *fault_read(void *priv, uint64_t offset, void *buf,
				    size_t len, size_t *got)
{
	struct faulty *f = priv;
	struct kdx_error *err;

	pthread_mutex_lock(&f->ctl->lock);
	err = plan_read(f->ctl, offset, &len);
	pthread_mutex_unlock(&f->ctl->lock);
	if (err)
		return err;
	*got = len;
	return len ? kdx_file_read(f->inner, offset, buf, len) : NULL;
}

static uint64_t fault_next_written(void *priv, uint64_t offset)
{
	const struct faulty *f = priv;

	return kdx_file_next_written(f->inner, offset);
}

static uint64_t fault_written_end(void *priv, uint64_t offset)
{
	const struct faulty *f = priv;

	return kdx_file_written_end(f->inner, offset);
}

static void fault_close(void *priv)
{
	struct faulty *f = priv;

	kdx_file_close(f->inner);
	free(f);
}

/* No extent: a copy that bypassed the reads would bypass the faults. */
static const struct kdx_file_ops fault_ops = {
	.version = KDX_FILE_OPS_VERSION,
	.read = fault_read,
	.next_written = fault_next_written,
	.written_end = fault_written_end,
	.close = fault_close,
};

void faultfile_init(struct faultfile *f, const struct faultfile_plan *plan)
{
	pthread_mutex_init(&f->lock, NULL);
	f->plan = *plan;
	f->stats = (struct faultfile_stats){ 0 };
}

void faultfile_deinit(struct faultfile *f)
{
	pthread_mutex_destroy(&f->lock);
}

struct kdx_error *faultfile_wrap(struct faultfile *ctl, struct kdx_file *inner,
				 uint64_t size, struct kdx_file **out)
{
	struct faulty *f = malloc(sizeof(*f));
	char name[256];

	if (!f) {
		kdx_file_close(inner);
		return kdx_err_nomem();
	}
	f->inner = inner;
	f->ctl = ctl;
	snprintf(name, sizeof(name), "faulty %s", kdx_file_name(inner));
	return kdx_file_create(&fault_ops, f, name,
			       kdx_min_u64(size, kdx_file_size(inner)), out);
}

void faultfile_set_plan(struct faultfile *f, const struct faultfile_plan *p)
{
	pthread_mutex_lock(&f->lock);
	f->plan = *p;
	f->stats = (struct faultfile_stats){ 0 };
	pthread_mutex_unlock(&f->lock);
}

struct faultfile_stats faultfile_stats(struct faultfile *f)
{
	struct faultfile_stats s;

	pthread_mutex_lock(&f->lock);
	s = f->stats;
	pthread_mutex_unlock(&f->lock);
	return s;
}

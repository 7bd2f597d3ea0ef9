/* SPDX-License-Identifier: MIT */
/* Test helper: a kdx_file backend that serves another kdx_file and
 * injects faults into its reads, as SQLite's test_vfs.c does for its VFS:
 * EIO on the Nth read or on every read of a bad range, short reads,
 * EINTR, a file cut at a chosen offset and one that shrinks after it was
 * sized.  Broken and failing dumps without hand-crafting each one. */
#ifndef KDX_TESTS_FAULTFILE_H
#define KDX_TESTS_FAULTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

struct kdx_file;
struct kdx_error;

/* What to inject; all zero: nothing.  Reads are counted from when the
 * plan is set, one per call of the backend's read. */
struct faultfile_plan {
	/* Fail the Nth read (1-based) with EIO; 0: none. */
	uint64_t fail_nth;
	/* Fail every read touching [bad_offset, bad_offset + bad_len) with
	 * EIO, as a bad sector does; bad_len 0: none. */
	uint64_t bad_offset, bad_len;
	/* Hand back at most this many bytes per read; 0: all asked. */
	size_t short_reads;
	/* Interrupt (EINTR) every read whose number is a multiple of this,
	 * before it moves a byte; 0: never, 1: always. */
	unsigned int eintr_every;
	/* The storage ends at vanish_at while the size still says more (the
	 * file shrank after it was opened): reads there get 0 bytes. */
	bool vanish;
	uint64_t vanish_at;
};

/* What happened since the plan was set. */
struct faultfile_stats {
	uint64_t reads;        /* calls of the backend's read */
	uint64_t interrupts;   /* EINTRs injected */
	uint64_t short_reads;  /* reads that handed back less than asked */
	uint64_t faults;       /* EIOs injected */
	uint64_t fault_offset; /* where the last read failed with EIO began */
};

/* The caller's control block: it outlives the files that use it, so what
 * a failed open met can still be asked after the open closed the file. */
struct faultfile {
	pthread_mutex_t lock; /* reads may come from several threads */
	struct faultfile_plan plan;
	struct faultfile_stats stats;
};

void faultfile_init(struct faultfile *f, const struct faultfile_plan *plan);
void faultfile_deinit(struct faultfile *f);

/* Serve @inner (owned, also on failure) as *@out, cut to @size bytes
 * (UINT64_MAX: its own size), with faults as @f plans them. */
struct kdx_error *faultfile_wrap(struct faultfile *f, struct kdx_file *inner,
				 uint64_t size, struct kdx_file **out);

/* Replace the plan and zero the statistics. */
void faultfile_set_plan(struct faultfile *f, const struct faultfile_plan *p);
struct faultfile_stats faultfile_stats(struct faultfile *f);

#endif

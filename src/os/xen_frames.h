/* SPDX-License-Identifier: MIT */
/* What a walk of a Xen p2m has met of the dump's frames: a few bits per
 * frame the dump holds (its DATA ranges), indexed by the frame's rank
 * among them, so its size follows the dump, never a header's claim; the
 * bits live in chunks allocated when first touched. */
#ifndef KDX_OS_XEN_FRAMES_H
#define KDX_OS_XEN_FRAMES_H

#include <kdx/dump.h>
#include <kdx/error.h>

#include <stdbool.h>
#include <stdint.h>

struct kdx_frame_set;

/** An empty set over @p dump's data pages (4 KiB frames). */
struct kdx_error *kdx_frame_set_create(const struct kdx_dump *dump,
				       struct kdx_frame_set **out);

/** NULL-safe. */
void kdx_frame_set_destroy(struct kdx_frame_set *set);

/** The index of the frame holding physical address @p paddr; false when
 *  the dump does not hold that frame's bytes (a hole, memory not
 *  written, filtered out). */
bool kdx_frame_set_index(const struct kdx_frame_set *set, uint64_t paddr,
			 uint64_t *index);

/** The 4 bits kept for frame @p index (0 until set). */
unsigned int kdx_frame_set_get(const struct kdx_frame_set *set,
			       uint64_t index);

/** Keep @p bits (4 of them) for frame @p index.
 *  @return NULL, or an out-of-memory error. */
struct kdx_error *kdx_frame_set_put(struct kdx_frame_set *set, uint64_t index,
				    unsigned int bits);

#endif

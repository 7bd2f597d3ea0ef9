/* SPDX-License-Identifier: MIT */
/* The scrambled p2m the Xen tests share: machine frame m holds pfn
 * P(m) = (389 m + 17) mod XEN_TEST_FRAMES.  389 is odd, so this is a
 * bijection on [0, 1024) with no run longer than one frame: a frame left
 * unconverted cannot pass for a converted one. */
#ifndef KDX_TEST_XEN_FRAMES_H
#define KDX_TEST_XEN_FRAMES_H

#include "xlat_test.h"

#define XEN_TEST_FRAMES 1024u /* 4 MiB of machine memory */

static inline uint64_t pfn_of(uint64_t m)
{
	return (m * 389 + 17) % XEN_TEST_FRAMES;
}

static inline uint64_t mfn_of(uint64_t p)
{
	for (uint64_t m = 0; m < XEN_TEST_FRAMES; m++)
		if (pfn_of(m) == p)
			return m;
	fail_msg("no mfn for pfn %llu", (unsigned long long)p);
	return 0;
}

#endif

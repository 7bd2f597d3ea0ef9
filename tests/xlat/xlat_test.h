/* SPDX-License-Identifier: MIT */
/* Assertions shared by the translation tests. */
#ifndef KDX_TESTS_XLAT_TEST_H
#define KDX_TESTS_XLAT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptbuild.h"

/* Translate @va and check the physical address, page size and flags. */
#define assert_xlat(x, va, pa, size_, flags_)                                  \
	do {                                                                 \
		struct kdx_xlat_result r_;                                   \
		struct kdx_error *e_ = kdx_xlat_translate((x), (va), &r_);   \
		if (e_)                                                      \
			fail_msg("0x%llx: %s", (unsigned long long)(va),     \
				 kdx_error_message(e_));                     \
		assert_int_equal(r_.paddr, (pa));                            \
		assert_int_equal(r_.page_size, (size_));                      \
		assert_int_equal(r_.flags, (flags_));                         \
	} while (0)

/* Translate @va, expect failure with @code and exactly @msg. */
#define assert_xlat_fails(x, va, code, msg)                                  \
	do {                                                                 \
		struct kdx_xlat_result r_;                                   \
		struct kdx_error *e_ = kdx_xlat_translate((x), (va), &r_);   \
		assert_non_null(e_);                                         \
		assert_string_equal(kdx_error_message(e_), (msg));           \
		assert_int_equal(kdx_error_code(e_), (code));                \
		kdx_error_destroy(e_);                                       \
	} while (0)

/* One expected mapping. */
struct want_map {
	uint64_t vaddr, paddr, size;
	unsigned int flags;
};

static inline void assert_maps(const struct ptb_maps *got,
			       const struct want_map *want, size_t n)
{
	for (size_t i = 0; i < got->count && i < n; i++) {
		if (got->maps[i].vaddr != want[i].vaddr ||
		    got->maps[i].paddr != want[i].paddr ||
		    got->maps[i].size != want[i].size ||
		    got->maps[i].flags != want[i].flags)
			fail_msg("mapping %zu: got 0x%llx->0x%llx size 0x%llx flags 0x%x, want 0x%llx->0x%llx size 0x%llx flags 0x%x",
				 i, (unsigned long long)got->maps[i].vaddr,
				 (unsigned long long)got->maps[i].paddr,
				 (unsigned long long)got->maps[i].size,
				 got->maps[i].flags,
				 (unsigned long long)want[i].vaddr,
				 (unsigned long long)want[i].paddr,
				 (unsigned long long)want[i].size, want[i].flags);
	}
	assert_int_equal(got->count, n);
}

#define RW KDX_PAGE_WRITABLE
#define US KDX_PAGE_USER
#define NX KDX_PAGE_NX
#define GL KDX_PAGE_GLOBAL

#endif

/* SPDX-License-Identifier: MIT */
/* Fuzz what kdx reads of a Xen host from its machine memory and notes:
 * the input is an ELF dump (opened as fuzz_common.c does), then the PV
 * domains found by their start_info pages, each one's p2m walked (list
 * and tree), and dom0's tree named by Xen's crash notes.  Every entry a
 * walk hands out is in the range its report covers, the counts add up,
 * and every walk ends. */
#include "fuzz_common.h"

#include <kdx/xen.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DOMAINS 8
/* Larger guests are walked by the library alike, only slower: the fuzzer
 * needs their parsing, not their size.  Walks whose extent the input
 * names elsewhere (dom0's tree from Xen's crash notes: up to 2^28 pfns,
 * a 1 TiB guest, ~1 s of entries under ASan) are stopped by the callback
 * after as many entries.  2^12 entries are 8 leaf pages of 8-byte words:
 * more than a 16 KiB input holds without repeating pages, and repeats
 * are seen within them; 2^16 cost ~1 ms an execution in entries alone. */
#define MAX_FUZZ_PFNS (1u << 12)

struct seen {
	uint64_t entries, last;
	bool ordered;
};

static bool on_entry(void *arg, uint64_t pfn, uint64_t mfn,
		     enum kdx_xen_p2m_kind kind)
{
	struct seen *s = arg;

	(void)mfn;
	FUZZ_CHECK(kind <= KDX_XEN_P2M_FOREIGN);
	if (s->entries && pfn <= s->last)
		s->ordered = false;
	s->entries++;
	s->last = pfn;
	return s->entries < MAX_FUZZ_PFNS;
}

static void walk(const struct kdx_dump *dump, const struct kdx_xen_domain *d,
		 enum kdx_xen_p2m_shape shape)
{
	struct kdx_xen_p2m_report r;
	struct seen s = { 0, 0, true };
	struct kdx_error *err =
		kdx_xen_linux_p2m_walk(dump, d, shape, on_entry, &s, &r);

	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	FUZZ_CHECK(s.ordered);
	FUZZ_CHECK(s.entries == r.frames + r.identity + r.foreign);
	FUZZ_CHECK(!s.entries || s.last < r.covered);
	if (s.entries < MAX_FUZZ_PFNS) /* a stopped walk counted only so far */
		FUZZ_CHECK(r.frames + r.identity + r.foreign + r.missing +
				   r.unreadable == r.covered);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_dump *dump = kdx_fuzz_open_as(data, size, "elf");
	struct kdx_xen_domain d[MAX_DOMAINS];
	size_t n;
	struct kdx_error *err;

	if (!dump)
		return 0;
	err = kdx_xen_find_domains(dump, d, MAX_DOMAINS, &n);
	if (err) {
		kdx_fuzz_error(err);
	} else {
		for (size_t i = 0; i < n && i < MAX_DOMAINS; i++) {
			FUZZ_CHECK(d[i].word == 4 || d[i].word == 8);
			FUZZ_CHECK(d[i].max_pfn && !(d[i].shared_info & 4095));
			if (d[i].max_pfn > MAX_FUZZ_PFNS)
				continue;
			walk(dump, &d[i], KDX_XEN_P2M_LIST);
			walk(dump, &d[i], KDX_XEN_P2M_TREE);
		}
	}
	walk(dump, NULL, KDX_XEN_P2M_AUTO);
	kdx_dump_destroy(dump);
	return 0;
}

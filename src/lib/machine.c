/* SPDX-License-Identifier: MIT */
/* Machine addresses of a Xen guest's dump: each machine page goes through
 * the m2p (built once by the reader from the dump's own p2m) to its
 * pseudo-physical page, which is read as any physical page.  Nothing here
 * translates a virtual address, so a page-table walk by machine address
 * cannot recurse (seed 000). */
#include "lib/dump.h"

#include <kdx/xlat_dump.h>

#include "format/common/p2m.h"

#include <string.h>

bool kdx_dump_has_machine(const struct kdx_dump *dump)
{
	return dump->p2m != NULL;
}

static struct kdx_error *no_machine(void)
{
	return kdx_err(KDX_ERR_UNSUPPORTED,
		       "this dump has no machine addresses (it is not a Xen PV guest's)");
}

struct kdx_error *kdx_dump_p2m_info(const struct kdx_dump *dump,
				    struct kdx_p2m_info *out)
{
	const struct kdx_p2m *m = dump->p2m;

	if (!m)
		return no_machine();
	out->frames = m->frames;
	out->max_pfn = m->max_pfn;
	out->max_mfn = m->max_mfn;
	out->runs = m->pfn_runs;
	out->source = m->source;
	return NULL;
}

struct kdx_error *kdx_machine_to_phys(const struct kdx_dump *dump,
				      uint64_t maddr, uint64_t *paddr)
{
	const struct kdx_p2m *m = dump->p2m;
	uint64_t pfn, mask;

	if (!m)
		return no_machine();
	mask = (1ull << m->page_shift) - 1;
	if (!kdx_p2m_pfn(m, maddr >> m->page_shift, &pfn))
		return kdx_err_set_address(
			kdx_err(KDX_ERR_NODATA,
				"machine address 0x%llx: no pfn maps mfn 0x%llx (the p2m maps %llu frames, mfns up to 0x%llx)",
				(unsigned long long)maddr,
				(unsigned long long)(maddr >> m->page_shift),
				(unsigned long long)m->frames,
				(unsigned long long)m->max_mfn),
			maddr);
	*paddr = pfn << m->page_shift | (maddr & mask);
	return NULL;
}

struct kdx_error *kdx_phys_to_machine(const struct kdx_dump *dump,
				      uint64_t paddr, uint64_t *maddr)
{
	const struct kdx_p2m *m = dump->p2m;
	uint64_t mfn, mask;

	if (!m)
		return no_machine();
	mask = (1ull << m->page_shift) - 1;
	/* Beyond the map: one error naming what it covers (seed 001), not
	 * a guess. */
	if (!m->frames || paddr >> m->page_shift > m->max_pfn)
		return kdx_err_set_address(
			kdx_err(KDX_ERR_NODATA,
				"physical address 0x%llx: pfn 0x%llx is beyond the p2m, which covers pfns 0x0-0x%llx",
				(unsigned long long)paddr,
				(unsigned long long)(paddr >> m->page_shift),
				(unsigned long long)m->max_pfn),
			paddr);
	if (!kdx_p2m_mfn(m, paddr >> m->page_shift, &mfn))
		return kdx_err_set_address(
			kdx_err(KDX_ERR_NODATA,
				"physical address 0x%llx: the p2m has no mfn for pfn 0x%llx (a gap: it maps %llu frames of pfns 0x0-0x%llx)",
				(unsigned long long)paddr,
				(unsigned long long)(paddr >> m->page_shift),
				(unsigned long long)m->frames,
				(unsigned long long)m->max_pfn),
			paddr);
	*maddr = mfn << m->page_shift | (paddr & mask);
	return NULL;
}

/* Totals of one page's read, its addresses moved back to machine ones. */
static void add_page_stats(struct kdx_read_stats *total,
			   const struct kdx_read_stats *part, uint64_t maddr,
			   uint64_t paddr)
{
	if (part->zero_bytes && !total->zero_bytes)
		total->first_zero = maddr + (part->first_zero - paddr);
	if (part->hole_bytes && !total->hole_bytes)
		total->first_hole = maddr + (part->first_hole - paddr);
	if (part->excluded_bytes && !total->excluded_bytes)
		total->first_excluded = maddr + (part->first_excluded - paddr);
	total->zero_bytes += part->zero_bytes;
	total->hole_bytes += part->hole_bytes;
	total->excluded_bytes += part->excluded_bytes;
}

struct kdx_error *kdx_read_machine(const struct kdx_dump *dump,
				   uint64_t maddr, void *buf, size_t len,
				   unsigned int flags,
				   struct kdx_read_stats *stats)
{
	struct kdx_read_stats local, *total = stats ? stats : &local;
	uint8_t *out = buf;
	size_t done = 0;

	memset(total, 0, sizeof(*total));
	if (!dump->p2m)
		return no_machine();
	/* Bounded: every pass consumes the rest of one page at least. */
	while (done < len) {
		uint64_t at = maddr + done, page = 1ull << dump->p2m->page_shift;
		size_t n = (size_t)(page - (at & (page - 1)));
		struct kdx_read_stats part;
		struct kdx_error *err;
		uint64_t paddr;

		if (n > len - done)
			n = len - done;
		err = kdx_machine_to_phys(dump, at, &paddr);
		if (err && (flags & KDX_READ_ZERO_FILL)) {
			kdx_error_destroy(err);
			memset(out + done, 0, n);
			if (!total->hole_bytes)
				total->first_hole = at;
			total->hole_bytes += n;
			done += n;
			continue;
		}
		if (err)
			return err;
		err = kdx_read_phys(dump, paddr, out + done, n, flags, &part);
		add_page_stats(total, &part, at, paddr);
		if (err)
			return kdx_err_wrap(err, "machine address 0x%llx (pseudo-physical 0x%llx)",
					    (unsigned long long)at,
					    (unsigned long long)paddr);
		done += n;
	}
	return NULL;
}

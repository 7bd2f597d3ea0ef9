/* SPDX-License-Identifier: MIT */
/* The OS layer: one entry per kernel kdx can set up, listed once in
 * registry.c.  An entry says how sure it is that a dump holds its kernel
 * (detect) and fills the layout from the dump (probe).  The user's
 * overrides are put into the layout before the probe, once, by
 * kdx_kernel_probe(): a probe only fills what is still unknown.
 *
 * Adding a kernel: write its file ending in a `const struct kdx_os_ops`
 * (name, os, detect, probe), add the file to KDX_LIB_SOURCES, and its
 * extern and its row to registry.c; a new kind of kernel also gets its
 * enum kdx_os value (FreeBSD and Xen have theirs) and, for values only
 * it has, its part in struct kdx_kernel_layout (as Linux's lnx). */
#ifndef KDX_OS_OS_H
#define KDX_OS_OS_H

#include <kdx/dump.h>
#include <kdx/error.h>
#include <kdx/kernel.h>
#include <kdx/xlat_dump.h>

/* How sure detect() is that the dump holds its kernel; the registry
 * takes the surest entry, the first listed on a tie. */
enum kdx_os_match {
	/* Not this kernel (another architecture, another OS's marks). */
	KDX_OS_MATCH_NO = 0,
	/* The architecture fits and nothing in the dump names a kernel:
	 * the entry can still set up from CPU state or overrides. */
	KDX_OS_MATCH_FALLBACK,
	/* The kernel's own marks: Linux's VMCOREINFO, a FreeBSD minidump
	 * header. */
	KDX_OS_MATCH_LIKELY,
	/* Marks that rule the others out (a Xen PV guest's p2m: its page
	 * tables hold machine frames, whatever kernel it runs). */
	KDX_OS_MATCH_CERTAIN,
};

struct kdx_page_filter;

struct kdx_os_ops {
	/* Short name for messages and tests: "linux-x86", "linux-arm64". */
	const char *name;
	/* The kernel it sets up (several entries may share one). */
	enum kdx_os os;
	/* How sure the entry is that @dump is its kernel (enum
	 * kdx_os_match); cheap, no I/O beyond the dump's accessors. */
	enum kdx_os_match (*detect)(const struct kdx_dump *dump);
	/* Fill @layout from @dump.  On entry @layout holds the user's
	 * overrides (their has_ flags set, sources "command line"); a probe
	 * keeps every value that is already known and derives the others
	 * from them.  @given is what the user set (read only, for decisions
	 * such as "a root given by hand makes a mode worth assuming").
	 * Returns NULL (the layout may still lack a root: its note says
	 * why) or an error for a kernel that cannot be set up. */
	struct kdx_error *(*probe)(const struct kdx_dump *dump,
				   const struct kdx_kernel_options *given,
				   struct kdx_kernel_layout *layout);
	/* Optional: what a conversion must change in the pages it writes
	 * for its output to read as an ordinary dump of this kernel (see
	 * page_filter.h); *out = NULL when nothing.  @self is the entry,
	 * for kdx_os_probe(); @opts the user's overrides. */
	struct kdx_error *(*output_filter)(const struct kdx_dump *dump,
					   const struct kdx_os_ops *self,
					   const struct kdx_kernel_options *opts,
					   struct kdx_page_filter **out);
};

/* The entry for @dump's kernel, or NULL when none claims it. */
const struct kdx_os_ops *kdx_os_find(const struct kdx_dump *dump);

/* Set up @layout with @os: empty it, name the OS, put @opts in (once,
 * for every entry), then call the entry's probe.  kdx_kernel_probe()
 * does this with the entry kdx_os_find() chose. */
struct kdx_error *kdx_os_probe(const struct kdx_os_ops *os,
			       const struct kdx_dump *dump,
			       const struct kdx_kernel_options *opts,
			       struct kdx_kernel_layout *layout);

/* Every entry, in table order, NULL-terminated (for tests). */
extern const struct kdx_os_ops *const kdx_os_table[];

/* Xen PV guests (xen_pv.c, shared with xen_p2m.c).  Whether the dump is
 * one: it maps machine addresses, is a legacy xc_core whose physical
 * addresses are machine ones, or holds a PV kernel in a host's machine
 * memory. */
bool kdx_xen_pv_detect(const struct kdx_dump *dump);
/* A fact the xc_core reader left as a "0x..." detail ("xen_p2m_vaddr",
 * "xen_p2m_cr3", "xen_p2m_frame_list_list", "xen_phys_is_machine")
 * until the dump's typed facts hold them; false if absent. */
bool kdx_xen_fact(const struct kdx_dump *dump, const char *key,
		  uint64_t *value);
/* The page filter that turns a PV guest's page tables into pseudo-
 * physical ones in a conversion's output (xen_pv_tables.c). */
struct kdx_error *kdx_xen_pv_output_filter(const struct kdx_dump *dump,
					   const struct kdx_os_ops *self,
					   const struct kdx_kernel_options *opts,
					   struct kdx_page_filter **out);

#endif

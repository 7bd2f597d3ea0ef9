/* SPDX-License-Identifier: MIT */
/* kdx info's Xen part: Xen's crash notes (a Xen host's kdump), Linux's
 * own p2m of a PV guest's dump checked against the dump's, and the PV
 * domains found in a dump of a Xen host's machine memory. */
#include "cli/json.h"
#include "cli/maps_xen.h"
#include "cli/xlat_args.h"

#include <kdx/xen.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Domains listed at most. */
#define MAX_DOMAINS 16

/* A Xen PV guest: Linux's own p2m, read from its memory, against the
 * dump's (an independent check of both). */
static void linux_p2m_text(const struct kdx_xen_p2m_report *r)
{
	printf("  linux p2m   %s at 0x%" PRIx64 ": %" PRIu64
	       " frames for pfns 0x0-0x%" PRIx64 " (%" PRIu64 " missing, %" PRIu64
	       " identity, %" PRIu64 " foreign, %" PRIu64 " unreadable)",
	       r->shape == KDX_XEN_P2M_LIST ? "linear list" : "frame-list tree",
	       r->root, r->frames, r->covered ? r->covered - 1 : 0, r->missing,
	       r->identity, r->foreign, r->unreadable);
	if (r->repeated)
		printf("; %" PRIu64 " pfns under pages named again (first: pfn 0x%"
		       PRIx64 ", page at mfn 0x%" PRIx64 ", entry at 0x%" PRIx64 ")",
		       r->repeated, r->first_repeated, r->first_repeated_mfn,
		       r->first_repeated_at);
	if (r->duplicate)
		printf("; %" PRIu64 " pfns on a frame a lower pfn has (first: pfn 0x%"
		       PRIx64 " -> mfn 0x%" PRIx64 ", entry at 0x%" PRIx64 ")",
		       r->duplicate, r->first_duplicate, r->first_duplicate_mfn,
		       r->first_duplicate_at);
	if (!r->compared)
		printf("\n");
	else if (!r->differ)
		printf("; the dump's p2m agrees\n");
	else
		printf("; the dump's p2m differs for %" PRIu64
		       " (first: pfn 0x%" PRIx64 ", Linux says mfn 0x%" PRIx64 ")\n",
		       r->differ, r->first_differ, r->first_differ_mfn);
}

static void first_json(struct json *j, const char *name, uint64_t count,
		       uint64_t pfn, uint64_t mfn, uint64_t at)
{
	json_key(j, name);
	json_object_begin(j);
	json_key(j, "count");
	json_u64(j, count);
	if (count) {
		json_key(j, "first_pfn");
		json_u64(j, pfn);
		json_key(j, "first_mfn");
		json_u64(j, mfn);
		json_key(j, "first_entry_at");
		json_u64(j, at);
	}
	json_object_end(j);
}

void cli_xen_p2m_damage_json(struct json *j,
			     const struct kdx_xen_p2m_report *r)
{
	first_json(j, "repeated", r->repeated, r->first_repeated,
		   r->first_repeated_mfn, r->first_repeated_at);
	first_json(j, "duplicate", r->duplicate, r->first_duplicate,
		   r->first_duplicate_mfn, r->first_duplicate_at);
}

static void linux_p2m_json(struct json *j, const struct kdx_xen_p2m_report *r)
{
	json_key(j, "linux_p2m");
	json_object_begin(j);
	json_key(j, "shape");
	json_string(j, r->shape == KDX_XEN_P2M_LIST ? "list" : "tree");
	json_key(j, "root");
	json_u64(j, r->root);
	json_key(j, "covered_pfns");
	json_u64(j, r->covered);
	json_key(j, "frames");
	json_u64(j, r->frames);
	json_key(j, "missing");
	json_u64(j, r->missing);
	json_key(j, "unreadable");
	json_u64(j, r->unreadable);
	cli_xen_p2m_damage_json(j, r);
	if (r->compared) {
		json_key(j, "differ_from_dump");
		json_u64(j, r->differ);
	}
	json_object_end(j);
}

static void linux_p2m(const struct kdx_dump *dump, struct json *j)
{
	struct kdx_xen_p2m_report r;
	struct kdx_error *err;

	if (!kdx_dump_has_machine(dump) &&
	    !(kdx_dump_facts(dump)->set & KDX_FACT_XEN_DOM0_P2M))
		return;
	err = kdx_xen_linux_p2m(dump, KDX_XEN_P2M_AUTO, &r);
	if (err && !j)
		printf("  linux p2m   %s\n", kdx_error_message(err));
	else if (!err && j)
		linux_p2m_json(j, &r);
	else if (!err)
		linux_p2m_text(&r);
	kdx_error_destroy(err);
}

void cli_xen_domain_text(size_t index, const struct kdx_xen_domain *d,
			 const char *prefix)
{
	printf("%sxen domain %zu: %s%s, start_info at machine 0x%" PRIx64
	       ", shared_info 0x%" PRIx64 ", %" PRIu64
	       " pages, max_pfn 0x%" PRIx64 ", p2m list 0x%" PRIx64
	       " (cr3 0x%" PRIx64 "), tree 0x%" PRIx64 "%s\n",
	       prefix, index,
	       d->flags & KDX_XEN_SIF_INITDOMAIN ? "dom0" : "domU",
	       d->word == 4 ? " (32-bit)" : "", d->start_info, d->shared_info,
	       d->nr_pages, d->max_pfn, d->p2m_vaddr, d->p2m_cr3,
	       d->frame_list_list,
	       d->verified ? "" : " (not verified: its frame is not in its p2m)");
}

static void crash_info_text(const struct kdx_dump_facts *f)
{
	printf("xen:        %" PRIu64 ".%" PRIu64 " (crash_xen_info_t v%u), tainted 0x%" PRIx64,
	       f->xen_major_version, f->xen_minor_version,
	       f->xen_crash_info_version, f->xen_tainted);
	if (f->set & KDX_FACT_XEN_PHYS_START)
		printf(", xen_phys_start 0x%" PRIx64, f->xen_phys_start);
	if (f->set & KDX_FACT_XEN_DOM0_P2M)
		printf(", dom0 p2m tree at mfn 0x%" PRIx64, f->xen_dom0_p2m_fll);
	printf("\n  extra_version at 0x%" PRIx64 ", changeset 0x%" PRIx64
	       ", compiler 0x%" PRIx64 " (Xen's virtual addresses)\n",
	       f->xen_extra_version, f->xen_changeset, f->xen_compiler);
}

static void crash_info_json(struct json *j, const struct kdx_dump_facts *f)
{
	json_key(j, "xen_crash_info");
	json_object_begin(j);
	json_key(j, "version");
	json_u64(j, f->xen_crash_info_version);
	json_key(j, "xen_major_version");
	json_u64(j, f->xen_major_version);
	json_key(j, "xen_minor_version");
	json_u64(j, f->xen_minor_version);
	json_key(j, "xen_extra_version");
	json_u64(j, f->xen_extra_version);
	json_key(j, "xen_changeset");
	json_u64(j, f->xen_changeset);
	json_key(j, "xen_compiler");
	json_u64(j, f->xen_compiler);
	json_key(j, "xen_compile_date");
	json_u64(j, f->xen_compile_date);
	json_key(j, "xen_compile_time");
	json_u64(j, f->xen_compile_time);
	json_key(j, "tainted");
	json_u64(j, f->xen_tainted);
	json_key(j, "xen_phys_start");
	if (f->set & KDX_FACT_XEN_PHYS_START)
		json_u64(j, f->xen_phys_start);
	else
		json_null(j);
	json_key(j, "dom0_pfn_to_mfn_frame_list_list");
	if (f->set & KDX_FACT_XEN_DOM0_P2M)
		json_u64(j, f->xen_dom0_p2m_fll);
	else
		json_null(j);
	json_object_end(j);
}

static void domain_json(struct json *j, const struct kdx_dump *dump,
			const struct kdx_xen_domain *d)
{
	struct kdx_xen_p2m_report r;
	struct kdx_error *err;

	json_object_begin(j);
	json_key(j, "initial_domain");
	json_bool(j, (d->flags & KDX_XEN_SIF_INITDOMAIN) != 0);
	json_key(j, "word_size");
	json_u64(j, d->word);
	json_key(j, "start_info");
	json_u64(j, d->start_info);
	json_key(j, "verified");
	json_bool(j, d->verified);
	json_key(j, "flags");
	json_u64(j, d->flags);
	json_key(j, "nr_pages");
	json_u64(j, d->nr_pages);
	json_key(j, "shared_info");
	json_u64(j, d->shared_info);
	json_key(j, "max_pfn");
	json_u64(j, d->max_pfn);
	json_key(j, "p2m_cr3");
	json_u64(j, d->p2m_cr3);
	json_key(j, "p2m_vaddr");
	json_u64(j, d->p2m_vaddr);
	json_key(j, "frame_list_list");
	json_u64(j, d->frame_list_list);
	err = kdx_xen_linux_p2m_walk(dump, d, KDX_XEN_P2M_AUTO, NULL, NULL, &r);
	if (err) {
		json_key(j, "linux_p2m_error");
		json_string(j, kdx_error_message(err));
	} else {
		linux_p2m_json(j, &r);
	}
	kdx_error_destroy(err);
	json_object_end(j);
}

/* Worth a scan of every page: a PV kernel runs in this machine memory
 * (the kernel probe chose the Xen PV walk without a p2m), or Xen's
 * crash notes say it is a Xen host's. */
static bool host_memory(const struct kdx_dump *dump,
			const struct kdx_kernel_layout *layout)
{
	if (kdx_dump_has_machine(dump))
		return false;
	return (kdx_dump_facts(dump)->set & KDX_FACT_XEN_CRASH_INFO) ||
	       (layout && !strncmp(layout->mode_source, "Xen PV", 6));
}

static void domains(const struct kdx_dump *dump, struct json *j)
{
	struct kdx_xen_domain d[MAX_DOMAINS];
	size_t n;
	struct kdx_error *err = kdx_xen_find_domains(dump, d, MAX_DOMAINS, &n);

	if (err) {
		if (!j)
			printf("xen domains: %s\n", kdx_error_message(err));
		kdx_error_destroy(err);
		return;
	}
	if (j) {
		json_key(j, "xen_domains");
		json_array_begin(j);
		for (size_t i = 0; i < n && i < MAX_DOMAINS; i++)
			domain_json(j, dump, &d[i]);
		json_array_end(j);
		return;
	}
	printf("xen domains: %zu PV domain%s in machine memory (start_info pages)\n",
	       n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < MAX_DOMAINS; i++) {
		struct kdx_xen_p2m_report r;

		cli_xen_domain_text(i, &d[i], "  ");
		err = kdx_xen_linux_p2m_walk(dump, &d[i], KDX_XEN_P2M_AUTO,
					     NULL, NULL, &r);
		if (err)
			printf("  linux p2m   %s\n", kdx_error_message(err));
		else
			linux_p2m_text(&r);
		kdx_error_destroy(err);
	}
}

void cli_info_xen(const struct kdx_dump *dump,
		  const struct kdx_kernel_layout *layout, struct json *j)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(dump);

	if (f->set & KDX_FACT_XEN_CRASH_INFO) {
		if (j)
			crash_info_json(j, f);
		else
			crash_info_text(f);
	}
	linux_p2m(dump, j);
	if (host_memory(dump, layout))
		domains(dump, j);
}

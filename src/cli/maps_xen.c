/* SPDX-License-Identifier: MIT */
/* kdx maps --xen-p2m: a Xen PV guest's p2m as Linux keeps it (its linear
 * list, else its tree), one line per pfn that is not missing: what a
 * harness compares with an independent p2m (xen-mfndump's, Xen's m2p).
 * The guest is the dump's own, or, in a dump of a Xen host's machine
 * memory, one of the domains found there (--xen-domain). */
#include "cli/json.h"
#include "cli/maps_xen.h"

#include <kdx/xen.h>

#include <inttypes.h>
#include <stdio.h>

/* Domains listed at most. */
#define MAX_DOMAINS 64

static const char *kind_name(enum kdx_xen_p2m_kind kind)
{
	return kind == KDX_XEN_P2M_IDENTITY ? "identity" :
	       kind == KDX_XEN_P2M_FOREIGN ? "foreign" : "frame";
}

struct p2m_out {
	struct json *j;
};

static bool on_entry(void *arg, uint64_t pfn, uint64_t mfn,
		     enum kdx_xen_p2m_kind kind)
{
	struct p2m_out *o = arg;

	if (o->j) {
		json_array_begin(o->j);
		json_u64(o->j, pfn);
		json_u64(o->j, mfn);
		json_string(o->j, kind_name(kind));
		json_array_end(o->j);
	} else if (kind == KDX_XEN_P2M_FRAME) {
		printf("0x%" PRIx64 " 0x%" PRIx64 "\n", pfn, mfn);
	} else {
		printf("0x%" PRIx64 " 0x%" PRIx64 " %s\n", pfn, mfn,
		       kind_name(kind));
	}
	return true;
}

static void report_text(const struct kdx_xen_p2m_report *r, const char *who)
{
	printf("# %s: Linux's p2m, %s at 0x%" PRIx64 ", pfns 0x0-0x%" PRIx64
	       ": %" PRIu64 " frames, %" PRIu64 " identity, %" PRIu64
	       " foreign, %" PRIu64 " missing, %" PRIu64 " unreadable, %" PRIu64
	       " repeated, %" PRIu64 " duplicate\n",
	       who, r->shape == KDX_XEN_P2M_LIST ? "linear list" : "tree",
	       r->root, r->covered ? r->covered - 1 : 0, r->frames,
	       r->identity, r->foreign, r->missing, r->unreadable,
	       r->repeated, r->duplicate);
}

bool cli_xen_p2m_warn(const struct kdx_xen_p2m_report *r, const char *who)
{
	if (r->repeated)
		fprintf(stderr, "kdx: warning: %s: Linux's p2m names pages it already used: %" PRIu64
			" pfn%s left out (first: pfn 0x%" PRIx64 ", page at mfn 0x%" PRIx64
			" named again by the entry at machine address 0x%" PRIx64 ")\n",
			who, r->repeated, r->repeated == 1 ? "" : "s",
			r->first_repeated,
			r->first_repeated_mfn, r->first_repeated_at);
	if (r->duplicate)
		fprintf(stderr, "kdx: warning: %s: Linux's p2m gives %" PRIu64
			" pfn%s a frame a lower pfn has (first: pfn 0x%" PRIx64 " -> mfn 0x%" PRIx64
			", entry at machine address 0x%" PRIx64 ")\n",
			who, r->duplicate, r->duplicate == 1 ? "" : "s",
			r->first_duplicate,
			r->first_duplicate_mfn, r->first_duplicate_at);
	return r->repeated || r->duplicate;
}

static void report_json(struct json *j, const struct kdx_xen_p2m_report *r)
{
	json_key(j, "shape");
	json_string(j, r->shape == KDX_XEN_P2M_LIST ? "list" : "tree");
	json_key(j, "root");
	json_u64(j, r->root);
	json_key(j, "covered_pfns");
	json_u64(j, r->covered);
	json_key(j, "frames");
	json_u64(j, r->frames);
	json_key(j, "identity");
	json_u64(j, r->identity);
	json_key(j, "foreign");
	json_u64(j, r->foreign);
	json_key(j, "missing");
	json_u64(j, r->missing);
	json_key(j, "unreadable");
	json_u64(j, r->unreadable);
	cli_xen_p2m_damage_json(j, r);
}

/* The domain @index asks for among those found, in *out; *out NULL for
 * the dump's own guest (when @index is -1 and the dump has one).  False,
 * the error printed, when there is no such domain. */
static bool choose(const struct kdx_dump *dump, long index,
				struct kdx_xen_domain *found, size_t *n,
				const struct kdx_xen_domain **out)
{
	struct kdx_error *err;

	*out = NULL;
	if (index < 0 && (kdx_dump_has_machine(dump) ||
			  (kdx_dump_facts(dump)->set &
			   (KDX_FACT_MAX_PFN | KDX_FACT_XEN_DOM0_P2M))))
		return true;
	err = kdx_xen_find_domains(dump, found, MAX_DOMAINS, n);
	if (err) {
		cli_report(err);
		return false;
	}
	if (*n > MAX_DOMAINS)
		*n = MAX_DOMAINS;
	if (index < 0)
		index = 0;
	if ((size_t)index >= *n) {
		fprintf(stderr, "kdx: --xen-domain %ld: %zu Xen PV domains found in the dump's memory\n",
			index, *n);
		return false;
	}
	*out = &found[index];
	return true;
}

int cli_maps_xen_p2m(const struct kdx_dump *dump, long domain_index,
		     bool json)
{
	struct kdx_xen_domain found[MAX_DOMAINS];
	const struct kdx_xen_domain *dom;
	struct kdx_xen_p2m_report r;
	struct json j;
	struct p2m_out o = { json ? &j : NULL };
	struct kdx_error *err;
	size_t n = 0;
	char who[64];

	if (!choose(dump, domain_index, found, &n, &dom))
		return EXIT_NOTFOUND;
	if (dom)
		snprintf(who, sizeof(who), "xen domain %ld (%s)",
			 (long)(dom - found),
			 dom->flags & KDX_XEN_SIF_INITDOMAIN ? "dom0" : "domU");
	else
		snprintf(who, sizeof(who), "the dump's guest");
	if (json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "guest");
		json_string(&j, who);
		if (dom) {
			json_key(&j, "start_info");
			json_u64(&j, dom->start_info);
		}
		json_key(&j, "entries");
		json_array_begin(&j);
	} else if (dom) {
		cli_xen_domain_text((size_t)(dom - found), dom, "# ");
		printf("# PFN MFN [identity|foreign]\n");
	}
	err = kdx_xen_linux_p2m_walk(dump, dom, KDX_XEN_P2M_AUTO, on_entry, &o,
				     &r);
	if (json) {
		json_array_end(&j);
		if (!err)
			report_json(&j, &r);
		json_object_end(&j);
		json_finish(&j);
	}
	if (err)
		return cli_report(err);
	if (!json)
		report_text(&r, who);
	if (cli_xen_p2m_warn(&r, who))
		return EXIT_DUMP;
	return r.unreadable ? EXIT_DUMP : EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
/* kdx maps --xen-p2m, and the Xen domains line `kdx info` shares. */
#ifndef KDX_CLI_MAPS_XEN_H
#define KDX_CLI_MAPS_XEN_H

#include "cli/cli.h"

#include <kdx/xen.h>

/* Print a guest's p2m (the dump's own guest when @domain_index is -1 and
 * it has one, else the domain of that index kdx_xen_find_domains()
 * found); returns an exit code. */
int cli_maps_xen_p2m(const struct kdx_dump *dump, long domain_index,
		     bool json);

/* Warnings on stderr for what a p2m walk found damaged (pages met again,
 * frames given to several pfns), naming the first pfn, frame and entry;
 * whether there was any. */
bool cli_xen_p2m_warn(const struct kdx_xen_p2m_report *r, const char *who);

/* The same as "repeated" and "duplicate" objects of the --json output
 * (in info_xen.c: kdx info --json, which the Python module links, has
 * them too). */
struct json;
void cli_xen_p2m_damage_json(struct json *j,
			     const struct kdx_xen_p2m_report *r);

/* One line describing a domain found in machine memory. */
void cli_xen_domain_text(size_t index, const struct kdx_xen_domain *d,
			 const char *prefix);

#endif

/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Linux set-ups of every architecture. */
#include "os/linux_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kdx_linux_source(char *dst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, KDX_SOURCE_LEN, fmt, ap);
	va_end(ap);
}

void kdx_linux_note(struct kdx_kernel_layout *out, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(out->note);

	/* Notes accumulate: "; " between them. */
	if (n && n + 2 < sizeof(out->note)) {
		memcpy(out->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->note + n, sizeof(out->note) - n, fmt, ap);
	va_end(ap);
}

/* SYMBOL(name) that VMCOREINFO lacks, from the kernel image given with
 * --kernel (vmlinux): its link address plus the KASLR slide VMCOREINFO
 * gives (KERNELOFFSET), as VMCOREINFO's own SYMBOL() values are. */
static bool symbol_from_image(const struct kdx_dump *dump, const char *key,
			      uint64_t *value)
{
	size_t n = strlen(key);
	char name[128];
	uint64_t v, slide = 0;
	struct kdx_error *err;

	if (n < 9 || n - 8 >= sizeof(name) || strncmp(key, "SYMBOL(", 7) ||
	    key[n - 1] != ')')
		return false;
	memcpy(name, key + 7, n - 8);
	name[n - 8] = '\0';
	err = kdx_dump_kernel_symbol(dump, name, &v);
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	kdx_linux_vmci(dump, "KERNELOFFSET", true, &slide);
	*value = v + slide;
	return true;
}

bool kdx_linux_vmci(const struct kdx_dump *dump, const char *key, bool hex,
		    uint64_t *value)
{
	const char *text = kdx_dump_vmcoreinfo_get(dump, key);
	char *end;

	if ((!text || !*text) && symbol_from_image(dump, key, value))
		return true;
	if (!text || !*text)
		return false;
	if (hex)
		*value = strtoull(text, &end, 16);
	else if (*text == '-')
		*value = (uint64_t)strtoll(text, &end, 10);
	else
		*value = strtoull(text, &end, 0);
	return end != text && (*end == '\0' || *end == '\n');
}

/* Kernel release as major * 1000 + minor, 0 when unknown. */
unsigned int kdx_linux_version(const struct kdx_dump *dump)
{
	const char *rel = kdx_dump_vmcoreinfo_get(dump, "OSRELEASE");
	unsigned int major = 0, minor = 0;

	if (!rel || sscanf(rel, "%u.%u", &major, &minor) != 2)
		return 0;
	return major * 1000 + minor;
}

/* A wrong root, phys_base or PAGE_OFFSET moves the symbol's
 * translation off the root's page. */
bool kdx_linux_root_maps_itself(struct kdx_kernel_layout *out,
				struct kdx_xlat *xlat, const char *symbol,
				uint64_t symbol_va)
{
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(xlat, symbol_va, &r);
	uint64_t root = kdx_xlat_root(xlat);

	if (err) {
		kdx_linux_note(out, "check failed: %s", kdx_error_message(err));
		kdx_error_destroy(err);
		return false;
	}
	if (r.paddr != root && (r.paddr & ~0xfffull) != (root & ~0xfffull)) {
		kdx_linux_note(out,
			       "check failed: %s 0x%llx translates to 0x%llx, not to the root 0x%llx",
			       symbol, (unsigned long long)symbol_va,
			       (unsigned long long)r.paddr,
			       (unsigned long long)root);
		return false;
	}
	return true;
}

bool kdx_linux_check_root(struct kdx_kernel_layout *out,
			  const struct kdx_dump *dump, const char *symbol,
			  uint64_t symbol_va)
{
	struct kdx_xlat *xlat = NULL;
	struct kdx_error *err = kdx_kernel_xlat_create(dump, out, &xlat);
	bool ok;

	if (err) {
		kdx_linux_note(out, "check failed: %s", kdx_error_message(err));
		kdx_error_destroy(err);
		return false;
	}
	ok = kdx_linux_root_maps_itself(out, xlat, symbol, symbol_va);
	kdx_xlat_destroy(xlat);
	return ok;
}

enum kdx_os_match kdx_linux_match(const struct kdx_dump *dump)
{
	size_t n;

	return kdx_dump_vmcoreinfo(dump, &n) ? KDX_OS_MATCH_LIKELY :
					       KDX_OS_MATCH_FALLBACK;
}

void kdx_linux_common_flags(const struct kdx_dump *dump,
			    struct kdx_kernel_layout *out)
{
	if (kdx_dump_byte_order(dump) == KDX_BIG_ENDIAN)
		out->xlat_flags |= KDX_XLAT_BIG_ENDIAN;
}

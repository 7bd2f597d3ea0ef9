/* SPDX-License-Identifier: MIT */
/* A raw physical memory image: the file's first byte is physical address
 * opts->raw_base, and every byte after it follows.  Any file matches, so
 * it is never chosen by detection: ask for it with --format raw. */
#include "format/format.h"

#include "arch/arch.h"
#include "io/file.h"

static bool raw_probe(const uint8_t *head, size_t len)
{
	(void)head;
	(void)len;
	return false;
}

static struct kdx_error *raw_open(const struct kdx_file *file,
				  const struct kdx_open_options *opts,
				  struct kdx_dump_desc *desc)
{
	const struct kdx_arch_info *arch = kdx_arch_info(opts->arch);
	uint64_t size = kdx_file_size(file), end;

	if (size && __builtin_add_overflow(opts->raw_base, size, &end))
		return kdx_err(KDX_ERR_INVALID,
			       "raw image of 0x%llx bytes at base 0x%llx wraps past the end of the address space",
			       (unsigned long long)size,
			       (unsigned long long)opts->raw_base);
	desc->arch = opts->arch;
	/* Only big-endian targets kdx knows need saying; raw images of
	 * them are rare enough that the arch decides. */
	desc->byte_order = arch && (arch->arch == KDX_ARCH_S390X) ?
				   KDX_BIG_ENDIAN :
				   KDX_LITTLE_ENDIAN;
	kdx_desc_add_range(desc, opts->raw_base, size, KDX_PIECE_FILE, 0);
	kdx_desc_add_detail(desc, "base", "0x%llx",
			    (unsigned long long)opts->raw_base);
	return NULL;
}

const struct kdx_format_ops kdx_format_raw = {
	.name = "raw",
	.description = "raw physical memory image (--format raw [--base ADDR])",
	.detect = false,
	.probe = raw_probe,
	.open = raw_open,
};

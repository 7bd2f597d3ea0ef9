/* SPDX-License-Identifier: MIT */
/* Test helper: build synthetic FreeBSD kernel minidumps in memory, the
 * way minidumpsys() writes them (sys/<arch>/include/minidump.h): a header
 * page, the message buffer, dump_avail (versions that have it), the page
 * bitmap, the page-table area, then the dumped pages in bitmap order.
 *
 * Every dump describes the same small machine, moved to where the
 * architecture keeps its RAM: three dump_avail ranges, pages left out of
 * the bitmap inside them, and a kernel map with small pages, a 2 MiB
 * mapping (a PS PDE on amd64 v2+, 64 KiB large entries on arm, fake
 * last-level entries elsewhere), an entry that is not valid, unmapped
 * holes, a mapping of a page the dump lacks, and the direct map where the
 * architecture has one.  The helper records what it mapped, so a test
 * checks every translation and every byte against it.
 *
 * powerpc64 (radix) keeps its 64 KiB root table as the area; the tables
 * below it are dumped pages, as amd64 v2+'s page tables are.  powerpc64
 * HPT keeps its hashed page table (256 KiB, big-endian) as the area: the
 * kernel map's 4 KiB entries (one of them pushed to its secondary PTEG by
 * a full primary one) and the direct map's bolted 16 MiB entries.  mips
 * keeps EntryLo words (4 bytes for mips32, 8 for mips64); its direct
 * segments (KSEG0/KSEG1, XKPHYS) are checked as mappings too.
 *
 * The layouts here are written from FreeBSD's headers, apart from
 * libkdx's reader, so a bug in one cannot hide in the other. */
#ifndef KDX_TESTS_MKMINIDUMP_H
#define KDX_TESTS_MKMINIDUMP_H

#include <kdx/arch.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mkmd_arch {
	MKMD_AMD64,
	MKMD_I386,
	MKMD_ARM,
	MKMD_ARM64,
	MKMD_RISCV,
	MKMD_PPC64, /* radix (mmu_radix), or HPT (spec.hpt); either order */
	MKMD_MIPS,  /* mips32 (o32), or mips64 (n64: spec.mips64); either */
};

/* arm's mmuformat field. */
#define MKMD_MMU_UNKNOWN 0
#define MKMD_MMU_V4 1
#define MKMD_MMU_V6 2
#define MKMD_MMU_V6_LPAE 3

struct mkmd_spec {
	enum mkmd_arch arch;
	unsigned int version;
	bool pae;                       /* i386 */
	unsigned int mmuformat;         /* arm */
	enum kdx_byte_order byte_order; /* big-endian: arm, powerpc64 */
	unsigned int page_size;         /* arm64 v3: 4096 or 16384; 0: 4096 */
	/* Added to the architecture's usual kernbase (kernel maps that do
	 * not start on a table boundary); leaf-entry areas only. */
	uint64_t kernbase_skew;
	/* The version string only in kernel data, not in the message
	 * buffer. */
	bool version_in_data_only;
	/* No struct msgbuf after the buffer: the reader prints it as is. */
	bool msgbuf_no_header;
	/* A machine of a few dumped pages and a short log that has not
	 * wrapped (fuzz seeds): no 2 MiB mapping, no unmapped hole. */
	bool tiny;
	/* Zero bytes added to the bitmap (bits no page has). */
	uint32_t bitmap_extra;
	/* powerpc64: a hashed page table (mmu_phyp) instead of radix. */
	bool hpt;
	/* mips: a 64-bit (n64) kernel: 8-byte entries, XKSEG kernbase. */
	bool mips64;
	/* No message buffer section (msgbufsize 0): the log is only where
	 * the kernel's msgbufp points. */
	bool no_msgbuf;
};

enum mkmd_kind {
	MKMD_SMALL,   /* one entry per page */
	MKMD_LARGE,   /* 2 MiB: a PS PDE, arm 64 KiB large entries, or fake
			 last-level entries */
	MKMD_INVALID, /* a non-zero entry without its valid bit */
};

struct mkmd_map {
	uint64_t va, pa, size;
	enum mkmd_kind kind;
	bool reverse; /* small pages mapped to consecutive pa backwards */
};

#define MKMD_MAX_MAPS 8
#define MKMD_MAX_AVAIL 4
#define MKMD_MAX_TABLES 8

struct mkmd_dump {
	uint8_t *data;
	size_t size;
	struct mkmd_spec spec;
	enum kdx_arch kdx_arch;
	uint32_t page_size;
	uint64_t kernbase, kva_size;
	bool has_dmap;
	uint64_t dmapbase, dmapend, dmapphys;
	uint64_t avail[2 * MKMD_MAX_AVAIL]; /* [start, end) pairs */
	unsigned int navail;
	bool has_dump_avail; /* the file carries dump_avail */
	struct mkmd_map maps[MKMD_MAX_MAPS];
	unsigned int nmaps;
	/* Regions, file offsets. */
	uint64_t msgbuf_off, dumpavail_off, bitmap_off, pmap_off, sparse_off;
	uint32_t msgbufsize, dumpavailsize, bitmapsize, pmapsize;
	uint64_t pages; /* dumped pages */
	/* Page-table pages in physical memory (amd64 v2+). */
	uint64_t table_pa[MKMD_MAX_TABLES];
	uint8_t table_data[MKMD_MAX_TABLES][4096];
	uint64_t table_key[MKMD_MAX_TABLES]; /* radix: which table */
	unsigned int ntables;
	/* The message buffer's text as a reader should print it (oldest
	 * first; NULs left out), and the version string and where it is. */
	char *log;
	size_t log_len;
	const char *version_text;
	uint64_t version_pa;
};

/* Build @spec's dump into @out; false on a spec it cannot build. */
bool mkmd_build(const struct mkmd_spec *spec, struct mkmd_dump *out);
void mkmd_free(struct mkmd_dump *d);

/* Whether physical page @pa is among the dumped pages. */
bool mkmd_dumped(const struct mkmd_dump *d, uint64_t pa);

/* The bytes physical memory holds at @pa (dumped or not). */
void mkmd_phys_bytes(const struct mkmd_dump *d, uint64_t pa, uint8_t *buf,
		     size_t len);

/* What @va maps to by the helper's own record: true with *pa set when
 * mapped (kernel map or direct map). */
bool mkmd_expect(const struct mkmd_dump *d, uint64_t va, uint64_t *pa);

/* A kdx_arch for the dump's architecture. */
const char *mkmd_arch_name(enum mkmd_arch arch);

#endif

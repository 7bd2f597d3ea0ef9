/* SPDX-License-Identifier: MIT */
/* FreeBSD kernel minidumps ("minidump FreeBSD/<arch>"), shared by the
 * reader (fbsd_minidump.c), its view of the page-table area as page
 * tables (fbsd_ptables.c) and the FreeBSD OS layer (os/freebsd.c).
 *
 * One machine-independent reader: what differs between architectures and
 * versions is data, a header row (where each field is) and a paging row
 * (the page-table format the area holds).  Layout, every arch: a header
 * page, the message buffer, dump_avail (versions that have it), the page
 * bitmap, the page-table area, then every page whose bit is set, in bit
 * order; each region rounded up to the page size. */
#ifndef KDX_FORMAT_FBSD_MINIDUMP_H
#define KDX_FORMAT_FBSD_MINIDUMP_H

#include <kdx/arch.h>
#include <kdx/byteorder.h>
#include <kdx/xlat.h>

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>

struct kdx_file;
struct kdx_dump;
struct kdx_dump_desc;

/* Where the header keeps each field (byte offsets; 0: absent). */
struct fbsd_header_row {
	const char *magic;
	const char *arch_name; /* FreeBSD's name: "amd64" */
	enum kdx_arch arch;
	bool bi_endian;          /* the magic says nothing of byte order */
	unsigned int max_version;
	unsigned int word_size;  /* kernel pointers (struct msgbuf); 0:
				    from kernbase (mips) */
	unsigned int kernbase_size; /* 4 or 8 bytes at offset 40 */
	unsigned int dmapphys_off, dmapbase_off, dmapend_off;
	unsigned int mode_off;   /* i386 paemode, arm mmuformat */
	unsigned int avail_off, avail_since;
	unsigned int flags_off, flags_since;
	/* powerpc64: the version and the fields after it start this many
	 * bytes later (char magic[32], mmu_name[32]), and the MMU's name
	 * is at mmu_off. */
	unsigned int fields_off, mmu_off;
	/* dmapend is the last direct-map address, not the one past it. */
	bool dmapend_inclusive;
};

/* The page-table format of the area, and how the reader shows it to the
 * walker: the area holds one level of the kernel's tables (last-level
 * entries, or amd64 v2+'s page-directory entries); the levels above are
 * built in memory at synthetic physical addresses beyond any RAM. */
struct fbsd_paging {
	const char *name;
	enum kdx_paging_mode mode;
	unsigned int page_size;  /* translation granule */
	unsigned int va_bits;
	unsigned int entry_size;
	unsigned int levels;     /* from the root down to the last level */
	unsigned int shift[4];   /* top first */
	unsigned int area_level; /* the level the area holds */
	unsigned int max_block_shift; /* 0: no blocks (no direct map) */
	uint64_t window_base;    /* synthetic address of the area's tables */
	uint64_t window_limit;   /* bytes the window may take */
	uint64_t upper_base;     /* synthetic address of the built tables */
	uint64_t upper_limit;    /* bytes they may take */
	/* Entries the builder writes (@level: index into shift[]). */
	uint64_t (*table_entry)(unsigned int level, uint64_t addr);
	uint64_t (*block_entry)(unsigned int level, bool last, uint64_t addr);
	/* Addresses carry these bits above va_bits (POWER radix's kernel
	 * quadrant); 0: the upper half, as sign extension gives it. */
	uint64_t fixed_high;
	/* Entries big-endian whatever the dump's order (POWER radix). */
	bool big_endian_entries;
	/* The area is a hashed page table (POWER HPT), served whole in the
	 * window; the root is an SDR1 value for it, nothing is built. */
	bool hashed;
	/* area_level 0: the area is the root table itself (POWER radix's
	 * 64 KiB root), copied into the first built slot; the direct map
	 * replaces what the root says for its range (libkvm reads it as
	 * arithmetic), up to the end of physical memory. */
};

/* The page tables built over the area. */
struct fbsd_tables {
	uint8_t *upper;          /* slots of slot_size bytes */
	uint32_t *child;         /* per entry: slot + 1, or a mark */
	size_t slots, slot_capacity, slot_size;
	uint64_t window_va;      /* linear address window offset 0 maps */
	uint64_t window_pad;     /* bytes of the window before the area */
	uint64_t window_len;
	uint64_t dmap_unmapped;  /* direct-map bytes no table could map */
};

/* pfn -> file offset: the bitmap with a running count of set bits every
 * FBSD_RANK_BLOCK words, so a page's rank is one block count plus at
 * most FBSD_RANK_BLOCK - 1 popcounts. */
#define FBSD_RANK_BLOCK 8
struct fbsd_rank {
	/* nwords 64-bit words in host order, not aligned: the file's own
	 * bytes where they lie in memory in that order, else @copy. */
	const uint8_t *bits;
	uint8_t *copy;
	uint64_t nwords;
	uint64_t *block;   /* set bits before each block */
	uint64_t total;    /* set bits in all */
};

/* A dump_avail range and the first bit number of its pages. */
struct fbsd_avail {
	uint64_t start, end, first_bit;
};

struct fbsd_minidump {
	const struct kdx_file *file;
	const struct fbsd_header_row *row;
	struct fbsd_paging paging;
	enum kdx_byte_order byte_order;
	uint32_t version, page_size;
	uint32_t msgbufsize, bitmapsize, pmapsize, dumpavailsize;
	uint32_t mode_field, flags;
	unsigned int word_size;  /* the kernel's long: 4 or 8 */
	bool addr32;             /* 32-bit kernel addresses */
	uint64_t kernbase, dmapphys, dmapbase, dmapend;
	bool has_dmap;
	/* The minidump's bytes in the file: all of it, or what a
	 * kerneldumpheader ("FreeBSD Kernel Dump", a dump device's) says. */
	uint64_t base, end;
	bool kdh;
	char kdh_hostname[65], kdh_version[193], kdh_panic[176];
	uint64_t msgbuf_off, dumpavail_off, bitmap_off, pmap_off, sparse_off;
	struct fbsd_avail *avail;
	size_t navail;
	struct fbsd_rank rank;
	struct fbsd_tables tables;
	char release[160]; /* "FreeBSD 14.1-RELEASE ..." or empty */
	char mmu_name[33]; /* powerpc64: "mmu_radix", "mmu_g5", ... */
};

/* Set the paging row for @md's header and build the tables over its
 * page-table area (fbsd_ptables.c). */
struct kdx_error *kdx_fbsd_tables_build(struct fbsd_minidump *md);
void kdx_fbsd_tables_free(struct fbsd_tables *t);

/* The walker's table reader: serve @paddr when it is one of the
 * synthetic tables (*served true), else leave it to physical memory. */
struct kdx_error *kdx_fbsd_read_table(const struct fbsd_minidump *md,
				      uint64_t paddr, void *buf, size_t len,
				      bool *served);

/* The physical address of the synthetic root. */
uint64_t kdx_fbsd_root(const struct fbsd_minidump *md);

/* Publish the header's facts in @desc: typed (kernel base, direct map,
 * version, page size) and as details for display. */
void kdx_fbsd_add_facts(const struct fbsd_minidump *md,
			struct kdx_dump_desc *desc);
void kdx_fbsd_add_details(const struct fbsd_minidump *md,
			  struct kdx_dump_desc *desc);

/* A dump device's image whose leading kerneldumpheader (at offset 0)
 * says the dump after it is compressed (dumpon -z / -Z): true, with
 * where the stream is and its codec (1 gzip, 2 zstd, the header's
 * KERNELDUMP_COMP_* value).  For lib/container.c, which reads it. */
bool kdx_fbsd_compressed_device(const struct kdx_file *file, uint64_t *start,
				uint64_t *length, unsigned int *codec);

/* A dump device's image (or savecore's copy of one) whose
 * kerneldumpheaders wrap a full dump, an ELF core: true, with where the
 * ELF bytes are.  The leading header at offset 0 is looked at always, the
 * trailing one at the end only in plain files (reading the end of a
 * compressed stream would decompress all of it).  For lib/container.c. */
bool kdx_fbsd_wrapped_elf(const struct kdx_file *file, uint64_t *start,
			  uint64_t *length);
/* The details of @file's kerneldumpheader (where the dump is, hostname,
 * version, panic) into @desc. */
void kdx_fbsd_kdh_details(const struct kdx_file *file,
			  struct kdx_dump_desc *desc);

/* The kernel's version string ("FreeBSD 14.1-RELEASE ...") in the first
 * 64 MiB of @file from @offset (a full dump's memory): true, copied to
 * @out (@size bytes, NUL-terminated). */
bool kdx_fbsd_scan_release(const struct kdx_file *file, uint64_t offset,
			   char *out, size_t size);

/* File offset of physical page @pa's first byte; false if not dumped. */
bool kdx_fbsd_page_offset(const struct fbsd_minidump *md, uint64_t pa,
			  uint64_t *offset);

#endif

/* SPDX-License-Identifier: MIT */
/* Test helper: build synthetic kdump-compressed files in memory, the way
 * makedumpfile and QEMU write them — every header version (and the old
 * "DISKDUMP" single-bitmap layout), the LP64, i386 and ARM-EABI sub-header
 * layouts chosen by utsname.machine, either byte order, any block size,
 * each page stored with its own codec (or raw when compressing does not
 * shrink it), the shared zero page, excluded pages, holes, ELF notes,
 * split files, incomplete dumps — and makedumpfile's flattened wrapper.
 *
 * The layout tables here are written from makedumpfile's and crash's
 * structs, apart from libkdx's, so a bug in one cannot hide in the other. */
#ifndef KDX_TESTS_MKKDUMP_H
#define KDX_TESTS_MKKDUMP_H

#include <kdx/arch.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* diskdump_mod.h's flag values: header status and page flags. */
#define MKKDUMP_ZLIB 0x1u
#define MKKDUMP_LZO 0x2u
#define MKKDUMP_SNAPPY 0x4u
#define MKKDUMP_INCOMPLETE 0x8u
#define MKKDUMP_EXCLUDED_VMEMMAP 0x10u
#define MKKDUMP_ZSTD 0x20u

/* How a page is stored. */
enum mkkdump_codec {
	MKKDUMP_RAW = 0,
	MKKDUMP_CODEC_ZLIB,   /* compress2(), Z_BEST_SPEED */
	MKKDUMP_CODEC_LZO,    /* lzo1x_1_compress() */
	MKKDUMP_CODEC_SNAPPY, /* snappy_compress() */
	MKKDUMP_CODEC_ZSTD,   /* ZSTD_compress(), level 1 */
	MKKDUMP_CODEC_COUNT,
};

/* What a pfn is. */
enum mkkdump_page_kind {
	MKKDUMP_HOLE = 0,  /* in neither bitmap */
	MKKDUMP_DATA,      /* dumped: bytes from mkkdump_page_byte() */
	MKKDUMP_RANDOM,    /* dumped: incompressible bytes (stored raw) */
	MKKDUMP_ZERO,      /* dumped: descriptor points at the shared zero page */
	MKKDUMP_EXCLUDED,  /* in the 1st bitmap, not the 2nd */
};

struct mkkdump_options {
	/* utsname.machine: "x86_64", "i686", "armv7l", "s390x", "ppc64"...
	 * It picks the header ABI; NULL means "x86_64". */
	const char *machine;
	/* utsname.machine as written, where it is not @machine (QEMU
	 * writes an empty one for Arm guests); NULL: @machine. */
	const char *uts_machine;
	/* Byte order of every header field; 0 (KDX_LITTLE_ENDIAN) unless
	 * set.  Big-endian machines need KDX_BIG_ENDIAN here. */
	enum kdx_byte_order byte_order;
	/* 0..6; 0 means 6 unless zero_version is set. */
	unsigned int header_version;
	bool zero_version;
	/* "DISKDUMP" signature, single bitmap, no kdump sub-header. */
	bool diskdump;
	/* A KDUMP file with one bitmap (bitmap_blocks too small for two). */
	bool single_bitmap;
	uint32_t block_size;     /* 0: 4096 */
	uint64_t max_mapnr;      /* 0: one past the highest page set */
	uint32_t status;         /* header status; codec bit added from
				    default_codec unless status_exact */
	bool status_exact;
	enum mkkdump_codec default_codec; /* for mkkdump_set_pages(CODEC_DEFAULT) */
	uint32_t dump_level;
	uint64_t phys_base;
	uint32_t nr_cpus;        /* 0: 1 */
	int64_t timestamp;       /* header tv_sec; 0: 1700000000 */
	const char *release;     /* utsname.release */
	/* --split: this file holds pfns [start_pfn, end_pfn). */
	bool split;
	uint64_t start_pfn, end_pfn;
	/* Incomplete dump (ENOSPC): only the first incomplete_pages dumped
	 * pages' descriptors and data are written; the rest of the
	 * descriptor table is zeros and the file ends after the last
	 * written page.  Sets status MKKDUMP_INCOMPLETE. */
	bool incomplete;
	uint64_t incomplete_pages;
	/* v5+: eraseinfo text written after the page data. */
	const char *eraseinfo;
	/* v3: VMCOREINFO as plain text after the sub-header (no notes). */
};

/* Pass as codec to use options.default_codec. */
#define MKKDUMP_CODEC_DEFAULT ((enum mkkdump_codec) - 1)

struct mkkdump;

struct mkkdump *mkkdump_new(const struct mkkdump_options *opts);
void mkkdump_free(struct mkkdump *m);

/* Set pfns [first, first + count) to @kind, stored with @codec. */
void mkkdump_set_pages(struct mkkdump *m, uint64_t first, uint64_t count,
		       enum mkkdump_page_kind kind, enum mkkdump_codec codec);
/* One page with caller-chosen bytes (block_size of them). */
void mkkdump_set_page_data(struct mkkdump *m, uint64_t pfn,
			   const uint8_t *data, enum mkkdump_codec codec);

/* Notes (header version 4+; version 3 keeps only VMCOREINFO, as text). */
void mkkdump_add_note(struct mkkdump *m, const char *name, uint32_t type,
		      const void *desc, size_t desc_size);
void mkkdump_add_vmcoreinfo(struct mkkdump *m, const char *text);
void mkkdump_add_prstatus(struct mkkdump *m, int32_t pid,
			  const uint64_t *regs, unsigned int nregs);

/* Serialise; the caller frees the buffer. */
uint8_t *mkkdump_build(struct mkkdump *m, size_t *size);

/* The byte a MKKDUMP_DATA page holds at offset @i of pfn @pfn
 * (compressible: runs, text-like repeats and a per-page salt). */
uint8_t mkkdump_page_byte(uint64_t pfn, size_t i);
/* Fill @buf with what reading pfn @pfn must return (zeros for ZERO). */
void mkkdump_expected_page(const struct mkkdump *m, uint64_t pfn,
			   uint8_t *buf);
enum mkkdump_page_kind mkkdump_page_kind(const struct mkkdump *m,
					 uint64_t pfn);
uint32_t mkkdump_block_size(const struct mkkdump *m);
uint64_t mkkdump_max_mapnr(const struct mkkdump *m);

/* After mkkdump_build(): where things are, for tests that damage them. */
enum mkkdump_field {
	MKKDUMP_F_HEADER_VERSION,
	MKKDUMP_F_STATUS,
	MKKDUMP_F_BLOCK_SIZE,
	MKKDUMP_F_SUB_HDR_SIZE,
	MKKDUMP_F_BITMAP_BLOCKS,
	MKKDUMP_F_MAX_MAPNR,
	MKKDUMP_F_NR_CPUS,
	/* in the sub-header (absolute file offsets) */
	MKKDUMP_F_DUMP_LEVEL,
	MKKDUMP_F_SPLIT,
	MKKDUMP_F_OFFSET_NOTE,   /* 8 bytes */
	MKKDUMP_F_SIZE_NOTE,     /* word */
	MKKDUMP_F_START_PFN_64,  /* 8 bytes */
	MKKDUMP_F_END_PFN_64,    /* 8 bytes */
	MKKDUMP_F_MAX_MAPNR_64,  /* 8 bytes */
};
uint64_t mkkdump_field_offset(const struct mkkdump *m, enum mkkdump_field f);
/* File offset of dumped pfn @pfn's descriptor, and of its data. */
uint64_t mkkdump_desc_offset(const struct mkkdump *m, uint64_t pfn);
uint64_t mkkdump_data_offset(const struct mkkdump *m, uint64_t pfn);
/* Stored size and flags the builder chose for @pfn. */
uint32_t mkkdump_stored_size(const struct mkkdump *m, uint64_t pfn);
uint32_t mkkdump_stored_flags(const struct mkkdump *m, uint64_t pfn);
/* Offset of the first bitmap, and of the page descriptor table. */
uint64_t mkkdump_bitmap_offset(const struct mkkdump *m);
uint64_t mkkdump_desc_table_offset(const struct mkkdump *m);

/* Store @v of @width bytes at @offset of @file in the dump's byte order. */
void mkkdump_patch(const struct mkkdump *m, uint8_t *file, uint64_t offset,
		   uint64_t v, int width);

/* makedumpfile's flattened stream ("makedumpfile" header, then big-endian
 * (offset, size) records and data, ended by (-1, -1)). */
struct mkflat_options {
	size_t chunk;       /* bytes per record; 0: 4096 */
	uint32_t shuffle;   /* non-zero: records in an order seeded by it */
	/* Before the real records, write this many records of garbage over
	 * random places: the real ones come later and must win. */
	unsigned int overwritten;
	bool no_end_marker; /* a stream cut short */
	/* Bytes [hole_start, hole_start + hole_size) of the file that no
	 * record writes (they read as zeros; the stream still ends where
	 * the file does). */
	uint64_t hole_start, hole_size;
	size_t cut;         /* bytes cut off the end of the stream */
};

uint8_t *mkflat_build(const uint8_t *file, size_t size,
		      const struct mkflat_options *opts, size_t *out_size);

#endif

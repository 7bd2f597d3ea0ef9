/* SPDX-License-Identifier: MIT */
/* Physical memory map: where each dumped physical byte lives in the file.
 *
 * Readers add pieces in any order, overlapping or not; building sorts
 * them into disjoint entries so a lookup is a binary search (QEMU's
 * paging dumps have ~65,000 segments, mostly aliases of the same bytes).
 * Where pieces overlap, bytes held in the file win over bytes that only
 * read as zeros; among pieces of one kind, the one starting lower wins,
 * then the one added first.  Addresses no piece covers are holes: the
 * neighbouring bytes of a shared page are never returned for them. */
#ifndef KDX_FORMAT_PHYSMAP_H
#define KDX_FORMAT_PHYSMAP_H

#include <kdx/dump.h>

#include <stddef.h>
#include <stdint.h>

struct kdx_file;

/* In priority order: where pieces overlap, a lower kind wins. */
enum kdx_piece_kind {
	KDX_PIECE_FILE,     /* bytes at file_offset */
	KDX_PIECE_FORMAT,   /* the reader decodes them (compressed pages);
			       file_offset is the reader's own cookie */
	KDX_PIECE_ZERO,     /* memory not written to the file: reads as zeros */
	KDX_PIECE_EXCLUDED, /* memory left out by filtering (dump_level) */
};

/* Where a read gets its bytes: the file, and for KDX_PIECE_FORMAT the
 * reader's decoder, called with the piece's cookie and the offset of the
 * wanted bytes from the piece's start. */
struct kdx_physmap_source {
	const struct kdx_file *file;
	struct kdx_error *(*read_format)(void *priv, uint64_t cookie,
					 uint64_t offset, void *buf,
					 size_t len);
	void *priv;
};

struct kdx_physmap_entry {
	uint64_t start;
	uint64_t size;
	/* FILE: where start's byte is; FORMAT: the reader's cookie. */
	uint64_t file_offset;
	/* FORMAT: how far start lies into the piece the reader added (an
	 * entry may be the tail of a piece cut by overlaps). */
	uint64_t piece_offset;
	enum kdx_piece_kind kind;
};

struct kdx_physmap_builder {
	struct kdx_physmap_entry *pieces;
	size_t count, capacity;
};

struct kdx_physmap {
	struct kdx_physmap_entry *entries; /* sorted, disjoint */
	size_t count;
	uint64_t overlap_bytes; /* bytes described more than once */
	/* The dump's page size, to name page frames in errors (0: none). */
	uint32_t page_size;
};

/* Add a piece; start + size must not overflow (an error says so). */
struct kdx_error *kdx_physmap_add(struct kdx_physmap_builder *builder,
				  uint64_t start, uint64_t size,
				  enum kdx_piece_kind kind,
				  uint64_t file_offset);

/* Room for @count pieces in all, for a reader that knows how many it
 * will add (no doubling's slack or copies); failing is not an error:
 * kdx_physmap_add() grows the room as it needs. */
void kdx_physmap_reserve(struct kdx_physmap_builder *builder, uint64_t count);

/* Build the map, emptying @builder (whose pieces become the entries). */
struct kdx_error *kdx_physmap_build(struct kdx_physmap_builder *builder,
				    struct kdx_physmap *map);

void kdx_physmap_builder_deinit(struct kdx_physmap_builder *builder);
void kdx_physmap_deinit(struct kdx_physmap *map);

/* Make [@start, @end) a hole: entries inside go, entries across its ends
 * are cut (what salvage does with pages that cannot be read). */
struct kdx_error *kdx_physmap_remove(struct kdx_physmap *map, uint64_t start,
				     uint64_t end);

/* The public view: adjacent entries of one kind merged. */
struct kdx_error *kdx_physmap_ranges(const struct kdx_physmap *map,
				     struct kdx_phys_range **ranges,
				     size_t *count);

/* Index of the entry holding @addr, or of the first entry above it
 * (map->count if none). */
size_t kdx_physmap_find(const struct kdx_physmap *map, uint64_t addr);

/* Read physical memory; see kdx_read_phys(). */
struct kdx_error *kdx_physmap_read(const struct kdx_physmap *map,
				   const struct kdx_physmap_source *source,
				   uint64_t addr,
				   void *buf, size_t len, unsigned int flags,
				   struct kdx_read_stats *stats);

#endif

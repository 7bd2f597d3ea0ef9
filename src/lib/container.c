/* SPDX-License-Identifier: MIT */
/* The containers kdx unwraps, listed once; see container.h. */
#include "lib/container.h"

#include "core/error.h"
#include "core/util.h"
#include "format/fbsd_minidump.h"
#include "io/decompress.h"
#include "io/file.h"
#include "io/flat.h"

#include <string.h>

/* What every layer's open knows of the whole. */
struct unwrap {
	uint64_t original;         /* the size of the file kdx was given */
	uint64_t max_decompressed; /* the caller's bound (0: the default) */
};

struct container_ops {
	/* Whether @file is this container. */
	bool (*probe)(const struct kdx_file *file);
	/* View what @base holds; takes ownership of @base. */
	struct kdx_error *(*open)(struct kdx_file *base, const struct unwrap *u,
				  struct kdx_file **out);
	/* Describe a view this container opened (false: not one of its);
	 * NULL: another entry's describe knows the view. */
	bool (*describe)(const struct kdx_file *file,
			 struct kdx_dump_desc *desc);
};

/* ---- makedumpfile's flattened stream ---- */

static struct kdx_error *open_flattened(struct kdx_file *base,
					const struct unwrap *u,
					struct kdx_file **out)
{
	(void)u;
	return kdx_file_open_flattened(base, out);
}

static bool describe_flattened(const struct kdx_file *file,
			       struct kdx_dump_desc *desc)
{
	size_t records;
	bool truncated;

	if (!kdx_file_flattened_info(file, &records, &truncated))
		return false;
	kdx_desc_add_detail(desc, "container",
			    "makedumpfile flattened stream, %zu records",
			    records);
	if (truncated) {
		desc->facts.flags |= KDX_DUMP_TRUNCATED;
		kdx_desc_add_warning(
			desc,
			"the flattened stream has no end marker: it was cut short");
	}
	return true;
}

/* ---- A compressed dump: gzip and zstd (FreeBSD's dumpon -z / -Z), or
 * any of the codecs by hand (vmcore.xz) ---- */

/* One read of the first bytes for all five magics: a probe that fails
 * is a read the open did not need. */
static bool stream_codec(const struct kdx_file *file,
			 enum kdx_stream_codec *kind)
{
	return kdx_file_compressed_codec(file, kind);
}

static bool is_compressed(const struct kdx_file *file)
{
	enum kdx_stream_codec kind;

	return stream_codec(file, &kind);
}

/* The limits of a compressed stream: the caller's max_decompressed, and
 * for a stream inside a decompressed one more.  Compressed data does
 * not compress, so an outer stream around a real one barely expands;
 * one that expanded NESTED_RATIO_MAX-fold is a bomb (fuzzing found 52
 * bytes whose zstd frame holds 124 KB of zstd frames that make 2.5 GB).
 * The inner stream may expand no more than one layer of zstd can, from
 * the file kdx was given (a 128 KiB RLE block from 4 bytes). */
#define NESTED_RATIO_MAX 64
#define ONE_LAYER_EXPANSION 32768

static struct kdx_error *stream_limits(const struct kdx_file *outer,
				       const struct unwrap *u,
				       struct kdx_decompress_limits *limits)
{
	enum kdx_stream_codec kind;
	uint64_t compressed, size = kdx_file_size(outer);
	uint64_t original = u->original;
	bool on_disk;

	memset(limits, 0, sizeof(*limits));
	limits->max_size = u->max_decompressed;
	if (!kdx_file_decompressed_info(outer, &kind, &compressed, &on_disk))
		return NULL;
	if (size / NESTED_RATIO_MAX > compressed)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "%s: a %s stream of 0x%llx bytes expanded to 0x%llx "
			       "and holds another compressed stream: compressed "
			       "data does not compress %u-fold, so this is a "
			       "decompression bomb, not a dump (decompress it by "
			       "hand if it is meant)",
			       kdx_file_name(outer), kdx_stream_codec_name(kind),
			       (unsigned long long)compressed,
			       (unsigned long long)size, NESTED_RATIO_MAX);
	limits->max_size = original > KDX_DECOMPRESS_MAX_SIZE / ONE_LAYER_EXPANSION ?
				   KDX_DECOMPRESS_MAX_SIZE :
				   (original ? original : 1) * ONE_LAYER_EXPANSION;
	if (u->max_decompressed)
		limits->max_size = kdx_min_u64(limits->max_size,
					       u->max_decompressed);
	return NULL;
}

static struct kdx_error *open_compressed(struct kdx_file *base,
					 const struct unwrap *u,
					 struct kdx_file **out)
{
	enum kdx_stream_codec kind = KDX_STREAM_GZIP;
	struct kdx_decompress_limits limits;
	struct kdx_error *err = stream_limits(base, u, &limits);

	if (err) {
		kdx_file_close(base);
		return err;
	}
	stream_codec(base, &kind);
	return kdx_file_open_decompressed(base, kind, &limits, out);
}

static bool describe_compressed(const struct kdx_file *file,
				struct kdx_dump_desc *desc)
{
	enum kdx_stream_codec kind;
	uint64_t compressed;
	bool on_disk;

	if (!kdx_file_decompressed_info(file, &kind, &compressed, &on_disk))
		return false;
	kdx_desc_add_detail(desc, "container",
			    "%s stream, 0x%llx bytes decompressed to 0x%llx%s",
			    kdx_stream_codec_name(kind),
			    (unsigned long long)compressed,
			    (unsigned long long)kdx_file_size(file),
			    on_disk ? " (in a temporary file)" : "");
	return true;
}

/* ---- A FreeBSD dump device's image of a compressed dump ---- */

/* The stream after the leading kerneldumpheader, when it is one. */
static bool fbsd_device_stream(const struct kdx_file *file, uint64_t *start,
			       uint64_t *length, enum kdx_stream_codec *kind)
{
	unsigned int codec;

	if (!kdx_fbsd_compressed_device(file, start, length, &codec))
		return false;
	*kind = codec == 1 ? KDX_STREAM_GZIP : KDX_STREAM_ZSTD;
	/* A header that says compressed over bytes that are not: left to
	 * the reader, which names it. */
	return kdx_file_is_compressed_at(file, *start, *kind);
}

static bool is_fbsd_device(const struct kdx_file *file)
{
	enum kdx_stream_codec kind;
	uint64_t start, length;

	return fbsd_device_stream(file, &start, &length, &kind);
}

static struct kdx_error *open_fbsd_device(struct kdx_file *base,
					  const struct unwrap *u,
					  struct kdx_file **out)
{
	struct kdx_decompress_limits limits = { .max_size = u->max_decompressed };
	enum kdx_stream_codec kind;
	uint64_t start, length;

	if (!fbsd_device_stream(base, &start, &length, &kind)) {
		kdx_file_close(base);
		return kdx_err(KDX_ERR_CORRUPT, "the kerneldumpheader changed");
	}
	return kdx_file_open_decompressed_range(base, start, length, kind,
						&limits, out);
}

/* ---- A FreeBSD dump device's image of a full (ELF) dump ---- */

static bool is_fbsd_wrapped_elf(const struct kdx_file *file)
{
	uint64_t start, length;

	return kdx_fbsd_wrapped_elf(file, &start, &length);
}

static struct kdx_error *open_fbsd_wrapped_elf(struct kdx_file *base,
					       const struct unwrap *u,
					       struct kdx_file **out)
{
	(void)u;
	uint64_t start, length;

	if (!kdx_fbsd_wrapped_elf(base, &start, &length)) {
		kdx_file_close(base);
		return kdx_err(KDX_ERR_CORRUPT, "the kerneldumpheader changed");
	}
	return kdx_file_open_slice(base, start, length, out);
}

static bool describe_fbsd_wrapped_elf(const struct kdx_file *file,
				      struct kdx_dump_desc *desc)
{
	const struct kdx_file *base;
	uint64_t start;

	if (!kdx_file_slice_info(file, &base, &start))
		return false;
	kdx_fbsd_kdh_details(base, desc);
	return true;
}

static const struct container_ops containers[] = {
	{ kdx_file_is_flattened, open_flattened, describe_flattened },
	{ is_compressed, open_compressed, describe_compressed },
	{ is_fbsd_device, open_fbsd_device, NULL },
	{ is_fbsd_wrapped_elf, open_fbsd_wrapped_elf,
	  describe_fbsd_wrapped_elf },
};

#define NCONTAINERS (sizeof(containers) / sizeof(containers[0]))
/* A gzipped flattened stream is two layers; more is a loop of nonsense. */
#define MAX_LAYERS 4

static const struct container_ops *find_container(const struct kdx_file *file)
{
	for (size_t i = 0; i < NCONTAINERS; i++)
		if (containers[i].probe(file))
			return &containers[i];
	return NULL;
}

struct kdx_error *kdx_container_unwrap(struct kdx_file **file,
				       const struct kdx_open_options *opts)
{
	const struct container_ops *c;
	struct unwrap u = {
		.original = kdx_file_size(*file),
		.max_decompressed = opts ? opts->max_decompressed : 0,
	};

	if (opts && opts->format && !strcmp(opts->format, "raw"))
		return NULL;
	for (unsigned int layer = 0; (c = find_container(*file)); layer++) {
		struct kdx_error *err;

		if (layer == MAX_LAYERS) {
			err = kdx_err(KDX_ERR_UNSUPPORTED,
				      "%s: more than %u containers inside each other",
				      kdx_file_name(*file), MAX_LAYERS);
			kdx_file_close(*file);
			*file = NULL;
			return err;
		}
		err = c->open(*file, &u, file);
		if (err) {
			*file = NULL; /* closed by the failed open */
			return err;
		}
	}
	return NULL;
}

void kdx_container_describe(const struct kdx_file *file,
			    struct kdx_dump_desc *desc)
{
	for (size_t i = 0; i < NCONTAINERS; i++)
		if (containers[i].describe && containers[i].describe(file, desc))
			return;
}

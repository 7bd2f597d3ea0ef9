/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/dump.h
 * @brief Opening a dump, describing it, and reading its physical memory.
 *
 * Object lifetime: everything a kdx_dump_*() accessor returns (strings,
 * arrays, notes) belongs to the dump and stays valid until
 * kdx_dump_destroy().
 *
 * Threading: a dump is immutable after kdx_dump_open(); all accessors and
 * kdx_read_phys() may be called from several threads on one handle at
 * once (reads use positional I/O and keep no shared mutable state;
 * kdx_dump_segments() fills its array once, under a lock).
 */
#ifndef KDX_DUMP_H
#define KDX_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kdx/common.h>

#include <kdx/arch.h>
#include <kdx/byteorder.h>
#include <kdx/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An open dump: opaque. */
struct kdx_dump;

/** Version of struct kdx_open_options this header describes. */
#define KDX_OPEN_OPTIONS_VERSION 3

/**
 * How to open a dump.  Initialise with kdx_open_options_init() and change
 * only the fields you need, so new fields keep their defaults.
 */
struct kdx_open_options {
	/** Set by kdx_open_options_init(); lets the library grow the struct. */
	unsigned int version;
	/** Format name to use instead of detection (NULL: detect by content). */
	const char *format;
	/** Architecture to assume where the dump does not say (raw images). */
	enum kdx_arch arch;
	/** Physical address of a raw image's first byte. */
	uint64_t raw_base;
	/** Page size to assume where the dump does not say (0: arch default). */
	uint32_t page_size;
	/**
	 * Read the dump's files with pread instead of mapping them into
	 * memory.  Mapped reads are copies from the page cache, without a
	 * system call, and much faster; but an I/O error, or a file truncated
	 * by someone else while it is open, then raises SIGBUS instead of
	 * returning an error.  Set it for dumps on storage that may fail.
	 */
	bool no_map;
	/* Version 2: */
	/**
	 * Path of the dumped kernel's ELF image (FreeBSD's kernel.debug or
	 * the stripped /boot/kernel/kernel, Linux's vmlinux), or NULL.  Its
	 * symbol table (.symtab, else .dynsym) gives what the dump lacks:
	 * FreeBSD's kernbase, KPML4phys, IdlePTD/IdlePDPT, msgbufp and
	 * version; kdx_dump_kernel_symbol() looks names up.  Read at open: a
	 * damaged image, or one of another architecture, fails the open.
	 * Callers built against version 1 never set it.
	 */
	const char *kernel;
	/* Version 3: */
	/**
	 * The most bytes a compressed dump (vmcore.gz, vmcore.zst, FreeBSD's
	 * dumpon -z/-Z image, a libvirt save's compressed stream) may
	 * decompress to; 0 for the default, 1 TiB.
	 * A stream that grows past it fails the open (KDX_ERR_UNSUPPORTED)
	 * when it gets there, having cost no more than this.  A stream
	 * inside a decompressed one is held tighter still, to what one layer
	 * of zstd can make of the file given (32768-fold).
	 */
	uint64_t max_decompressed;
};

/** Fill @p opts with defaults. */
KDX_API void kdx_open_options_init(struct kdx_open_options *opts);

/**
 * Open the dump at @p path.
 * @param opts NULL for defaults.
 * @param[out] out the dump, set only on success.
 * @return NULL on success; KDX_ERR_NOTFOUND if no format recognises it.
 */
KDX_API struct kdx_error *kdx_dump_open(const char *path,
				const struct kdx_open_options *opts,
				struct kdx_dump **out);

/**
 * Open one dump written as several files (makedumpfile --split: each file
 * holds a range of page frames); @p count == 1 is kdx_dump_open().
 * @return KDX_ERR_INVALID if a file is not part of a split set, or its
 *         machine differs; KDX_ERR_UNSUPPORTED for a format that is never
 *         split.
 */
KDX_API struct kdx_error *kdx_dump_open_files(const char *const *paths,
					      size_t count,
					      const struct kdx_open_options *opts,
					      struct kdx_dump **out);

/**
 * Open a dump held in memory (tests, fuzzing, embedding).  The bytes are
 * not copied: @p data must stay valid until the dump is destroyed.
 */
KDX_API struct kdx_error *kdx_dump_open_memory(const void *data, size_t size,
				       const struct kdx_open_options *opts,
				       struct kdx_dump **out);

/** Close a dump and free everything it owns; NULL is ignored. */
KDX_API void kdx_dump_destroy(struct kdx_dump *dump);

/** Name of the format that read the dump ("elf", "raw", ...). */
KDX_API const char *kdx_dump_format_name(const struct kdx_dump *dump);

/** The dumped machine's architecture (KDX_ARCH_UNKNOWN if not known). */
KDX_API enum kdx_arch kdx_dump_arch(const struct kdx_dump *dump);

/** The dumped machine's byte order. */
KDX_API enum kdx_byte_order kdx_dump_byte_order(const struct kdx_dump *dump);

/** The dumped machine's pointer size in bytes (4 or 8; 0 if unknown). */
KDX_API unsigned int kdx_dump_word_size(const struct kdx_dump *dump);

/** The dumped kernel's page size in bytes. */
KDX_API uint32_t kdx_dump_page_size(const struct kdx_dump *dump);

/** Where the page size came from ("VMCOREINFO", "arch default", ...). */
KDX_API const char *kdx_dump_page_size_source(const struct kdx_dump *dump);

/**
 * Problems found while opening that did not stop it (a truncated segment,
 * a malformed note), each naming the offset or address concerned.
 */
KDX_API const char *const *kdx_dump_warnings(const struct kdx_dump *dump,
				     size_t *count);

/**
 * A format-specific fact, for display ("class" = "ELF64", ...).  Programs
 * read the numbers from kdx_dump_facts(); these strings are for people.
 */
struct kdx_detail {
	const char *key;   /**< short identifier, no spaces */
	const char *value; /**< human-readable value */
};

/** The format's facts about this dump as text for display, in the
 *  format's order. */
KDX_API const struct kdx_detail *kdx_dump_details(const struct kdx_dump *dump,
					  size_t *count);

/** Page compression of a kdump-compressed dump (read or written). */
enum kdx_compression {
	KDX_COMPRESS_NONE = 0, /**< pages stored plain */
	KDX_COMPRESS_ZLIB,     /**< zlib (makedumpfile -c) */
	KDX_COMPRESS_LZO,      /**< LZO1X-1 (makedumpfile -l) */
	KDX_COMPRESS_SNAPPY,   /**< snappy (makedumpfile -p) */
	KDX_COMPRESS_ZSTD,     /**< zstd (makedumpfile -z) */
};

/** What the virtual addresses of a dump's load segments are. */
enum kdx_segment_vaddrs {
	/** Copies of the physical address, or 0: a physical-only dump. */
	KDX_SEGMENT_VADDRS_NONE = 0,
	/** Physical plus one constant offset (a kernel's direct map). */
	KDX_SEGMENT_VADDRS_LINEAR,
	/** Page-table mappings (QEMU's paging mode). */
	KDX_SEGMENT_VADDRS_MAPPED,
};

/** "none", "linear" or "mapped"; "unknown" for any other value. */
KDX_API const char *kdx_segment_vaddrs_name(enum kdx_segment_vaddrs v);

/** What kind of number a page-table root hint is. */
enum kdx_root_form {
	/** The top-level table's address. */
	KDX_ROOT_ADDRESS = 0,
	/** The top-level table's frame number: its address over the page
	 *  size. */
	KDX_ROOT_FRAME,
	/** The page-table base register as a CPU held it (x86 CR3 with its
	 *  flag and PCID bits, ...), for the architecture's paging code to
	 *  decode. */
	KDX_ROOT_REGISTER,
};

/** Bytes of a utsname field as a dump header holds it (the kernel's
 *  __NEW_UTS_LEN + 1). */
#define KDX_UTS_FIELD 65

/** Version of struct kdx_dump_facts this header describes. */
#define KDX_DUMP_FACTS_VERSION 2

/** @name Bits of kdx_dump_facts.set: which fields hold a value
 *  @{ */
#define KDX_FACT_FORMAT_VERSION (UINT64_C(1) << 0)  /**< format_version */
#define KDX_FACT_PAGE_SIZE (UINT64_C(1) << 1)       /**< page_size */
#define KDX_FACT_COMPRESSION (UINT64_C(1) << 2)     /**< compression */
#define KDX_FACT_DUMP_LEVEL (UINT64_C(1) << 3)      /**< dump_level */
#define KDX_FACT_TIMESTAMP (UINT64_C(1) << 4)       /**< timestamp */
#define KDX_FACT_NR_CPUS (UINT64_C(1) << 5)         /**< nr_cpus */
#define KDX_FACT_UTSNAME (UINT64_C(1) << 6)         /**< the uts_ strings */
#define KDX_FACT_MAX_PFN (UINT64_C(1) << 7)         /**< max_pfn */
#define KDX_FACT_NR_PAGES (UINT64_C(1) << 8)        /**< nr_pages */
#define KDX_FACT_WORD_SIZE (UINT64_C(1) << 9)       /**< word_size */
#define KDX_FACT_SEGMENT_VADDRS (UINT64_C(1) << 10) /**< segment_vaddrs */
/** The xen_ crash-info fields but the two below (version 2) */
#define KDX_FACT_XEN_CRASH_INFO (UINT64_C(1) << 11)
#define KDX_FACT_PGT_ROOT (UINT64_C(1) << 32)       /**< the pgt_root_ fields */
#define KDX_FACT_KERNEL_BASE (UINT64_C(1) << 33)    /**< kernel_base */
#define KDX_FACT_DIRECT_MAP_BASE (UINT64_C(1) << 34) /**< direct_map_base */
#define KDX_FACT_DIRECT_MAP_END (UINT64_C(1) << 35) /**< direct_map_end */
#define KDX_FACT_DIRECT_MAP_PHYS (UINT64_C(1) << 36) /**< direct_map_phys */
#define KDX_FACT_PHYS_BASE (UINT64_C(1) << 37)      /**< phys_base */
#define KDX_FACT_XEN_PHYS_START (UINT64_C(1) << 38) /**< xen_phys_start (v2) */
#define KDX_FACT_XEN_DOM0_P2M (UINT64_C(1) << 39)   /**< xen_dom0_p2m_fll (v2) */
/** @} */

/** @name Bits of kdx_dump_facts.flags
 *  @{ */
/** The writer marked the dump incomplete (it ran out of space). */
#define KDX_DUMP_INCOMPLETE (UINT32_C(1) << 0)
/** The file ends before data its headers describe: pages or notes are
 *  missing. */
#define KDX_DUMP_TRUNCATED (UINT32_C(1) << 1)
/** @} */

/**
 * What the dump's reader found in its headers, as numbers: facts about
 * the dump, then hints about the dumped kernel for the OS layer (each
 * may be overridden on the command line there).  A field holds a value
 * only when its KDX_FACT_* bit is in @c set; a format that does not
 * record a fact leaves its bit clear and the field zero.
 *
 * The library owns the struct; fields are only ever added at its end.
 * A caller built with a newer header reads a field added in version N
 * only when @c version >= N.
 */
struct kdx_dump_facts {
	/** KDX_DUMP_FACTS_VERSION of the library that filled it. */
	unsigned int version;
	/** KDX_FACT_* bits: which of the fields below hold a value. */
	uint64_t set;
	/** KDX_DUMP_* bits; always valid (0 when the format cannot tell). */
	uint32_t flags;

	/* ---- the dump ---- */

	/** The format's own version (kdump header_version, FreeBSD
	 *  minidump version, Xen dump-core format version). */
	uint64_t format_version;
	/** The page size the format's header gives (kdump block_size).
	 *  kdx_dump_page_size() says which page size kdx uses. */
	uint32_t page_size;
	/** How the format compresses pages. */
	enum kdx_compression compression;
	/** makedumpfile's dump_level: which kinds of pages were left out
	 *  (kdx_dump_level_text() names them). */
	uint32_t dump_level;
	/** When the writer says the dump was taken: seconds since the epoch
	 *  (kdump's header timestamp). */
	int64_t timestamp;
	/** CPUs the writer counted (kdump nr_cpus; a Xen guest's vCPUs). */
	uint32_t nr_cpus;
	/** One past the highest page frame number of the dumped machine
	 *  (kdump max_mapnr; Xen max_pfn). */
	uint64_t max_pfn;
	/** Pages the dump holds (kdump: pages its bitmap marks dumped; Xen
	 *  nr_pages). */
	uint64_t nr_pages;
	/** The dumped machine's pointer size in bytes as the format states
	 *  it (a Xen guest's width), 4 or 8. */
	unsigned int word_size;
	/** What the load segments' virtual addresses are (ELF). */
	enum kdx_segment_vaddrs segment_vaddrs;
	/** The writer's utsname: release, version, machine and node name,
	 *  NUL-terminated (kdump's header). */
	char uts_release[KDX_UTS_FIELD + 1];
	char uts_version[KDX_UTS_FIELD + 1];   /**< see uts_release */
	char uts_machine[KDX_UTS_FIELD + 1];   /**< see uts_release */
	char uts_nodename[KDX_UTS_FIELD + 1];  /**< see uts_release */

	/* ---- hints about the dumped kernel ---- */

	/** The kernel's page-table root. */
	uint64_t pgt_root;
	/** What kind of number pgt_root is. */
	enum kdx_root_form pgt_root_form;
	/** pgt_root is a machine address or frame (a Xen PV guest's),
	 *  not a physical (pseudo-physical) one. */
	bool pgt_root_machine;
	/** The kernel's virtual base address (FreeBSD kernbase). */
	uint64_t kernel_base;
	/** First virtual address of the direct map of physical memory
	 *  (FreeBSD dmapbase; Linux PAGE_OFFSET where a format records it). */
	uint64_t direct_map_base;
	/** First virtual address past the direct map (FreeBSD dmapend). */
	uint64_t direct_map_end;
	/** Physical address that direct_map_base maps (FreeBSD dmapphys). */
	uint64_t direct_map_phys;
	/** Linux's phys_base (x86_64: where the kernel image was loaded,
	 *  relative to its link address) as the writer recorded it in
	 *  kdump's sub-header.  QEMU's kdump writer may record a value that
	 *  is not VMCOREINFO's NUMBER(phys_base); the kernel's own wins. */
	uint64_t phys_base;

	/* ---- version 2: a Xen host's kdump (Xen's crash notes) ---- */

	/** Xen's version (XEN_ELFNOTE_CRASH_INFO's crash_xen_info_t). */
	uint64_t xen_major_version;
	uint64_t xen_minor_version;   /**< see xen_major_version */
	/** Xen's virtual addresses of its strings: extra version ("-pre",
	 *  ".3"), changeset, compiler, compile date and time. */
	uint64_t xen_extra_version;
	uint64_t xen_changeset;       /**< see xen_extra_version */
	uint64_t xen_compiler;        /**< see xen_extra_version */
	uint64_t xen_compile_date;    /**< see xen_extra_version */
	uint64_t xen_compile_time;    /**< see xen_extra_version */
	/** Xen's taint flags when it crashed. */
	uint64_t xen_tainted;
	/** Which crash_xen_info_t it was: 0 (the common words only), 1 (+
	 *  dom0's p2m tree), 2 (+ xen_phys_start before it). */
	unsigned int xen_crash_info_version;
	/** Machine address where Xen's image was loaded. */
	uint64_t xen_phys_start;
	/** The mfn of dom0's p2m frame list list (the top of the 3-level
	 *  tree Linux keeps for the tools), read by kdx_xen_linux_p2m(). */
	uint64_t xen_dom0_p2m_fll;
};

/**
 * The facts the dump's reader found, as numbers.  Use these rather than
 * parsing kdx_dump_details(), which are for display.
 * @return never NULL; owned by the dump.
 */
KDX_API const struct kdx_dump_facts *kdx_dump_facts(const struct kdx_dump *dump);

/** Bytes kdx_dump_level_text() may need, NUL included. */
#define KDX_DUMP_LEVEL_TEXT 128

/**
 * Describe a makedumpfile dump_level as kdx prints it:
 * "31 (excluded: zero pages, cache pages, cache private pages, user
 * pages, free pages)", or "0 (excluded: nothing)".
 * @param buf where to write the text, NUL-terminated.
 * @param size bytes at @p buf: KDX_DUMP_LEVEL_TEXT always suffices;
 *        fewer truncate the text.
 * @return @p buf
 */
KDX_API const char *kdx_dump_level_text(uint32_t level, char *buf,
					size_t size);

/** How the bytes of a physical range are held. */
enum kdx_range_kind {
	/** The dump holds the bytes. */
	KDX_RANGE_DATA = 0,
	/** Memory that existed but was not written (ELF p_filesz < p_memsz):
	 *  reads return zeros and say so in struct kdx_read_stats. */
	KDX_RANGE_ZERO,
	/** Memory the dump's writer left out on purpose (makedumpfile's
	 *  dump_level filtering): reads fail with KDX_ERR_NODATA unless
	 *  KDX_READ_ZERO_FILL is given. */
	KDX_RANGE_EXCLUDED,
};

/** A run of physical memory the dump describes.  Gaps are holes. */
struct kdx_phys_range {
	uint64_t start;           /**< first physical address */
	uint64_t size;            /**< bytes; never 0 */
	enum kdx_range_kind kind; /**< how the bytes are held */
};

/**
 * The physical memory map: sorted by address, never overlapping, adjacent
 * ranges of one kind merged.  Addresses between ranges are holes.
 */
KDX_API const struct kdx_phys_range *kdx_dump_phys_ranges(const struct kdx_dump *dump,
						  size_t *count);

/** A load segment as the dump's headers give it (ELF PT_LOAD). */
struct kdx_segment {
	uint64_t paddr;       /**< physical address */
	uint64_t vaddr;       /**< virtual address as written in the file */
	uint64_t file_offset; /**< where the bytes start in the file */
	uint64_t file_size;   /**< bytes held in the file */
	uint64_t mem_size;    /**< bytes of memory described */
};

/**
 * How many load segments the dump's headers list (its PT_LOADs; 0 for
 * formats with none), known from the open without reading them again.
 */
KDX_API size_t kdx_dump_segment_count(const struct kdx_dump *dump);

/**
 * The dump's load segments in file order (empty for formats with none).
 * The open only counts them: the first call reads them from the file
 * again and keeps them with the dump (40 bytes each: 40 MB for a million
 * PT_LOADs), so a caller that needs only their number asks
 * kdx_dump_segment_count().  Thread-safe.
 *
 * @return NULL with *count 0 when there are none, or when they cannot be
 *         read now (out of memory, the file failed or changed).
 */
KDX_API const struct kdx_segment *kdx_dump_segments(const struct kdx_dump *dump,
					    size_t *count);

/**
 * Whether the segments' virtual addresses are real mappings, as in QEMU's
 * paging-mode dumps, rather than copies of the physical address.
 */
KDX_API bool kdx_dump_segments_have_virtual(const struct kdx_dump *dump);

/** Well-known note types (ELF n_type values). */
enum kdx_note_type {
	KDX_NT_PRSTATUS = 1,    /**< "CORE": per-CPU registers */
	KDX_NT_PRFPREG = 2,     /**< "CORE": floating-point registers */
	KDX_NT_PRPSINFO = 3,    /**< "CORE": process info */
	KDX_NT_TASKSTRUCT = 4,  /**< "CORE": a task_struct */
	KDX_NT_VMCOREDD = 0x700 /**< "LINUX": device dump */
};

/** A note found in the dump, undecoded. */
struct kdx_note {
	const char *name;     /**< note name, NUL-terminated ("CORE", "QEMU") */
	uint32_t type;        /**< n_type */
	const uint8_t *desc;  /**< the payload */
	size_t desc_size;     /**< payload bytes */
	uint64_t file_offset; /**< where the note header starts in the file */
	const char *kind;     /**< what kdx understood it as ("prstatus",
				   "vmcoreinfo", "qemu-cpu-state", "unknown") */
};

/** All notes in file order. */
KDX_API const struct kdx_note *kdx_dump_notes(const struct kdx_dump *dump,
				      size_t *count);

/** Most registers a CPU record holds (aarch64: x0-x30, sp, pc, pstate). */
#define KDX_CPU_MAX_REGS 40

/**
 * Registers of one CPU, merged from its PRSTATUS and QEMU notes, or taken
 * from a hypervisor's saved state where the format keeps CPU state outside
 * notes (a VMware state file's "cpu" group, a QEMU migration stream's
 * "cpu" sections).  Fields after @c cr were added in 0.1 with
 * @c state_source; each is valid only when its has_ flag says so.
 */
struct kdx_cpu {
	unsigned int index;        /**< 0-based, in note (or vCPU) order */
	int32_t pid;               /**< pr_pid: the task running there */
	unsigned int reg_count;    /**< valid entries in regs and reg_names */
	const char *const *reg_names; /**< names, in the arch's pr_reg order
					   (or the state's own order) */
	uint64_t regs[KDX_CPU_MAX_REGS]; /**< values */
	bool has_control_regs;     /**< cr[] is valid (QEMU x86 notes) */
	uint64_t cr[5];            /**< CR0..CR4 */
	/** Where the control (or translation) registers came from, for
	 *  people: "QEMU CPU state note", "VirtualBox VBCPU note", "VMware
	 *  state", "QEMU migration stream"; NULL when there are none. */
	const char *state_source;
	bool has_efer;             /**< efer is valid (x86 IA32_EFER) */
	uint64_t efer;             /**< IA32_EFER (LME bit 8, LMA bit 10) */
	/** ttbr0_el1, ttbr1_el1 and tcr_el1 are valid (AArch64). */
	bool has_ttbr;
	uint64_t ttbr0_el1;        /**< TTBR0_EL1: the user half's table */
	uint64_t ttbr1_el1;        /**< TTBR1_EL1: the kernel half's table */
	uint64_t tcr_el1;          /**< TCR_EL1: T0SZ, T1SZ, granules */
};

/** CPUs found in the dump's notes or its saved CPU state. */
KDX_API const struct kdx_cpu *kdx_dump_cpus(const struct kdx_dump *dump,
				    size_t *count);

/** One VMCOREINFO line split at its first '='. */
struct kdx_vmcoreinfo_entry {
	const char *key;   /**< e.g. "OSRELEASE", "SYMBOL(init_top_pgt)" */
	const char *value; /**< the text after '=' */
};

/**
 * The VMCOREINFO entries in the order they appear; NULL and *count == 0
 * if the dump has none.
 */
KDX_API const struct kdx_vmcoreinfo_entry *
kdx_dump_vmcoreinfo(const struct kdx_dump *dump, size_t *count);

/** The value of VMCOREINFO key @p key, or NULL. */
KDX_API const char *kdx_dump_vmcoreinfo_get(const struct kdx_dump *dump,
				    const char *key);

/** Where VMCOREINFO came from ("ELF note at offset 0x..."), or NULL. */
KDX_API const char *kdx_dump_vmcoreinfo_source(const struct kdx_dump *dump);

/** Read flag: return zeros for holes instead of failing. */
#define KDX_READ_ZERO_FILL 0x1u

/** What a read met besides dumped bytes. */
struct kdx_read_stats {
	/** Bytes of memory that was not written to the dump (p_memsz tail),
	 *  returned as zeros. */
	uint64_t zero_bytes;
	/** First such address (valid when zero_bytes != 0). */
	uint64_t first_zero;
	/** Bytes of holes filled with zeros (only with KDX_READ_ZERO_FILL). */
	uint64_t hole_bytes;
	/** First hole address (valid when hole_bytes != 0). */
	uint64_t first_hole;
	/** Bytes of filtered-out memory filled with zeros (only with
	 *  KDX_READ_ZERO_FILL). */
	uint64_t excluded_bytes;
	/** First such address (valid when excluded_bytes != 0). */
	uint64_t first_excluded;
};

/**
 * Read @p len bytes of physical memory at @p addr into @p buf.
 *
 * Crosses range boundaries.  A hole or a page excluded by filtering fails
 * with KDX_ERR_NODATA naming the first missing address unless
 * KDX_READ_ZERO_FILL is given.  A page the dump holds but cannot decode
 * fails with KDX_ERR_CORRUPT naming it.  On failure the contents of
 * @p buf are unspecified.
 *
 * @param stats NULL, or filled with what the read met (also on failure).
 */
KDX_API struct kdx_error *kdx_read_phys(const struct kdx_dump *dump, uint64_t addr,
				void *buf, size_t len, unsigned int flags,
				struct kdx_read_stats *stats);

/**
 * The value of symbol @p name in the kernel image given as
 * kdx_open_options.kernel (its link-time address for a variable).
 * @return NULL; KDX_ERR_NOTFOUND when no image was given or it has no
 *         such symbol.
 */
KDX_API struct kdx_error *kdx_dump_kernel_symbol(const struct kdx_dump *dump,
						 const char *name,
						 uint64_t *value);

/**
 * The name of the @p index-th format libkdx reads, or NULL past the last.
 * @param[out] description NULL, or set to a one-line description.
 */
KDX_API const char *kdx_format_name_at(size_t index, const char **description);

#ifdef __cplusplus
}
#endif

#endif /* KDX_DUMP_H */

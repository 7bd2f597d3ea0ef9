/* SPDX-License-Identifier: MIT */
/* Test helper: encode ELF notes (n_namesz, n_descsz, n_type, name and
 * payload each padded to 4 bytes) into a growing buffer, in either byte
 * order — shared by the ELF and kdump-compressed builders, whose note
 * blobs are the same bytes. */
#ifndef KDX_TESTS_MKNOTE_H
#define KDX_TESTS_MKNOTE_H

#include <kdx/byteorder.h>

#include <stddef.h>
#include <stdint.h>

/* A growing note blob. */
struct mknote_buf {
	uint8_t *bytes;
	size_t len;
	enum kdx_byte_order byte_order;
};

/* Append one note; returns the offset of its payload in the blob. */
size_t mknote_add(struct mknote_buf *b, const char *name, uint32_t type,
		  const void *desc, size_t desc_size);

/* Append raw bytes (malformed notes). */
void mknote_add_bytes(struct mknote_buf *b, const void *bytes, size_t len);

/* NT_PRSTATUS for ELF machine @elf_machine (x86_64, i386, aarch64, arm,
 * riscv64; anything else gets x86_64's shape) with pid and registers laid
 * out as the kernel's struct elf_prstatus; returns the payload offset. */
size_t mknote_add_prstatus(struct mknote_buf *b, uint16_t elf_machine,
			   int32_t pid, const uint64_t *regs,
			   unsigned int nregs);

/* Where pr_reg starts and how wide a register is, for @elf_machine. */
void mknote_prstatus_shape(uint16_t elf_machine, size_t *size,
			   size_t *pid_offset, size_t *reg_offset,
			   size_t *reg_size);

void mknote_free(struct mknote_buf *b);

#endif

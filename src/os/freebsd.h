/* SPDX-License-Identifier: MIT */
/* FreeBSD's OS entry (freebsd.c) and its full, non-mini dumps
 * (freebsd_full.c): ELF cores that FreeBSD's dumpsys writes with
 * debug.minidump=0, one physical PT_LOAD per dump_avail chunk, no notes,
 * e_ident[EI_OSABI] ELFOSABI_STANDALONE.  They carry no page-table area
 * and no message buffer of their own: the kernel's page-table root comes
 * from the kernel image's symbols (KPML4phys, IdlePDPT, IdlePTD, read
 * where libkvm reads them: at the symbol minus kernbase, physically) or,
 * from a scan for the table that maps itself (amd64 PML4, i386 PTD). */
#ifndef KDX_OS_FREEBSD_H
#define KDX_OS_FREEBSD_H

#include "os/os.h"

#include <stdbool.h>
#include <stddef.h>

/* sys/sys/msgbuf.h: MSG_MAGIC, the second field of struct msgbuf after
 * the msg_ptr pointer. */
#define KDX_FBSD_MSG_MAGIC 0x063062u

/* Whether @dump is a FreeBSD full dump (an ELF core FreeBSD wrote, or
 * any ELF core opened with a FreeBSD kernel image). */
bool kdx_fbsd_full_dump(const struct kdx_dump *dump);

/* Fill @layout for a full dump (see kdx_os_ops.probe). */
struct kdx_error *kdx_fbsd_full_probe(const struct kdx_dump *dump,
				      const struct kdx_kernel_options *given,
				      struct kdx_kernel_layout *layout);

/* The message buffer through the kernel's msgbufp (a kernel image is
 * needed): *text malloc()ed, NUL-terminated, oldest byte first. */
struct kdx_error *kdx_fbsd_msgbuf_from_symbols(const struct kdx_dump *dump,
					       char **text, size_t *len);

/* The ring's bytes oldest first from the write position @wseq (NULs,
 * never written, left out); returns the bytes written to @out (at least
 * @size long). */
size_t kdx_fbsd_order_ring(const uint8_t *ring, size_t size, uint32_t wseq,
			   char *out);

#endif

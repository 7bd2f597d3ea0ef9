/* SPDX-License-Identifier: MIT */
#include "mknote.h"

#include "bytes.h"

#include <stdlib.h>
#include <string.h>

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

void mknote_add_bytes(struct mknote_buf *b, const void *bytes, size_t len)
{
	b->bytes = realloc(b->bytes, b->len + len + 1);
	memcpy(b->bytes + b->len, bytes, len);
	b->len += len;
}

size_t mknote_add(struct mknote_buf *b, const char *name, uint32_t type,
		  const void *desc, size_t desc_size)
{
	size_t namesz = strlen(name) + 1;
	size_t len = 12 + align4(namesz) + align4(desc_size);
	size_t payload = b->len + 12 + align4(namesz);
	uint8_t *n = calloc(1, len);
	enum kdx_byte_order bo = b->byte_order;

	put32(n, (uint32_t)namesz, bo);
	put32(n + 4, (uint32_t)desc_size, bo);
	put32(n + 8, type, bo);
	memcpy(n + 12, name, namesz);
	if (desc_size)
		memcpy(n + 12 + align4(namesz), desc, desc_size);
	mknote_add_bytes(b, n, len);
	free(n);
	return payload;
}

struct prstatus_shape {
	uint16_t machine;
	size_t size, pid_offset, reg_offset, reg_size;
};

/* Independent of libkdx's arch tables on purpose: the tests check them. */
static const struct prstatus_shape shapes[] = {
	{ 62, 336, 32, 112, 8 },  /* x86_64 */
	{ 3, 144, 24, 72, 4 },    /* i386 */
	{ 183, 392, 32, 112, 8 }, /* aarch64 */
	{ 40, 148, 24, 72, 4 },   /* arm */
	{ 243, 376, 32, 112, 8 }, /* riscv64 */
};

void mknote_prstatus_shape(uint16_t elf_machine, size_t *size,
			   size_t *pid_offset, size_t *reg_offset,
			   size_t *reg_size)
{
	const struct prstatus_shape *s = &shapes[0];

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (shapes[i].machine == elf_machine)
			s = &shapes[i];
	*size = s->size;
	*pid_offset = s->pid_offset;
	*reg_offset = s->reg_offset;
	*reg_size = s->reg_size;
}

size_t mknote_add_prstatus(struct mknote_buf *b, uint16_t elf_machine,
			   int32_t pid, const uint64_t *regs,
			   unsigned int nregs)
{
	size_t size, pid_off, reg_off, reg_size, at;
	enum kdx_byte_order bo = b->byte_order;
	uint8_t *desc;

	mknote_prstatus_shape(elf_machine, &size, &pid_off, &reg_off,
			      &reg_size);
	desc = calloc(1, size);
	put32(desc + pid_off, (uint32_t)pid, bo);
	/* Callers may pass x86_64's 27 registers for any machine. */
	if (nregs > (size - reg_off) / reg_size)
		nregs = (unsigned int)((size - reg_off) / reg_size);
	for (unsigned int r = 0; r < nregs; r++)
		put_bytes(desc + reg_off + r * reg_size, regs[r],
			  (int)reg_size, bo);
	at = mknote_add(b, "CORE", 1, desc, size);
	free(desc);
	return at;
}

void mknote_free(struct mknote_buf *b)
{
	free(b->bytes);
	b->bytes = NULL;
	b->len = 0;
}

/* SPDX-License-Identifier: MIT */
#include "mkqemu.h"

#include "bytes.h"
#include "growbuf.h"

#include <stdlib.h>
#include <string.h>

struct mkqemu {
	struct growbuf out;
};

void mkqemu_bytes(struct mkqemu *q, const void *p, size_t n)
{
	growbuf_put(&q->out, p, n);
}

void mkqemu_u8(struct mkqemu *q, uint8_t v)
{
	mkqemu_bytes(q, &v, 1);
}

void mkqemu_be16(struct mkqemu *q, uint16_t v)
{
	uint8_t b[2];

	put16(b, v, KDX_BIG_ENDIAN);
	mkqemu_bytes(q, b, sizeof(b));
}

void mkqemu_be32(struct mkqemu *q, uint32_t v)
{
	uint8_t b[4];

	put32(b, v, KDX_BIG_ENDIAN);
	mkqemu_bytes(q, b, sizeof(b));
}

void mkqemu_be64(struct mkqemu *q, uint64_t v)
{
	uint8_t b[8];

	put64(b, v, KDX_BIG_ENDIAN);
	mkqemu_bytes(q, b, sizeof(b));
}

void mkqemu_name(struct mkqemu *q, const char *name)
{
	mkqemu_u8(q, (uint8_t)strlen(name));
	mkqemu_bytes(q, name, strlen(name));
}

struct mkqemu *mkqemu_new(void)
{
	struct mkqemu *q = calloc(1, sizeof(*q));

	if (!q)
		abort();
	mkqemu_bytes(q, "QEVM", 4);
	mkqemu_be32(q, 3);
	return q;
}

void mkqemu_free(struct mkqemu *q)
{
	if (q)
		free(q->out.p);
	free(q);
}

void mkqemu_configuration(struct mkqemu *q, const char *machine)
{
	mkqemu_u8(q, MKQEMU_CONFIGURATION);
	mkqemu_be32(q, (uint32_t)strlen(machine));
	mkqemu_bytes(q, machine, strlen(machine));
}

void mkqemu_section(struct mkqemu *q, uint8_t type, uint32_t id,
		    const char *name, uint32_t version)
{
	mkqemu_u8(q, type);
	mkqemu_be32(q, id);
	if (type == MKQEMU_START || type == MKQEMU_FULL) {
		mkqemu_name(q, name);
		mkqemu_be32(q, 0);
		mkqemu_be32(q, version);
	}
}

void mkqemu_footer(struct mkqemu *q, uint32_t id)
{
	mkqemu_u8(q, MKQEMU_FOOTER);
	mkqemu_be32(q, id);
}

void mkqemu_ram_blocks(struct mkqemu *q, const struct mkqemu_block *b,
		       size_t n)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += b[i].length;
	mkqemu_be64(q, total | MKQEMU_RAM_MEM_SIZE);
	for (size_t i = 0; i < n; i++) {
		mkqemu_name(q, b[i].name);
		mkqemu_be64(q, b[i].length);
	}
}

static void record(struct mkqemu *q, const char *block, bool cont,
		   uint64_t offset, unsigned int flags)
{
	mkqemu_be64(q, offset | flags | (cont ? MKQEMU_RAM_CONTINUE : 0));
	if (!cont)
		mkqemu_name(q, block);
}

void mkqemu_ram_page(struct mkqemu *q, const char *block, bool cont,
		     uint64_t offset, const uint8_t *data)
{
	record(q, block, cont, offset, MKQEMU_RAM_PAGE);
	mkqemu_bytes(q, data, MKQEMU_PAGE);
}

void mkqemu_ram_zero(struct mkqemu *q, const char *block, bool cont,
		     uint64_t offset)
{
	record(q, block, cont, offset, MKQEMU_RAM_ZERO);
	mkqemu_u8(q, 0);
}

void mkqemu_ram_eos(struct mkqemu *q)
{
	mkqemu_be64(q, MKQEMU_RAM_EOS);
}

const uint8_t *mkqemu_data(const struct mkqemu *q, size_t *size)
{
	*size = q->out.len;
	return q->out.p;
}

uint8_t *mkqemu_libvirt(const uint8_t *stream, size_t stream_size,
			const char *xml, uint32_t data_len, uint32_t format,
			bool partial, bool big_endian, size_t *size)
{
	enum kdx_byte_order bo = big_endian ? KDX_BIG_ENDIAN :
					      KDX_LITTLE_ENDIAN;
	size_t header = 16 + 19 * 4;
	uint8_t *out;

	if (!data_len)
		data_len = (uint32_t)strlen(xml) + 1;
	*size = header + data_len + stream_size;
	out = calloc(1, *size);
	if (!out)
		abort();
	memcpy(out, partial ? "LibvirtQemudPart" : "LibvirtQemudSave", 16);
	put32(out + 16, 2, bo);
	put32(out + 20, data_len, bo);
	put32(out + 24, 1, bo); /* was_running */
	put32(out + 28, format, bo);
	memcpy(out + header, xml, strlen(xml));
	memcpy(out + header + data_len, stream, stream_size);
	return out;
}

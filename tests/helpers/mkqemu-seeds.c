/* SPDX-License-Identifier: MIT */
/* Write the mkqemu-built seeds of fuzz/corpus/qemu/ (each < 8 KiB; the
 * libvirt-CODEC-stream.bin seeds hold the stream compressed as libvirt's
 * programs leave it):
 *   mkqemu-seeds OUTDIR
 * Small QEMU migration streams (configuration with subsections or none,
 * footers or none, data, zero and re-sent pages, commands, a device
 * section, the end marker) and libvirt save files around them, plus
 * damaged copies: cut short, unknown item, unknown block, bad flags;
 * streams whose device state a vmdesc JSON describes (x86 and ARM "cpu"
 * sections, no footers and zero padding, a size the stream disagrees
 * with, the JSON cut short). */
#include "mkcompressed.h"
#include "mkqemu.h"
#include "seedfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEED 8192

/* pc.ram of 8 pages (one data page holding VMCOREINFO text, the rest
 * zero, one sent again) and pc.bios of one zero page. */
static struct mkqemu *stream_dev(const char *machine, bool footers,
				 bool subs, const struct mkqemu_devstate *dev)
{
	static const struct mkqemu_block blocks[] = {
		{ "pc.ram", 8 * MKQEMU_PAGE },
		{ "pc.bios", MKQEMU_PAGE },
	};
	static uint8_t page[MKQEMU_PAGE];
	struct mkqemu *q = mkqemu_new();

	memcpy(page, "OSRELEASE=6.1.0-seed\nPAGESIZE=4096\n"
		     "SYMBOL(init_top_pgt)=ffffffff82a0a000\n", 74);
	if (machine)
		mkqemu_configuration(q, machine);
	if (machine && subs) {
		mkqemu_u8(q, MKQEMU_SUBSECTION);
		mkqemu_name(q, "configuration/uuid");
		mkqemu_be32(q, 1);
		mkqemu_bytes(q, "0123456789abcdef", 16);
	}
	mkqemu_section(q, MKQEMU_START, 1, "ram", 4);
	mkqemu_ram_blocks(q, blocks, 2);
	mkqemu_ram_eos(q);
	if (footers)
		mkqemu_footer(q, 1);
	mkqemu_section(q, MKQEMU_PART, 1, NULL, 0);
	for (uint64_t p = 0; p < 8; p++) {
		if (p == 2)
			mkqemu_ram_page(q, "pc.ram", true, p * MKQEMU_PAGE,
					page);
		else
			mkqemu_ram_zero(q, "pc.ram", p > 0, p * MKQEMU_PAGE);
	}
	mkqemu_ram_zero(q, "pc.bios", false, 0);
	mkqemu_ram_eos(q);
	if (footers)
		mkqemu_footer(q, 1);
	mkqemu_u8(q, MKQEMU_COMMAND);
	mkqemu_be16(q, 1);
	mkqemu_be16(q, 0);
	mkqemu_section(q, MKQEMU_END, 1, NULL, 0);
	mkqemu_ram_zero(q, "pc.ram", false, 3 * MKQEMU_PAGE);
	mkqemu_ram_eos(q);
	if (footers)
		mkqemu_footer(q, 1);
	if (dev) {
		mkqemu_devices(q, 2, dev);
		return q;
	}
	mkqemu_section(q, MKQEMU_FULL, 2, "timer", 2);
	mkqemu_bytes(q, "\0\0\0\0\0\0\0\1", 8);
	if (footers)
		mkqemu_footer(q, 2);
	mkqemu_u8(q, MKQEMU_EOF);
	return q;
}

/* With device state described by a vmdesc JSON (see mkqemu_devices). */
static struct mkqemu *with_devices(bool arm, bool footers, int delta,
				   size_t cut, size_t pad)
{
	static struct mkqemu_vcpu v[2];
	struct mkqemu_devstate dev = { .cpus = v, .cpu_count = 2, .arm = arm,
				       .footers = footers,
				       .timer_size_delta = delta,
				       .cut_json = cut, .zero_pad = pad };

	for (unsigned int c = 0; c < 2; c++) {
		v[c].cr[0] = 0x80050033;
		v[c].cr[3] = 0x2000 + 0x1000 * c;
		v[c].cr[4] = 0x6f0;
		v[c].efer = 0xd01;
		v[c].ttbr1 = 0x41000000;
		v[c].tcr = 0x35b5503510ull;
	}
	return stream_dev("pc-i440fx-7.2", footers, false, &dev);
}

static struct mkqemu *stream(const char *machine, bool footers, bool subs)
{
	return stream_dev(machine, footers, subs, NULL);
}

static void one(struct seed_dir *dir, const char *name, struct mkqemu *q,
		size_t cut, size_t flip)
{
	size_t size;
	const uint8_t *b = mkqemu_data(q, &size);
	uint8_t *copy = malloc(size);

	memcpy(copy, b, size);
	if (flip && flip < size)
		copy[flip] ^= 0x41;
	seed_save(dir, name, copy, cut && cut < size ? cut : size);
	free(copy);
	mkqemu_free(q);
}

int main(int argc, char **argv)
{
	struct seed_dir out = { .path = argc > 1 ? argv[1] : NULL,
				 .max_size = MAX_SEED };
	struct seed_dir *dir = &out;
	struct mkqemu *q;
	const uint8_t *s;
	size_t size, vsize;
	uint8_t *v;

	if (!out.path) {
		fprintf(stderr, "usage: mkqemu-seeds OUTDIR\n");
		return 2;
	}
	one(dir, "qemu-pc.bin", stream("pc-i440fx-7.2", true, true), 0, 0);
	one(dir, "qemu-q35.bin", stream("pc-q35-7.2", true, false), 0, 0);
	one(dir, "qemu-old.bin", stream(NULL, false, false), 0, 0);
	one(dir, "qemu-cut.bin", stream("pc-i440fx-7.2", true, false), 2000, 0);
	/* The PART's first record flags, then a block name byte. */
	one(dir, "qemu-bad-flags.bin", stream("pc-i440fx-7.2", true, false),
	    0, 8 + 1 + 4 + 13 + 1 + 4 + 1 + 3 + 8 + 8 + 1 + 6 + 8 + 1 + 7 + 8 +
		       8 + 5 + 5 + 7);
	one(dir, "qemu-bad-item.bin", stream("pc-i440fx-7.2", false, false),
	    0, 8);
	one(dir, "qemu-cpu-x86.bin", with_devices(false, true, 0, 0, 0), 0, 0);
	one(dir, "qemu-cpu-x86-nofooter.bin",
	    with_devices(false, false, 0, 0, 100), 0, 0);
	one(dir, "qemu-cpu-arm.bin", with_devices(true, true, 0, 0, 0), 0, 0);
	one(dir, "qemu-cpu-bad-size.bin", with_devices(false, true, 2, 0, 0),
	    0, 0);
	one(dir, "qemu-cpu-cut-json.bin", with_devices(false, true, 0, 7, 0),
	    0, 0);
	q = stream("pc-i440fx-7.2", true, false);
	s = mkqemu_data(q, &size);
	v = mkqemu_libvirt(s, size,
			   "<domain><name>seed</name></domain>", 0, 0, false,
			   false, &vsize);
	seed_save(dir, "libvirt-save.bin", v, vsize);
	free(v);
	v = mkqemu_libvirt(s, size,
			   "<domain><name>seed</name></domain>", 64, 0, true,
			   true, &vsize);
	seed_save(dir, "libvirt-part-be.bin", v, vsize);
	free(v);
	v = mkqemu_libvirt(s, size, "<domain/>", 0, 3,
			   false, false, &vsize);
	seed_save(dir, "libvirt-xz.bin", v, vsize);
	free(v);
	/* Each compressor libvirt runs, over a real stream. */
	for (uint32_t format = 1; format <= 5; format++) {
		static const enum mkz_codec codec[] = { 0, MKZ_GZIP, MKZ_BZIP2,
							MKZ_XZ, MKZ_LZOP,
							MKZ_ZSTD };
		char name[48];
		size_t zsize;
		uint8_t *z = mkz_compress(codec[format], s, size, 1, 0, &zsize);

		if (!z)
			return 1;
		v = mkqemu_libvirt(z, zsize, "<domain/>", 0, format, false,
				   false, &vsize);
		snprintf(name, sizeof(name), "libvirt-%s-stream.bin",
			 mkz_name(codec[format]));
		seed_save(dir, name, v, vsize);
		free(v);
		free(z);
	}
	mkqemu_free(q);
	return out.failures ? 1 : 0;
}

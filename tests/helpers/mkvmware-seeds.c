/* SPDX-License-Identifier: MIT */
/* Write the mkvmware-built seeds of fuzz/corpus/vmware/ (each < 16 KiB):
 *   mkvmware-seeds OUTDIR
 * State files holding their memory in the "Memory" tag (what a fuzzer
 * can open without a .vmem), each version of the magic, with two regions
 * or none, and damaged ones: a region past the memory, a region lacking
 * its page number, no memory group, no memory at all, cut short; with a
 * "cpu" group of two vCPUs (blocks, plain tags, padded blocks) and
 * damaged ones (an absurd vCPU count, a CR64 block claiming a terabyte or
 * of the wrong size, no count), and a compressed Memory block. */
#include "mkvmware.h"
#include "seedfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fuzz/run.sh runs with -max_len=16384; a region is at least a 4 KiB page. */
#define MAX_SEED 16384

/* Build the state file of @o, cut to @cut bytes when @cut is set. */
static void save(struct seed_dir *dir, const char *name,
		 const struct mkvmware_options *o, size_t cut)
{
	size_t size;
	uint8_t *b = mkvmware_build(o, &size);

	seed_save(dir, name, b, cut && cut < size ? cut : size);
	free(b);
}

int main(int argc, char **argv)
{
	static uint8_t mem[3 * 4096];
	static struct mkvmware_vcpu vcpus[2];
	static const struct mkvmware_region two[] = {
		{ .ppn = 0, .page_num = 0, .pages = 2 },
		{ .ppn = 0x100000, .page_num = 2, .pages = 1 },
	};
	static const struct mkvmware_region past[] = {
		{ .ppn = 0, .page_num = 2, .pages = 2 },
	};
	struct mkvmware_options o = { .regions = two, .region_count = 2,
				      .memory = mem,
				      .memory_size = sizeof(mem) };
	struct seed_dir out = { .path = argc > 1 ? argv[1] : NULL,
				 .max_size = MAX_SEED };
	struct seed_dir *dir = &out;
	char name[64];

	if (!out.path) {
		fprintf(stderr, "usage: mkvmware-seeds OUTDIR\n");
		return 2;
	}
	for (unsigned int c = 0; c < 2; c++) {
		for (unsigned int i = 0; i < 16; i++)
			vcpus[c].gpregs[i] = 0x100 * c + i;
		vcpus[c].rip = 0xffffffff81000000ull + c;
		vcpus[c].cr[0] = 0x80050033;
		vcpus[c].cr[3] = 0x2000 | c;
		vcpus[c].cr[4] = 0x6f0;
	}
	for (size_t i = 0; i < sizeof(mem); i++)
		mem[i] = (uint8_t)(i * 7 + i / 4096);
	memcpy(mem + 4096, "OSRELEASE=6.1.0-seed\nPAGESIZE=4096\n"
			   "SYMBOL(init_top_pgt)=ffffffff82a0a000\n", 74);
	for (o.version = 0; o.version < 4; o.version++) {
		snprintf(name, sizeof(name), "vmss-v%u.bin", o.version);
		save(dir, name, &o, 0);
	}
	o.version = 1;
	o.region_count = 0;
	save(dir, "vmss-flat.bin", &o, 0);
	o.regions = past;
	o.region_count = 1;
	save(dir, "vmss-past.bin", &o, 0);
	o.regions = two;
	o.region_count = 2;
	o.drop_page_num = true;
	save(dir, "vmss-no-pagenum.bin", &o, 0);
	o.drop_page_num = false;
	o.no_memory_group = true;
	save(dir, "vmss-no-group.bin", &o, 0);
	o.no_memory_group = false;
	save(dir, "vmss-cut.bin", &o, 600);
	o.memory = NULL;
	save(dir, "vmss-no-memory.bin", &o, 0);
	o.memory = mem;
	o.vcpus = vcpus;
	o.vcpu_count = 2;
	save(dir, "vmss-cpu.bin", &o, 0);
	o.cpu_plain = true;
	save(dir, "vmss-cpu-plain.bin", &o, 0);
	o.cpu_plain = false;
	o.block_pad = 3;
	save(dir, "vmss-cpu-padded.bin", &o, 0);
	o.block_pad = 0;
	o.num_vcpus = 70000;
	save(dir, "vmss-cpu-count.bin", &o, 0);
	o.num_vcpus = 0;
	o.no_num_vcpus = true;
	save(dir, "vmss-cpu-uncounted.bin", &o, 0);
	o.no_num_vcpus = false;
	o.cr64_size = 1ull << 40;
	save(dir, "vmss-cpu-cr64-huge.bin", &o, 0);
	o.cr64_size = 40;
	save(dir, "vmss-cpu-cr64-short.bin", &o, 0);
	o.cr64_size = 0;
	o.compressed_memory = true;
	save(dir, "vmss-compressed.bin", &o, 0);
	return out.failures ? 1 : 0;
}

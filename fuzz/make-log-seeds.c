/* SPDX-License-Identifier: MIT */
/* Write fuzz_log's seeds (see fuzz/fuzz_log.c for the layout): printk logs
 * of every layout built by tests/log/logbuild.c the way the kernel's
 * writers build them, in both byte orders and word sizes, one wrapped.
 *
 * Usage: make-log-seeds OUTDIR    (built with the tests; the seeds are
 * checked in under fuzz/corpus/log) */
#include "logbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_le(FILE *f, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

static int write_seed(const char *dir, const char *name, struct fake_mem *m)
{
	char path[4096], text[8192];
	size_t len = 0;
	FILE *f;

	for (int i = 0; i < m->nkv && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s=%s\n",
					m->kv[i].key, m->kv[i].value);
	if (len >= sizeof(text) || len > 0xffff)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fputc((m->bo == KDX_BIG_ENDIAN ? 1 : 0) | (m->ws == 4 ? 2 : 0), f);
	put_le(f, len, 2);
	fwrite(text, 1, len, f);
	for (int i = 0; i < m->nr; i++) {
		put_le(f, m->r[i].va, 8);
		put_le(f, m->r[i].len, 4);
		fwrite(m->r[i].data, 1, m->r[i].len, f);
	}
	return fclose(f);
}

static const struct {
	const char *name;
	enum kdx_byte_order bo;
	unsigned int ws;
} forms[] = {
	{ "le64", KDX_LITTLE_ENDIAN, 8 },
	{ "be32", KDX_BIG_ENDIAN, 4 },
};

int main(int argc, char **argv)
{
	static struct prb_builder pb; /* holds copies of every record */
	char name[64];
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		struct fake_mem m;
		struct st_builder sb;

		/* Lockless ring: a few records, then one that wrapped. */
		for (int wrap = 0; wrap < 2; wrap++) {
			fm_init(&m, forms[k].bo, forms[k].ws);
			prb_init(&pb, &m, 4, 9, wrap ? 1000 : 0);
			prb_add(&pb, 0, 5, 0, 0, "Linux version 6.1.0-seed", NULL, NULL);
			prb_add(&pb, 1234567, 3, 0, 0x80000001u, "line one\nline two",
				"pci", "+pci:0000:00:01.0");
			for (int i = 0; i < (wrap ? 40 : 3); i++)
				prb_add(&pb, 2000000u + (uint64_t)i, 6, 1, 42,
					"a record that fills the ring", NULL, NULL);
			prb_finish(&pb);
			snprintf(name, sizeof(name), "lockless-%s%s", forms[k].name,
				 wrap ? "-wrapped" : "");
			rc |= write_seed(argv[1], name, &m);
			fm_free(&m);
		}
		/* Structured log_buf (3.5 - 5.9), new and old struct name. */
		for (int old = 0; old < 2; old++) {
			static const char dict[] = "SUBSYSTEM=pci\0DEVICE=+pci:0000:00:02.0";

			fm_init(&m, forms[k].bo, forms[k].ws);
			st_init(&sb, &m, 1024, !old, old);
			st_add(&sb, 0, 5, 0, 0, "Linux version 4.19.0-seed", NULL, 0);
			st_add(&sb, 1500000, 3, 0, 0x80000002u, "pci thing", dict,
			       sizeof(dict) - 1);
			for (int i = 0; i < (old ? 30 : 2); i++)
				st_add(&sb, 2500000u + (uint64_t)i, 6, 1, 77,
				       "from user space", NULL, 0);
			st_finish(&sb);
			snprintf(name, sizeof(name), "structured-%s%s", forms[k].name,
				 old ? "-old-wrapped" : "");
			rc |= write_seed(argv[1], name, &m);
			fm_free(&m);
		}
		/* Character ring (before 3.5). */
		fm_init(&m, forms[k].bo, forms[k].ws);
		plain_build(&m, 512, "<5>Linux version 2.6.32-seed\n<6>booting\n",
			    "2.6.32-seed");
		snprintf(name, sizeof(name), "chars-%s", forms[k].name);
		rc |= write_seed(argv[1], name, &m);
		fm_free(&m);
	}
	return rc ? 1 : 0;
}

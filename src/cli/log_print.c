/* SPDX-License-Identifier: MIT */
/* dmesg-style record printing. */
#include "cli/log_print.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

static const char *const level_names[] = { "emerg",  "alert", "crit",
					   "err",    "warn",  "notice",
					   "info",   "debug" };

const char *cli_log_level_name(int level)
{
	return level >= 0 && level < 8 ? level_names[level] : "?";
}

int cli_log_level_from_name(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} aliases[] = { { "emergency", 0 }, { "critical", 2 }, { "error", 3 },
			{ "warning", 4 } };

	if (name[0] >= '0' && name[0] <= '7' && !name[1])
		return name[0] - '0';
	for (int i = 0; i < 8; i++)
		if (!strcasecmp(name, level_names[i]))
			return i;
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(name, aliases[i].name))
			return aliases[i].level;
	return -1;
}

/* Printable ASCII or C-locale white space: written as it is (what
 * makedumpfile's isprint() || isspace() lets through). */
static bool plain_byte(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || (c >= '\t' && c <= '\r');
}

void cli_log_print(FILE *out, const struct kdx_log_record *rec, bool raw)
{
	const unsigned char *p = (const unsigned char *)rec->text;
	const unsigned char *end = p + rec->text_len;
	char prefix[64];
	int indent = 0;

	if (raw && rec->level >= 0)
		fprintf(out, "<%d>", (rec->facility > 0 ? rec->facility << 3 : 0) |
					     rec->level);
	if (rec->has_timestamp) {
		indent = snprintf(prefix, sizeof(prefix), "[%5" PRIu64 ".%06" PRIu64 "] ",
				  rec->ts_nsec / 1000000000u,
				  rec->ts_nsec % 1000000000u / 1000u);
		fwrite(prefix, 1, (size_t)indent, out);
	}
	if (raw) {
		fwrite(p, 1, rec->text_len, out);
		putc('\n', out);
		return;
	}
	/* Bounded: each pass writes at least one byte of the text. */
	while (p < end) {
		const unsigned char *run = p;

		while (p < end && plain_byte(*p) && *p != '\n')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), out);
		if (p == end)
			break;
		if (*p == '\n')
			fprintf(out, "\n%*s", indent, "");
		else
			fprintf(out, "\\x%02x", *p);
		p++;
	}
	putc('\n', out);
}

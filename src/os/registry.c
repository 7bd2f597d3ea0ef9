/* SPDX-License-Identifier: MIT */
/* The one list of kernels kdx can set up, and choosing one for a dump. */
#include "os/os.h"

/* Each entry lives in its own file. */
extern const struct kdx_os_ops kdx_os_linux_x86;
extern const struct kdx_os_ops kdx_os_linux_arm64;
extern const struct kdx_os_ops kdx_os_linux_arm;
extern const struct kdx_os_ops kdx_os_linux_riscv;
extern const struct kdx_os_ops kdx_os_xen_pv;
extern const struct kdx_os_ops kdx_os_linux_s390x;
extern const struct kdx_os_ops kdx_os_freebsd;

/* Order matters only on a tie between two equally sure entries. */
const struct kdx_os_ops *const kdx_os_table[] = {
	&kdx_os_xen_pv, /* before linux-x86: a Xen PV guest's tables differ */
	&kdx_os_linux_x86,
	&kdx_os_linux_arm64,
	&kdx_os_linux_arm,
	&kdx_os_linux_riscv,
	&kdx_os_linux_s390x,
	&kdx_os_freebsd,
	NULL,
};

const struct kdx_os_ops *kdx_os_find(const struct kdx_dump *dump)
{
	const struct kdx_os_ops *best = NULL;
	enum kdx_os_match best_match = KDX_OS_MATCH_NO;

	for (size_t i = 0; kdx_os_table[i]; i++) {
		enum kdx_os_match m = kdx_os_table[i]->detect(dump);

		if (m > best_match) {
			best = kdx_os_table[i];
			best_match = m;
		}
	}
	return best;
}

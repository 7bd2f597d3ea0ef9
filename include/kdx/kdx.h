/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/kdx.h
 * @brief libkdx umbrella header: include this one.
 */
#ifndef KDX_KDX_H
#define KDX_KDX_H

#include <kdx/addrspace.h>
#include <kdx/arch.h>
#include <kdx/byteorder.h>
#include <kdx/convert.h>
#include <kdx/crash.h>
#include <kdx/dump.h>
#include <kdx/error.h>
#include <kdx/kernel.h>
#include <kdx/log.h>
#include <kdx/verify.h>
#include <kdx/xlat.h>
#include <kdx/xen.h>
#include <kdx/xlat_dump.h>

#include <kdx/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The library's version as "MAJOR.MINOR.PATCH". */
KDX_API const char *kdx_version(void);

#ifdef __cplusplus
}
#endif

#endif /* KDX_KDX_H */

/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/common.h
 * @brief Definitions every libkdx header shares.
 */
#ifndef KDX_COMMON_H
#define KDX_COMMON_H

/** Marks a function as part of libkdx's public ABI; all else is hidden. */
#if defined(__GNUC__)
#define KDX_API __attribute__((visibility("default")))
#else
#define KDX_API
#endif

#endif /* KDX_COMMON_H */

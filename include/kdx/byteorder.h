/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/byteorder.h
 * @brief The byte order of a dumped machine.
 *
 * Its own header, below the architectures: the library's lowest layer
 * reads every multi-byte field in an explicit byte order and needs this
 * enum, not the list of architectures.
 */
#ifndef KDX_BYTEORDER_H
#define KDX_BYTEORDER_H

#ifdef __cplusplus
extern "C" {
#endif

/** The byte order of a dumped machine. */
enum kdx_byte_order {
	KDX_LITTLE_ENDIAN = 0, /**< least significant byte first */
	KDX_BIG_ENDIAN = 1,    /**< most significant byte first */
};

#ifdef __cplusplus
}
#endif

#endif /* KDX_BYTEORDER_H */

/*
 * lp_zip_hdr: the bytes of the ZIP container's records, as the writer
 * identity LP_ZIP_WRITER ("lpzip-1") defines them (internal).
 *
 * Pure functions: a record is a function of its fields only, written byte by
 * byte in little-endian order, so neither the CPU nor any library takes part.
 * Each function fills a caller's buffer and returns the byte count; the
 * buffer sizes below are upper bounds. ZIP64 fields appear exactly when a
 * value does not fit its 32-bit (or, for entry counts, 16-bit) field.
 * docs/internals/zip.md, "Layout", is the spec; a change to any byte needs a
 * new LP_ZIP_WRITER.
 */
#ifndef LP_ZIP_HDR_H
#define LP_ZIP_HDR_H

#include <stddef.h>
#include <stdint.h>

/* Longest name a header can hold (its length is a 16-bit field). */
#define LP_ZIP_HDR_NAME_MAX 0xFFFFu

/* Room a local header needs: 30 fixed bytes, the name, a ZIP64 extra field
 * of at most 20 bytes. */
#define LP_ZIP_HDR_LOCAL_MAX(name_len) (30 + (size_t)(name_len) + 20)

/* Room a central header needs: 46 fixed bytes, the name, a ZIP64 extra
 * field of at most 28 bytes. */
#define LP_ZIP_HDR_CENTRAL_MAX(name_len) (46 + (size_t)(name_len) + 28)

/* Room the end records need: ZIP64 end record (56), its locator (20), the
 * end of central directory record (22). */
#define LP_ZIP_HDR_END_MAX 98

typedef struct lp_zip_hdr {
    const char *name; /* the archive path, UTF-8; a directory's ends in '/' */
    size_t name_len;  /* at most LP_ZIP_HDR_NAME_MAX */
    uint64_t size;    /* uncompressed bytes */
    uint64_t comp_size;
    uint64_t offset; /* of the entry's local header (central header only) */
    uint32_t crc;
    int deflated;      /* method 8 when set, else 0 (stored) */
    uint32_t ext_attr; /* external attributes: Unix mode << 16, MS-DOS bits */
} lp_zip_hdr;

/* The local file header of h (name and extra field included) into out,
 * which holds at least LP_ZIP_HDR_LOCAL_MAX(h->name_len) bytes. */
size_t lp_zip_hdr_local(const lp_zip_hdr *h, unsigned char *out);

/* The central directory header of h into out, which holds at least
 * LP_ZIP_HDR_CENTRAL_MAX(h->name_len) bytes. *zip64 is set to 1 when it
 * holds a ZIP64 extra field (and left alone otherwise). */
size_t lp_zip_hdr_central(const lp_zip_hdr *h, unsigned char *out, int *zip64);

/* The end records for `entries` central headers of cd_size bytes starting at
 * cd_offset; any_zip64: a central header held a ZIP64 field. out holds at
 * least LP_ZIP_HDR_END_MAX bytes. */
size_t lp_zip_hdr_end(uint64_t entries, uint64_t cd_size, uint64_t cd_offset, int any_zip64,
                      unsigned char *out);

#endif

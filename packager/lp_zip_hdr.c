/*
 * lp_zip_hdr: the ZIP container's records (see lp_zip_hdr.h). The field
 * choices are those libzip 1.7.3 made when it wrote our ZIPs (version made
 * by 0x033F, version needed 10/20/45, no extra field but ZIP64), so a
 * package's bytes did not change when this writer replaced it; they differ
 * only where libzip's were not what the ZIP specification asks (a value of
 * exactly 0xFFFFFFFF, exactly 65,535 entries: here they get their ZIP64
 * field, as APPNOTE 4.4.1.4 says).
 */
#include "lp_zip_hdr.h"

#include <string.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define SIG_END 0x06054b50u

#define MAX16 0xFFFFu
#define MAX32 0xFFFFFFFFu

#define MADE_BY 0x033Fu /* 3 (Unix) << 8 | 63 (6.3) */
#define EXTRA_ZIP64 0x0001u
#define FLAG_UTF8 0x0800u /* general-purpose bit 11 */

/* MS-DOS date and time of every entry: 1980-01-01 00:00:00, the earliest a
 * ZIP can express (date = (year - 1980) << 9 | month << 5 | day). */
#define DOS_DATE ((0u << 9) | (1u << 5) | 1u)
#define DOS_TIME 0u

typedef struct out {
    unsigned char *p;
} out;

static void put16(out *o, uint32_t v)
{
    o->p[0] = (unsigned char)(v & 0xFF);
    o->p[1] = (unsigned char)(v >> 8 & 0xFF);
    o->p += 2;
}

static void put32(out *o, uint32_t v)
{
    put16(o, v & 0xFFFF);
    put16(o, v >> 16);
}

static void put64(out *o, uint64_t v)
{
    put32(o, (uint32_t)(v & MAX32));
    put32(o, (uint32_t)(v >> 32));
}

static void put_bytes(out *o, const void *data, size_t n)
{
    memcpy(o->p, data, n);
    o->p += n;
}

static int big(uint64_t v)
{
    return v >= MAX32;
}

static uint32_t field32(uint64_t v)
{
    return big(v) ? MAX32 : (uint32_t)v;
}

/* Bit 11 when the name is not plain ASCII (it is UTF-8: lp_path checks). */
static uint32_t flags_of(const lp_zip_hdr *h)
{
    for (size_t i = 0; i < h->name_len; i++) {
        if ((unsigned char)h->name[i] >= 0x80) {
            return FLAG_UTF8;
        }
    }
    return 0;
}

static uint32_t version_needed(const lp_zip_hdr *h, int zip64)
{
    if (zip64) {
        return 45;
    }
    int dir = h->name_len > 0 && h->name[h->name_len - 1] == '/';
    return h->deflated || dir ? 20 : 10;
}

/* Version needed to CRC-32: the part both headers share. */
static void put_common(out *o, const lp_zip_hdr *h, int zip64)
{
    put16(o, version_needed(h, zip64));
    put16(o, flags_of(h));
    put16(o, h->deflated ? 8 : 0);
    put16(o, DOS_TIME);
    put16(o, DOS_DATE);
    put32(o, h->crc);
}

size_t lp_zip_hdr_local(const lp_zip_hdr *h, unsigned char *buf)
{
    out o = {buf};
    /* A local ZIP64 field holds both sizes, and then both 32-bit fields are
     * 0xFFFFFFFF (APPNOTE 4.5.3). */
    int zip64 = big(h->size) || big(h->comp_size);
    put32(&o, SIG_LOCAL);
    put_common(&o, h, zip64);
    put32(&o, zip64 ? MAX32 : (uint32_t)h->comp_size);
    put32(&o, zip64 ? MAX32 : (uint32_t)h->size);
    put16(&o, (uint32_t)h->name_len);
    put16(&o, zip64 ? 20 : 0);
    put_bytes(&o, h->name, h->name_len);
    if (zip64) {
        put16(&o, EXTRA_ZIP64);
        put16(&o, 16);
        put64(&o, h->size);
        put64(&o, h->comp_size);
    }
    return (size_t)(o.p - buf);
}

size_t lp_zip_hdr_central(const lp_zip_hdr *h, unsigned char *buf, int *zip64_out)
{
    out o = {buf};
    /* The central ZIP64 field holds only the values that do not fit, in
     * this order: size, compressed size, offset. */
    uint32_t extra =
        (big(h->size) ? 8u : 0u) + (big(h->comp_size) ? 8u : 0u) + (big(h->offset) ? 8u : 0u);
    int zip64 = extra > 0;
    put32(&o, SIG_CENTRAL);
    put16(&o, MADE_BY);
    put_common(&o, h, zip64);
    put32(&o, field32(h->comp_size));
    put32(&o, field32(h->size));
    put16(&o, (uint32_t)h->name_len);
    put16(&o, zip64 ? 4 + extra : 0);
    put16(&o, 0); /* comment length */
    put16(&o, 0); /* disk number */
    put16(&o, 0); /* internal attributes */
    put32(&o, h->ext_attr);
    put32(&o, field32(h->offset));
    put_bytes(&o, h->name, h->name_len);
    if (zip64) {
        put16(&o, EXTRA_ZIP64);
        put16(&o, extra);
        if (big(h->size)) {
            put64(&o, h->size);
        }
        if (big(h->comp_size)) {
            put64(&o, h->comp_size);
        }
        if (big(h->offset)) {
            put64(&o, h->offset);
        }
        *zip64_out = 1;
    }
    return (size_t)(o.p - buf);
}

size_t lp_zip_hdr_end(uint64_t entries, uint64_t cd_size, uint64_t cd_offset, int any_zip64,
                      unsigned char *buf)
{
    out o = {buf};
    int zip64 = any_zip64 || entries >= MAX16 || big(cd_size) || big(cd_offset);
    if (zip64) {
        put32(&o, SIG_END64);
        put64(&o, 44); /* the record's size after this field */
        put16(&o, 45); /* version made by */
        put16(&o, 45); /* version needed */
        put32(&o, 0);  /* this disk */
        put32(&o, 0);  /* the disk where the central directory starts */
        put64(&o, entries);
        put64(&o, entries);
        put64(&o, cd_size);
        put64(&o, cd_offset);
        put32(&o, SIG_LOC64);
        put32(&o, 0);                   /* the disk of the ZIP64 end record */
        put64(&o, cd_offset + cd_size); /* where it starts */
        put32(&o, 1);                   /* disks in all */
    }
    put32(&o, SIG_END);
    put16(&o, 0); /* this disk */
    put16(&o, 0); /* the disk where the central directory starts */
    put16(&o, entries >= MAX16 ? MAX16 : (uint32_t)entries);
    put16(&o, entries >= MAX16 ? MAX16 : (uint32_t)entries);
    put32(&o, field32(cd_size));
    put32(&o, field32(cd_offset));
    put16(&o, 0); /* comment length */
    return (size_t)(o.p - buf);
}

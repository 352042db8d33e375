/*
 * lp_manifest_int: helpers shared by the manifest builder and the ZIP reader
 * (internal).
 */
#ifndef LP_MANIFEST_INT_H
#define LP_MANIFEST_INT_H

#include "lp_manifest.h"

#include <sys/stat.h>

/* Format version written into the canonical serialization. */
#define LP_MANIFEST_FORMAT 1

/* Sorts m->files bytewise by archive path. */
void lp_manifest_sort(lp_manifest *m);

/* Sets m->unzipped_size and m->content_hash from m->files (sorted), m->level
 * and m->directory_entries. */
int lp_manifest_seal(lp_manifest *m, lp_error *err);

struct lp_progress_reporter;

/* Reads a regular file through a fixed buffer, hashing it; at most max_size
 * bytes are accepted (LP_ECHANGED beyond). Fills *size and sha256, and
 * *after (may be NULL) with the open file's fstat once read (st_mode 0 when
 * fstat failed). Messages name display. Every chunk's bytes are added to rep
 * (may be NULL), which is asked before the next: LP_ECANCELED once it
 * cancelled. */
int lp_manifest_hash_path(const char *path, const char *display, int si, uint64_t max_size,
                          uint64_t *size, unsigned char sha256[32], struct stat *after,
                          struct lp_progress_reporter *rep, lp_error *err);

#endif

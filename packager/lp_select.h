/*
 * lp_select: turns a spec's sources into the list of files to package
 * (internal).
 *
 * Walks directories, applies include/exclude globs and default excludes,
 * follows symlinks that stay inside their source root, skips the output ZIP
 * and its temporary files, and builds and validates each archive path. It
 * stats files but does not read or hash them, and does not sort.
 */
#ifndef LP_SELECT_H
#define LP_SELECT_H

#include <stddef.h>

#include "lp_manifest.h"

/* Most files a package may hold. */
#define LP_SELECT_MAX_FILES 1000000
/* Deepest directory nesting walked. */
#define LP_SELECT_MAX_DEPTH 256

/* Appends to *files (a malloc'd array of *n entries; caller frees it with
 * lp_select_free) every file selected by spec: archive_path, source_path
 * (filesystem path, NULL for inline), source_index, mode, size (from stat,
 * or the inline length) and content (a copy of inline content). Hashes are
 * left zero. On failure returns LP_E* and fills err; *files may hold the
 * entries gathered so far and must still be freed. */
int lp_select_files(const lp_spec *spec, lp_file **files, size_t *n, lp_error *err);

/* Frees the strings and content of files[0..n) and the array. Accepts NULL. */
void lp_select_free(lp_file *files, size_t n);

#endif

/*
 * lp_summary: a bounded, reviewable view of a manifest, for plans.
 *
 * First-party files are listed one by one. Vendored third-party trees, which
 * can hold thousands of files, are folded into one entry per top-level
 * directory, keyed "name/", whose hash covers every file below it. A
 * top-level directory counts as vendored when it is:
 *   - a `*.dist-info/` or `*.egg-info/` directory;
 *   - named by a distribution at the package root: in a dist-info's RECORD
 *     or top_level.txt, in an egg-info's top_level.txt, or by the
 *     distribution name in the dist-info directory's own name
 *     (`PyYAML-6.0.dist-info` names `pyyaml`, compared case-insensitively
 *     with `-` and `_` alike);
 *   - `node_modules/`.
 * Then, when more than LP_SUMMARY_MAX_ENTRIES entries remain, first-party
 * directories fold too, all at one depth: the deepest level L (top-level
 * directories are level 1) at which folding every directory L deep keeps the
 * summary within the limit, or L = 1 when none does. Each directory L deep
 * becomes one "c1/.../cL/" entry; files less deep stay one entry each. So a
 * plan stays readable and small whatever the file count, and the folded entry
 * still names where a change happened.
 * The folded hash is the SHA-256 of lines "<mode octal> <size> <sha256> <path
 * below the directory>\n" in archive order (docs/internals/manifest.md).
 */
#ifndef LP_SUMMARY_H
#define LP_SUMMARY_H

#include <stddef.h>

#include "lp_error.h"
#include "lp_manifest.h"

/* Above this many entries, first-party directories are folded too. */
#define LP_SUMMARY_MAX_ENTRIES 1000

typedef struct lp_summary_entry {
    char *key;           /* archive path, or "dir/" for a folded directory */
    char sha256_hex[65]; /* the file's hash, or the folded hash */
    size_t n_files;      /* 1 for a file, the number of files folded */
} lp_summary_entry;

typedef struct lp_summary {
    lp_summary_entry *items; /* sorted bytewise by key */
    size_t n;
} lp_summary;

/* Summarizes m. Caller frees *out with lp_summary_free. Files whose content
 * cannot be read (e.g. a manifest read from a ZIP) are classified by their
 * names only. */
int lp_summary_build(lp_summary **out, const lp_manifest *m, lp_error *err);

/* Frees a summary. Accepts NULL. */
void lp_summary_free(lp_summary *s);

#endif

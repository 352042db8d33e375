/*
 * lp_output: what may be done to the file at a package's output path.
 *
 * The output path is the one place where the packager writes outside its
 * cache, so it is where a typo can destroy a user's file. These checks make
 * the rules explicit: only a ZIP archive (or nothing, or an empty file) is
 * ever replaced; a package is removed only while it is still the ZIP that
 * was recorded; the output's directory can be created before any work is
 * done; and temporary files that a killed run left beside the output are
 * removed, by their exact naming pattern only. Errors name the output file
 * and point at the spec's "output_path" field.
 */
#ifndef LP_OUTPUT_H
#define LP_OUTPUT_H

#include "lp_error.h"

/* 0 when nothing is at output_path, or an empty file, or a file that starts
 * like a ZIP archive (a local header or an empty archive's end record).
 * LP_EEXIST (naming the file) for any other file: a source file, a note, a
 * binary. LP_EIO for a directory or an unreadable file. */
int lp_output_check_replaceable(const char *output_path, lp_error *err);

/* 0 when output_path can be written: it is not a directory, and its nearest
 * existing ancestor is a directory in which a directory can be created (a
 * probe directory is made and removed at once, which catches read-only
 * mounts, /proc and permissions even for root). LP_EIO otherwise. Creates
 * nothing that stays. */
int lp_output_check_creatable(const char *output_path, lp_error *err);

typedef enum lp_output_removal {
    LP_OUTPUT_REMOVED, /* it was the recorded ZIP; it is gone */
    LP_OUTPUT_ABSENT,  /* nothing was there */
    LP_OUTPUT_KEPT,    /* something else is there now; left alone */
} lp_output_removal;

/* Removes output_path only when it is a regular file whose SHA-256 (hex) is
 * expect_sha256; anything else is kept and *what says why (err->message
 * describes it for a warning). expect_sha256 NULL or empty: nothing recorded,
 * so the file is kept. Returns 0, or LP_EIO when the ZIP could not be
 * removed. */
int lp_output_remove(const char *output_path, const char *expect_sha256, lp_output_removal *what,
                     lp_error *err);

/*
 * 1 when two spellings of an output path name the same file, by the rule
 * lp_select uses to keep the output out of its own package: the same
 * (device, inode) when the file exists; else the same basename in
 * directories with the same (device, inode); else (nothing exists yet) the
 * same string. "build/x.zip", "./build/x.zip" and a path through a symlinked
 * directory are one file. NULL equals only NULL.
 */
int lp_output_same(const char *a, const char *b);

/* Removes, beside output_path, the temporary files of this packager that are
 * older than the current process: <name>.XXXXXX.tmp and, left by earlier
 * releases whose container libzip wrote, <name>.XXXXXX.tmp.XXXXXX; regular
 * files only. Best effort; returns how many were removed. */
int lp_output_clean_stale(const char *output_path);

#endif

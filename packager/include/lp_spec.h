/*
 * lp_spec: one package definition, shared by every door into the packager.
 *
 * The `lambda_package` resource and the `lambdapack` CLI build and check the
 * same thing: an lp_spec_package, made of the build spec (sources and the
 * options that select files and shape the ZIP) and the check options
 * (runtime, handler, imports). This header is the one place where those
 * options, their defaults and the rules for their values are defined:
 *   - LP_SPEC_DEFAULT_* are the defaults (LP_SPEC_INIT and
 *     LP_CHECK_OPTIONS_INIT use them; the resource plans them);
 *   - lp_spec_check_* validate one value, with the message both doors print;
 *   - lp_spec_package_from_json reads a definition written with the
 *     resource's attribute names (the `values` of `terraform show -json`).
 *
 * Adding an option: a field here (at the end of its struct), its default
 * macro, its JSON key in lp_spec.c, the resource attribute and the CLI flag.
 *
 * Ownership: lp_source, lp_spec and lp_check_options are borrowed views
 * owned by the caller. A package read from JSON owns its strings; free it
 * with lp_spec_package_free.
 */
#ifndef LP_SPEC_H
#define LP_SPEC_H

#include <stddef.h>

#include "lp_error.h"
#include "lp_progress.h"

/* ---- defaults: the one place both doors take them from ---- */
#define LP_SPEC_DEFAULT_EXCLUDES 1                /* default_excludes */
#define LP_SPEC_DEFAULT_LEVEL 6                   /* compression_level */
#define LP_SPEC_DEFAULT_DIRECTORY_ENTRIES 0       /* directory_entries */
#define LP_SPEC_DEFAULT_ALLOW_EXTERNAL_SYMLINKS 0 /* allow_external_symlinks */
#define LP_SPEC_DEFAULT_STRICT_IMPORTS 1          /* strict_imports */
#define LP_SPEC_DEFAULT_ARCHITECTURE "x86_64"     /* architecture */
/* Lambda's unzipped limit (function and layers), checked from file sizes
 * before any file is read; CLI --no-size-limit: 0. */
#define LP_SPEC_DEFAULT_MAX_UNZIPPED ((unsigned long long)262144000)

/* One source: either a filesystem path (dir taken recursively, or a file),
 * or inline content with an archive filename. */
typedef struct lp_source {
    const char *path;           /* file or directory; NULL for inline content */
    const char *prefix;         /* archive prefix ("shared", "python/lib"); NULL or "" for none */
    const char *const *include; /* globs; when n_include > 0 only matching files are taken */
    size_t n_include;
    const char *const *exclude; /* globs, added to the spec-wide excludes */
    size_t n_exclude;
    const char *content; /* inline content (may contain NUL); NULL for a path source */
    size_t content_len;
    const char *filename; /* archive path of the inline content */
} lp_source;

#define LP_SPEC_VERSION 1

/* What goes into the ZIP and how it is written. */
typedef struct lp_spec {
    unsigned version; /* LP_SPEC_VERSION */
    const lp_source *sources;
    size_t n_sources;
    const char *const *excludes; /* globs applied to every path source */
    size_t n_excludes;
    int default_excludes; /* 1: also exclude __pycache__/, *.pyc, .git/, .DS_Store, .terraform/ */
    int level;            /* deflate level 0-9; 0 = stored */
    int allow_external_symlinks; /* 1: follow links whose target leaves the source root */
    int directory_entries;       /* 1: write directory entries too */
    const char *output_path;     /* when inside a source, it is never packaged; may be NULL */
    const char *base_dir;        /* relative paths are resolved against it; NULL = cwd */
    int threads; /* worker threads hashing files; <= 0: one per online CPU (added field) */
    unsigned long long max_unzipped; /* LP_ELIMIT before reading any file when the selected
                                        files' sizes add up to more; 0: no limit */
    lp_progress_cb progress; /* lp_manifest_build reports to it and stops (LP_ECANCELED) when
                                it returns non-zero (lp_progress.h); NULL: none */
    void *progress_payload;  /* passed back to progress */
    int defer_hashes;        /* 1: path sources are left unhashed (lp_file.hash_pending) for
                                lp_zip_build to hash from the bytes it packs, so each file is read
                                once; content_hash is empty until then (added field) */
} lp_spec;

#define LP_SPEC_INIT                                                                               \
    {                                                                                              \
        .version = LP_SPEC_VERSION, .default_excludes = LP_SPEC_DEFAULT_EXCLUDES,                  \
        .level = LP_SPEC_DEFAULT_LEVEL,                                                            \
        .allow_external_symlinks = LP_SPEC_DEFAULT_ALLOW_EXTERNAL_SYMLINKS,                        \
        .directory_entries = LP_SPEC_DEFAULT_DIRECTORY_ENTRIES,                                    \
        .max_unzipped = LP_SPEC_DEFAULT_MAX_UNZIPPED,                                              \
    }

#define LP_CHECK_OPTIONS_VERSION 1

/* What lp_check_run proves about the package (lp_check.h). */
typedef struct lp_check_options {
    unsigned version;    /* LP_CHECK_OPTIONS_VERSION */
    const char *runtime; /* "python3.12", "nodejs20.x", ...; NULL: skip runtime checks */
    const char *handler; /* "pkg/mod.func"; NULL: skip handler checks */
    const char *const *external_modules; /* top-level modules provided elsewhere (layers) */
    size_t n_external_modules;
    int strict_imports;                /* 1: unresolved imports are errors, not warnings */
    const char *const *required_files; /* archive paths that must be present */
    size_t n_required_files;
    const char *const *allow_sensitive_files; /* globs of archive paths that may look like
                                                 credentials (.env, *.pem, ...) */
    size_t n_allow_sensitive_files;
    int allow_oversize;    /* 1: over Lambda's unzipped limit is a warning (--no-size-limit) */
    size_t n_user_sources; /* > 0: files of sources at or past this index were installed from a
                              lock file (dependencies), and the secret guard skips them (a
                              wheel's cacert.pem is not the user's credential); 0: none */
} lp_check_options;

#define LP_CHECK_OPTIONS_INIT                                                                      \
    {                                                                                              \
        .version = LP_CHECK_OPTIONS_VERSION, .strict_imports = LP_SPEC_DEFAULT_STRICT_IMPORTS,     \
    }

/* One `dependencies` block (CLI: --requirements/--npm-lock FILE[=PREFIX]):
 * a lock file installed by lp_deps (lp_deps.h) under an archive folder. */
typedef struct lp_dependency {
    const char *file;              /* requirements*.txt (pip) or package-lock.json (npm) */
    const char *prefix;            /* archive folder; NULL or "" for the root */
    const char *index_url;         /* NULL: the tool's default; "": no index */
    const char *const *find_links; /* pip: directories of wheels */
    size_t n_find_links;
} lp_dependency;

/* A whole package definition: what one `lambda_package` block declares. */
typedef struct lp_spec_package {
    const char *output_path; /* where the ZIP goes; also spec.output_path */
    lp_spec spec;
    lp_check_options check;
    void *owned;              /* storage of a package read from JSON; NULL otherwise */
    const char *architecture; /* "x86_64" or "arm64" (dependencies are installed for it) */
    const lp_dependency *dependencies;
    size_t n_dependencies;
} lp_spec_package;

/* Sets *p to the defaults (no sources, no output path). */
void lp_spec_package_init(lp_spec_package *p);

/*
 * Reads a package definition from a JSON object whose keys are the
 * resource's attribute names (output_path, source [{path, prefix, include,
 * exclude, content, filename}], excludes, default_excludes,
 * compression_level, directory_entries, allow_external_symlinks, runtime,
 * handler, external_modules, strict_imports, required_files, architecture,
 * dependencies [{file, prefix, index_url, find_links}]); null or absent
 * values take the defaults, unknown keys are ignored (computed attributes).
 * base_dir (may be NULL) is where relative paths are resolved. On success
 * *out is set; caller frees it with lp_spec_package_free. LP_EINVAL (field
 * names the key) when the JSON is not an object or a value has the wrong
 * type, LP_ENOMEM. Values are not validated: see lp_spec_validate.
 */
int lp_spec_package_from_json(lp_spec_package **out, const char *json, size_t len,
                              const char *base_dir, lp_error *err);

/* Frees a package read by lp_spec_package_from_json. Accepts NULL. */
void lp_spec_package_free(lp_spec_package *p);

/* ---- validation of single values (no I/O) ---- */

/* An archive prefix: relative, `/`-separated, no `.`/`..`/empty parts.
 * LP_EPATH with field "prefix", source_index si, and a message saying how
 * to write one. NULL and "" (no prefix) are valid. */
int lp_spec_check_prefix(const char *prefix, int si, lp_error *err);

/* A glob of field ("include", "exclude" or "excludes"; si -1 for excludes).
 * LP_EGLOB with the glob compiler's message. */
int lp_spec_check_glob(const char *glob, int si, const char *field, lp_error *err);

/* The compression level rule, written here only: a whole number from 0
 * (stored) to 9. 1 when level follows it, else 0. */
int lp_spec_level_valid(double level);

/* compression_level: LP_EINVAL (field "level") unless lp_spec_level_valid,
 * with the message every door prints. */
int lp_spec_check_level(double level, lp_error *err);

/* A level written as text (lambdapack --level): *level set and 0, or
 * LP_EINVAL with lp_spec_check_level's message naming the text. */
int lp_spec_parse_level(const char *text, int *level, lp_error *err);

/* runtime: LP_EINVAL (field "runtime") when not a Lambda runtime identifier. */
int lp_spec_check_runtime(const char *runtime, lp_error *err);

/* architecture: LP_EINVAL (field "architecture") unless NULL, "x86_64" or
 * "arm64". */
int lp_spec_check_architecture(const char *architecture, lp_error *err);

/* The handler's form, written here only. The dot that splits a handler
 * into module (or file) and function, or NULL when there is none with text
 * on both sides: the last '.' (Python, and the form validation checks for
 * any runtime), or with nodejs the first '.' after the last '/' (Node.js
 * loads file "dist/app" for "dist/app.handler"). */
const char *lp_spec_handler_dot(const char *handler, int nodejs);

/* handler: LP_EINVAL (field "handler") unless lp_spec_handler_dot finds its
 * dot, with the message every door prints ("must look like
 * `module.function`", or `file.function` with nodejs). NULL is valid. */
int lp_spec_check_handler_form(const char *handler, int nodejs, lp_error *err);

/* lp_spec_check_handler_form for any runtime (nodejs 0). */
int lp_spec_check_handler(const char *handler, lp_error *err);

/* Receives each problem a validator finds (e is borrowed for the call). */
typedef void (*lp_spec_problem_fn)(void *payload, const lp_error *e);

/* Which arguments a source block sets (a value may still be unknown). */
typedef struct lp_spec_source_shape {
    int path, content, filename, prefix, include, exclude;
} lp_spec_source_shape;

/* The shape of source si: exactly one of path or content; filename with
 * content only; prefix/include/exclude with path only; a non-empty path
 * (empty_path). Calls fn once per problem (LP_EINVAL, field set); returns
 * the number of problems. */
size_t lp_spec_check_source_shape(const lp_spec_source_shape *shape, int empty_path, int si,
                                  lp_spec_problem_fn fn, void *payload);

/* The headline both doors print for a problem a validator reported
 * ("Invalid prefix", "Missing filename", ...); has_content: the source it
 * is about has inline content. Static. */
const char *lp_spec_problem_summary(const lp_error *e, int has_content);

/* Writes into buf the attribute an error points at, spelled as in the
 * resource: "source[1].prefix", "compression_level" (field "level"),
 * "excludes"; "" when the error names no attribute. */
void lp_spec_attribute(const lp_error *e, char *buf, size_t size);

/* Calls fn(payload, e) for every problem lp_spec_check_* and
 * lp_spec_check_source_shape find in p. Returns the number of problems. */
size_t lp_spec_validate(const lp_spec_package *p, lp_spec_problem_fn fn, void *payload);

#endif

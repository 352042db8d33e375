/*
 * lp_check: proves at plan time that Lambda can load the package.
 *
 * Given a manifest and the function's runtime and handler, checks that the
 * handler resolves to a module in the package and defines the function, that
 * the handler's imports (followed transitively through the package's own
 * modules) resolve, that required files are present, and Lambda's size
 * limits. Python sources are scanned by a C tokenizer (lp_pyscan); nothing is
 * executed. Findings carry the spec field and the archive path and line.
 * Handler and import checks run for python* and nodejs* runtimes only (Node.js:
 * handler file and export; imports are not followed). The rules are in
 * docs/internals/checks.md.
 */
#ifndef LP_CHECK_H
#define LP_CHECK_H

#include <stddef.h>

#include "lp_error.h"
#include "lp_manifest.h"

/* lp_check_options and its defaults are defined in lp_spec.h. */

/* Lambda's limit on the unzipped size of a package, and the size above which
 * a ZIP must be uploaded through S3. */
#define LP_LAMBDA_MAX_UNZIPPED ((unsigned long long)262144000)
#define LP_LAMBDA_MAX_DIRECT_ZIP ((unsigned long long)52428800)

typedef enum lp_check_severity { LP_CHECK_ERROR = 1, LP_CHECK_WARNING = 2 } lp_check_severity;

typedef struct lp_check_finding {
    lp_check_severity severity;
    const char *field;  /* static: "handler", "runtime", "required_files",
                           "external_modules", "source" (package contents:
                           imports, sizes) or NULL */
    int index;          /* element index for list fields, else -1 */
    char *summary;      /* short, e.g. "Handler module not found in package" */
    char *detail;       /* one or more sentences naming the handler, import,
                           file and line: "course_request_handler/handler.py:3
                           imports 'shared.logic.courses', but the package has
                           no shared/logic/ ..." */
    char *archive_path; /* file the finding is about, or NULL */
    int line;           /* 1-based line in archive_path, 0 when none */
} lp_check_finding;

typedef struct lp_check_report {
    lp_check_finding *items;
    size_t n;
} lp_check_report;

/* Runs every check that opts enables against m (borrowed; its files are read
 * through lp_manifest_read when they have no inline content). Returns 0 and a
 * report (possibly empty) that the caller frees with lp_check_report_free; a
 * negative LP_E* only when the checks themselves could not run: LP_EINVAL
 * (NULL manifest/options or unknown options version), LP_ENOMEM, or the
 * LP_ENOENT/LP_EIO of a source file that cannot be read. */
int lp_check_run(lp_check_report **out, const lp_manifest *m, const lp_check_options *opts,
                 lp_error *err);

/* Frees a report and its strings. Accepts NULL. */
void lp_check_report_free(lp_check_report *r);

/* An empty report, for lp_check_zip_size (free with lp_check_report_free),
 * or NULL when out of memory. */
lp_check_report *lp_check_report_new(void);

/* Appends to r the warning for a ZIP of zip_size bytes when it is larger
 * than LP_LAMBDA_MAX_DIRECT_ZIP (the caller knows the size only after
 * building). Returns 0, or LP_ENOMEM (r unchanged). */
int lp_check_zip_size(lp_check_report *r, unsigned long long zip_size);

#endif

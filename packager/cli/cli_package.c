/*
 * cli_package: the steps every lambdapack command takes with a package, as
 * the resource takes them: install its dependencies (the machine-wide
 * cache, warnings for unpinned requirement files), build its manifest, run
 * the plan-time checks, and print an lp_error or a finding the way the
 * resource words its diagnostics.
 *
 * Owns nothing past a call. Part of the CLI, not of the library.
 */
#include "cli_package.h"

#include <stdio.h>
#include <unistd.h>

#include "lp_check.h"
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_spec.h"
#include "cli_opts.h"
#include "cli_progress.h"

/* Prints an lp_error as the resource words its diagnostic. */
int cli_package_fail(const lp_error *err)
{
    char attr[256];
    lp_spec_attribute(err, attr, sizeof(attr));
    if (attr[0] != '\0') {
        fprintf(stderr, "Error: %s\n\n  on %s\n\n", lp_error_summary(err->code), attr);
    } else {
        fprintf(stderr, "Error: %s\n\n", lp_error_summary(err->code));
    }
    fprintf(stderr, "lambdapack: %s\n", err->message[0] != '\0' ? err->message : "error");
    return CLI_EXIT_ERR;
}

/* Prints check findings as the resource's diagnostics; 1 when any is an error. */
int cli_package_print_findings(const lp_check_report *r)
{
    int errors = 0;
    for (size_t i = 0; i < r->n; i++) {
        const lp_check_finding *f = &r->items[i];
        errors |= f->severity == LP_CHECK_ERROR;
        fprintf(stderr, "%s: %s\n\n", f->severity == LP_CHECK_ERROR ? "Error" : "Warning",
                f->summary);
        if (f->field != NULL && f->index >= 0) {
            fprintf(stderr, "  on %s[%d]\n\n", f->field, f->index);
        } else if (f->field != NULL) {
            fprintf(stderr, "  on %s\n\n", f->field);
        }
        fprintf(stderr, "%s\n\n", f->detail);
    }
    return errors;
}

/* Runs the plan-time checks; CLI_EXIT_DIFF when any finding is an error. */
int cli_package_run_checks(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m)
{
    lp_check_report *r = NULL;
    lp_error err = LP_ERROR_INIT;
    lp_check_options check = p->check;
    check.allow_oversize = o->no_size_limit;
    check.n_user_sources = p->spec.n_sources; /* the rest are installed dependencies */
    if (lp_check_run(&r, m, &check, &err) < 0) {
        return cli_package_fail(&err);
    }
    int rc = cli_package_print_findings(r) ? CLI_EXIT_DIFF : 0;
    lp_check_report_free(r);
    return rc;
}

/* The spec as given, with the thread count of the command line. */
lp_spec cli_package_spec(const cli_opts *o, const lp_spec_package *p)
{
    lp_spec spec = p->spec;
    spec.threads = o->threads;
    if (o->no_size_limit) {
        spec.max_unzipped = 0;
    }
    return spec;
}

static void deps_progress(void *payload, const char *message)
{
    (void)payload;
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "lambdapack: %s...\n", message);
    }
}

/* Installs the package's dependencies (when it has any) as the resource
 * does, and points *spec at a spec that includes them; *set owns what it
 * borrows. Warns about unpinned requirement files. prog (may be NULL) stops
 * an install after an interrupt. Returns 0, CLI_EXIT_ERR or, cancelled, 128 +
 * the signal. */
static int install_deps(const lp_spec_package *p, lp_spec *spec, lp_deps_set **set,
                        cli_progress *prog)
{
    char dir[4096];
    lp_error err = LP_ERROR_INIT;
    lp_deps_request req = LP_DEPS_REQUEST_INIT;
    *set = NULL;
    if (p->n_dependencies == 0) {
        return 0;
    }
    if (lp_deps_default_cache_dir(dir, sizeof(dir)) < 0) {
        fprintf(stderr, "lambdapack: cache directory path too long\n");
        return CLI_EXIT_ERR;
    }
    req.runtime = p->check.runtime;
    req.architecture = p->architecture;
    req.cache_dir = dir;
    req.progress = deps_progress;
    if (prog != NULL) {
        req.stop = cli_progress_cb;
        req.stop_payload = prog;
    }
    if (lp_deps_install_all(set, spec, p->dependencies, p->n_dependencies, &req, &err) < 0) {
        cli_package_fail(&err);
        return err.code == LP_ECANCELED ? cli_progress_exit_status() : CLI_EXIT_ERR;
    }
    for (size_t i = 0; i < (*set)->n; i++) {
        const lp_deps_result *r = &(*set)->results[i];
        if (r->unpinned > 0) {
            fprintf(stderr,
                    "Warning: Dependencies not fully pinned\n\n%s has %d requirement(s) without "
                    "== (the first: %s). The package will change whenever a dependency "
                    "publishes a release. Pin every version, with hashes: `pip-compile "
                    "--generate-hashes` or `uv pip compile --generate-hashes`.\n\n",
                    p->dependencies[i].file, r->unpinned, r->unpinned_first);
        }
        if (isatty(STDERR_FILENO)) {
            if (r->cache_hit) {
                fprintf(stderr, "lambdapack: %s: %zu files from the cache\n",
                        p->dependencies[i].file, r->n_files);
            } else {
                fprintf(stderr, "lambdapack: %s: installed %zu files in %.1fs\n",
                        p->dependencies[i].file, r->n_files, r->seconds);
            }
        }
    }
    *spec = (*set)->spec;
    return 0;
}

/* Installs p's dependencies into *spec (the spec to build, adjusted by the
 * caller), then builds its manifest; prog (may be NULL) is started once
 * the dependencies are in. Returns 0 or CLI_EXIT_ERR after printing why. */
int cli_package_load_manifest(const lp_spec_package *p, lp_spec *spec, lp_deps_set **deps,
                              lp_manifest **m, cli_progress *prog, const char *output)
{
    lp_error err = LP_ERROR_INIT;
    if (prog != NULL) {
        cli_progress_start(prog, output);
    }
    int rc = install_deps(p, spec, deps, prog);
    if (rc != 0) {
        if (prog != NULL) {
            cli_progress_stop(prog);
        }
        return rc;
    }
    if (prog != NULL) {
        spec->progress = cli_progress_cb;
        spec->progress_payload = prog;
    }
    if (lp_manifest_build(m, spec, &err) < 0) {
        if (prog != NULL) {
            cli_progress_stop(prog);
        }
        cli_package_fail(&err);
        return err.code == LP_ECANCELED ? cli_progress_exit_status() : CLI_EXIT_ERR;
    }
    return 0;
}

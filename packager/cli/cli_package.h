/*
 * cli_package: what every lambdapack command does with a package
 * (cli_package.c).
 */
#ifndef CLI_PACKAGE_H
#define CLI_PACKAGE_H

#include "cli_opts.h"
#include "cli_progress.h"
#include "lp_check.h"
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_spec.h"

/* Prints an lp_error as the resource words its diagnostic; CLI_EXIT_ERR. */
int cli_package_fail(const lp_error *err);

/* Prints check findings as the resource's diagnostics; 1 when any is an
 * error. */
int cli_package_print_findings(const lp_check_report *r);

/* Runs the plan-time checks; CLI_EXIT_DIFF when any finding is an error. */
int cli_package_run_checks(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m);

/* The spec as given, with the thread count and size limit of the command
 * line. */
lp_spec cli_package_spec(const cli_opts *o, const lp_spec_package *p);

/* Installs p's dependencies into *spec (the spec to build, adjusted by the
 * caller), then builds its manifest; prog (may be NULL) is started once
 * the dependencies are in. Returns 0, or an exit status after printing why.
 * The caller frees *deps and *m. */
int cli_package_load_manifest(const lp_spec_package *p, lp_spec *spec, lp_deps_set **deps,
                              lp_manifest **m, cli_progress *prog, const char *output);

#endif

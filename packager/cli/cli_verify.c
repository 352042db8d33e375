/*
 * cli_verify: `lambdapack verify` (a ZIP read back, or compared with what
 * its package builds: differing entries, then the CodeSha256 of each side)
 * and `lambdapack diff` (two ZIPs, entry by entry).
 *
 * Writes nothing but a temporary copy of the built ZIP, removed before it
 * returns. Part of the CLI, not of the library.
 */
#include "cli_verify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_spec.h"
#include "lp_zip.h"
#include "cli_opts.h"
#include "cli_package.h"

static const char *kind_name(lp_diff_kind k)
{
    switch (k) {
    case LP_DIFF_MISSING:
        return "missing";
    case LP_DIFF_EXTRA:
        return "extra";
    case LP_DIFF_CHANGED:
        return "changed";
    case LP_DIFF_MODE:
        return "mode";
    }
    return "?";
}

/* Prints differences; *n_diff (when not NULL) gets their number. Returns 0
 * when none, CLI_EXIT_DIFF otherwise, CLI_EXIT_ERR on failure. */
static int report_diff(const lp_manifest *expected, const lp_manifest *actual, size_t *n_diff)
{
    lp_diff_list *d = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_diff(&d, expected, actual, &err) < 0) {
        return cli_package_fail(&err);
    }
    for (size_t i = 0; i < d->n; i++) {
        const lp_diff *it = &d->items[i];
        if (it->kind == LP_DIFF_MODE) {
            printf("mode %s (%04" PRIo32 " -> %04" PRIo32 ")\n", it->archive_path,
                   it->expected_mode, it->actual_mode);
        } else {
            printf("%s %s\n", kind_name(it->kind), it->archive_path);
        }
    }
    if (n_diff != NULL) {
        *n_diff = d->n;
    }
    int rc = d->n == 0 ? 0 : CLI_EXIT_DIFF;
    lp_diff_list_free(d);
    return rc;
}

/* The hashes of the ZIP m builds: written to a private temporary
 * directory, hashed, removed. */
static int built_zip_info(const lp_manifest *m, int threads, lp_zip_info *info, cli_progress *prog)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/lambdapack-verify-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "lambdapack: cannot create a temporary directory '%s': %s\n", dir,
                strerror(errno));
        return -1;
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/built.zip", dir);
    lp_error err = LP_ERROR_INIT;
    lp_zip_options zo = LP_ZIP_OPTIONS_INIT;
    zo.threads = threads;
    zo.progress = cli_progress_cb;
    zo.progress_payload = prog;
    int rc = lp_zip_write_opts(m, path, &zo, info, &err);
    unlink(path);
    rmdir(dir);
    if (rc < 0) {
        cli_package_fail(&err);
        return rc == LP_ECANCELED ? cli_progress_exit_status() : CLI_EXIT_ERR;
    }
    return 0;
}

static const char *VERIFY_HELP =
    "usage: lambdapack verify ZIP\n"
    "       lambdapack verify ZIP --from-terraform ADDRESS [--terraform-json FILE] [--contents]\n"
    "       lambdapack verify ZIP [--contents] --against [options] SOURCE...\n"
    "\n"
    "Without a package: reads every entry of ZIP, checking CRCs, sizes and names.\n"
    "With one (--from-terraform, or --against SOURCEs and options): compares ZIP,\n"
    "e.g. one downloaded from Lambda, with what the package builds. It lists each\n"
    "differing entry (missing, extra, changed, mode), then prints ZIP's CodeSha256,\n"
    "the one the sources build (and the one the state records), and whether the\n"
    "bytes are identical. Exit status: 0 same files and identical bytes (with\n"
    "--contents: same files), 1 differences, 2 error.\n";

/* Prints the CodeSha256 of the ZIP, of what its sources build and (from
 * Terraform) of the state, then the verdict; returns the exit status. */
static int print_verdict(const cli_opts *o, const lp_zip_info *zip, const lp_zip_info *built,
                         size_t n_diff)
{
    int same_bytes = strcmp(zip->sha256_hex, built->sha256_hex) == 0;
    printf("ZIP CodeSha256      %s  %s\n", zip->base64sha256, o->zip);
    printf("sources CodeSha256  %s  (what lambda_package builds from them)\n", built->base64sha256);
    if (o->tf != NULL && o->rec.output_base64sha256[0] != '\0') {
        printf("state CodeSha256    %s  (%s.output_base64sha256)\n", o->rec.output_base64sha256,
               o->from_terraform);
    }
    if (n_diff > 0) {
        printf("%s differs from its sources: %zu entr%s listed above; bytes %s\n", o->zip, n_diff,
               n_diff == 1 ? "y" : "ies", same_bytes ? "identical" : "differ");
        return CLI_EXIT_DIFF;
    } else if (same_bytes) {
        printf("%s matches its sources: same files, identical bytes\n", o->zip);
        return 0;
    } else {
        printf("%s has the same files as its sources, but the bytes differ: it was not written "
               "by lambda_package/lambdapack with these settings, so Lambda's CodeSha256 "
               "differs%s\n",
               o->zip, o->contents_only ? " (accepted: --contents)" : "");
        return o->contents_only ? 0 : CLI_EXIT_DIFF;
    }
}

int cli_verify_main(int argc, char **argv)
{
    cli_opts o;
    cli_opts_init(&o);
    lp_error err = LP_ERROR_INIT;
    lp_manifest *want = NULL, *have = NULL;
    lp_deps_set *deps = NULL;
    cli_progress prog = {.active =
                             0}; /* the cli_progress line; Ctrl-C stops reading and building */
    int rc = CLI_EXIT_ERR;
    int prc = cli_opts_parse(&o, CLI_CMD_VERIFY, argc, argv, VERIFY_HELP);
    if (prc != 0) {
        rc = prc > 0 ? 0 : CLI_EXIT_ERR;
        goto done;
    }
    if (o.zip == NULL) {
        fprintf(stderr, "lambdapack: verify needs a ZIP (try --help)\n");
        goto done;
    }
    int compare = o.against || o.from_terraform != NULL;
    if (!compare && (o.first_non_level_arg != NULL || o.contents_only)) {
        /* --level alone says which level the content hash is computed for */
        fprintf(stderr,
                "lambdapack: '%s' needs a package to compare with: --from-terraform "
                "ADDRESS or --against SOURCE...\n",
                o.first_non_level_arg != NULL ? o.first_non_level_arg : "--contents");
        goto done;
    }
    const lp_spec_package *p = NULL;
    if (compare && (p = cli_opts_definition(&o, 1)) == NULL) {
        goto done;
    }
    int level = p != NULL ? p->spec.level : o.pkg.spec.level;
    cli_progress_start(&prog, o.zip);
    lp_zip_options ro = LP_ZIP_OPTIONS_INIT;
    ro.progress = cli_progress_cb;
    ro.progress_payload = &prog;
    if (lp_zip_read_manifest_opts(&have, o.zip, level, &ro, &err) < 0) {
        rc = cli_package_fail(&err);
        if (err.code == LP_ECANCELED) {
            rc = cli_progress_exit_status();
        }
        goto done;
    }
    if (!compare) {
        printf("%s: %zu entries OK, content_hash %s\n", o.zip, have->n_files, have->content_hash);
        rc = 0;
        goto done;
    }
    lp_spec spec = cli_package_spec(&o, p);
    if (o.tf == NULL) {
        spec.output_path = o.zip;
        if (!spec.directory_entries) {
            spec.directory_entries = have->directory_entries;
        }
    }
    if ((rc = cli_package_load_manifest(p, &spec, &deps, &want, &prog, o.zip)) != 0) {
        goto done;
    }
    size_t n_diff = 0;
    if ((rc = report_diff(want, have, &n_diff)) == CLI_EXIT_ERR) {
        goto done;
    }
    lp_zip_info zip_info, built;
    if (lp_zip_hash_file(o.zip, &zip_info, &err) < 0) {
        rc = cli_package_fail(&err);
        goto done;
    }
    if ((rc = built_zip_info(want, o.threads, &built, &prog)) != 0) {
        goto done;
    }
    rc = print_verdict(&o, &zip_info, &built, n_diff);
done:
    cli_progress_stop(&prog);
    lp_manifest_free(want);
    lp_manifest_free(have);
    lp_deps_set_free(deps);
    cli_opts_free(&o);
    return rc;
}

static const char *DIFF_HELP = "usage: lambdapack diff A.zip B.zip\n"
                               "\n"
                               "Lists the entries that differ between two ZIPs (missing from B,\n"
                               "extra in B, changed, mode). Exit status: 0 same, 1 different,\n"
                               "2 error.\n";

int cli_verify_diff_main(int argc, char **argv)
{
    lp_error err = LP_ERROR_INIT;
    lp_manifest *a = NULL, *b = NULL;
    int rc = CLI_EXIT_ERR;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(DIFF_HELP, stdout);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "lambdapack: diff needs two ZIPs (try --help)\n");
        return CLI_EXIT_ERR;
    }
    if (lp_zip_read_manifest(&a, argv[1], LP_SPEC_DEFAULT_LEVEL, &err) < 0 ||
        lp_zip_read_manifest(&b, argv[2], LP_SPEC_DEFAULT_LEVEL, &err) < 0) {
        rc = cli_package_fail(&err);
        goto done;
    }
    rc = report_diff(a, b, NULL);
done:
    lp_manifest_free(a);
    lp_manifest_free(b);
    return rc;
}

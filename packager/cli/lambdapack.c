/*
 * lambdapack: the command-line face of the packager library.
 *
 *   lambdapack build -o OUT.zip [options] SOURCE...
 *   lambdapack build -o OUT.zip --from-terraform ADDRESS [--terraform-json FILE]
 *   lambdapack check [options] SOURCE...  |  check --from-terraform ADDRESS
 *   lambdapack manifest [--json] [options] SOURCE...
 *   lambdapack verify ZIP [--from-terraform ADDRESS | --against [options] SOURCE...]
 *   lambdapack diff A.zip B.zip
 *
 * A package is defined either by options and SOURCEs, or by the
 * lambda_package at ADDRESS in `terraform show -json`: both give the same
 * lp_spec_package (lp_spec.h), with the same defaults, and go through the
 * same validation, manifest, checks and writer as the resource. Exit codes:
 * 0 success/match, 1 problems found (check errors, differences), 2 error.
 * This file holds main and the build, check and manifest commands; the
 * command line is cli_opts, the steps every command shares cli_package,
 * verify and diff cli_verify, the progress line cli_progress. The CLI only
 * parses arguments and prints; packaging logic belongs to the library.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_check.h"
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_spec.h"
#include "lp_zip.h"
#include "cli_opts.h"
#include "cli_package.h"
#include "cli_progress.h"
#include "cli_verify.h"

static const char *BUILD_HELP =
    "usage: lambdapack build -o OUT.zip [options] SOURCE...\n"
    "       lambdapack build -o OUT.zip --from-terraform ADDRESS [--terraform-json FILE]\n"
    "\n"
    "Builds a reproducible Lambda ZIP, byte for byte what lambda_package builds from\n"
    "the same definition, after the same plan-time checks (handler, imports,\n"
    "required files, sizes). A check error writes nothing and exits 1.\n"
    "\n"
    "  -o, --output OUT.zip        the ZIP to write (atomically replaced)\n"
    "      --threads N             worker threads, default one per CPU\n"
    "      --no-cache              compress every file, without the machine's store of\n"
    "                              compressed entries (~/.cache/lambdapack/store)\n"
    "      --json                  print a JSON summary on stdout\n";

static int print_build_json(const lp_manifest *m, const lp_zip_info *info)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "content_hash", m->content_hash,
                  "output_sha256", info->sha256_hex, "output_base64sha256", info->base64sha256,
                  "output_size", (json_int_t)info->size, "unzipped_size",
                  (json_int_t)m->unzipped_size, "file_count", (json_int_t)m->n_files);
    if (j == NULL || json_dumpf(j, stdout, JSON_INDENT(2)) < 0) {
        json_decref(j);
        fprintf(stderr, "lambdapack: cannot write JSON\n");
        return -1;
    }
    json_decref(j);
    fputc('\n', stdout);
    return 0;
}

/* Says whether a ZIP equals the one the state records. */
static void compare_with_state(const cli_opts *o, const lp_zip_info *info)
{
    if (o->tf == NULL || o->rec.output_sha256[0] == '\0') {
        return;
    }
    const char *what =
        strcmp(o->rec.form, "plan") == 0 ? "the plan announces" : "the state records";
    if (strcmp(o->rec.output_sha256, info->sha256_hex) == 0) {
        fprintf(stderr, "lambdapack: identical to the ZIP %s for %s (CodeSha256 %s)\n", what,
                o->from_terraform, info->base64sha256);
    } else {
        fprintf(stderr,
                "lambdapack: differs from the ZIP %s for %s (CodeSha256 %s): the sources "
                "changed since then\n",
                what, o->from_terraform, o->rec.output_base64sha256);
    }
}

static int cmd_build(int argc, char **argv)
{
    cli_opts o;
    cli_opts_init(&o);
    lp_error err = LP_ERROR_INIT;
    lp_manifest *m = NULL;
    lp_zip_info info;
    lp_deps_set *deps = NULL;
    int rc = CLI_EXIT_ERR;
    int prc = cli_opts_parse(&o, CLI_CMD_BUILD, argc, argv, BUILD_HELP);
    if (prc != 0) {
        rc = prc > 0 ? 0 : CLI_EXIT_ERR;
        goto done;
    }
    if (o.output == NULL) {
        fprintf(stderr, "lambdapack: build needs -o OUT.zip (try --help)\n");
        goto done;
    }
    const lp_spec_package *p = cli_opts_definition(&o, 1);
    if (p == NULL) {
        goto done;
    }
    lp_spec spec = cli_package_spec(&o, p);
    if (o.tf == NULL) {
        spec.output_path = o.output; /* never package the ZIP being written */
    }
    /* Each file is read once: the ZIP writer hashes what it packs. */
    spec.defer_hashes = 1;
    double t0 = cli_progress_now();
    cli_progress prog = {.active = 0};
    if ((rc = cli_package_load_manifest(p, &spec, &deps, &m, &prog, o.output)) != 0) {
        goto done;
    }
    if ((rc = cli_package_run_checks(&o, p, m)) != 0) {
        cli_progress_stop(&prog);
        goto done;
    }
    rc = CLI_EXIT_ERR;
    lp_zip_options zo = LP_ZIP_OPTIONS_INIT;
    zo.threads = o.threads;
    zo.progress = cli_progress_cb;
    zo.progress_payload = &prog;
    int brc = lp_zip_build(m, o.output, &zo, &info, &err);
    cli_progress_stop(&prog);
    if (brc < 0) {
        rc = cli_package_fail(&err);
        if (brc == LP_ECANCELED) {
            rc = cli_progress_exit_status();
        }
        goto done;
    }
    lp_check_report *size = calloc(1, sizeof(*size)); /* Lambda's direct-upload limit */
    if (size != NULL && lp_check_zip_size(size, info.size) == 0) {
        cli_package_print_findings(size);
    }
    lp_check_report_free(size);
    double dt = cli_progress_now() - t0;
    if (prog.shown) {
        fprintf(stderr,
                "lambdapack: %zu files, %" PRIu64 " bytes -> %s (%" PRIu64 " bytes) in %.1fs\n",
                m->n_files, m->unzipped_size, o.output, info.size, dt);
    }
    compare_with_state(&o, &info);
    if (o.json) {
        if (print_build_json(m, &info) < 0) {
            goto done;
        }
    } else {
        printf("%s %s %" PRIu64 " bytes, %zu files\n", o.output, info.base64sha256, info.size,
               m->n_files);
    }
    rc = 0;
done:
    lp_manifest_free(m);
    lp_deps_set_free(deps);
    cli_opts_free(&o);
    return rc;
}

static const char *CHECK_HELP =
    "usage: lambdapack check [options] SOURCE...\n"
    "       lambdapack check --from-terraform ADDRESS [--terraform-json FILE]\n"
    "\n"
    "Runs lambda_package's plan-time checks without writing anything: the runtime,\n"
    "the handler's module and function, the imports it reaches, required files and\n"
    "Lambda's size limit, with the resource's messages. Exit status: 0 no errors\n"
    "(warnings are printed), 1 errors found, 2 the package cannot be read.\n";

/* What check and manifest do with the manifest of the package. */
typedef int (*manifest_action)(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m);

/* Parses, loads the package and its manifest, and hands them to act. */
static int run_on_manifest(int argc, char **argv, cli_cmd cmd, const char *usage,
                           manifest_action act)
{
    cli_opts o;
    cli_opts_init(&o);
    lp_manifest *m = NULL;
    lp_deps_set *deps = NULL;
    int rc = CLI_EXIT_ERR;
    int prc = cli_opts_parse(&o, cmd, argc, argv, usage);
    if (prc != 0) {
        rc = prc > 0 ? 0 : CLI_EXIT_ERR;
        goto done;
    }
    const lp_spec_package *p = cli_opts_definition(&o, 1);
    if (p == NULL) {
        goto done;
    }
    lp_spec spec = cli_package_spec(&o, p);
    if (cli_package_load_manifest(p, &spec, &deps, &m, NULL, NULL) != 0) {
        goto done;
    }
    rc = act(&o, p, m);
done:
    lp_manifest_free(m);
    lp_deps_set_free(deps);
    cli_opts_free(&o);
    return rc;
}

static int check_action(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m)
{
    int rc = cli_package_run_checks(o, p, m);
    if (rc == 0) {
        printf("%zu files, content_hash %s: no errors%s%s\n", m->n_files, m->content_hash,
               p->check.handler != NULL ? " for handler " : "",
               p->check.handler != NULL ? p->check.handler : "");
    }
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    return run_on_manifest(argc, argv, CLI_CMD_CHECK, CHECK_HELP, check_action);
}

static const char *MANIFEST_HELP =
    "usage: lambdapack manifest [--json] [options] SOURCE...\n"
    "       lambdapack manifest [--json] --from-terraform ADDRESS\n"
    "\n"
    "Lists what a build would hold: mode, size, SHA-256 and path of each file,\n"
    "then the content hash. Nothing is written.\n";

static int print_manifest(const lp_manifest *m, int json)
{
    if (!json) {
        for (size_t i = 0; i < m->n_files; i++) {
            const lp_file *f = &m->files[i];
            printf("%04" PRIo32 " %10" PRIu64 " %s %s\n", f->mode, f->size, f->sha256_hex,
                   f->archive_path);
        }
        printf("files %zu\nunzipped_size %" PRIu64 "\ncontent_hash %s\n", m->n_files,
               m->unzipped_size, m->content_hash);
        return 0;
    }
    json_t *files = json_array();
    json_t *root = json_pack("{s:s, s:I, s:I, s:o}", "content_hash", m->content_hash,
                             "unzipped_size", (json_int_t)m->unzipped_size, "file_count",
                             (json_int_t)m->n_files, "files", files);
    if (root == NULL) {
        return -1;
    }
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        char mode[8];
        snprintf(mode, sizeof(mode), "%04" PRIo32, f->mode);
        json_array_append_new(files, json_pack("{s:s, s:s, s:I, s:s, s:b}", "path", f->archive_path,
                                               "mode", mode, "size", (json_int_t)f->size, "sha256",
                                               f->sha256_hex, "directory", f->is_dir));
    }
    int rc = json_dumpf(root, stdout, JSON_INDENT(2));
    json_decref(root);
    fputc('\n', stdout);
    return rc;
}

static int manifest_action_print(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m)
{
    (void)p;
    return print_manifest(m, o->json) < 0 ? CLI_EXIT_ERR : 0;
}

static int cmd_manifest(int argc, char **argv)
{
    return run_on_manifest(argc, argv, CLI_CMD_MANIFEST, MANIFEST_HELP, manifest_action_print);
}

static const char *HELP =
    "usage: lambdapack COMMAND [options] ...\n"
    "\n"
    "Reproducible AWS Lambda ZIPs: the lambda_package resource's packager.\n"
    "\n"
    "  build -o OUT.zip SOURCE...    check, then build a ZIP\n"
    "  check SOURCE...               run the plan-time checks only\n"
    "  manifest SOURCE...            list what a build would hold\n"
    "  verify ZIP [--from-terraform ADDRESS | --against SOURCE...]  check a ZIP\n"
    "  diff A.zip B.zip              compare two ZIPs\n"
    "\n"
    "SOURCE is PATH or PATH=PREFIX; --from-terraform ADDRESS takes the package of a\n"
    "lambda_package from `terraform show -json`. `lambdapack COMMAND --help` for more.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return CLI_EXIT_ERR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(HELP, stdout);
        return 0;
    }
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {
        {"build", cmd_build},        {"check", cmd_check},           {"manifest", cmd_manifest},
        {"verify", cli_verify_main}, {"diff", cli_verify_diff_main},
    };
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(cmd, commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "lambdapack: unknown command '%s' (try --help)\n", cmd);
    return CLI_EXIT_ERR;
}

/*
 * resource_package: the `lambda_package` resource.
 *
 * Domain logic only: it turns the configuration into a packager spec, asks the
 * packager for the manifest, the plan-time checks and the ZIP, and puts the
 * results into the state. It speaks tfp_ values and lp_ structs; it knows
 * nothing of gRPC, protobuf, msgpack or the ZIP format.
 *
 * The lifecycle (docs/resources/package.md has the user's view):
 *   plan   computes the manifest and the exact ZIP hashes. When the content
 *          equals that of the last build (recorded in private state), that
 *          build's ZIP hash stands; otherwise the ZIP is built into the cache
 *          (lp_cache) to learn its hash, and apply reuses it.
 *   apply  installs the cached ZIP or builds it, atomically, and checks that
 *          its hash is the one plan announced.
 *   read   re-hashes the file at output_path; a missing or different ZIP
 *          changes the computed attributes, so the next plan shows a diff.
 *   import reads an existing ZIP into state.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cache.h"
#include "lp_check.h"
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_output.h"
#include "lp_spec.h"
#include "lp_zip.h"
#include "resource_package_int.h"
#include "resources.h"

/* Computed attributes that depend on the package's content. */
static const char *const content_attrs[] = {
    "content_hash", "output_sha256", "output_base64sha256", "output_size", "unzipped_size",
    "file_count",   "files",         "executable_files",
};

#define N_CONTENT_ATTRS (sizeof(content_attrs) / sizeof(content_attrs[0]))

/* An error of a build of the package at output: a cancelled one (the
 * packager's message names where it was writing, maybe the cache) is told
 * about output_path. */
static int diag_build_error(const tfp_ctx *ctx, const char *output, tfp_diags *diags,
                            const lp_error *e)
{
    if (e->code != LP_ECANCELED) {
        return package_diag_error(ctx, diags, e);
    }
    tfp_diag_error_at(diags, package_attr_path(ctx, "output_path"), lp_error_summary(e->code),
                      "The build of '%s' was cancelled: Terraform asked the provider to stop "
                      "(interrupt). Nothing was written; the state is unchanged.",
                      output);
    return -1;
}

/* The packager's progress callback: the build stops once Terraform has
 * sent StopProvider. payload is the request's tfp_ctx. */
static int stop_requested(const lp_progress *p, void *payload)
{
    (void)p;
    return tfp_ctx_cancelled(payload) ? 1 : 0;
}

/* ZIP options that stop with the request. */
static lp_zip_options zip_options(const tfp_ctx *ctx)
{
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.progress = stop_requested;
    opts.progress_payload = (void *)ctx;
    return opts;
}

static const tfp_path *finding_path(const tfp_ctx *ctx, const lp_check_finding *f)
{
    if (f->field == NULL) {
        return package_attr_path(ctx, "source");
    }
    const tfp_path *p = package_attr_path(ctx, f->field);
    return f->index >= 0 ? tfp_path_index(ctx->arena, p, f->index) : p;
}

/* Turns check findings into diagnostics; returns -1 when any is an error. */
static int report_diags(const tfp_ctx *ctx, const lp_check_report *report, tfp_diags *diags)
{
    int rc = 0;
    for (size_t i = 0; i < report->n; i++) {
        const lp_check_finding *f = &report->items[i];
        tfp_severity sev = f->severity == LP_CHECK_ERROR ? TFP_DIAG_ERROR : TFP_DIAG_WARNING;
        tfp_diag_add(diags, sev, finding_path(ctx, f), f->summary, "%s", f->detail);
        if (f->severity == LP_CHECK_ERROR) {
            rc = -1;
        }
    }
    return rc;
}

/* Runs the plan-time checks; returns -1 when any finding is an error. */
static int run_checks(const tfp_ctx *ctx, const package_config *pc, const lp_manifest *m,
                      tfp_diags *diags)
{
    lp_check_report *report = NULL;
    lp_error e = LP_ERROR_INIT;
    lp_check_options check = pc->pkg.check;
    check.n_user_sources = pc->pkg.spec.n_sources; /* the rest are installed dependencies */
    if (lp_check_run(&report, m, &check, &e) < 0) {
        return package_diag_error(ctx, diags, &e);
    }
    int rc = report_diags(ctx, report, diags);
    lp_check_report_free(report);
    return rc;
}

/* Lambda's direct-upload limit, known once the ZIP's size is. */
static void warn_zip_size(const tfp_ctx *ctx, const lp_zip_info *zip, tfp_diags *diags)
{
    lp_check_report *report = lp_check_report_new();
    if (report != NULL && lp_check_zip_size(report, zip->size) == 0) {
        report_diags(ctx, report, diags);
    }
    lp_check_report_free(report);
}

/* ---- cache location ---- */

static const char *cache_dir(const tfp_ctx *ctx)
{
    const char *dir = getenv("LAMBDAPACK_CACHE_DIR");
    if (dir != NULL && dir[0] != '\0') {
        return dir;
    }
    const char *data = getenv("TF_DATA_DIR");
    return tfp_arena_sprintf(ctx->arena, "%s/lambdapack-cache",
                             data != NULL && data[0] != '\0' ? data : ".terraform");
}

/* ---- plan ---- */

static int set_content_unknown(const tfp_ctx *ctx, tfp_value *planned, tfp_diags *diags)
{
    for (size_t i = 0; i < N_CONTENT_ATTRS; i++) {
        const tfp_value *cur = tfp_value_attr(planned, content_attrs[i]);
        if (package_set_attr(
                ctx, planned, content_attrs[i],
                tfp_value_unknown(ctx->arena, cur != NULL ? cur->type : &tfp_type_string),
                diags) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- dependencies ---- */

static const tfp_path *dependency_path(const tfp_ctx *ctx, int index, const char *field)
{
    const tfp_path *p = tfp_path_index(ctx->arena, package_attr_path(ctx, "dependencies"), index);
    return tfp_path_attr(ctx->arena, p, field != NULL ? field : "file");
}

/* Installs the dependencies (or finds them in the cache), logs each install
 * and, at plan, warns about requirement files that are not fully pinned. */
static int install_dependencies(const tfp_ctx *ctx, const package_config *pc, bool planning,
                                lp_deps_set **set, tfp_diags *diags)
{
    char dir[4096];
    lp_error e = LP_ERROR_INIT;
    lp_deps_request req = LP_DEPS_REQUEST_INIT;
    if (lp_deps_default_cache_dir(dir, sizeof(dir)) < 0) {
        tfp_diag_error(diags, "Cannot install dependencies", "cache directory path too long");
        return -1;
    }
    req.runtime = pc->pkg.check.runtime;
    req.architecture = pc->pkg.architecture;
    req.cache_dir = dir;
    req.stop = stop_requested;
    req.stop_payload = (void *)ctx;
    if (lp_deps_install_all(set, &pc->pkg.spec, pc->pkg.dependencies, pc->pkg.n_dependencies, &req,
                            &e) < 0) {
        if (e.code == LP_ECANCELED) {
            return diag_build_error(ctx, pc->output_path, diags, &e);
        }
        const tfp_path *at = e.field != NULL && strcmp(e.field, "architecture") == 0
                                 ? package_attr_path(ctx, "architecture")
                                 : dependency_path(ctx, e.source_index, e.field);
        tfp_diag_error_at(diags, at, "Cannot install dependencies", "%s", e.message);
        return -1;
    }
    for (size_t i = 0; i < (*set)->n; i++) {
        const lp_deps_result *r = &(*set)->results[i];
        const char *file = pc->pkg.dependencies[i].file;
        if (r->cache_hit) {
            tfp_ctx_log(ctx, TFP_LEVEL_INFO, "dependencies %s: %zu files from the cache (%s)", file,
                        r->n_files, r->key);
        } else {
            tfp_ctx_log(ctx, TFP_LEVEL_INFO,
                        "dependencies %s: installed %zu files with %s in %.2fs", file, r->n_files,
                        r->tool == LP_DEPS_NPM ? "npm" : "pip", r->seconds);
        }
        if (planning && r->unpinned > 0) {
            tfp_diag_add(diags, TFP_DIAG_WARNING, dependency_path(ctx, (int)i, "file"),
                         "Dependencies not fully pinned",
                         "%s has %d requirement(s) without == (the first: %s). The package will "
                         "change whenever a dependency publishes a release. Pin every version, "
                         "with hashes: `pip-compile --generate-hashes` or `uv pip compile "
                         "--generate-hashes`.",
                         file, r->unpinned, r->unpinned_first);
        }
    }
    return 0;
}

/* Builds the manifest of a wholly known configuration (sources, then the
 * installed dependencies). */
static int manifest_for(const tfp_ctx *ctx, const tfp_value *cfg, package_config *pc, bool planning,
                        lp_manifest **m, tfp_diags *diags)
{
    lp_error e = LP_ERROR_INIT;
    lp_deps_set *set = NULL;
    if (package_config_read(ctx, cfg, pc, diags) < 0) {
        return -1;
    }
    pc->pkg.spec.progress = stop_requested;
    pc->pkg.spec.progress_payload = (void *)ctx;
    const lp_spec *spec = &pc->pkg.spec;
    if (pc->pkg.n_dependencies > 0) {
        if (install_dependencies(ctx, pc, planning, &set, diags) < 0) {
            return -1;
        }
        spec = &set->spec;
    }
    int rc = 0;
    if (lp_manifest_build(m, spec, &e) < 0) {
        if (set != NULL && e.source_index >= (int)set->n_base) {
            tfp_diag_error_at(diags,
                              dependency_path(ctx, e.source_index - (int)set->n_base, "file"),
                              lp_error_summary(e.code), "%s (installed dependencies)", e.message);
            rc = -1;
        } else {
            rc = diag_build_error(ctx, pc->output_path, diags, &e);
        }
    }
    lp_deps_set_free(set);
    return rc;
}

/*
 * Checks at plan that the ZIP can be written (output_path is not a directory,
 * its directory can be created) and that whatever is at output_path may be
 * replaced: never a file that is not a ZIP, such as a source file named by a
 * typo. For an update that is a warning here and an error at apply:
 * `terraform destroy` plans the configuration first and stops at any plan
 * error, and destroying must stay possible (it keeps such a file).
 */
static int check_output(const tfp_ctx *ctx, const char *output, bool update, tfp_diags *diags)
{
    lp_error e = LP_ERROR_INIT;
    if (lp_output_check_creatable(output, &e) < 0) {
        tfp_diag_error_at(diags, package_attr_path(ctx, "output_path"), "Cannot write the package",
                          "%s", e.message);
        return -1;
    }
    if (lp_output_check_replaceable(output, &e) < 0) {
        if (update && e.code == LP_EEXIST) {
            tfp_diag_warning_at(diags, package_attr_path(ctx, "output_path"),
                                lp_error_summary(e.code),
                                "%s. Apply will fail until it is moved away.", e.message);
            return 0;
        }
        return package_diag_error(ctx, diags, &e);
    }
    return 0;
}

static int package_plan(const tfp_ctx *ctx, const tfp_plan_in *in, tfp_plan_out *out,
                        tfp_diags *diags)
{
    if (tfp_value_is_null(in->proposed_new_state)) {
        return 0; /* destroy */
    }
    tfp_value *planned = tfp_value_object_copy(ctx->arena, out->planned_state);
    if (planned == NULL) {
        tfp_diag_error(diags, "Out of memory", "while planning");
        return -1;
    }
    out->planned_state = planned;
    if (package_state_set_defaults(ctx, planned, in->config, diags) < 0 ||
        package_set_attr(ctx, planned, "id", tfp_value_attr(planned, "output_path"), diags) < 0) {
        return -1;
    }
    const tfp_value *prior_out = tfp_value_attr(in->prior_state, "output_path");
    const tfp_value *new_out = tfp_value_attr(planned, "output_path");
    if (!tfp_value_is_null(in->prior_state) &&
        (!tfp_value_is_known(new_out) ||
         !lp_output_same(tfp_value_str(prior_out), tfp_value_str(new_out)))) {
        tfp_plan_require_replace(ctx, out, package_attr_path(ctx, "output_path"));
    }
    if (!tfp_value_is_known_fully(in->config)) {
        /* Sources not known yet (e.g. a path from another resource). */
        return set_content_unknown(ctx, planned, diags);
    }

    package_config pc;
    lp_manifest *m = NULL;
    lp_error e = LP_ERROR_INIT;
    lp_zip_info zip;
    package_record rec;
    int replaced = 0;
    int rc = -1;
    if (manifest_for(ctx, planned, &pc, true, &m, diags) < 0) {
        goto done;
    }
    /* Both, so that a typo in output_path is named even when the sources
     * have their own problems. */
    int output_ok = check_output(ctx, pc.output_path, !tfp_value_is_null(in->prior_state), diags);
    if (run_checks(ctx, &pc, m, diags) < 0 || output_ok < 0) {
        goto done;
    }
    if (package_record_decode(in->prior_private, &rec) &&
        strcmp(rec.content_hash, m->content_hash) == 0) {
        zip = rec.zip; /* same content as the last build: its bytes stand */
    } else {
        lp_zip_options opts = zip_options(ctx);
        if (lp_cache_put_opts(cache_dir(ctx), m->content_hash, m, &opts, &zip, &replaced, &e) < 0) {
            diag_build_error(ctx, pc.output_path, diags, &e);
            goto done;
        }
    }
    if (replaced) {
        tfp_ctx_log(ctx, TFP_LEVEL_WARN,
                    "cache entry %s/%s.zip was not this writer's build of the sources "
                    "(planted or damaged); replaced it",
                    cache_dir(ctx), m->content_hash);
    }
    tfp_ctx_log(ctx, TFP_LEVEL_DEBUG, "planned %s: %zu files, content %s, zip %s", pc.output_path,
                m->n_files, m->content_hash, zip.sha256_hex);
    warn_zip_size(ctx, &zip, diags);
    if (package_state_set(ctx, planned, m, &zip, diags) < 0) {
        goto done;
    }
    out->planned_private = package_record_encode(ctx, m->content_hash, &zip);
    rc = 0;
done:
    lp_manifest_free(m);
    return rc;
}

/* ---- apply ---- */

/*
 * Removes the package at prior's output_path, only while it is still the ZIP
 * this resource wrote: the one in the build record (private state), which a
 * refresh never replaces. Without a record (an imported package), the ZIP
 * the state describes, if it is a ZIP at all. Anything else now at
 * output_path is kept, with a warning.
 */
static int package_delete(const tfp_ctx *ctx, const tfp_value *prior, tfp_bytes private_data,
                          tfp_diags *diags)
{
    const char *path = tfp_value_str(tfp_value_attr(prior, "output_path"));
    const char *sha = tfp_value_str(tfp_value_attr(prior, "output_sha256"));
    lp_output_removal what;
    lp_error e = LP_ERROR_INIT;
    package_record rec;
    if (path == NULL) {
        return 0;
    }
    if (package_record_decode_any(private_data, &rec)) {
        sha = rec.zip.sha256_hex;
    } else if (lp_output_check_replaceable(path, &e) < 0) {
        sha = NULL;
    }
    if (lp_output_remove(path, sha, &what, &e) < 0) {
        tfp_diag_error_at(diags, package_attr_path(ctx, "output_path"), "Cannot remove package",
                          "%s", e.message);
        return -1;
    }
    if (what == LP_OUTPUT_KEPT) {
        tfp_diag_warning_at(diags, package_attr_path(ctx, "output_path"), "Output file kept", "%s.",
                            e.message);
    }
    return 0;
}

/* Puts the ZIP for m at output_path: already there, from the cache, or built. */
static int install_zip(const tfp_ctx *ctx, const package_config *pc, const lp_manifest *m,
                       const char *expect_sha256, lp_zip_info *zip, tfp_diags *diags)
{
    lp_error e = LP_ERROR_INIT;
    if (expect_sha256 != NULL) {
        if (lp_zip_hash_file(pc->output_path, zip, NULL) == 0 &&
            strcmp(zip->sha256_hex, expect_sha256) == 0) {
            return 0;
        }
        if (lp_cache_install(cache_dir(ctx), m->content_hash, pc->output_path, expect_sha256, zip,
                             NULL) == 0) {
            return 0;
        }
    }
    lp_zip_options opts = zip_options(ctx);
    if (lp_zip_write_opts(m, pc->output_path, &opts, zip, &e) < 0) {
        if (e.field == NULL && e.source_index < 0) {
            e.field = "output_path";
        }
        return diag_build_error(ctx, pc->output_path, diags, &e);
    }
    if (expect_sha256 != NULL && strcmp(zip->sha256_hex, expect_sha256) != 0) {
        tfp_diag_error_at(diags, package_attr_path(ctx, "output_sha256"),
                          "ZIP differs from the plan",
                          "The ZIP written to '%s' has SHA-256 %s, but the plan announced %s. "
                          "Was the provider upgraded between plan and apply?",
                          pc->output_path, zip->sha256_hex, expect_sha256);
        return -1;
    }
    return 0;
}

/* A failed apply changes nothing: Terraform keeps the state returned with
 * the errors, so it gets the prior object back (null for a create). */
static void keep_prior(const tfp_ctx *ctx, const tfp_apply_in *in, tfp_apply_out *out)
{
    tfp_value *prior = NULL;
    if (tfp_value_is_null(in->prior_state)) {
        prior = tfp_value_null(ctx->arena, in->planned_state->type);
    } else {
        prior = tfp_value_object_copy(ctx->arena, in->prior_state);
    }
    if (prior != NULL) {
        out->new_state = prior;
    }
}

static int package_apply(const tfp_ctx *ctx, const tfp_apply_in *in, tfp_apply_out *out,
                         tfp_diags *diags)
{
    if (tfp_value_is_null(in->planned_state)) {
        return package_delete(ctx, in->prior_state, in->planned_private, diags);
    }
    tfp_value *state = tfp_value_object_copy(ctx->arena, in->planned_state);
    if (state == NULL) {
        tfp_diag_error(diags, "Out of memory", "while applying");
        return -1;
    }
    package_config pc;
    lp_manifest *m = NULL;
    lp_zip_info zip;
    lp_error e = LP_ERROR_INIT;
    int rc = -1;
    if (!tfp_value_is_null(in->prior_state)) {
        const char *old = tfp_value_str(tfp_value_attr(in->prior_state, "output_path"));
        const char *now = tfp_value_str(tfp_value_attr(state, "output_path"));
        if (old != NULL && now != NULL && !lp_output_same(old, now) &&
            package_delete(ctx, in->prior_state, (tfp_bytes){NULL, 0}, diags) < 0) {
            goto done;
        }
    }
    const tfp_value *planned_hash = tfp_value_attr(in->planned_state, "content_hash");
    bool checked_at_plan = tfp_value_is_known(planned_hash);
    if (manifest_for(ctx, state, &pc, false, &m, diags) < 0) {
        goto done;
    }
    if (checked_at_plan && strcmp(tfp_value_str(planned_hash), m->content_hash) != 0) {
        tfp_diag_error_at(diags, package_attr_path(ctx, "source"), "Sources changed after plan",
                          "The package's content hash is now %s, but the plan was made for %s: "
                          "a source file changed between plan and apply. Run plan again.",
                          m->content_hash, tfp_value_str(planned_hash));
        goto done;
    }
    if (!checked_at_plan && run_checks(ctx, &pc, m, diags) < 0) {
        goto done;
    }
    if (lp_output_check_replaceable(pc.output_path, &e) < 0) {
        package_diag_error(ctx, diags, &e);
        goto done;
    }
    int stale = lp_output_clean_stale(pc.output_path);
    if (stale > 0) {
        tfp_ctx_log(ctx, TFP_LEVEL_INFO, "removed %d stale temporary file(s) beside %s", stale,
                    pc.output_path);
    }
    const char *expect = tfp_value_str(tfp_value_attr(in->planned_state, "output_sha256"));
    if (install_zip(ctx, &pc, m, expect, &zip, diags) < 0) {
        goto done;
    }
    if (!checked_at_plan) {
        warn_zip_size(ctx, &zip, diags);
    }
    if (package_state_set(ctx, state, m, &zip, diags) < 0) {
        goto done;
    }
    out->new_state = state;
    out->private_data = package_record_encode(ctx, m->content_hash, &zip);
    tfp_ctx_log(ctx, TFP_LEVEL_INFO, "wrote %s (%zu files, sha256 %s)", pc.output_path, m->n_files,
                zip.sha256_hex);
    rc = 0;
done:
    if (rc < 0) {
        keep_prior(ctx, in, out);
    }
    lp_manifest_free(m);
    return rc;
}

/* ---- read and import ---- */

/*
 * Describes the ZIP at path in obj: hashes, and when they differ from what
 * obj records, the entries actually inside it (so the plan shows which files
 * differ). A missing ZIP nulls the ZIP attributes. Returns LP_ENOENT when
 * missing, 0 otherwise. A file that is not a readable, safe ZIP is described
 * as having no files (refresh: the plan shows the difference), or, when
 * importing, is an error naming the file and the reason.
 */
static int describe_zip(const tfp_ctx *ctx, tfp_value *obj, const char *path, bool importing,
                        tfp_diags *diags)
{
    lp_zip_info zip;
    lp_error e = LP_ERROR_INIT;
    int rc = lp_zip_hash_file(path, &zip, &e);
    if (rc == LP_ENOENT) {
        return package_state_set_missing(ctx, obj, diags) < 0 ? -1 : LP_ENOENT;
    }
    if (rc < 0) {
        return package_diag_error(ctx, diags, &e);
    }
    const char *recorded = tfp_value_str(tfp_value_attr(obj, "output_sha256"));
    if (recorded != NULL && strcmp(recorded, zip.sha256_hex) == 0) {
        return 0; /* unchanged: the recorded description stands */
    }
    int64_t level = LP_SPEC_DEFAULT_LEVEL;
    tfp_value_as_int(tfp_value_attr(obj, "compression_level"), &level);
    lp_manifest *m = NULL;
    lp_zip_options opts = zip_options(ctx);
    if (lp_zip_read_manifest_opts(&m, path, (int)level, &opts, &e) < 0) {
        if (e.code == LP_ECANCELED) {
            /* Not "a ZIP with no files": that would change the state. */
            tfp_diag_error_at(diags, package_attr_path(ctx, "output_path"), "Read cancelled",
                              "Reading '%s' was cancelled: Terraform asked the provider to stop "
                              "(interrupt). The state is unchanged.",
                              path);
            return -1;
        }
        if (importing) {
            tfp_diag_error(diags, "Cannot import lambda_package",
                           "'%s' is not a package that can be imported: %s. The import ID is "
                           "the path of an existing ZIP written by lambda_package or lambdapack.",
                           path, e.message);
            return -1;
        }
        tfp_ctx_log(ctx, TFP_LEVEL_WARN, "%s is not a readable package: %s", path, e.message);
        lp_manifest empty;
        memset(&empty, 0, sizeof(empty));
        snprintf(empty.content_hash, sizeof(empty.content_hash), "%s", zip.sha256_hex);
        return package_state_set(ctx, obj, &empty, &zip, diags);
    }
    rc = package_state_set(ctx, obj, m, &zip, diags);
    lp_manifest_free(m);
    return rc;
}

static int package_read(const tfp_ctx *ctx, const tfp_read_in *in, tfp_read_out *out,
                        tfp_diags *diags)
{
    if (tfp_value_is_null(in->current_state)) {
        return 0;
    }
    tfp_value *state = tfp_value_object_copy(ctx->arena, in->current_state);
    if (state == NULL) {
        tfp_diag_error(diags, "Out of memory", "while reading");
        return -1;
    }
    out->new_state = state;
    const char *path = tfp_value_str(tfp_value_attr(state, "output_path"));
    if (path == NULL) {
        return 0;
    }
    int rc = describe_zip(ctx, state, path, false, diags);
    if (rc == LP_ENOENT) {
        tfp_ctx_log(ctx, TFP_LEVEL_INFO, "%s is missing; the next apply rebuilds it", path);
        return 0;
    }
    return rc < 0 ? -1 : 0;
}

static int package_import(const tfp_ctx *ctx, const tfp_import_in *in, tfp_import_out *out,
                          tfp_diags *diags)
{
    const tfp_type *type = NULL;
    tfp_error terr = TFP_ERROR_INIT;
    tfp_schema_block_type(ctx->arena, package_schema.block, &type, &terr);
    tfp_value *state = type != NULL ? tfp_value_object_new(ctx->arena, type) : NULL;
    tfp_value *id = tfp_value_string(ctx->arena, in->id);
    if (state == NULL || id == NULL) {
        tfp_diag_error(diags, "Internal error", "cannot build the imported state");
        return -1;
    }
    out->state = state;
    if (package_set_attr(ctx, state, "id", id, diags) < 0 ||
        package_set_attr(ctx, state, "output_path", id, diags) < 0 ||
        package_state_set_defaults(ctx, state, NULL, diags) < 0) {
        return -1;
    }
    int rc = describe_zip(ctx, state, in->id, true, diags);
    if (rc == LP_ENOENT) {
        tfp_diag_error(diags, "Cannot import lambda_package",
                       "There is no file at '%s'. The import ID is the package's output_path, "
                       "the path of an existing ZIP.",
                       in->id);
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

static const tfp_resource_type package_type = {
    .name = "lambda_package",
    .schema = &package_schema,
    .validate = package_validate,
    .plan = package_plan,
    .apply = package_apply,
    .read = package_read,
    .import_state = package_import,
};

const tfp_resource_type *resource_package_type(void)
{
    return &package_type;
}

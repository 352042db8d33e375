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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cache.h"
#include "lp_check.h"
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_output.h"
#include "lp_spec.h"
#include "lp_summary.h"
#include "lp_zip.h"
#include "resources.h"

#ifndef TFP_VERSION
#define TFP_VERSION "0.0.0"
#endif

/* ---- schema ---- */

static const tfp_type list_of_string = TFP_TYPE_LIST_OF(&tfp_type_string);
static const tfp_type map_of_string = TFP_TYPE_MAP_OF(&tfp_type_string);
static const tfp_type set_of_string = TFP_TYPE_SET_OF(&tfp_type_string);

static const tfp_schema_attr source_attrs[] = {
    {.name = "path",
     .type = &tfp_type_string,
     .optional = true,
     .description = "A directory (taken recursively) or a single file to package. Relative paths "
                    "are relative to the directory Terraform runs in."},
    {.name = "prefix",
     .type = &tfp_type_string,
     .optional = true,
     .description = "Archive folder the source's files land under, e.g. `shared`."},
    {.name = "include",
     .type = &list_of_string,
     .optional = true,
     .description = "Globs relative to the source root; when set, only matching files are taken."},
    {.name = "exclude",
     .type = &list_of_string,
     .optional = true,
     .description = "Globs relative to the source root to leave out."},
    {.name = "content",
     .type = &tfp_type_string,
     .optional = true,
     .description = "Inline file content (with `filename`), instead of `path`."},
    {.name = "filename",
     .type = &tfp_type_string,
     .optional = true,
     .description = "Archive path of the inline `content`."},
};

static const tfp_schema_block source_block = {
    .attrs = source_attrs,
    .n_attrs = sizeof(source_attrs) / sizeof(source_attrs[0]),
    .description = "A source of files: `path` (with optional `prefix`, `include`, `exclude`) "
                   "or inline `content` with `filename`.",
};

static const tfp_schema_attr dependencies_attrs[] = {
    {.name = "file",
     .type = &tfp_type_string,
     .required = true,
     .description = "A pip `requirements*.txt` or an npm `package-lock.json` (with `package.json` "
                    "beside it), installed at plan for `runtime` and `architecture`."},
    {.name = "prefix",
     .type = &tfp_type_string,
     .optional = true,
     .description = "Archive folder the installed files go under: \"\" (root) by default, "
                    "`python` for a Python layer, `nodejs` for a Node.js layer."},
    {.name = "index_url",
     .type = &tfp_type_string,
     .optional = true,
     .description = "pip `--index-url` / npm `--registry`; \"\" means no index (pip "
                    "`--no-index`, npm `--offline`)."},
    {.name = "find_links",
     .type = &list_of_string,
     .optional = true,
     .description = "pip only: local directories of wheels."},
};

static const tfp_schema_block dependencies_block = {
    .attrs = dependencies_attrs,
    .n_attrs = sizeof(dependencies_attrs) / sizeof(dependencies_attrs[0]),
    .description = "Third-party dependencies installed from a lock file into the package "
                   "(docs/guides/dependencies.md).",
};

static const tfp_schema_nested_block package_blocks[] = {
    {.type_name = "source", .nesting = TFP_NEST_LIST, .block = &source_block},
    {.type_name = "dependencies", .nesting = TFP_NEST_LIST, .block = &dependencies_block},
};

static const tfp_schema_attr package_attrs[] = {
    {.name = "id", .type = &tfp_type_string, .computed = true, .description = "The output path."},
    {.name = "output_path",
     .type = &tfp_type_string,
     .required = true,
     .description = "Where the ZIP is written. Changing it replaces the package."},
    {.name = "excludes",
     .type = &list_of_string,
     .optional = true,
     .description = "Globs left out of every path source, after the default excludes; "
                    "`!glob` re-includes, as in .gitignore (the last matching pattern wins)."},
    {.name = "default_excludes",
     .type = &tfp_type_bool,
     .optional = true,
     .computed = true,
     .description = "Leave out `__pycache__/`, `*.pyc`, `.git/`, `.DS_Store`, `.terraform/`, "
                    "`.venv/`, `.pytest_cache/`, `.mypy_cache/`, `.ruff_cache/`, `.tox/`, "
                    "`.coverage`, `node_modules/.cache/`. Default true."},
    {.name = "handler",
     .type = &tfp_type_string,
     .optional = true,
     .description = "The function's handler, e.g. `app.handler.lambda_handler`; checked at plan."},
    {.name = "runtime",
     .type = &tfp_type_string,
     .optional = true,
     .description = "A Lambda runtime identifier, e.g. `python3.12`."},
    {.name = "compression_level",
     .type = &tfp_type_number,
     .optional = true,
     .computed = true,
     .description = "Deflate level 0-9 (0 stores). Default 6."},
    {.name = "required_files",
     .type = &list_of_string,
     .optional = true,
     .description = "Archive paths that must be in the package."},
    {.name = "allow_sensitive_files",
     .type = &list_of_string,
     .optional = true,
     .description = "Globs of archive paths that may be packaged although their name marks them "
                    "as credentials (`.env`, `*.pem`, `id_rsa`, `.aws/`, ...: a plan error "
                    "otherwise), e.g. a public CA bundle `certs/ca.pem`."},
    {.name = "external_modules",
     .type = &list_of_string,
     .optional = true,
     .description = "Top-level Python modules provided outside the package (e.g. by a layer)."},
    {.name = "strict_imports",
     .type = &tfp_type_bool,
     .optional = true,
     .computed = true,
     .description = "Imports that run when the handler's module loads and are found nowhere "
                    "are errors (true) or warnings (false). Default true."},
    {.name = "architecture",
     .type = &tfp_type_string,
     .optional = true,
     .computed = true,
     .description = "`x86_64` or `arm64`: the platform dependencies are installed for. "
                    "Default `x86_64`."},
    {.name = "directory_entries",
     .type = &tfp_type_bool,
     .optional = true,
     .computed = true,
     .description = "Also write an entry for every directory. Default false."},
    {.name = "allow_external_symlinks",
     .type = &tfp_type_bool,
     .optional = true,
     .computed = true,
     .description = "Follow symlinks whose target leaves their source. Default false."},
    {.name = "content_hash",
     .type = &tfp_type_string,
     .computed = true,
     .description = "SHA-256 of the canonical manifest and the settings that change the bytes."},
    {.name = "output_sha256",
     .type = &tfp_type_string,
     .computed = true,
     .description = "SHA-256 of the ZIP, hex."},
    {.name = "output_base64sha256",
     .type = &tfp_type_string,
     .computed = true,
     .description = "Base64 of the ZIP's raw SHA-256: Lambda's CodeSha256, for "
                    "`aws_lambda_function.source_code_hash`."},
    {.name = "output_size",
     .type = &tfp_type_number,
     .computed = true,
     .description = "ZIP size in bytes."},
    {.name = "unzipped_size",
     .type = &tfp_type_number,
     .computed = true,
     .description = "Sum of the sizes of the packaged files."},
    {.name = "file_count",
     .type = &tfp_type_number,
     .computed = true,
     .description = "Number of packaged files."},
    {.name = "files",
     .type = &map_of_string,
     .computed = true,
     .description = "Archive path to SHA-256; vendored distributions (and, past 1,000 "
                    "entries, first-party directories) are summarized as one `dir/` entry each."},
    {.name = "executable_files",
     .type = &set_of_string,
     .computed = true,
     .description = "Archive paths of the files `files` lists that are stored executable "
                    "(mode 0755), so a changed exec bit shows in the plan by name."},
};

static const tfp_schema_block package_block = {
    .attrs = package_attrs,
    .n_attrs = sizeof(package_attrs) / sizeof(package_attrs[0]),
    .blocks = package_blocks,
    .n_blocks = sizeof(package_blocks) / sizeof(package_blocks[0]),
    .description = "A deterministic AWS Lambda deployment package, hashed at plan time and "
                   "verified on refresh.",
};

static const tfp_schema package_schema = {.version = 0, .block = &package_block};

/* Computed attributes that depend on the package's content. */
static const char *const content_attrs[] = {
    "content_hash", "output_sha256", "output_base64sha256", "output_size", "unzipped_size",
    "file_count",   "files",         "executable_files",
};
#define N_CONTENT_ATTRS (sizeof(content_attrs) / sizeof(content_attrs[0]))

/* ---- configuration -> packager spec ---- */

typedef struct package_config {
    const char *output_path;
    lp_source *sources;
    lp_spec_package pkg; /* the definition both doors share (lp_spec.h) */
} package_config;

static const tfp_path *attr_path(const tfp_ctx *ctx, const char *name)
{
    return tfp_path_attr(ctx->arena, NULL, name);
}

static const tfp_path *source_path(const tfp_ctx *ctx, size_t index, const char *field)
{
    const tfp_path *p = tfp_path_index(ctx->arena, attr_path(ctx, "source"), (int64_t)index);
    return field != NULL ? tfp_path_attr(ctx->arena, p, field) : p;
}

/* A known list of strings as a borrowed C array in the arena (NULL when null). */
static const char *const *string_list(const tfp_ctx *ctx, const tfp_value *v, size_t *n)
{
    *n = 0;
    if (tfp_value_is_null(v) || v->n == 0) {
        return NULL;
    }
    const char **out = tfp_arena_array(ctx->arena, v->n, sizeof(*out));
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < v->n; i++) {
        const char *s = tfp_value_str(v->items[i]);
        out[(*n)++] = s != NULL ? s : "";
    }
    return out;
}

static bool bool_or(const tfp_value *v, bool fallback)
{
    bool b;
    return tfp_value_as_bool(v, &b) == TFP_OK ? b : fallback;
}

/* Reads a wholly known configuration (or planned state) into *pc. */
static int config_read(const tfp_ctx *ctx, const tfp_value *cfg, package_config *pc,
                       tfp_diags *diags)
{
    memset(pc, 0, sizeof(*pc));
    lp_spec_package_init(&pc->pkg);
    lp_spec *spec = &pc->pkg.spec;
    lp_check_options *check = &pc->pkg.check;
    pc->output_path = tfp_value_str(tfp_value_attr(cfg, "output_path"));

    const tfp_value *sources = tfp_value_attr(cfg, "source");
    size_t n = sources != NULL ? sources->n : 0;
    pc->sources = tfp_arena_array(ctx->arena, n > 0 ? n : 1, sizeof(*pc->sources));
    if (pc->sources == NULL) {
        tfp_diag_error(diags, "Out of memory", "while reading the configuration");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const tfp_value *s = sources->items[i];
        lp_source *src = &pc->sources[i];
        const tfp_value *content = tfp_value_attr(s, "content");
        src->path = tfp_value_str(tfp_value_attr(s, "path"));
        src->prefix = tfp_value_str(tfp_value_attr(s, "prefix"));
        src->include = string_list(ctx, tfp_value_attr(s, "include"), &src->n_include);
        src->exclude = string_list(ctx, tfp_value_attr(s, "exclude"), &src->n_exclude);
        src->filename = tfp_value_str(tfp_value_attr(s, "filename"));
        if (!tfp_value_is_null(content)) {
            src->content = content->str;
            src->content_len = content->str_len;
        }
    }
    spec->sources = pc->sources;
    spec->n_sources = n;
    spec->excludes = string_list(ctx, tfp_value_attr(cfg, "excludes"), &spec->n_excludes);
    spec->default_excludes =
        bool_or(tfp_value_attr(cfg, "default_excludes"), spec->default_excludes) ? 1 : 0;
    spec->directory_entries =
        bool_or(tfp_value_attr(cfg, "directory_entries"), spec->directory_entries) ? 1 : 0;
    spec->allow_external_symlinks =
        bool_or(tfp_value_attr(cfg, "allow_external_symlinks"), spec->allow_external_symlinks) ? 1
                                                                                               : 0;
    int64_t level = spec->level;
    const tfp_value *lv = tfp_value_attr(cfg, "compression_level");
    if (!tfp_value_is_null(lv) && tfp_value_as_int(lv, &level) != TFP_OK) {
        level = -1;
    }
    spec->level = lp_spec_level_valid((double)level) ? (int)level : -1;
    spec->output_path = pc->output_path;
    pc->pkg.output_path = pc->output_path;

    check->runtime = tfp_value_str(tfp_value_attr(cfg, "runtime"));
    check->handler = tfp_value_str(tfp_value_attr(cfg, "handler"));
    check->external_modules =
        string_list(ctx, tfp_value_attr(cfg, "external_modules"), &check->n_external_modules);
    check->strict_imports =
        bool_or(tfp_value_attr(cfg, "strict_imports"), check->strict_imports) ? 1 : 0;
    check->required_files =
        string_list(ctx, tfp_value_attr(cfg, "required_files"), &check->n_required_files);
    check->allow_sensitive_files = string_list(ctx, tfp_value_attr(cfg, "allow_sensitive_files"),
                                               &check->n_allow_sensitive_files);
    const char *arch = tfp_value_str(tfp_value_attr(cfg, "architecture"));
    if (arch != NULL) {
        pc->pkg.architecture = arch;
    }
    const tfp_value *deps = tfp_value_attr(cfg, "dependencies");
    size_t nd = deps != NULL && !tfp_value_is_null(deps) ? deps->n : 0;
    lp_dependency *d = tfp_arena_array(ctx->arena, nd > 0 ? nd : 1, sizeof(*d));
    if (d == NULL) {
        tfp_diag_error(diags, "Out of memory", "while reading the configuration");
        return -1;
    }
    for (size_t i = 0; i < nd; i++) {
        const tfp_value *dv = deps->items[i];
        d[i].file = tfp_value_str(tfp_value_attr(dv, "file"));
        d[i].prefix = tfp_value_str(tfp_value_attr(dv, "prefix"));
        d[i].index_url = tfp_value_str(tfp_value_attr(dv, "index_url"));
        d[i].find_links = string_list(ctx, tfp_value_attr(dv, "find_links"), &d[i].n_find_links);
    }
    pc->pkg.dependencies = d;
    pc->pkg.n_dependencies = nd;
    return 0;
}

/* ---- packager errors and findings -> diagnostics ---- */

/* The attribute an lp_error points at: source[i].field, excludes, ... */
static const tfp_path *error_path(const tfp_ctx *ctx, const lp_error *e)
{
    const char *field = e->field;
    if (field != NULL && strcmp(field, "level") == 0) {
        return attr_path(ctx, "compression_level");
    }
    if (e->source_index >= 0) {
        return source_path(ctx, (size_t)e->source_index, field);
    }
    static const char *const top_level[] = {"excludes", "output_path", "runtime", "handler",
                                            "allow_sensitive_files"};
    for (size_t i = 0; field != NULL && i < sizeof(top_level) / sizeof(top_level[0]); i++) {
        if (strcmp(field, top_level[i]) == 0) {
            return attr_path(ctx, field);
        }
    }
    return attr_path(ctx, "source");
}

static int diag_lp_error(const tfp_ctx *ctx, tfp_diags *diags, const lp_error *e)
{
    tfp_diag_error_at(diags, error_path(ctx, e), lp_error_summary(e->code), "%s", e->message);
    return -1;
}

/* An error of a build of the package at output: a cancelled one (the
 * packager's message names where it was writing, maybe the cache) is told
 * about output_path. */
static int diag_build_error(const tfp_ctx *ctx, const char *output, tfp_diags *diags,
                            const lp_error *e)
{
    if (e->code != LP_ECANCELED) {
        return diag_lp_error(ctx, diags, e);
    }
    tfp_diag_error_at(diags, attr_path(ctx, "output_path"), lp_error_summary(e->code),
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
        return attr_path(ctx, "source");
    }
    const tfp_path *p = attr_path(ctx, f->field);
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
        return diag_lp_error(ctx, diags, &e);
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

/* ---- build records (private state) ---- */

/*
 * What the last build produced: its content hash and ZIP hashes, plus the
 * writer that made it: the ZIP format version (LP_ZIP_WRITER), which names
 * our own frozen deflate format. A record from another format (or from a
 * release that named its libdeflate version here) is not trusted to predict
 * this writer's bytes: the plan rebuilds once.
 */
typedef struct build_record {
    char content_hash[65];
    lp_zip_info zip;
} build_record;

#define RECORD_WRITER LP_ZIP_WRITER

static tfp_bytes record_encode(const tfp_ctx *ctx, const char *content_hash, const lp_zip_info *zip)
{
    tfp_bytes out = {NULL, 0};
    char *s = tfp_arena_sprintf(ctx->arena, "%s %s %s %s %" PRIu64, RECORD_WRITER, content_hash,
                                zip->sha256_hex, zip->base64sha256, zip->size);
    if (s != NULL) {
        out.data = (const uint8_t *)s;
        out.len = strlen(s);
    }
    return out;
}

/* Parses a record from any writer; *same_writer tells whether this writer
 * made it. */
static bool record_parse(tfp_bytes b, build_record *r, bool *same_writer)
{
    char text[512], writer[128];
    *same_writer = false;
    if (b.data == NULL || b.len == 0 || b.len >= sizeof(text)) {
        return false;
    }
    memcpy(text, b.data, b.len);
    text[b.len] = '\0';
    memset(r, 0, sizeof(*r));
    if (sscanf(text, "%127s %64s %64s %44s %" SCNu64, writer, r->content_hash, r->zip.sha256_hex,
               r->zip.base64sha256, &r->zip.size) != 5) {
        return false;
    }
    *same_writer = strcmp(writer, RECORD_WRITER) == 0;
    return true;
}

/* A record this writer made: it predicts this writer's bytes. */
static bool record_decode(tfp_bytes b, build_record *r)
{
    bool same;
    return record_parse(b, r, &same) && same;
}

/* A record from any writer: what was written then. */
static bool record_decode_any(tfp_bytes b, build_record *r)
{
    bool same;
    return record_parse(b, r, &same);
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

/* ---- state <- package ---- */

static tfp_value *files_value(const tfp_ctx *ctx, const lp_summary *sum)
{
    const char **keys = tfp_arena_array(ctx->arena, sum->n + 1, sizeof(*keys));
    tfp_value **items = tfp_arena_array(ctx->arena, sum->n + 1, sizeof(*items));
    if (keys == NULL || items == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sum->n; i++) {
        keys[i] = sum->items[i].key;
        items[i] = tfp_value_string(ctx->arena, sum->items[i].sha256_hex);
        if (items[i] == NULL) {
            return NULL;
        }
    }
    return tfp_value_map(ctx->arena, &tfp_type_string, sum->n, keys, (tfp_value *const *)items);
}

/* The files of the summary (folded directories aside: their hash covers the
 * modes) whose mode has an exec bit. */
static tfp_value *executable_value(const tfp_ctx *ctx, const lp_manifest *m, const lp_summary *sum)
{
    tfp_value **items = tfp_arena_array(ctx->arena, sum->n + 1, sizeof(*items));
    size_t n = 0;
    if (items == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sum->n; i++) {
        const lp_file *f = lp_manifest_find(m, sum->items[i].key);
        if (f != NULL && !f->is_dir && (f->mode & 0111) != 0) {
            if ((items[n++] = tfp_value_string(ctx->arena, f->archive_path)) == NULL) {
                return NULL;
            }
        }
    }
    return tfp_value_set(ctx->arena, &tfp_type_string, n, (tfp_value *const *)items);
}

static int set_attr(const tfp_ctx *ctx, tfp_value *obj, const char *name, tfp_value *v,
                    tfp_diags *diags)
{
    if (v == NULL || tfp_value_object_set(obj, name, v) != TFP_OK) {
        tfp_diag_error_at(diags, attr_path(ctx, name), "Internal error", "cannot set attribute %s",
                          name);
        return -1;
    }
    return 0;
}

/* Fills every content attribute from a manifest and the ZIP's hashes. */
static int state_set_package(const tfp_ctx *ctx, tfp_value *obj, const lp_manifest *m,
                             const lp_zip_info *zip, tfp_diags *diags)
{
    tfp_arena *a = ctx->arena;
    if (set_attr(ctx, obj, "content_hash", tfp_value_string(a, m->content_hash), diags) < 0 ||
        set_attr(ctx, obj, "output_sha256", tfp_value_string(a, zip->sha256_hex), diags) < 0 ||
        set_attr(ctx, obj, "output_base64sha256", tfp_value_string(a, zip->base64sha256), diags) <
            0 ||
        set_attr(ctx, obj, "output_size", tfp_value_int(a, (int64_t)zip->size), diags) < 0 ||
        set_attr(ctx, obj, "unzipped_size", tfp_value_int(a, (int64_t)m->unzipped_size), diags) <
            0 ||
        set_attr(ctx, obj, "file_count", tfp_value_int(a, (int64_t)m->n_files), diags) < 0) {
        return -1;
    }
    lp_summary *sum = NULL;
    lp_error e = LP_ERROR_INIT;
    if (lp_summary_build(&sum, m, &e) < 0) {
        return diag_lp_error(ctx, diags, &e);
    }
    int rc = 0;
    if (set_attr(ctx, obj, "files", files_value(ctx, sum), diags) < 0 ||
        set_attr(ctx, obj, "executable_files", executable_value(ctx, m, sum), diags) < 0) {
        rc = -1;
    }
    lp_summary_free(sum);
    return rc;
}

/* Sets the ZIP-level attributes to null: there is no ZIP at output_path. */
static int state_set_missing(const tfp_ctx *ctx, tfp_value *obj, tfp_diags *diags)
{
    static const char *const zip_attrs[] = {"output_sha256", "output_base64sha256", "output_size"};
    for (size_t i = 0; i < sizeof(zip_attrs) / sizeof(zip_attrs[0]); i++) {
        const tfp_value *cur = tfp_value_attr(obj, zip_attrs[i]);
        tfp_value *null = tfp_value_null(ctx->arena, cur != NULL ? cur->type : &tfp_type_string);
        if (set_attr(ctx, obj, zip_attrs[i], null, diags) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Optional+computed arguments get their defaults where config (NULL on
 * import) leaves them null. */
static int state_set_defaults(const tfp_ctx *ctx, tfp_value *obj, const tfp_value *config,
                              tfp_diags *diags)
{
    tfp_arena *a = ctx->arena;
    struct {
        const char *name;
        tfp_value *value;
    } defaults[] = {
        {"default_excludes", tfp_value_bool(a, LP_SPEC_DEFAULT_EXCLUDES)},
        {"strict_imports", tfp_value_bool(a, LP_SPEC_DEFAULT_STRICT_IMPORTS)},
        {"compression_level", tfp_value_int(a, LP_SPEC_DEFAULT_LEVEL)},
        {"directory_entries", tfp_value_bool(a, LP_SPEC_DEFAULT_DIRECTORY_ENTRIES)},
        {"allow_external_symlinks", tfp_value_bool(a, LP_SPEC_DEFAULT_ALLOW_EXTERNAL_SYMLINKS)},
        {"architecture", tfp_value_string(a, LP_SPEC_DEFAULT_ARCHITECTURE)},
    };
    for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
        if (tfp_value_is_null(tfp_value_attr(config, defaults[i].name)) &&
            set_attr(ctx, obj, defaults[i].name, defaults[i].value, diags) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ---- validate ---- */

static bool is_set(const tfp_value *v)
{
    return v != NULL && !tfp_value_is_null(v);
}

typedef struct validate_ctx {
    const tfp_ctx *ctx;
    tfp_diags *diags;
    bool has_content; /* of the source being validated */
} validate_ctx;

static void validate_problem(void *payload, const lp_error *e)
{
    const validate_ctx *v = payload;
    tfp_diag_error_at(v->diags, error_path(v->ctx, e), lp_spec_problem_summary(e, v->has_content),
                      "%s", e->message);
}

/* Each known glob of a list attribute, through lp_spec_check_glob. */
static void validate_globs(validate_ctx *v, const tfp_value *list, int si, const char *field)
{
    for (size_t k = 0; tfp_value_is_known(list) && list != NULL && k < list->n; k++) {
        lp_error e = LP_ERROR_INIT;
        const char *g = tfp_value_str(list->items[k]);
        if (g != NULL && lp_spec_check_glob(g, si, field, &e) < 0) {
            validate_problem(v, &e);
        }
    }
}

static void validate_source(validate_ctx *v, const tfp_value *s, size_t i)
{
    lp_spec_source_shape shape = {
        .path = is_set(tfp_value_attr(s, "path")),
        .content = is_set(tfp_value_attr(s, "content")),
        .filename = is_set(tfp_value_attr(s, "filename")),
        .prefix = is_set(tfp_value_attr(s, "prefix")),
        .include = is_set(tfp_value_attr(s, "include")),
        .exclude = is_set(tfp_value_attr(s, "exclude")),
    };
    const char *path = tfp_value_str(tfp_value_attr(s, "path"));
    v->has_content = shape.content;
    if (lp_spec_check_source_shape(&shape, path != NULL && path[0] == '\0', (int)i,
                                   validate_problem, v) > 0) {
        return;
    }
    lp_error e = LP_ERROR_INIT;
    const char *prefix = tfp_value_str(tfp_value_attr(s, "prefix"));
    if (lp_spec_check_prefix(prefix, (int)i, &e) < 0) {
        validate_problem(v, &e);
    }
    validate_globs(v, tfp_value_attr(s, "include"), (int)i, "include");
    validate_globs(v, tfp_value_attr(s, "exclude"), (int)i, "exclude");
}

/* Each dependencies block names a file whose tool is known and has a valid
 * prefix; a package has at least one source or dependencies block. */
static void validate_dependencies(validate_ctx *v, const tfp_value *deps, const tfp_value *sources)
{
    size_t nd = is_set(deps) && tfp_value_is_known(deps) ? deps->n : 0;
    if (nd == 0 && (!is_set(sources) || (tfp_value_is_known(sources) && sources->n == 0))) {
        tfp_diag_error_at(v->diags, attr_path(v->ctx, "source"), "Nothing to package",
                          "Add a `source` block or a `dependencies` block.");
    }
    for (size_t i = 0; i < nd; i++) {
        const tfp_value *d = deps->items[i];
        const tfp_path *at =
            tfp_path_index(v->ctx->arena, attr_path(v->ctx, "dependencies"), (int64_t)i);
        const tfp_value *file = tfp_value_attr(d, "file");
        const char *f = tfp_value_is_known(file) ? tfp_value_str(file) : NULL;
        if (f != NULL && lp_deps_tool_for(f) == 0) {
            tfp_diag_error_at(v->diags, tfp_path_attr(v->ctx->arena, at, "file"),
                              "Unsupported dependencies file",
                              "\"%s\" is neither a pip requirements file (requirements*.txt) nor "
                              "an npm lock file (package-lock.json).",
                              f);
        }
        lp_error e = LP_ERROR_INIT;
        const tfp_value *prefix = tfp_value_attr(d, "prefix");
        if (tfp_value_is_known(prefix) &&
            lp_spec_check_prefix(tfp_value_str(prefix), (int)i, &e) < 0) {
            tfp_diag_error_at(v->diags, tfp_path_attr(v->ctx->arena, at, "prefix"),
                              "Invalid archive path", "%s", e.message);
        }
    }
}

static int package_validate(const tfp_ctx *ctx, const tfp_validate_in *in, tfp_diags *diags)
{
    const tfp_value *cfg = in->config;
    validate_ctx v = {ctx, diags, false};
    lp_error e = LP_ERROR_INIT;
    const tfp_value *level = tfp_value_attr(cfg, "compression_level");
    if (is_set(level) && tfp_value_is_known(level) && lp_spec_check_level(level->num, &e) < 0) {
        validate_problem(&v, &e);
    }
    if (lp_spec_check_runtime(tfp_value_str(tfp_value_attr(cfg, "runtime")), &e) < 0) {
        validate_problem(&v, &e);
    }
    if (lp_spec_check_handler(tfp_value_str(tfp_value_attr(cfg, "handler")), &e) < 0) {
        validate_problem(&v, &e);
    }
    if (lp_spec_check_architecture(tfp_value_str(tfp_value_attr(cfg, "architecture")), &e) < 0) {
        validate_problem(&v, &e);
    }
    validate_dependencies(&v, tfp_value_attr(cfg, "dependencies"), tfp_value_attr(cfg, "source"));
    validate_globs(&v, tfp_value_attr(cfg, "excludes"), -1, "excludes");
    const char *output = tfp_value_str(tfp_value_attr(cfg, "output_path"));
    if (output != NULL && output[0] == '\0') {
        tfp_diag_error_at(diags, attr_path(ctx, "output_path"), "Empty output_path",
                          "output_path must name the ZIP file to write.");
    }
    const tfp_value *sources = tfp_value_attr(cfg, "source");
    for (size_t i = 0; sources != NULL && i < sources->n; i++) {
        if (tfp_value_is_known(sources->items[i])) {
            validate_source(&v, sources->items[i], i);
        }
    }
    return tfp_diags_has_error(diags) ? -1 : 0;
}

/* ---- plan ---- */

static int set_content_unknown(const tfp_ctx *ctx, tfp_value *planned, tfp_diags *diags)
{
    for (size_t i = 0; i < N_CONTENT_ATTRS; i++) {
        const tfp_value *cur = tfp_value_attr(planned, content_attrs[i]);
        if (set_attr(ctx, planned, content_attrs[i],
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
    const tfp_path *p = tfp_path_index(ctx->arena, attr_path(ctx, "dependencies"), index);
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
                                 ? attr_path(ctx, "architecture")
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
    if (config_read(ctx, cfg, pc, diags) < 0) {
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
        tfp_diag_error_at(diags, attr_path(ctx, "output_path"), "Cannot write the package", "%s",
                          e.message);
        return -1;
    }
    if (lp_output_check_replaceable(output, &e) < 0) {
        if (update && e.code == LP_EEXIST) {
            tfp_diag_warning_at(diags, attr_path(ctx, "output_path"), lp_error_summary(e.code),
                                "%s. Apply will fail until it is moved away.", e.message);
            return 0;
        }
        return diag_lp_error(ctx, diags, &e);
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
    if (state_set_defaults(ctx, planned, in->config, diags) < 0 ||
        set_attr(ctx, planned, "id", tfp_value_attr(planned, "output_path"), diags) < 0) {
        return -1;
    }
    const tfp_value *prior_out = tfp_value_attr(in->prior_state, "output_path");
    const tfp_value *new_out = tfp_value_attr(planned, "output_path");
    if (!tfp_value_is_null(in->prior_state) &&
        (!tfp_value_is_known(new_out) ||
         !lp_output_same(tfp_value_str(prior_out), tfp_value_str(new_out)))) {
        tfp_plan_require_replace(ctx, out, attr_path(ctx, "output_path"));
    }
    if (!tfp_value_is_known_fully(in->config)) {
        /* Sources not known yet (e.g. a path from another resource). */
        return set_content_unknown(ctx, planned, diags);
    }

    package_config pc;
    lp_manifest *m = NULL;
    lp_error e = LP_ERROR_INIT;
    lp_zip_info zip;
    build_record rec;
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
    if (record_decode(in->prior_private, &rec) && strcmp(rec.content_hash, m->content_hash) == 0) {
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
    if (state_set_package(ctx, planned, m, &zip, diags) < 0) {
        goto done;
    }
    out->planned_private = record_encode(ctx, m->content_hash, &zip);
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
    build_record rec;
    if (path == NULL) {
        return 0;
    }
    if (record_decode_any(private_data, &rec)) {
        sha = rec.zip.sha256_hex;
    } else if (lp_output_check_replaceable(path, &e) < 0) {
        sha = NULL;
    }
    if (lp_output_remove(path, sha, &what, &e) < 0) {
        tfp_diag_error_at(diags, attr_path(ctx, "output_path"), "Cannot remove package", "%s",
                          e.message);
        return -1;
    }
    if (what == LP_OUTPUT_KEPT) {
        tfp_diag_warning_at(diags, attr_path(ctx, "output_path"), "Output file kept", "%s.",
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
        tfp_diag_error_at(diags, attr_path(ctx, "output_sha256"), "ZIP differs from the plan",
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
        tfp_diag_error_at(diags, attr_path(ctx, "source"), "Sources changed after plan",
                          "The package's content hash is now %s, but the plan was made for %s: "
                          "a source file changed between plan and apply. Run plan again.",
                          m->content_hash, tfp_value_str(planned_hash));
        goto done;
    }
    if (!checked_at_plan && run_checks(ctx, &pc, m, diags) < 0) {
        goto done;
    }
    if (lp_output_check_replaceable(pc.output_path, &e) < 0) {
        diag_lp_error(ctx, diags, &e);
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
    if (state_set_package(ctx, state, m, &zip, diags) < 0) {
        goto done;
    }
    out->new_state = state;
    out->private_data = record_encode(ctx, m->content_hash, &zip);
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
        return state_set_missing(ctx, obj, diags) < 0 ? -1 : LP_ENOENT;
    }
    if (rc < 0) {
        return diag_lp_error(ctx, diags, &e);
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
            tfp_diag_error_at(diags, attr_path(ctx, "output_path"), "Read cancelled",
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
        return state_set_package(ctx, obj, &empty, &zip, diags);
    }
    rc = state_set_package(ctx, obj, m, &zip, diags);
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
    tfp_schema_block_type(ctx->arena, &package_block, &type, &terr);
    tfp_value *state = type != NULL ? tfp_value_object_new(ctx->arena, type) : NULL;
    tfp_value *id = tfp_value_string(ctx->arena, in->id);
    if (state == NULL || id == NULL) {
        tfp_diag_error(diags, "Internal error", "cannot build the imported state");
        return -1;
    }
    out->state = state;
    if (set_attr(ctx, state, "id", id, diags) < 0 ||
        set_attr(ctx, state, "output_path", id, diags) < 0 ||
        state_set_defaults(ctx, state, NULL, diags) < 0) {
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

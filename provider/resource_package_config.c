/*
 * resource_package_config: lambda_package's configuration. Validates what
 * is known of it at validate time (through lp_spec's checks, so both doors
 * give the same messages), reads a wholly known configuration into the
 * lp_spec_package the packager takes, and maps an lp_error's source index
 * and field to the attribute path of its diagnostic.
 *
 * Everything it returns lives in the request's arena. No I/O.
 */
#include "resource_package_int.h"

#include <stdbool.h>
#include <string.h>

#include "lp_check.h"
#include "lp_deps.h"
#include "lp_spec.h"

const tfp_path *package_attr_path(const tfp_ctx *ctx, const char *name)
{
    return tfp_path_attr(ctx->arena, NULL, name);
}

static const tfp_path *source_path(const tfp_ctx *ctx, size_t index, const char *field)
{
    const tfp_path *p =
        tfp_path_index(ctx->arena, package_attr_path(ctx, "source"), (int64_t)index);
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

int package_config_read(const tfp_ctx *ctx, const tfp_value *cfg, package_config *pc,
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
        return package_attr_path(ctx, "compression_level");
    }
    if (e->source_index >= 0) {
        return source_path(ctx, (size_t)e->source_index, field);
    }
    static const char *const top_level[] = {"excludes", "output_path", "runtime", "handler",
                                            "allow_sensitive_files"};
    for (size_t i = 0; field != NULL && i < sizeof(top_level) / sizeof(top_level[0]); i++) {
        if (strcmp(field, top_level[i]) == 0) {
            return package_attr_path(ctx, field);
        }
    }
    return package_attr_path(ctx, "source");
}

int package_diag_error(const tfp_ctx *ctx, tfp_diags *diags, const lp_error *e)
{
    tfp_diag_error_at(diags, error_path(ctx, e), lp_error_summary(e->code), "%s", e->message);
    return -1;
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
        tfp_diag_error_at(v->diags, package_attr_path(v->ctx, "source"), "Nothing to package",
                          "Add a `source` block or a `dependencies` block.");
    }
    for (size_t i = 0; i < nd; i++) {
        const tfp_value *d = deps->items[i];
        const tfp_path *at =
            tfp_path_index(v->ctx->arena, package_attr_path(v->ctx, "dependencies"), (int64_t)i);
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

int package_validate(const tfp_ctx *ctx, const tfp_validate_in *in, tfp_diags *diags)
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
        tfp_diag_error_at(diags, package_attr_path(ctx, "output_path"), "Empty output_path",
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

/*
 * lp_spec: defaults, value rules and the JSON form of a package definition.
 *
 * Both doors (the resource and lambdapack) validate values here, so a bad
 * prefix or glob reads the same wherever it is written. The JSON reader maps
 * the resource's attribute names onto the structs; it keeps the parsed
 * document alive and borrows its strings. No filesystem access.
 */
#include "lp_spec.h"

#include "lp_glob.h"
#include "lp_path.h"
#include "lp_runtime.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lp_spec_package_init(lp_spec_package *p)
{
    lp_spec spec = LP_SPEC_INIT;
    lp_check_options check = LP_CHECK_OPTIONS_INIT;
    memset(p, 0, sizeof(*p));
    p->spec = spec;
    p->check = check;
    p->architecture = LP_SPEC_DEFAULT_ARCHITECTURE;
}

int lp_spec_check_architecture(const char *architecture, lp_error *err)
{
    if (architecture == NULL || strcmp(architecture, "x86_64") == 0 ||
        strcmp(architecture, "arm64") == 0) {
        return LP_OK;
    }
    return lp_error_set(err, LP_EINVAL, 0, -1, "architecture", NULL,
                        "architecture \"%s\" is not one of Lambda's: \"x86_64\" or \"arm64\"",
                        architecture);
}

/* ---- single values ---- */

int lp_spec_check_prefix(const char *prefix, int si, lp_error *err)
{
    if (prefix == NULL || prefix[0] == '\0') {
        return LP_OK;
    }
    size_t n = strlen(prefix);
    while (n > 0 && prefix[n - 1] == '/') {
        n--; /* "shared/" is "shared" */
    }
    const char *why = NULL;
    char *trimmed = strndup(prefix, n);
    if (trimmed == NULL) {
        return lp_error_nomem_at(err, si, "prefix", prefix);
    }
    if (prefix[0] == '/') {
        why = "absolute path";
    } else {
        why = lp_path_check(trimmed, 0);
    }
    free(trimmed);
    if (why == NULL) {
        return LP_OK;
    }
    return lp_error_set(err, LP_EPATH, 0, si, "prefix", prefix,
                        "invalid prefix '%s': %s. A prefix is the archive folder the files land "
                        "under, written relative to the ZIP's root with '/' between parts and "
                        "no '.', '..' or empty parts: e.g. \"shared\" or \"python/lib\"; leave "
                        "it out to put the files at the root.",
                        prefix, why);
}

int lp_spec_check_glob(const char *glob, int si, const char *field, lp_error *err)
{
    lp_glob *g = NULL;
    int rc = lp_glob_compile(&g, glob != NULL ? glob : "", err);
    lp_glob_free(g);
    if (rc < 0 && err != NULL) {
        err->field = field;
        err->source_index = si;
    }
    return rc;
}

int lp_spec_level_valid(double level)
{
    return level >= 0 && level <= 9 && level == (double)(int)level;
}

static int level_error(const char *got, lp_error *err)
{
    return lp_error_set(err, LP_EINVAL, 0, -1, "level", NULL,
                        "compression_level must be a whole number from 0 (store) to 9; got %s.",
                        got);
}

int lp_spec_check_level(double level, lp_error *err)
{
    if (lp_spec_level_valid(level)) {
        return LP_OK;
    }
    char got[32];
    snprintf(got, sizeof(got), "%g", level);
    return level_error(got, err);
}

int lp_spec_parse_level(const char *text, int *level, lp_error *err)
{
    char *end = NULL;
    double v = text != NULL ? strtod(text, &end) : 0;
    if (text == NULL || end == text || *end != '\0' || !lp_spec_level_valid(v)) {
        return level_error(text != NULL ? text : "nothing", err);
    }
    *level = (int)v;
    return LP_OK;
}

int lp_spec_check_runtime(const char *runtime, lp_error *err)
{
    if (runtime == NULL || lp_runtime_lookup(runtime) != NULL) {
        return LP_OK;
    }
    return lp_error_set(err, LP_EINVAL, 0, -1, "runtime", NULL,
                        "\"%s\" is not a Lambda runtime identifier. Known runtimes: %s.", runtime,
                        lp_runtime_list_string());
}

const char *lp_spec_handler_dot(const char *handler, int nodejs)
{
    const char *start = handler, *dot;
    if (nodejs) {
        const char *slash = strrchr(handler, '/');
        start = slash != NULL ? slash + 1 : handler;
        dot = strchr(start, '.');
    } else {
        dot = strrchr(handler, '.');
    }
    return dot != NULL && dot != start && dot[1] != '\0' ? dot : NULL;
}

int lp_spec_check_handler_form(const char *handler, int nodejs, lp_error *err)
{
    if (handler == NULL || lp_spec_handler_dot(handler, nodejs) != NULL) {
        return LP_OK;
    }
    if (nodejs) {
        return lp_error_set(err, LP_EINVAL, 0, -1, "handler", NULL,
                            "handler \"%s\" must look like `file.function` (for example "
                            "`index.handler` or `dist/app.handler`).",
                            handler);
    }
    return lp_error_set(err, LP_EINVAL, 0, -1, "handler", NULL,
                        "handler \"%s\" must look like `module.function` (for example "
                        "`app.handler` or `pkg/mod.handler`; for Python, also "
                        "`package.module.function`).",
                        handler);
}

int lp_spec_check_handler(const char *handler, lp_error *err)
{
    return lp_spec_check_handler_form(handler, 0, err);
}

void lp_spec_attribute(const lp_error *e, char *buf, size_t size)
{
    const char *field = e->field;
    if (field != NULL && strcmp(field, "level") == 0) {
        field = "compression_level";
    }
    if (e->source_index >= 0) {
        snprintf(buf, size, "source[%d]%s%s", e->source_index, field != NULL ? "." : "",
                 field != NULL ? field : "");
    } else {
        snprintf(buf, size, "%s", field != NULL ? field : "");
    }
}

/* ---- shapes and whole packages ---- */

const char *lp_spec_problem_summary(const lp_error *e, int has_content)
{
    const char *f = e->field != NULL ? e->field : "";
    if (e->code == LP_EPATH) {
        return "Invalid prefix";
    }
    if (e->code == LP_EGLOB) {
        return "Invalid glob pattern";
    }
    if (strcmp(f, "level") == 0) {
        return "Invalid compression_level";
    }
    if (strcmp(f, "runtime") == 0) {
        return "Unknown Lambda runtime";
    }
    if (strcmp(f, "handler") == 0) {
        return "Invalid handler";
    }
    if (e->field == NULL) {
        return "Invalid source block";
    }
    if (strcmp(f, "filename") == 0) {
        return has_content ? "Missing filename" : "Unexpected filename";
    }
    if (strcmp(f, "path") == 0) {
        return "Empty source path";
    }
    return "Unexpected argument";
}

static size_t emit(lp_spec_problem_fn fn, void *payload, const lp_error *e)
{
    if (fn != NULL) {
        fn(payload, e);
    }
    return 1;
}

size_t lp_spec_check_source_shape(const lp_spec_source_shape *shape, int empty_path, int si,
                                  lp_spec_problem_fn fn, void *payload)
{
    lp_error e = LP_ERROR_INIT;
    if (shape->path == shape->content) {
        lp_error_set(&e, LP_EINVAL, 0, si, NULL, NULL,
                     "source[%d] must set exactly one of `path` or `content`%s.", si,
                     shape->path ? " (both are set)" : " (neither is set)");
        return emit(fn, payload, &e);
    }
    size_t n = 0;
    if (shape->content && !shape->filename) {
        lp_error_set(&e, LP_EINVAL, 0, si, "filename", NULL,
                     "source[%d] has inline `content` and needs `filename`, the archive path to "
                     "store it under.",
                     si);
        n += emit(fn, payload, &e);
    }
    if (shape->path && shape->filename) {
        lp_error_set(&e, LP_EINVAL, 0, si, "filename", NULL,
                     "source[%d]: `filename` goes with `content`; with `path`, use `prefix` to "
                     "choose where the files land.",
                     si);
        n += emit(fn, payload, &e);
    }
    const struct {
        const char *name;
        int set;
    } path_only[] = {
        {"prefix", shape->prefix}, {"include", shape->include}, {"exclude", shape->exclude}};
    for (size_t k = 0; shape->content && k < sizeof(path_only) / sizeof(path_only[0]); k++) {
        if (path_only[k].set) {
            lp_error_set(&e, LP_EINVAL, 0, si, path_only[k].name, NULL,
                         "source[%d]: `%s` goes with `path`, not with inline `content`.", si,
                         path_only[k].name);
            n += emit(fn, payload, &e);
        }
    }
    if (shape->path && empty_path) {
        lp_error_set(&e, LP_EINVAL, 0, si, "path", NULL,
                     "source[%d].path is empty; use \".\" for the current directory.", si);
        n += emit(fn, payload, &e);
    }
    return n;
}

static size_t check_globs(const char *const *globs, size_t n_globs, int si, const char *field,
                          lp_spec_problem_fn fn, void *payload)
{
    size_t n = 0;
    for (size_t i = 0; i < n_globs; i++) {
        lp_error e = LP_ERROR_INIT;
        if (lp_spec_check_glob(globs[i], si, field, &e) < 0) {
            n += emit(fn, payload, &e);
        }
    }
    return n;
}

size_t lp_spec_validate(const lp_spec_package *p, lp_spec_problem_fn fn, void *payload)
{
    size_t n = 0;
    lp_error e = LP_ERROR_INIT;
    if (lp_spec_check_level(p->spec.level, &e) < 0) {
        n += emit(fn, payload, &e);
    }
    if (lp_spec_check_runtime(p->check.runtime, &e) < 0) {
        n += emit(fn, payload, &e);
    }
    if (lp_spec_check_handler(p->check.handler, &e) < 0) {
        n += emit(fn, payload, &e);
    }
    if (lp_spec_check_architecture(p->architecture, &e) < 0) {
        n += emit(fn, payload, &e);
    }
    n += check_globs(p->spec.excludes, p->spec.n_excludes, -1, "excludes", fn, payload);
    for (size_t i = 0; i < p->spec.n_sources; i++) {
        const lp_source *s = &p->spec.sources[i];
        int si = (int)i;
        lp_spec_source_shape shape = {
            .path = s->path != NULL,
            .content = s->content != NULL,
            .filename = s->filename != NULL,
            .prefix = s->content != NULL && s->prefix != NULL && s->prefix[0] != '\0',
            .include = s->n_include > 0,
            .exclude = s->n_exclude > 0,
        };
        n += lp_spec_check_source_shape(&shape, s->path != NULL && s->path[0] == '\0', si, fn,
                                        payload);
        if (lp_spec_check_prefix(s->prefix, si, &e) < 0) {
            n += emit(fn, payload, &e);
        }
        n += check_globs(s->include, s->n_include, si, "include", fn, payload);
        n += check_globs(s->exclude, s->n_exclude, si, "exclude", fn, payload);
    }
    return n;
}

/* ---- JSON ---- */

typedef struct owned {
    json_t *root;
    lp_source *sources;
    lp_dependency *deps;
    const char ***lists; /* every string array read, freed with the package */
    size_t n_lists;
    char *base_dir;
} owned;

static int bad_type(lp_error *err, int si, const char *key, const char *want)
{
    return lp_error_set(err, LP_EINVAL, 0, si, key, NULL, "%s%s must be %s",
                        si >= 0 ? "source." : "", key, want);
}

/* A string or null value; *out NULL for null/absent. */
static int get_str(const json_t *obj, const char *key, int si, const char **out, size_t *len,
                   lp_error *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (len != NULL) {
        *len = 0;
    }
    if (v == NULL || json_is_null(v)) {
        return LP_OK;
    }
    if (!json_is_string(v)) {
        return bad_type(err, si, key, "a string");
    }
    *out = json_string_value(v);
    if (len != NULL) {
        *len = json_string_length(v);
    }
    return LP_OK;
}

static int get_bool(const json_t *obj, const char *key, int *out, lp_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        return LP_OK; /* keeps the default */
    }
    if (!json_is_boolean(v)) {
        return bad_type(err, -1, key, "true or false");
    }
    *out = json_is_true(v) ? 1 : 0;
    return LP_OK;
}

/* A list (or set) of strings, borrowed from the document. */
static int get_list(owned *o, const json_t *obj, const char *key, int si, const char *const **out,
                    size_t *n, lp_error *err)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    *n = 0;
    if (v == NULL || json_is_null(v)) {
        return LP_OK;
    }
    if (!json_is_array(v)) {
        return bad_type(err, si, key, "a list of strings");
    }
    size_t count = json_array_size(v);
    if (count == 0) {
        return LP_OK;
    }
    const char ***lists = realloc(o->lists, (o->n_lists + 1) * sizeof(*lists));
    if (lists == NULL) {
        return lp_error_nomem_at(err, si, key, NULL);
    }
    o->lists = lists;
    const char **arr = calloc(count, sizeof(*arr));
    if (arr == NULL) {
        return lp_error_nomem_at(err, si, key, NULL);
    }
    o->lists[o->n_lists++] = arr;
    for (size_t i = 0; i < count; i++) {
        const json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) {
            return bad_type(err, si, key, "a list of strings");
        }
        arr[i] = json_string_value(s);
    }
    *out = arr;
    *n = count;
    return LP_OK;
}

static int read_source(owned *o, const json_t *js, int si, lp_source *s, lp_error *err)
{
    int rc;
    if (!json_is_object(js)) {
        return lp_error_set(err, LP_EINVAL, 0, si, NULL, NULL, "source[%d] must be an object", si);
    }
    if ((rc = get_str(js, "path", si, &s->path, NULL, err)) < 0 ||
        (rc = get_str(js, "prefix", si, &s->prefix, NULL, err)) < 0 ||
        (rc = get_str(js, "content", si, &s->content, &s->content_len, err)) < 0 ||
        (rc = get_str(js, "filename", si, &s->filename, NULL, err)) < 0 ||
        (rc = get_list(o, js, "include", si, &s->include, &s->n_include, err)) < 0 ||
        (rc = get_list(o, js, "exclude", si, &s->exclude, &s->n_exclude, err)) < 0) {
        return rc;
    }
    return LP_OK;
}

static int read_level(const json_t *obj, int *level, lp_error *err)
{
    const json_t *v = json_object_get(obj, "compression_level");
    if (v == NULL || json_is_null(v)) {
        return LP_OK;
    }
    if (!json_is_number(v)) {
        return bad_type(err, -1, "compression_level", "a number");
    }
    double d = json_number_value(v);
    *level = lp_spec_level_valid(d) ? (int)d : -1;
    return LP_OK;
}

/* dependencies: [{file, prefix, index_url, find_links}]; err->source_index
 * is the block's index. */
static int read_dependencies(lp_spec_package *p, owned *o, const json_t *obj, lp_error *err)
{
    const json_t *v = json_object_get(obj, "dependencies");
    if (v == NULL || json_is_null(v)) {
        return LP_OK;
    }
    if (!json_is_array(v)) {
        return bad_type(err, -1, "dependencies", "a list of dependencies blocks");
    }
    size_t n = json_array_size(v);
    if ((o->deps = calloc(n > 0 ? n : 1, sizeof(*o->deps))) == NULL) {
        return lp_error_nomem_at(err, -1, "dependencies", NULL);
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_array_get(v, i);
        lp_dependency *dep = &o->deps[i];
        int rc;
        if (!json_is_object(d)) {
            return bad_type(err, (int)i, "dependencies", "a list of dependencies blocks");
        }
        if ((rc = get_str(d, "file", (int)i, &dep->file, NULL, err)) < 0 ||
            (rc = get_str(d, "prefix", (int)i, &dep->prefix, NULL, err)) < 0 ||
            (rc = get_str(d, "index_url", (int)i, &dep->index_url, NULL, err)) < 0 ||
            (rc = get_list(o, d, "find_links", (int)i, &dep->find_links, &dep->n_find_links, err)) <
                0) {
            return rc;
        }
    }
    p->dependencies = o->deps;
    p->n_dependencies = n;
    return LP_OK;
}

static int read_package(lp_spec_package *p, owned *o, const json_t *obj, lp_error *err)
{
    int rc;
    const char *out = NULL;
    if ((rc = get_str(obj, "output_path", -1, &out, NULL, err)) < 0) {
        return rc;
    }
    p->output_path = out;
    p->spec.output_path = out;
    const json_t *srcs = json_object_get(obj, "source");
    if (srcs != NULL && !json_is_null(srcs)) {
        if (!json_is_array(srcs)) {
            return bad_type(err, -1, "source", "a list of source blocks");
        }
        size_t n = json_array_size(srcs);
        if ((o->sources = calloc(n > 0 ? n : 1, sizeof(*o->sources))) == NULL) {
            return lp_error_nomem_at(err, -1, "source", NULL);
        }
        for (size_t i = 0; i < n; i++) {
            if ((rc = read_source(o, json_array_get(srcs, i), (int)i, &o->sources[i], err)) < 0) {
                return rc;
            }
        }
        p->spec.sources = o->sources;
        p->spec.n_sources = n;
    }
    if ((rc = get_list(o, obj, "excludes", -1, &p->spec.excludes, &p->spec.n_excludes, err)) < 0 ||
        (rc = get_bool(obj, "default_excludes", &p->spec.default_excludes, err)) < 0 ||
        (rc = read_level(obj, &p->spec.level, err)) < 0 ||
        (rc = get_bool(obj, "directory_entries", &p->spec.directory_entries, err)) < 0 ||
        (rc = get_bool(obj, "allow_external_symlinks", &p->spec.allow_external_symlinks, err)) <
            0 ||
        (rc = get_str(obj, "runtime", -1, &p->check.runtime, NULL, err)) < 0 ||
        (rc = get_str(obj, "handler", -1, &p->check.handler, NULL, err)) < 0 ||
        (rc = get_list(o, obj, "external_modules", -1, &p->check.external_modules,
                       &p->check.n_external_modules, err)) < 0 ||
        (rc = get_bool(obj, "strict_imports", &p->check.strict_imports, err)) < 0 ||
        (rc = get_list(o, obj, "required_files", -1, &p->check.required_files,
                       &p->check.n_required_files, err)) < 0 ||
        (rc = get_list(o, obj, "allow_sensitive_files", -1, &p->check.allow_sensitive_files,
                       &p->check.n_allow_sensitive_files, err)) < 0 ||
        (rc = read_dependencies(p, o, obj, err)) < 0) {
        return rc;
    }
    const char *arch = NULL;
    if ((rc = get_str(obj, "architecture", -1, &arch, NULL, err)) < 0) {
        return rc;
    }
    if (arch != NULL) {
        p->architecture = arch;
    }
    return LP_OK;
}

int lp_spec_package_from_json(lp_spec_package **out, const char *json, size_t len,
                              const char *base_dir, lp_error *err)
{
    *out = NULL;
    lp_spec_package *p = calloc(1, sizeof(*p));
    owned *o = calloc(1, sizeof(*o));
    int rc = LP_OK;
    if (p == NULL || o == NULL) {
        free(p);
        free(o);
        return lp_error_nomem(err);
    }
    lp_spec_package_init(p);
    p->owned = o;
    json_error_t jerr;
    o->root = json_loadb(json, len, JSON_ALLOW_NUL, &jerr);
    if (o->root == NULL && json_error_code(&jerr) == json_error_out_of_memory) {
        rc = lp_error_nomem(err);
        goto done;
    }
    if (o->root == NULL || !json_is_object(o->root)) {
        rc = lp_error_set(err, LP_EINVAL, 0, -1, NULL, NULL,
                          "package definition is not a JSON object%s%s",
                          o->root == NULL ? ": " : "", o->root == NULL ? jerr.text : "");
        goto done;
    }
    if (base_dir != NULL && (o->base_dir = strdup(base_dir)) == NULL) {
        rc = lp_error_nomem(err);
        goto done;
    }
    p->spec.base_dir = o->base_dir;
    if ((rc = read_package(p, o, o->root, err)) < 0) {
        goto done;
    }
    *out = p;
done:
    if (rc < 0) {
        lp_spec_package_free(p);
    }
    return rc;
}

void lp_spec_package_free(lp_spec_package *p)
{
    if (p == NULL) {
        return;
    }
    owned *o = p->owned;
    if (o != NULL) {
        for (size_t i = 0; i < o->n_lists; i++) {
            free(o->lists[i]);
        }
        free(o->lists);
        free(o->sources);
        free(o->deps);
        free(o->base_dir);
        json_decref(o->root);
        free(o);
    }
    free(p);
}

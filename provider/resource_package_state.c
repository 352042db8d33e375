/*
 * resource_package_state: what lambda_package puts into state. The
 * computed attributes (hashes, sizes, files, executable_files) from a
 * manifest and a ZIP's hashes, the defaults of optional+computed
 * arguments, and the build record kept in private state: the content hash
 * and ZIP hashes of the last build and the writer that made it.
 *
 * Everything it returns lives in the request's arena. No I/O.
 */
#include "resource_package_int.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lp_manifest.h"
#include "lp_spec.h"
#include "lp_summary.h"
#include "lp_zip.h"

#define RECORD_WRITER LP_ZIP_WRITER

tfp_bytes package_record_encode(const tfp_ctx *ctx, const char *content_hash,
                                const lp_zip_info *zip)
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
static bool record_parse(tfp_bytes b, package_record *r, bool *same_writer)
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

bool package_record_decode(tfp_bytes b, package_record *r)
{
    bool same;
    return record_parse(b, r, &same) && same;
}

bool package_record_decode_any(tfp_bytes b, package_record *r)
{
    bool same;
    return record_parse(b, r, &same);
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

int package_set_attr(const tfp_ctx *ctx, tfp_value *obj, const char *name, tfp_value *v,
                     tfp_diags *diags)
{
    if (v == NULL || tfp_value_object_set(obj, name, v) != TFP_OK) {
        tfp_diag_error_at(diags, package_attr_path(ctx, name), "Internal error",
                          "cannot set attribute %s", name);
        return -1;
    }
    return 0;
}

int package_state_set(const tfp_ctx *ctx, tfp_value *obj, const lp_manifest *m,
                      const lp_zip_info *zip, tfp_diags *diags)
{
    tfp_arena *a = ctx->arena;
    if (package_set_attr(ctx, obj, "content_hash", tfp_value_string(a, m->content_hash), diags) <
            0 ||
        package_set_attr(ctx, obj, "output_sha256", tfp_value_string(a, zip->sha256_hex), diags) <
            0 ||
        package_set_attr(ctx, obj, "output_base64sha256", tfp_value_string(a, zip->base64sha256),
                         diags) < 0 ||
        package_set_attr(ctx, obj, "output_size", tfp_value_int(a, (int64_t)zip->size), diags) <
            0 ||
        package_set_attr(ctx, obj, "unzipped_size", tfp_value_int(a, (int64_t)m->unzipped_size),
                         diags) < 0 ||
        package_set_attr(ctx, obj, "file_count", tfp_value_int(a, (int64_t)m->n_files), diags) <
            0) {
        return -1;
    }
    lp_summary *sum = NULL;
    lp_error e = LP_ERROR_INIT;
    if (lp_summary_build(&sum, m, &e) < 0) {
        return package_diag_error(ctx, diags, &e);
    }
    int rc = 0;
    if (package_set_attr(ctx, obj, "files", files_value(ctx, sum), diags) < 0 ||
        package_set_attr(ctx, obj, "executable_files", executable_value(ctx, m, sum), diags) < 0) {
        rc = -1;
    }
    lp_summary_free(sum);
    return rc;
}

int package_state_set_missing(const tfp_ctx *ctx, tfp_value *obj, tfp_diags *diags)
{
    static const char *const zip_attrs[] = {"output_sha256", "output_base64sha256", "output_size"};
    for (size_t i = 0; i < sizeof(zip_attrs) / sizeof(zip_attrs[0]); i++) {
        const tfp_value *cur = tfp_value_attr(obj, zip_attrs[i]);
        tfp_value *null = tfp_value_null(ctx->arena, cur != NULL ? cur->type : &tfp_type_string);
        if (package_set_attr(ctx, obj, zip_attrs[i], null, diags) < 0) {
            return -1;
        }
    }
    return 0;
}

int package_state_set_defaults(const tfp_ctx *ctx, tfp_value *obj, const tfp_value *config,
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
            package_set_attr(ctx, obj, defaults[i].name, defaults[i].value, diags) < 0) {
            return -1;
        }
    }
    return 0;
}

/*
 * tfp_schema: the cty object type of a schema block, and the generic checks
 * and plan helper the provider core applies using only the schema.
 *
 * Schemas are static data owned by the resource files; this module only
 * reads them. It must not know about the wire format or about any particular
 * resource.
 */
#include "tfp_schema.h"

#include <string.h>

const tfp_schema_attr *tfp_schema_find_attr(const tfp_schema_block *block, const char *name)
{
    for (size_t i = 0; block != NULL && i < block->n_attrs; i++) {
        if (strcmp(block->attrs[i].name, name) == 0) {
            return &block->attrs[i];
        }
    }
    return NULL;
}

const tfp_schema_nested_block *tfp_schema_find_block(const tfp_schema_block *block,
                                                     const char *name)
{
    for (size_t i = 0; block != NULL && i < block->n_blocks; i++) {
        if (strcmp(block->blocks[i].type_name, name) == 0) {
            return &block->blocks[i];
        }
    }
    return NULL;
}

static int block_type(tfp_arena *arena, const tfp_schema_block *block, int depth,
                      const tfp_type **out, tfp_error *err)
{
    if (block == NULL) {
        return tfp_error_set(err, TFP_EINVAL, "schema block missing");
    }
    if (depth > 32) {
        return tfp_error_set(err, TFP_ELIMIT, "schema blocks nested too deeply");
    }
    size_t n = block->n_attrs + block->n_blocks;
    tfp_type_attr *attrs = tfp_arena_array(arena, n, sizeof(*attrs));
    if (attrs == NULL) {
        return tfp_error_set(err, TFP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < block->n_attrs; i++) {
        const tfp_schema_attr *a = &block->attrs[i];
        if (a->name == NULL || a->name[0] == '\0' || a->type == NULL) {
            return tfp_error_set(err, TFP_EINVAL, "schema attribute %zu has no name or type", i);
        }
        if (!a->required && !a->optional && !a->computed) {
            return tfp_error_set(err, TFP_EINVAL,
                                 "schema attribute \"%s\" is neither required, optional nor "
                                 "computed",
                                 a->name);
        }
        attrs[i].name = a->name;
        attrs[i].type = a->type;
    }
    for (size_t i = 0; i < block->n_blocks; i++) {
        const tfp_schema_nested_block *b = &block->blocks[i];
        tfp_type_attr *ta = &attrs[block->n_attrs + i];
        if (b->type_name == NULL || b->type_name[0] == '\0') {
            return tfp_error_set(err, TFP_EINVAL, "nested block %zu has no name", i);
        }
        const tfp_type *obj;
        int rc = block_type(arena, b->block, depth + 1, &obj, err);
        if (rc < 0) {
            return rc;
        }
        ta->name = b->type_name;
        switch (b->nesting) {
        case TFP_NEST_SINGLE:
        case TFP_NEST_GROUP:
            ta->type = obj;
            break;
        case TFP_NEST_LIST:
            ta->type = tfp_type_list(arena, obj);
            break;
        case TFP_NEST_SET:
            ta->type = tfp_type_set(arena, obj);
            break;
        case TFP_NEST_MAP:
            ta->type = tfp_type_map(arena, obj);
            break;
        default:
            return tfp_error_set(err, TFP_EINVAL, "nested block \"%s\" has an invalid nesting mode",
                                 b->type_name);
        }
        if (ta->type == NULL) {
            return tfp_error_set(err, TFP_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t k = i + 1; k < n; k++) {
            if (strcmp(attrs[i].name, attrs[k].name) == 0) {
                return tfp_error_set(err, TFP_EINVAL, "schema name \"%s\" is used twice",
                                     attrs[i].name);
            }
        }
    }
    *out = tfp_type_object(arena, n, attrs);
    if (*out == NULL) {
        return tfp_error_set(err, TFP_ENOMEM, "out of memory");
    }
    return TFP_OK;
}

int tfp_schema_block_type(tfp_arena *arena, const tfp_schema_block *block, const tfp_type **out,
                          tfp_error *err)
{
    return block_type(arena, block, 0, out, err);
}

static void validate_block(tfp_arena *arena, const tfp_schema_block *block, const tfp_value *config,
                           const tfp_path *path, int depth, tfp_diags *diags);

static void validate_nested(tfp_arena *arena, const tfp_schema_nested_block *b, const tfp_value *v,
                            const tfp_path *path, int depth, tfp_diags *diags)
{
    if (!tfp_value_is_known(v)) {
        return;
    }
    switch (b->nesting) {
    case TFP_NEST_SINGLE:
        validate_block(arena, b->block, v, path, depth + 1, diags);
        return;
    case TFP_NEST_GROUP:
        if (tfp_value_is_null(v)) {
            tfp_diag_error_at(diags, path, "Missing block", "The \"%s\" block must be present.",
                              b->type_name);
            return;
        }
        validate_block(arena, b->block, v, path, depth + 1, diags);
        return;
    case TFP_NEST_LIST:
    case TFP_NEST_SET: {
        size_t n = tfp_value_is_null(v) ? 0 : v->n;
        if (b->min_items > 0 && (int64_t)n < b->min_items) {
            tfp_diag_error_at(diags, path, "Insufficient blocks",
                              "At least %lld \"%s\" block%s required; %zu given.",
                              (long long)b->min_items, b->type_name,
                              b->min_items == 1 ? " is" : "s are", n);
        }
        if (b->max_items > 0 && (int64_t)n > b->max_items) {
            tfp_diag_error_at(diags, path, "Too many blocks",
                              "No more than %lld \"%s\" block%s allowed; %zu given.",
                              (long long)b->max_items, b->type_name,
                              b->max_items == 1 ? " is" : "s are", n);
        }
        for (size_t i = 0; i < n; i++) {
            const tfp_path *ep =
                b->nesting == TFP_NEST_LIST ? tfp_path_index(arena, path, (int64_t)i) : path;
            validate_block(arena, b->block, v->items[i], ep, depth + 1, diags);
        }
        return;
    }
    case TFP_NEST_MAP:
        for (size_t i = 0; !tfp_value_is_null(v) && i < v->n; i++) {
            validate_block(arena, b->block, v->items[i], tfp_path_key(arena, path, v->keys[i]),
                           depth + 1, diags);
        }
        return;
    }
}

static void validate_block(tfp_arena *arena, const tfp_schema_block *block, const tfp_value *config,
                           const tfp_path *path, int depth, tfp_diags *diags)
{
    if (depth > 32 || !tfp_value_is_known(config) || tfp_value_is_null(config) ||
        config->kind != TFP_VAL_OBJECT) {
        return;
    }
    for (size_t i = 0; i < block->n_attrs; i++) {
        const tfp_schema_attr *a = &block->attrs[i];
        const tfp_value *v = tfp_value_attr(config, a->name);
        if (a->required && tfp_value_is_null(v)) {
            tfp_diag_error_at(
                diags, tfp_path_attr(arena, path, a->name), "Missing required argument",
                "The argument \"%s\" is required, but no definition was found.", a->name);
        }
        if (a->computed && !a->optional && !a->required && !tfp_value_is_null(v)) {
            tfp_diag_error_at(diags, tfp_path_attr(arena, path, a->name), "Invalid configuration",
                              "\"%s\" is computed by the provider and cannot be set.", a->name);
        }
    }
    for (size_t i = 0; i < block->n_blocks; i++) {
        const tfp_schema_nested_block *b = &block->blocks[i];
        validate_nested(arena, b, tfp_value_attr(config, b->type_name),
                        tfp_path_attr(arena, path, b->type_name), depth, diags);
    }
}

void tfp_schema_validate_config(tfp_arena *arena, const tfp_schema_block *block,
                                const tfp_value *config, tfp_diags *diags)
{
    validate_block(arena, block, config, NULL, 0, diags);
}

/* New node with the same kind/type and a fresh copy of the items array. */
static tfp_value *copy_container(tfp_arena *arena, const tfp_value *v)
{
    tfp_value *c = tfp_arena_alloc(arena, sizeof(*c));
    tfp_value **items = tfp_arena_array(arena, v->n, sizeof(*items));
    if (c == NULL || items == NULL) {
        return NULL;
    }
    *c = *v;
    if (v->n > 0) {
        memcpy(items, v->items, v->n * sizeof(*items));
    }
    c->items = items;
    return c;
}

static tfp_value *unknown_computed(tfp_arena *arena, const tfp_schema_block *block,
                                   const tfp_value *config, const tfp_value *proposed, int depth)
{
    if (depth > 32 || proposed == NULL || proposed->kind != TFP_VAL_OBJECT) {
        return (tfp_value *)proposed;
    }
    tfp_value *out = copy_container(arena, proposed);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < block->n_attrs; i++) {
        const tfp_schema_attr *a = &block->attrs[i];
        if (!a->computed) {
            continue;
        }
        const tfp_value *cv = tfp_value_attr(config, a->name);
        const tfp_value *pv = tfp_value_attr(proposed, a->name);
        if (tfp_value_is_null(cv) && tfp_value_is_null(pv)) {
            tfp_value *u = tfp_value_unknown(arena, a->type);
            if (u == NULL || tfp_value_object_set(out, a->name, u) < 0) {
                return NULL;
            }
        }
    }
    for (size_t i = 0; i < block->n_blocks; i++) {
        const tfp_schema_nested_block *b = &block->blocks[i];
        const tfp_value *cv = tfp_value_attr(config, b->type_name);
        tfp_value *pv = tfp_value_attr(proposed, b->type_name);
        if (pv == NULL || !tfp_value_is_known(pv) || tfp_value_is_null(pv)) {
            continue;
        }
        tfp_value *nv = pv;
        switch (b->nesting) {
        case TFP_NEST_SINGLE:
        case TFP_NEST_GROUP:
            nv = unknown_computed(arena, b->block, cv, pv, depth + 1);
            break;
        case TFP_NEST_LIST:
        case TFP_NEST_MAP:
            nv = copy_container(arena, pv);
            for (size_t k = 0; nv != NULL && k < pv->n; k++) {
                const tfp_value *ce =
                    b->nesting == TFP_NEST_LIST
                        ? (cv != NULL && cv->kind == TFP_VAL_LIST ? tfp_value_index(cv, k) : NULL)
                        : tfp_value_map_get(cv, pv->keys[k]);
                nv->items[k] = unknown_computed(arena, b->block, ce, pv->items[k], depth + 1);
                if (nv->items[k] == NULL) {
                    nv = NULL;
                }
            }
            break;
        case TFP_NEST_SET:
            break;
        }
        if (nv == NULL || tfp_value_object_set(out, b->type_name, nv) < 0) {
            return NULL;
        }
    }
    return out;
}

tfp_value *tfp_schema_unknown_computed(tfp_arena *arena, const tfp_schema_block *block,
                                       const tfp_value *config, const tfp_value *proposed)
{
    return unknown_computed(arena, block, config, proposed, 0);
}

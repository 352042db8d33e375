/*
 * tfp_rpc_convert: builds tfplugin6 protobuf-c messages from the provider
 * core's plain structs (schemas, diagnostics, paths, values) and reads
 * request fields into them. Everything lives in the request arena. It does
 * no I/O, no packing and calls nothing in the core but the type encoder.
 */
#include "tfp_rpc_convert.h"

#include <stdint.h>
#include <string.h>

#include "tfp_type.h"

static void *arena_pb_alloc(void *data, size_t size)
{
    return tfp_arena_alloc(data, size);
}

static void arena_pb_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr; /* released with the arena */
}

void tfp_rpc_arena_allocator(ProtobufCAllocator *out, tfp_arena *arena)
{
    out->alloc = arena_pb_alloc;
    out->free = arena_pb_free;
    out->allocator_data = arena;
}

ProtobufCMessage *tfp_rpc_new_message(tfp_arena *arena, const ProtobufCMessageDescriptor *desc)
{
    void *m = tfp_arena_alloc(arena, desc->sizeof_message);
    if (m != NULL) {
        protobuf_c_message_init(desc, m);
    }
    return m;
}

#define NEW_MSG(arena, type, desc) ((type *)tfp_rpc_new_message((arena), &(desc)))

tfp_dynamic tfp_rpc_dynamic_in(const Tfplugin6__DynamicValue *dv)
{
    tfp_dynamic d;
    memset(&d, 0, sizeof(d));
    if (dv == NULL) {
        return d;
    }
    if (dv->msgpack.len > 0 && dv->msgpack.data != NULL) {
        d.msgpack.data = dv->msgpack.data;
        d.msgpack.len = dv->msgpack.len;
    } else if (dv->json.len > 0 && dv->json.data != NULL) {
        d.json.data = dv->json.data;
        d.json.len = dv->json.len;
    }
    return d;
}

ProtobufCBinaryData tfp_rpc_bytes_out(tfp_bytes b)
{
    ProtobufCBinaryData out;
    out.len = b.data != NULL ? b.len : 0;
    out.data = (uint8_t *)b.data;
    return out;
}

Tfplugin6__DynamicValue *tfp_rpc_dynamic_out(tfp_arena *arena, tfp_bytes msgpack)
{
    if (msgpack.data == NULL || msgpack.len == 0) {
        return NULL;
    }
    Tfplugin6__DynamicValue *dv =
        NEW_MSG(arena, Tfplugin6__DynamicValue, tfplugin6__dynamic_value__descriptor);
    if (dv != NULL) {
        dv->msgpack = tfp_rpc_bytes_out(msgpack);
    }
    return dv;
}

static char *str_or_empty(const char *s)
{
    return (char *)(s != NULL ? s : "");
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 when invalid
   (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (p[i] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

char *tfp_rpc_utf8(tfp_arena *arena, const char *s)
{
    if (s == NULL) {
        return (char *)"";
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    size_t bad = 0;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq_len(p + i, n - i);
        if (l == 0) {
            bad++;
            i++;
        } else {
            i += l;
        }
    }
    if (bad == 0) {
        return (char *)s;
    }
    /* Each bad byte (1) becomes U+FFFD (3 bytes). */
    char *out = tfp_arena_alloc(arena, n + 2 * bad + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq_len(p + i, n - i);
        if (l == 0) {
            out[o++] = (char)0xef;
            out[o++] = (char)0xbf;
            out[o++] = (char)0xbd;
            i++;
        } else {
            memcpy(out + o, p + i, l);
            o += l;
            i += l;
        }
    }
    out[o] = '\0';
    return out;
}

Tfplugin6__AttributePath *tfp_rpc_path_out(tfp_arena *arena, const tfp_path *path, bool *ok)
{
    *ok = true;
    if (path == NULL || path->n == 0) {
        return NULL;
    }
    Tfplugin6__AttributePath *ap =
        NEW_MSG(arena, Tfplugin6__AttributePath, tfplugin6__attribute_path__descriptor);
    Tfplugin6__AttributePath__Step **steps =
        tfp_arena_array(arena, path->n, sizeof(Tfplugin6__AttributePath__Step *));
    if (ap == NULL || steps == NULL) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < path->n; i++) {
        const tfp_path_step *s = &path->steps[i];
        Tfplugin6__AttributePath__Step *st = NEW_MSG(arena, Tfplugin6__AttributePath__Step,
                                                     tfplugin6__attribute_path__step__descriptor);
        if (st == NULL) {
            *ok = false;
            return NULL;
        }
        switch (s->kind) {
        case TFP_STEP_ATTR:
            st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME;
            st->attribute_name = tfp_rpc_utf8(arena, s->name);
            if (st->attribute_name == NULL) {
                *ok = false;
                return NULL;
            }
            break;
        case TFP_STEP_KEY_STRING:
            st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING;
            st->element_key_string = tfp_rpc_utf8(arena, s->name);
            if (st->element_key_string == NULL) {
                *ok = false;
                return NULL;
            }
            break;
        case TFP_STEP_KEY_INT:
            st->selector_case = TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT;
            st->element_key_int = s->index;
            break;
        }
        steps[i] = st;
    }
    ap->n_steps = path->n;
    ap->steps = steps;
    return ap;
}

Tfplugin6__Diagnostic *tfp_rpc_error_diag(tfp_arena *arena, const char *summary, const char *detail)
{
    Tfplugin6__Diagnostic *d =
        NEW_MSG(arena, Tfplugin6__Diagnostic, tfplugin6__diagnostic__descriptor);
    if (d != NULL) {
        d->severity = TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
        d->summary = tfp_rpc_utf8(arena, summary);
        d->detail = tfp_rpc_utf8(arena, detail);
        if (d->summary == NULL || d->detail == NULL) {
            return NULL;
        }
    }
    return d;
}

int tfp_rpc_diags_out(tfp_arena *arena, const tfp_diags *diags, Tfplugin6__Diagnostic ***out,
                      size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t count = diags != NULL ? tfp_diags_count(diags) : 0;
    if (count == 0) {
        return TFP_OK;
    }
    Tfplugin6__Diagnostic **arr = tfp_arena_array(arena, count, sizeof(*arr));
    if (arr == NULL) {
        return TFP_ENOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        const tfp_diag *src = tfp_diags_at(diags, i);
        Tfplugin6__Diagnostic *d =
            NEW_MSG(arena, Tfplugin6__Diagnostic, tfplugin6__diagnostic__descriptor);
        if (d == NULL || src == NULL) {
            return TFP_ENOMEM;
        }
        d->severity = src->severity == TFP_DIAG_WARNING ? TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING
                                                        : TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR;
        d->summary = tfp_rpc_utf8(arena, src->summary);
        d->detail = tfp_rpc_utf8(arena, src->detail);
        if (d->summary == NULL || d->detail == NULL) {
            return TFP_ENOMEM;
        }
        bool ok = true;
        d->attribute = tfp_rpc_path_out(arena, src->path, &ok);
        if (!ok) {
            return TFP_ENOMEM;
        }
        arr[i] = d;
    }
    *out = arr;
    *n = count;
    return TFP_OK;
}

static Tfplugin6__Schema__Block *block_out(tfp_arena *arena, const tfp_schema_block *b,
                                           int64_t version, const char *where, int depth,
                                           tfp_error *err);

static Tfplugin6__Schema__NestedBlock__NestingMode nesting_out(tfp_nesting n)
{
    switch (n) {
    case TFP_NEST_SINGLE:
        return TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SINGLE;
    case TFP_NEST_LIST:
        return TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__LIST;
    case TFP_NEST_SET:
        return TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__SET;
    case TFP_NEST_MAP:
        return TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__MAP;
    case TFP_NEST_GROUP:
        return TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__GROUP;
    }
    return TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__INVALID;
}

static Tfplugin6__StringKind kind_out(tfp_string_kind k)
{
    return k == TFP_STRING_MARKDOWN ? TFPLUGIN6__STRING_KIND__MARKDOWN
                                    : TFPLUGIN6__STRING_KIND__PLAIN;
}

/* Schemas are static tables of ours, but bound the recursion anyway. */
#define TFP_RPC_SCHEMA_MAX_DEPTH 32

static Tfplugin6__Schema__Block *block_out(tfp_arena *arena, const tfp_schema_block *b,
                                           int64_t version, const char *where, int depth,
                                           tfp_error *err)
{
    Tfplugin6__Schema__Block *out =
        NEW_MSG(arena, Tfplugin6__Schema__Block, tfplugin6__schema__block__descriptor);
    if (out == NULL) {
        tfp_error_set(err, TFP_ENOMEM, "out of memory converting the schema");
        return NULL;
    }
    out->version = version;
    if (b == NULL) {
        return out;
    }
    if (depth > TFP_RPC_SCHEMA_MAX_DEPTH) {
        tfp_error_set(err, TFP_ELIMIT, "schema nesting too deep at %s", where);
        return NULL;
    }
    out->description = str_or_empty(b->description);
    out->description_kind = kind_out(b->description_kind);
    out->deprecated = b->deprecated;
    if (b->n_attrs > 0) {
        out->attributes =
            tfp_arena_array(arena, b->n_attrs, sizeof(Tfplugin6__Schema__Attribute *));
        if (out->attributes == NULL) {
            tfp_error_set(err, TFP_ENOMEM, "out of memory converting the schema");
            return NULL;
        }
    }
    for (size_t i = 0; i < b->n_attrs; i++) {
        const tfp_schema_attr *a = &b->attrs[i];
        Tfplugin6__Schema__Attribute *pa =
            NEW_MSG(arena, Tfplugin6__Schema__Attribute, tfplugin6__schema__attribute__descriptor);
        const char *json = NULL;
        size_t json_len = 0;
        if (pa == NULL) {
            tfp_error_set(err, TFP_ENOMEM, "out of memory converting the schema");
            return NULL;
        }
        if (a->type == NULL || tfp_type_to_json(arena, a->type, &json, &json_len) != TFP_OK) {
            tfp_error_set(err, TFP_EINVAL, "cannot encode the type of attribute '%s' in %s",
                          a->name != NULL ? a->name : "?", where);
            return NULL;
        }
        pa->name = str_or_empty(a->name);
        pa->type.data = (uint8_t *)json;
        pa->type.len = json_len;
        pa->description = str_or_empty(a->description);
        pa->description_kind = kind_out(a->description_kind);
        pa->required = a->required;
        pa->optional = a->optional;
        pa->computed = a->computed;
        pa->sensitive = a->sensitive;
        pa->deprecated = a->deprecated;
        out->attributes[i] = pa;
    }
    out->n_attributes = b->n_attrs;
    if (b->n_blocks > 0) {
        out->block_types =
            tfp_arena_array(arena, b->n_blocks, sizeof(Tfplugin6__Schema__NestedBlock *));
        if (out->block_types == NULL) {
            tfp_error_set(err, TFP_ENOMEM, "out of memory converting the schema");
            return NULL;
        }
    }
    for (size_t i = 0; i < b->n_blocks; i++) {
        const tfp_schema_nested_block *nb = &b->blocks[i];
        Tfplugin6__Schema__NestedBlock *pn = NEW_MSG(arena, Tfplugin6__Schema__NestedBlock,
                                                     tfplugin6__schema__nested_block__descriptor);
        if (pn == NULL) {
            tfp_error_set(err, TFP_ENOMEM, "out of memory converting the schema");
            return NULL;
        }
        pn->type_name = str_or_empty(nb->type_name);
        pn->nesting = nesting_out(nb->nesting);
        pn->min_items = nb->min_items;
        pn->max_items = nb->max_items;
        const char *inner = tfp_arena_sprintf(arena, "%s.%s", where, pn->type_name);
        pn->block = block_out(arena, nb->block, 0, inner != NULL ? inner : where, depth + 1, err);
        if (pn->block == NULL) {
            return NULL;
        }
        out->block_types[i] = pn;
    }
    out->n_block_types = b->n_blocks;
    return out;
}

Tfplugin6__Schema *tfp_rpc_schema_out(tfp_arena *arena, const tfp_schema *schema, tfp_error *err)
{
    Tfplugin6__Schema *s = NEW_MSG(arena, Tfplugin6__Schema, tfplugin6__schema__descriptor);
    if (s == NULL) {
        tfp_error_set(err, TFP_ENOMEM, "out of memory converting the schema");
        return NULL;
    }
    int64_t version = schema != NULL ? schema->version : 0;
    s->version = version;
    s->block = block_out(arena, schema != NULL ? schema->block : NULL, version, "schema", 0, err);
    return s->block != NULL ? s : NULL;
}

/*
 * tfp_diag: attribute paths (build, parse, format, compare) and the
 * per-request diagnostics list.
 *
 * Everything is allocated in the request arena. An allocation failure while
 * adding a diagnostic is remembered (oom) and surfaces as one extra static
 * error, so callers never lose the fact that something went wrong. This
 * module must not know about values, schemas or the wire.
 */
#include "tfp_diag.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tfp_path *extend(tfp_arena *arena, const tfp_path *parent, tfp_path_step step)
{
    size_t n = parent == NULL ? 0 : parent->n;
    tfp_path *p = tfp_arena_alloc(arena, sizeof(*p));
    tfp_path_step *steps = tfp_arena_array(arena, n + 1, sizeof(*steps));
    if (p == NULL || steps == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(steps, parent->steps, n * sizeof(*steps));
    }
    steps[n] = step;
    p->n = n + 1;
    p->steps = steps;
    return p;
}

const tfp_path *tfp_path_attr(tfp_arena *arena, const tfp_path *parent, const char *name)
{
    tfp_path_step s = {TFP_STEP_ATTR, tfp_arena_strdup(arena, name), 0};
    return s.name == NULL ? NULL : extend(arena, parent, s);
}

const tfp_path *tfp_path_index(tfp_arena *arena, const tfp_path *parent, int64_t index)
{
    tfp_path_step s = {TFP_STEP_KEY_INT, NULL, index};
    return extend(arena, parent, s);
}

const tfp_path *tfp_path_key(tfp_arena *arena, const tfp_path *parent, const char *key)
{
    tfp_path_step s = {TFP_STEP_KEY_STRING, tfp_arena_strdup(arena, key), 0};
    return s.name == NULL ? NULL : extend(arena, parent, s);
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

const tfp_path *tfp_path_parse(tfp_arena *arena, const char *text)
{
    if (text == NULL) {
        return NULL;
    }
    tfp_path *root = tfp_arena_alloc(arena, sizeof(*root));
    if (root == NULL) {
        return NULL;
    }
    const tfp_path *p = root;
    const char *s = text;
    bool first = true;
    while (*s != '\0') {
        if (*s == '.' || (first && is_name_char(*s))) {
            if (*s == '.') {
                s++;
            }
            const char *start = s;
            while (is_name_char(*s)) {
                s++;
            }
            if (s == start) {
                return NULL;
            }
            char *name = tfp_arena_strndup(arena, start, (size_t)(s - start));
            p = name == NULL ? NULL : tfp_path_attr(arena, p, name);
        } else if (s[0] == '[' && s[1] == '"') {
            s += 2;
            size_t cap = strlen(s) + 1;
            char *key = tfp_arena_alloc(arena, cap);
            if (key == NULL) {
                return NULL;
            }
            size_t n = 0;
            while (*s != '"') {
                if (*s == '\0') {
                    return NULL;
                }
                if (*s == '\\') {
                    s++;
                    if (*s != '"' && *s != '\\') {
                        return NULL;
                    }
                }
                key[n++] = *s++;
            }
            if (s[1] != ']') {
                return NULL;
            }
            s += 2;
            p = tfp_path_key(arena, p, key);
        } else if (s[0] == '[') {
            s++;
            char *end;
            long long idx = strtoll(s, &end, 10);
            if (end == s || *end != ']' || idx < 0) {
                return NULL;
            }
            s = end + 1;
            p = tfp_path_index(arena, p, (int64_t)idx);
        } else {
            return NULL;
        }
        if (p == NULL) {
            return NULL;
        }
        first = false;
    }
    return p;
}

const char *tfp_path_format(tfp_arena *arena, const tfp_path *path)
{
    if (path == NULL || path->n == 0) {
        return tfp_arena_strdup(arena, "");
    }
    size_t cap = 1;
    for (size_t i = 0; i < path->n; i++) {
        const tfp_path_step *s = &path->steps[i];
        cap += s->kind == TFP_STEP_KEY_INT ? 24 : 2 * strlen(s->name) + 5;
    }
    char *out = tfp_arena_alloc(arena, cap);
    if (out == NULL) {
        return NULL;
    }
    size_t len = 0;
    for (size_t i = 0; i < path->n; i++) {
        const tfp_path_step *s = &path->steps[i];
        switch (s->kind) {
        case TFP_STEP_ATTR:
            len += (size_t)snprintf(out + len, cap - len, ".%s", s->name);
            break;
        case TFP_STEP_KEY_INT:
            len += (size_t)snprintf(out + len, cap - len, "[%" PRId64 "]", s->index);
            break;
        case TFP_STEP_KEY_STRING:
            out[len++] = '[';
            out[len++] = '"';
            for (const char *c = s->name; *c != '\0'; c++) {
                if (*c == '"' || *c == '\\') {
                    out[len++] = '\\';
                }
                out[len++] = *c;
            }
            out[len++] = '"';
            out[len++] = ']';
            out[len] = '\0';
            break;
        }
    }
    return out;
}

bool tfp_path_equal(const tfp_path *a, const tfp_path *b)
{
    size_t na = a == NULL ? 0 : a->n;
    size_t nb = b == NULL ? 0 : b->n;
    if (na != nb) {
        return false;
    }
    for (size_t i = 0; i < na; i++) {
        const tfp_path_step *x = &a->steps[i], *y = &b->steps[i];
        if (x->kind != y->kind) {
            return false;
        }
        if (x->kind == TFP_STEP_KEY_INT ? x->index != y->index : strcmp(x->name, y->name) != 0) {
            return false;
        }
    }
    return true;
}

void tfp_diags_init(tfp_diags *diags, tfp_arena *arena)
{
    memset(diags, 0, sizeof(*diags));
    diags->arena = arena;
}

int tfp_diag_vadd(tfp_diags *diags, tfp_severity severity, const tfp_path *path,
                  const char *summary, const char *detail_fmt, va_list ap)
{
    if (diags->n == diags->cap) {
        size_t cap = diags->cap == 0 ? 8 : diags->cap * 2;
        tfp_diag *items = tfp_arena_grow(diags->arena, diags->items, diags->n, cap, sizeof(*items));
        if (items == NULL) {
            diags->oom = true;
            return TFP_ENOMEM;
        }
        diags->items = items;
        diags->cap = cap;
    }
    tfp_diag *d = &diags->items[diags->n];
    d->severity = severity;
    d->summary = tfp_arena_strdup(diags->arena, summary == NULL ? "" : summary);
    d->detail = detail_fmt == NULL ? tfp_arena_strdup(diags->arena, "")
                                   : tfp_arena_vsprintf(diags->arena, detail_fmt, ap);
    d->path = path;
    if (d->summary == NULL || d->detail == NULL) {
        diags->oom = true;
        return TFP_ENOMEM;
    }
    diags->n++;
    return TFP_OK;
}

int tfp_diag_add(tfp_diags *diags, tfp_severity severity, const tfp_path *path, const char *summary,
                 const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    int rc = tfp_diag_vadd(diags, severity, path, summary, detail_fmt, ap);
    va_end(ap);
    return rc;
}

int tfp_diag_error(tfp_diags *diags, const char *summary, const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    int rc = tfp_diag_vadd(diags, TFP_DIAG_ERROR, NULL, summary, detail_fmt, ap);
    va_end(ap);
    return rc;
}

int tfp_diag_error_at(tfp_diags *diags, const tfp_path *path, const char *summary,
                      const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    int rc = tfp_diag_vadd(diags, TFP_DIAG_ERROR, path, summary, detail_fmt, ap);
    va_end(ap);
    return rc;
}

int tfp_diag_warning(tfp_diags *diags, const char *summary, const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    int rc = tfp_diag_vadd(diags, TFP_DIAG_WARNING, NULL, summary, detail_fmt, ap);
    va_end(ap);
    return rc;
}

int tfp_diag_warning_at(tfp_diags *diags, const tfp_path *path, const char *summary,
                        const char *detail_fmt, ...)
{
    va_list ap;
    va_start(ap, detail_fmt);
    int rc = tfp_diag_vadd(diags, TFP_DIAG_WARNING, path, summary, detail_fmt, ap);
    va_end(ap);
    return rc;
}

bool tfp_diags_has_error(const tfp_diags *diags)
{
    if (diags->oom) {
        return true;
    }
    for (size_t i = 0; i < diags->n; i++) {
        if (diags->items[i].severity == TFP_DIAG_ERROR) {
            return true;
        }
    }
    return false;
}

static const tfp_diag oom_diag = {
    TFP_DIAG_ERROR, "Out of memory",
    "The provider ran out of memory for this request (per-request limit reached).", NULL};

size_t tfp_diags_count(const tfp_diags *diags)
{
    return diags->n + (diags->oom ? 1 : 0);
}

const tfp_diag *tfp_diags_at(const tfp_diags *diags, size_t i)
{
    if (i < diags->n) {
        return &diags->items[i];
    }
    if (i == diags->n && diags->oom) {
        return &oom_diag;
    }
    return NULL;
}

/*
 * cli_terraform: the lambda_package at an address in `terraform show -json`.
 *
 * Only navigation lives here: which module, which resource. The meaning of
 * the attributes is lp_spec's (lp_spec_package_from_json).
 */
#include "cli_terraform.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define RESOURCE_TYPE "lambda_package"
#define MAX_LISTED 1024 /* bytes of the "addresses present" list in a message */

typedef struct search {
    const char *address;
    const json_t *found;
    char listed[MAX_LISTED];
    size_t n_listed;
} search;

static void note_address(search *s, const char *addr)
{
    size_t used = strlen(s->listed);
    if (used + strlen(addr) + 3 < sizeof(s->listed)) {
        snprintf(s->listed + used, sizeof(s->listed) - used, "%s%s", used > 0 ? ", " : "", addr);
    }
    s->n_listed++;
}

/* Depth-first over a module object: {resources: [...], child_modules: [...]}. */
static void walk_module(search *s, const json_t *module, int depth)
{
    if (!json_is_object(module) || depth > 64 || s->found != NULL) {
        return;
    }
    const json_t *resources = json_object_get(module, "resources");
    size_t i;
    const json_t *r;
    json_array_foreach(resources, i, r)
    {
        const char *type = json_string_value(json_object_get(r, "type"));
        const char *mode = json_string_value(json_object_get(r, "mode"));
        const char *addr = json_string_value(json_object_get(r, "address"));
        if (type == NULL || addr == NULL || strcmp(type, RESOURCE_TYPE) != 0 ||
            (mode != NULL && strcmp(mode, "managed") != 0)) {
            continue;
        }
        if (strcmp(addr, s->address) == 0) {
            s->found = r;
            return;
        }
        note_address(s, addr);
    }
    const json_t *children = json_object_get(module, "child_modules");
    const json_t *child;
    json_array_foreach(children, i, child)
    {
        walk_module(s, child, depth + 1);
    }
}

static void copy_attr(const json_t *values, const char *name, char *buf, size_t size)
{
    const char *v = json_string_value(json_object_get(values, name));
    snprintf(buf, size, "%s", v != NULL && strlen(v) < size ? v : "");
}

int cli_terraform_package(lp_spec_package **out, cli_terraform_record *rec, FILE *in,
                          const char *address, const char *base_dir, lp_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *doc = json_loadf(in, JSON_ALLOW_NUL, &jerr);
    int rc;
    if (doc == NULL) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, NULL,
                            "cannot read the JSON of `terraform show -json`: %s (line %d)",
                            jerr.text, jerr.line);
    }
    const json_t *root = json_object_get(json_object_get(doc, "planned_values"), "root_module");
    const char *form = "plan";
    if (root == NULL) {
        root = json_object_get(json_object_get(doc, "values"), "root_module");
        form = "state";
    }
    search s;
    memset(&s, 0, sizeof(s));
    s.address = address;
    walk_module(&s, root, 0);
    if (s.found == NULL) {
        rc = lp_error_set(err, LP_EINVAL, 0, -1, NULL, address,
                          "no %s at '%s' in the %s JSON (%s). Give the address `terraform state "
                          "list` prints, e.g. module.api.lambda_package.this",
                          RESOURCE_TYPE, address, root != NULL ? form : "given",
                          s.n_listed == 0 ? "it has no " RESOURCE_TYPE " at all" : s.listed);
        goto done;
    }
    const json_t *values = json_object_get(s.found, "values");
    char *text = json_dumps(values, JSON_COMPACT);
    if (text == NULL) {
        rc = lp_error_set(err, LP_EINVAL, 0, -1, NULL, address, "%s has no attribute values",
                          address);
        goto done;
    }
    rc = lp_spec_package_from_json(out, text, strlen(text), base_dir, err);
    free(text);
    if (rc == 0 && rec != NULL) {
        copy_attr(values, "output_sha256", rec->output_sha256, sizeof(rec->output_sha256));
        copy_attr(values, "output_base64sha256", rec->output_base64sha256,
                  sizeof(rec->output_base64sha256));
        copy_attr(values, "content_hash", rec->content_hash, sizeof(rec->content_hash));
        rec->form = form;
    }
done:
    json_decref(doc);
    return rc;
}

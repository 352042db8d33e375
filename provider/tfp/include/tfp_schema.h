/*
 * tfp_schema: Terraform schemas (provider config, resources) as static C
 * data, the cty object type a block stands for, and the generic checks the
 * provider core runs on a configuration before any resource callback.
 *
 * Schemas are meant to be `static const` tables in the resource's file:
 *
 *   static const tfp_schema_attr source_attrs[] = {
 *       {.name = "path", .type = &tfp_type_string, .optional = true,
 *        .description = "Directory or file to package."},
 *   };
 *   static const tfp_schema_block source_block = {.attrs = source_attrs, .n_attrs = 1};
 *   static const tfp_schema_nested_block blocks[] = {
 *       {.type_name = "source", .nesting = TFP_NEST_LIST, .block = &source_block,
 *        .min_items = 1},
 *   };
 *
 * They are borrowed by everything here and must outlive the provider.
 * Attribute and block names must be unique within a block (checked by
 * tfp_schema_block_type).
 */
#ifndef TFP_SCHEMA_H
#define TFP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_arena.h"
#include "tfp_diag.h"
#include "tfp_type.h"
#include "tfp_value.h"

/* Same numbers as tfplugin6 Schema.NestedBlock.NestingMode. */
typedef enum tfp_nesting {
    TFP_NEST_SINGLE = 1, /* object or null */
    TFP_NEST_LIST = 2,   /* list of object */
    TFP_NEST_SET = 3,    /* set of object */
    TFP_NEST_MAP = 4,    /* map of object */
    TFP_NEST_GROUP = 5,  /* object, never null */
} tfp_nesting;

/* Same numbers as tfplugin6 StringKind. */
typedef enum tfp_string_kind {
    TFP_STRING_PLAIN = 0,
    TFP_STRING_MARKDOWN = 1,
} tfp_string_kind;

typedef struct tfp_schema_block tfp_schema_block;

typedef struct tfp_schema_attr {
    const char *name;
    const tfp_type *type;
    const char *description; /* may be NULL */
    tfp_string_kind description_kind;
    bool required;
    bool optional;
    bool computed; /* optional+computed: provider may fill it when config is null */
    bool sensitive;
    bool deprecated;
} tfp_schema_attr;

typedef struct tfp_schema_nested_block {
    const char *type_name;
    tfp_nesting nesting;
    const tfp_schema_block *block;
    int64_t min_items; /* LIST/SET; 0 = no minimum */
    int64_t max_items; /* LIST/SET; 0 = no maximum */
} tfp_schema_nested_block;

struct tfp_schema_block {
    const tfp_schema_attr *attrs;
    size_t n_attrs;
    const tfp_schema_nested_block *blocks;
    size_t n_blocks;
    const char *description; /* may be NULL */
    tfp_string_kind description_kind;
    bool deprecated;
};

typedef struct tfp_schema {
    int64_t version; /* state schema version (UpgradeResourceState compares it) */
    const tfp_schema_block *block;
} tfp_schema;

/*
 * The cty object type of a block: one attribute per schema attribute and per
 * nested block (SINGLE/GROUP -> object, LIST -> list(object), SET ->
 * set(object), MAP -> map(object)). Result lives in `arena` (use a long-lived
 * arena: the provider derives each type once). Returns TFP_OK, TFP_ENOMEM,
 * TFP_EINVAL (duplicate or missing name, missing type); err gets the detail.
 */
int tfp_schema_block_type(tfp_arena *arena, const tfp_schema_block *block, const tfp_type **out,
                          tfp_error *err);

/* Looks up an attribute / nested block by name; NULL when absent. */
const tfp_schema_attr *tfp_schema_find_attr(const tfp_schema_block *block, const char *name);
const tfp_schema_nested_block *tfp_schema_find_block(const tfp_schema_block *block,
                                                     const char *name);

/*
 * Generic configuration checks (config = a value of the block's type, as
 * decoded from ValidateResourceConfig/PlanResourceChange): required
 * attributes not null, computed-only attributes null, LIST/SET nested blocks
 * within min_items/max_items when their length is known, GROUP blocks not
 * null; recursing into nested blocks. Unknown values pass. Every problem is
 * an error diagnostic with its attribute path. A null config passes.
 */
void tfp_schema_validate_config(tfp_arena *arena, const tfp_schema_block *block,
                                const tfp_value *config, tfp_diags *diags);

/*
 * Create-time helper for PlanResourceChange: returns a copy of `proposed`
 * where every computed attribute whose value in `config` is null is UNKNOWN
 * (Terraform sends computed attributes as null on create). Recurses into
 * SINGLE/GROUP blocks and LIST/MAP blocks element-wise (matched by index/key);
 * SET blocks are left as they are. Values shared, result in arena; NULL on
 * allocation failure. When proposed is not a known object it is returned as is.
 */
tfp_value *tfp_schema_unknown_computed(tfp_arena *arena, const tfp_schema_block *block,
                                       const tfp_value *config, const tfp_value *proposed);

#endif

/*
 * resource_package_schema: the schema of the lambda_package resource: every
 * argument and computed attribute with its type, flags and the description
 * `terraform providers schema -json` shows (docs/resources/package.md
 * documents the same attributes for users).
 *
 * Static data only; the lifecycle is resource_package.c.
 */
#include "resource_package_int.h"

#include <stdbool.h>

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

const tfp_schema package_schema = {.version = 0, .block = &package_block};

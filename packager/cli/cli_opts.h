/*
 * cli_opts: the command line of lambdapack (cli_opts.c): the options and
 * SOURCEs of one command, and the package they define.
 */
#ifndef CLI_OPTS_H
#define CLI_OPTS_H

#include <stddef.h>

#include "cli_terraform.h"
#include "lp_deps.h"
#include "lp_spec.h"

/* Exit codes: 0 success/match, 1 problems found, 2 error. */
#define CLI_EXIT_DIFF 1
#define CLI_EXIT_ERR 2

typedef struct cli_strlist {
    const char **items;
    size_t n;
} cli_strlist;

/* A SOURCE argument and the per-source options written after it. */
typedef struct cli_source {
    lp_source src;
    cli_strlist include, exclude;
} cli_source;

typedef struct cli_opts {
    const char *output;
    int threads;
    int json;
    int against;       /* verify: compare with SOURCE... */
    int contents_only; /* verify: same files suffice, bytes may differ */
    const char *zip;   /* verify: the ZIP (first positional) */
    const char *from_terraform;
    const char *terraform_json; /* NULL: stdin */
    const char *base_dir;
    const char *first_definition_arg; /* an option or SOURCE that defines the package */
    const char *first_non_level_arg;  /* the same, --level aside */
    /* the package given by options */
    lp_spec_package pkg;
    cli_source *sources;
    size_t n_sources;
    lp_source *flat; /* sources as the spec holds them */
    cli_strlist excludes, includes, external, required, allow_sensitive;
    int no_size_limit; /* --no-size-limit: Lambda's unzipped limit is a warning */
    char **owned;      /* strings split from arguments, freed at exit */
    size_t n_owned;
    lp_dependency *deps; /* --requirements / --npm-lock, in order */
    size_t n_deps;
    const char *index_url; /* NULL unless --index-url; "" = no index */
    cli_strlist find_links;
    /* the package from Terraform */
    lp_spec_package *tf;
    cli_terraform_record rec;
} cli_opts;

/* The command being parsed: some options belong to one command only. */
typedef enum cli_cmd { CLI_CMD_BUILD, CLI_CMD_CHECK, CLI_CMD_MANIFEST, CLI_CMD_VERIFY } cli_cmd;

/* Initializes o (the package defaults of lp_spec_package_init). */
void cli_opts_init(cli_opts *o);

/* Frees what parsing put into o. */
void cli_opts_free(cli_opts *o);

/* Parses a command's arguments (argv[0] is the command); prints usage and
 * the definition options for --help. Returns 0 when parsed, 1 when help was
 * printed, -1 after printing an error. */
int cli_opts_parse(cli_opts *o, cli_cmd cmd, int argc, char **argv, const char *usage);

/* The package this invocation defines: from Terraform or from the options,
 * validated by lp_spec (borrowed from o). NULL after printing why. */
const lp_spec_package *cli_opts_definition(cli_opts *o, int need_sources);

#endif

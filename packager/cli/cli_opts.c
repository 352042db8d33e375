/*
 * cli_opts: the command line of lambdapack. Parses a command's arguments in
 * order (a per-source option follows its SOURCE), turns them into the
 * lp_spec_package they define, or reads it from `terraform show -json`
 * (cli_terraform), and validates it with lp_spec, printing each problem as
 * the resource words its diagnostic. Also the help text of the options that
 * define a package.
 *
 * Owns every string it splits from an argument (freed by cli_opts_free).
 * Part of the CLI, not of the library.
 */
#include "cli_opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp_check.h"
#include "lp_deps.h"
#include "lp_spec.h"
#include "cli_terraform.h"

void cli_opts_init(cli_opts *o)
{
    memset(o, 0, sizeof(*o));
    lp_spec_package_init(&o->pkg);
}

void cli_opts_free(cli_opts *o)
{
    for (size_t i = 0; i < o->n_owned; i++) {
        free(o->owned[i]);
    }
    for (size_t i = 0; i < o->n_sources; i++) {
        free(o->sources[i].include.items);
        free(o->sources[i].exclude.items);
    }
    free(o->owned);
    free(o->sources);
    free(o->flat);
    free(o->excludes.items);
    free(o->includes.items);
    free(o->external.items);
    free(o->required.items);
    free(o->allow_sensitive.items);
    free(o->deps);
    free(o->find_links.items);
    lp_spec_package_free(o->tf);
}

static int oom(void)
{
    fprintf(stderr, "lambdapack: out of memory\n");
    return -1;
}

static int push(cli_strlist *l, const char *s)
{
    const char **g = realloc(l->items, (l->n + 1) * sizeof(*g));
    if (g == NULL) {
        return oom();
    }
    g[l->n++] = s;
    l->items = g;
    return 0;
}

static char *own(cli_opts *o, char *s)
{
    if (s == NULL) {
        return NULL;
    }
    char **g = realloc(o->owned, (o->n_owned + 1) * sizeof(*g));
    if (g == NULL) {
        free(s);
        return NULL;
    }
    o->owned = g;
    o->owned[o->n_owned++] = s;
    return s;
}

static cli_source *new_source(cli_opts *o)
{
    cli_source *g = realloc(o->sources, (o->n_sources + 1) * sizeof(*g));
    if (g == NULL) {
        return NULL;
    }
    o->sources = g;
    cli_source *s = &o->sources[o->n_sources++];
    memset(s, 0, sizeof(*s));
    return s;
}

/* A SOURCE: PATH, or PATH=PREFIX (the files of PATH, or the file PATH,
 * land under the folder PREFIX). An argument that exists as written is a
 * path even when it holds '='. */
static int add_path_source(cli_opts *o, const char *arg)
{
    cli_source *s = new_source(o);
    if (s == NULL) {
        return oom();
    }
    const char *eq = strchr(arg, '=');
    if (eq != NULL && access(arg, F_OK) != 0) {
        char *path = own(o, strndup(arg, (size_t)(eq - arg)));
        if (path == NULL) {
            return oom();
        }
        s->src.path = path;
        s->src.prefix = eq + 1;
    } else {
        s->src.path = arg;
    }
    return 0;
}

/* --content NAME=TEXT: an inline file at archive path NAME. */
static int add_content_source(cli_opts *o, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        fprintf(stderr, "lambdapack: --content wants ARCHIVE_PATH=TEXT, got '%s'\n", arg);
        return -1;
    }
    cli_source *s = new_source(o);
    char *name = own(o, strndup(arg, (size_t)(eq - arg)));
    if (s == NULL || name == NULL) {
        return oom();
    }
    s->src.filename = name;
    s->src.content = eq + 1;
    s->src.content_len = strlen(eq + 1);
    return 0;
}

/* --requirements/--npm-lock FILE[=PREFIX] (a FILE that exists with the '='
 * in its name is taken whole). */
static int add_dependency(cli_opts *o, const char *arg, lp_deps_tool want, const char *opt)
{
    lp_dependency *d = realloc(o->deps, (o->n_deps + 1) * sizeof(*d));
    if (d == NULL) {
        return oom();
    }
    o->deps = d;
    const char *eq = strrchr(arg, '=');
    int split = eq != NULL && access(arg, F_OK) != 0;
    char *file = own(o, split ? strndup(arg, (size_t)(eq - arg)) : strdup(arg));
    if (file == NULL) {
        return oom();
    }
    memset(&o->deps[o->n_deps], 0, sizeof(o->deps[0]));
    o->deps[o->n_deps].file = file;
    o->deps[o->n_deps].prefix = split ? eq + 1 : NULL;
    o->n_deps++;
    if (lp_deps_tool_for(file) != want) {
        fprintf(stderr, "lambdapack: %s takes %s, not '%s'\n", opt,
                want == LP_DEPS_PIP ? "a pip requirements*.txt file" : "a package-lock.json", file);
        return -1;
    }
    return 0;
}

/* --source-include/--source-exclude: for the SOURCE written before it. */
static int add_source_glob(cli_opts *o, const char *opt, const char *glob, int include)
{
    if (o->n_sources == 0) {
        fprintf(stderr, "lambdapack: %s applies to the SOURCE written before it; there is none\n",
                opt);
        return -1;
    }
    cli_source *s = &o->sources[o->n_sources - 1];
    return push(include ? &s->include : &s->exclude, glob);
}

enum {
    OPT_EXCLUDE = 256,
    OPT_INCLUDE,
    OPT_SRC_INCLUDE,
    OPT_SRC_EXCLUDE,
    OPT_CONTENT,
    OPT_NO_DEFAULT,
    OPT_LEVEL,
    OPT_THREADS,
    OPT_JSON,
    OPT_DIRS,
    OPT_EXTERNAL_SYMLINKS,
    OPT_AGAINST,
    OPT_CONTENTS,
    OPT_RUNTIME,
    OPT_HANDLER,
    OPT_STRICT,
    OPT_NO_STRICT,
    OPT_EXTERNAL_MODULE,
    OPT_REQUIRE,
    OPT_FROM_TF,
    OPT_TF_JSON,
    OPT_REQUIREMENTS,
    OPT_NPM_LOCK,
    OPT_ARCH,
    OPT_INDEX_URL,
    OPT_FIND_LINKS,
    OPT_NO_CACHE,
    OPT_ALLOW_SENSITIVE,
    OPT_NO_SIZE_LIMIT,
};

static const struct option cli_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"directory", required_argument, NULL, 'C'},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"source-include", required_argument, NULL, OPT_SRC_INCLUDE},
    {"source-exclude", required_argument, NULL, OPT_SRC_EXCLUDE},
    {"content", required_argument, NULL, OPT_CONTENT},
    {"no-default-excludes", no_argument, NULL, OPT_NO_DEFAULT},
    {"level", required_argument, NULL, OPT_LEVEL},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"json", no_argument, NULL, OPT_JSON},
    {"directory-entries", no_argument, NULL, OPT_DIRS},
    {"allow-external-symlinks", no_argument, NULL, OPT_EXTERNAL_SYMLINKS},
    {"against", no_argument, NULL, OPT_AGAINST},
    {"contents", no_argument, NULL, OPT_CONTENTS},
    {"runtime", required_argument, NULL, OPT_RUNTIME},
    {"handler", required_argument, NULL, OPT_HANDLER},
    {"strict-imports", no_argument, NULL, OPT_STRICT},
    {"no-strict-imports", no_argument, NULL, OPT_NO_STRICT},
    {"external-module", required_argument, NULL, OPT_EXTERNAL_MODULE},
    {"require", required_argument, NULL, OPT_REQUIRE},
    {"from-terraform", required_argument, NULL, OPT_FROM_TF},
    {"terraform-json", required_argument, NULL, OPT_TF_JSON},
    {"requirements", required_argument, NULL, OPT_REQUIREMENTS},
    {"npm-lock", required_argument, NULL, OPT_NPM_LOCK},
    {"architecture", required_argument, NULL, OPT_ARCH},
    {"index-url", required_argument, NULL, OPT_INDEX_URL},
    {"find-links", required_argument, NULL, OPT_FIND_LINKS},
    {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"allow-sensitive-file", required_argument, NULL, OPT_ALLOW_SENSITIVE},
    {"no-size-limit", no_argument, NULL, OPT_NO_SIZE_LIMIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int parse_int(const char *s, int lo, int hi, const char *what, int *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "lambdapack: invalid %s '%s' (expected %d-%d)\n", what, s, lo, hi);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* The long name of option c, for messages ("--level"); owned by o. */
static const char *option_name(cli_opts *o, int c)
{
    for (size_t i = 0; cli_options[i].name != NULL; i++) {
        char *name = NULL;
        if (cli_options[i].val == c && asprintf(&name, "--%s", cli_options[i].name) >= 0) {
            return own(o, name) != NULL ? name : "an option";
        }
    }
    return "an option";
}

/* Handles one option that defines the package; 1 when c is not one. */
static int parse_definition_option(cli_opts *o, int c, const char *arg)
{
    lp_spec *spec = &o->pkg.spec;
    lp_check_options *check = &o->pkg.check;
    switch (c) {
    case OPT_EXCLUDE:
        return push(&o->excludes, arg);
    case OPT_INCLUDE:
        return push(&o->includes, arg);
    case OPT_SRC_INCLUDE:
        return add_source_glob(o, "--source-include", arg, 1);
    case OPT_SRC_EXCLUDE:
        return add_source_glob(o, "--source-exclude", arg, 0);
    case OPT_CONTENT:
        return add_content_source(o, arg);
    case OPT_NO_DEFAULT:
        spec->default_excludes = 0;
        return 0;
    case OPT_LEVEL: {
        lp_error e = LP_ERROR_INIT;
        if (lp_spec_parse_level(arg, &spec->level, &e) < 0) {
            fprintf(stderr, "lambdapack: --level: %s\n", e.message);
            return -1;
        }
        return 0;
    }
    case OPT_DIRS:
        spec->directory_entries = 1;
        return 0;
    case OPT_EXTERNAL_SYMLINKS:
        spec->allow_external_symlinks = 1;
        return 0;
    case OPT_RUNTIME:
        check->runtime = arg;
        return 0;
    case OPT_HANDLER:
        check->handler = arg;
        return 0;
    case OPT_STRICT:
        check->strict_imports = 1;
        return 0;
    case OPT_NO_STRICT:
        check->strict_imports = 0;
        return 0;
    case OPT_EXTERNAL_MODULE:
        return push(&o->external, arg);
    case OPT_REQUIRE:
        return push(&o->required, arg);
    case OPT_ALLOW_SENSITIVE:
        return push(&o->allow_sensitive, arg);
    case OPT_REQUIREMENTS:
        return add_dependency(o, arg, LP_DEPS_PIP, "--requirements");
    case OPT_NPM_LOCK:
        return add_dependency(o, arg, LP_DEPS_NPM, "--npm-lock");
    case OPT_ARCH:
        o->pkg.architecture = arg;
        return 0;
    case OPT_INDEX_URL:
        o->index_url = arg;
        return 0;
    case OPT_FIND_LINKS:
        return push(&o->find_links, arg);
    default:
        return 1;
    }
}

/* Parses the arguments after the command, in order (a per-source option
 * follows its SOURCE). Returns 0, -1 on error, -2 for --help. */
static int parse_args(cli_opts *o, cli_cmd cmd, int argc, char **argv)
{
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "-o:C:h", cli_options, NULL)) != -1) {
        const char *arg = optarg;
        int rc = parse_definition_option(o, c, arg);
        if (rc < 0) {
            return -1;
        }
        if (rc == 0) {
            if (o->first_definition_arg == NULL) {
                o->first_definition_arg = option_name(o, c);
            }
            if (o->first_non_level_arg == NULL && c != OPT_LEVEL) {
                o->first_non_level_arg = option_name(o, c);
            }
            continue;
        }
        switch (c) {
        case 1: /* a positional argument */
            if (cmd == CLI_CMD_VERIFY && o->zip == NULL) {
                o->zip = arg;
                break;
            }
            if (cmd == CLI_CMD_VERIFY && !o->against) {
                fprintf(stderr, "lambdapack: unexpected '%s' (SOURCEs follow --against)\n", arg);
                return -1;
            }
            if (add_path_source(o, arg) < 0) {
                return -1;
            }
            if (o->first_definition_arg == NULL) {
                o->first_definition_arg = arg;
            }
            if (o->first_non_level_arg == NULL) {
                o->first_non_level_arg = arg;
            }
            break;
        case 'o':
            o->output = arg;
            break;
        case 'C':
            o->base_dir = arg;
            break;
        case OPT_NO_SIZE_LIMIT:
            o->no_size_limit = 1;
            break;
        case OPT_THREADS:
            if (parse_int(arg, 0, 64, "thread count", &o->threads) < 0) {
                return -1;
            }
            break;
        case OPT_JSON:
            o->json = 1;
            break;
        case OPT_NO_CACHE:
            /* The store of compressed entries (packager/lp_store.h) reads it. */
            setenv("LAMBDAPACK_STORE", "off", 1);
            break;
        case OPT_AGAINST:
        case OPT_CONTENTS:
            if (cmd != CLI_CMD_VERIFY) {
                fprintf(stderr, "lambdapack: %s only applies to verify\n",
                        c == OPT_AGAINST ? "--against" : "--contents");
                return -1;
            }
            *(c == OPT_AGAINST ? &o->against : &o->contents_only) = 1;
            break;
        case OPT_FROM_TF:
            o->from_terraform = arg;
            break;
        case OPT_TF_JSON:
            o->terraform_json = arg;
            break;
        case 'h':
            return -2;
        default:
            return -1;
        }
    }
    return 0;
}

/* Points the spec at the parsed sources and lists. */
static int finish_definition(cli_opts *o)
{
    if ((o->flat = calloc(o->n_sources > 0 ? o->n_sources : 1, sizeof(*o->flat))) == NULL) {
        return oom();
    }
    for (size_t i = 0; i < o->n_sources; i++) {
        cli_source *s = &o->sources[i];
        o->flat[i] = s->src;
        const cli_strlist *incl =
            s->include.n > 0 || s->src.content != NULL ? &s->include : &o->includes;
        o->flat[i].include = incl->items;
        o->flat[i].n_include = incl->n;
        o->flat[i].exclude = s->exclude.items;
        o->flat[i].n_exclude = s->exclude.n;
    }
    lp_spec *spec = &o->pkg.spec;
    spec->sources = o->flat;
    spec->n_sources = o->n_sources;
    spec->excludes = o->excludes.items;
    spec->n_excludes = o->excludes.n;
    spec->base_dir = o->base_dir;
    o->pkg.check.external_modules = o->external.items;
    o->pkg.check.n_external_modules = o->external.n;
    o->pkg.check.required_files = o->required.items;
    o->pkg.check.n_required_files = o->required.n;
    o->pkg.check.allow_sensitive_files = o->allow_sensitive.items;
    o->pkg.check.n_allow_sensitive_files = o->allow_sensitive.n;
    for (size_t i = 0; i < o->n_deps; i++) {
        o->deps[i].index_url = o->index_url;
        o->deps[i].find_links = o->find_links.items;
        o->deps[i].n_find_links = o->find_links.n;
    }
    o->pkg.dependencies = o->deps;
    o->pkg.n_dependencies = o->n_deps;
    return 0;
}

/* Reads the package at --from-terraform. */
static int load_terraform(cli_opts *o)
{
    if (o->first_definition_arg != NULL) {
        fprintf(stderr,
                "lambdapack: --from-terraform takes the whole package from Terraform; '%s' "
                "cannot be combined with it\n",
                o->first_definition_arg);
        return -1;
    }
    FILE *in = stdin;
    if (o->terraform_json != NULL && strcmp(o->terraform_json, "-") != 0) {
        if ((in = fopen(o->terraform_json, "r")) == NULL) {
            fprintf(stderr, "lambdapack: cannot read '%s': %s\n", o->terraform_json,
                    strerror(errno));
            return -1;
        }
    } else if (isatty(STDIN_FILENO)) {
        fprintf(stderr, "lambdapack: --from-terraform reads `terraform show -json` on stdin "
                        "(or --terraform-json FILE)\n");
        return -1;
    }
    lp_error err = LP_ERROR_INIT;
    int rc = cli_terraform_package(&o->tf, &o->rec, in, o->from_terraform, o->base_dir, &err);
    if (in != stdin) {
        fclose(in);
    }
    if (rc < 0) {
        fprintf(stderr, "lambdapack: %s\n", err.message);
        return -1;
    }
    return 0;
}

static void print_problem(void *payload, const lp_error *e)
{
    const lp_spec_package *p = payload;
    int si = e->source_index;
    int has_content =
        si >= 0 && (size_t)si < p->spec.n_sources && p->spec.sources[si].content != NULL;
    char attr[256];
    lp_spec_attribute(e, attr, sizeof(attr));
    fprintf(stderr, "Error: %s\n\n  on %s\n\n%s\n\n", lp_spec_problem_summary(e, has_content),
            attr[0] != '\0' ? attr : "source", e->message);
}

/* The package this invocation defines: from Terraform or from the
 * options, validated by lp_spec. NULL after printing why. */
const lp_spec_package *cli_opts_definition(cli_opts *o, int need_sources)
{
    const lp_spec_package *p = NULL;
    if (o->from_terraform != NULL) {
        if (load_terraform(o) < 0) {
            return NULL;
        }
        p = o->tf;
    } else {
        if (o->terraform_json != NULL) {
            fprintf(stderr, "lambdapack: --terraform-json goes with --from-terraform ADDRESS\n");
            return NULL;
        }
        if (need_sources && o->n_sources == 0 && o->n_deps == 0) {
            fprintf(stderr, "lambdapack: no SOURCE given (try --help)\n");
            return NULL;
        }
        if (finish_definition(o) < 0) {
            return NULL;
        }
        p = &o->pkg;
    }
    if (lp_spec_validate(p, print_problem, (void *)p) > 0) {
        return NULL;
    }
    return p;
}

static const char *DEFINITION_HELP =
    "A package is given either by SOURCEs and options, or by --from-terraform.\n"
    "\n"
    "SOURCE is PATH (a directory, taken recursively, or a file) or PATH=PREFIX\n"
    "(its files, or the file, go under the archive folder PREFIX/: app.py=api\n"
    "gives api/app.py). Options that follow a SOURCE and apply to it alone:\n"
    "      --source-include GLOB   take only its matching files (repeatable)\n"
    "      --source-exclude GLOB   leave out its matching files (repeatable)\n"
    "Inline files:\n"
    "      --content NAME=TEXT     a file at archive path NAME holding TEXT\n"
    "Package options (resource argument in brackets):\n"
    "      --exclude GLOB          leave out matching paths of every SOURCE; !GLOB\n"
    "                              re-includes, as in .gitignore [excludes]\n"
    "      --include GLOB          --source-include for every SOURCE without its own\n"
    "      --no-default-excludes   keep __pycache__/, *.pyc, .git/, .DS_Store, .terraform/,\n"
    "                              .venv/, .pytest_cache/, .mypy_cache/, .ruff_cache/,\n"
    "                              .tox/, .coverage, node_modules/.cache/\n"
    "                              [default_excludes = false]\n"
    "      --level N               deflate level 0-9 (0 = stored), default 6\n"
    "                              [compression_level]\n"
    "      --directory-entries     also write directory entries [directory_entries]\n"
    "      --allow-external-symlinks  follow symlinks leaving their source\n"
    "                              [allow_external_symlinks]\n"
    "      --runtime R             e.g. python3.12 [runtime]\n"
    "      --handler H             e.g. app.handler.lambda_handler [handler]\n"
    "      --strict-imports, --no-strict-imports\n"
    "                              an import found nowhere is an error (default) or a\n"
    "                              warning [strict_imports]\n"
    "      --external-module M     a module a layer provides (repeatable) [external_modules]\n"
    "      --require FILE          an archive path that must be present (repeatable)\n"
    "                              [required_files]\n"
    "      --allow-sensitive-file GLOB  package a file whose name marks it as a\n"
    "                              credential (.env, *.pem, ...; repeatable)\n"
    "                              [allow_sensitive_files]\n"
    "      --no-size-limit         build even over Lambda's 250 MB unzipped limit\n"
    "Dependencies, installed from a lock file into a machine-wide cache [dependencies]:\n"
    "      --requirements FILE[=PREFIX]  pip requirements*.txt (wheels only), under PREFIX/\n"
    "      --npm-lock FILE[=PREFIX]  package-lock.json (npm ci), as PREFIX/node_modules/\n"
    "      --architecture A        x86_64 (default) or arm64 [architecture]\n"
    "      --index-url URL         pip --index-url / npm --registry; '' = no index\n"
    "      --find-links DIR        pip: a directory of wheels (repeatable)\n"
    "  -C, --directory DIR         resolve relative SOURCE paths against DIR\n"
    "From Terraform:\n"
    "      --from-terraform ADDRESS   the lambda_package at ADDRESS (e.g.\n"
    "                              module.api.lambda_package.this) in the JSON of\n"
    "                              `terraform show -json` or `terraform show -json PLAN`\n"
    "      --terraform-json FILE   read that JSON from FILE instead of stdin\n";

static void help(const char *usage)
{
    fputs(usage, stdout);
    fputc('\n', stdout);
    fputs(DEFINITION_HELP, stdout);
}

/* Parses a command's arguments; prints usage for --help. Returns 0 when
 * parsed, 1 when help was printed, -1 after printing an error. */
int cli_opts_parse(cli_opts *o, cli_cmd cmd, int argc, char **argv, const char *usage)
{
    int rc = parse_args(o, cmd, argc, argv);
    if (rc == -2) {
        help(usage);
        return 1;
    }
    return rc < 0 ? -1 : 0;
}

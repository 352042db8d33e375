/*
 * lambdapack: the command-line face of the packager library.
 *
 *   lambdapack build -o OUT.zip [options] SOURCE...
 *   lambdapack build -o OUT.zip --from-terraform ADDRESS [--terraform-json FILE]
 *   lambdapack check [options] SOURCE...  |  check --from-terraform ADDRESS
 *   lambdapack manifest [--json] [options] SOURCE...
 *   lambdapack verify ZIP [--from-terraform ADDRESS | --against [options] SOURCE...]
 *   lambdapack diff A.zip B.zip
 *
 * A package is defined either by options and SOURCEs, or by the
 * lambda_package at ADDRESS in `terraform show -json`: both give the same
 * lp_spec_package (lp_spec.h), with the same defaults, and go through the
 * same validation, manifest, checks and writer as the resource. Exit codes:
 * 0 success/match, 1 problems found (check errors, differences), 2 error.
 * This file only parses arguments and prints; packaging logic belongs to
 * the library.
 */
#include "cli_terraform.h"
#include "lp_check.h"
#include "lp_deps.h"
#include "lp_manifest.h"
#include "lp_spec.h"
#include "lp_zip.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define EXIT_DIFF 1
#define EXIT_ERR 2

typedef struct strlist {
    const char **items;
    size_t n;
} strlist;

/* A SOURCE argument and the per-source options written after it. */
typedef struct cli_source {
    lp_source src;
    strlist include, exclude;
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
    strlist excludes, includes, external, required, allow_sensitive;
    int no_size_limit; /* --no-size-limit: Lambda's unzipped limit is a warning */
    char **owned;      /* strings split from arguments, freed at exit */
    size_t n_owned;
    lp_dependency *deps; /* --requirements / --npm-lock, in order */
    size_t n_deps;
    const char *index_url; /* NULL unless --index-url; "" = no index */
    strlist find_links;
    /* the package from Terraform */
    lp_spec_package *tf;
    cli_terraform_record rec;
} cli_opts;

static void opts_init(cli_opts *o)
{
    memset(o, 0, sizeof(*o));
    lp_spec_package_init(&o->pkg);
}

static void opts_free(cli_opts *o)
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

static int push(strlist *l, const char *s)
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

/* Options that only some commands take. */
typedef enum cmd_kind { CMD_BUILD, CMD_CHECK, CMD_MANIFEST, CMD_VERIFY } cmd_kind;

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
static int parse_args(cli_opts *o, cmd_kind cmd, int argc, char **argv)
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
            if (cmd == CMD_VERIFY && o->zip == NULL) {
                o->zip = arg;
                break;
            }
            if (cmd == CMD_VERIFY && !o->against) {
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
            if (cmd != CMD_VERIFY) {
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
        const strlist *incl =
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
static const lp_spec_package *definition(cli_opts *o, int need_sources)
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

/* Prints an lp_error as the resource words its diagnostic. */
static int fail(const lp_error *err)
{
    char attr[256];
    lp_spec_attribute(err, attr, sizeof(attr));
    if (attr[0] != '\0') {
        fprintf(stderr, "Error: %s\n\n  on %s\n\n", lp_error_summary(err->code), attr);
    } else {
        fprintf(stderr, "Error: %s\n\n", lp_error_summary(err->code));
    }
    fprintf(stderr, "lambdapack: %s\n", err->message[0] != '\0' ? err->message : "error");
    return EXIT_ERR;
}

/* Prints check findings as the resource's diagnostics; 1 when any is an error. */
static int print_findings(const lp_check_report *r)
{
    int errors = 0;
    for (size_t i = 0; i < r->n; i++) {
        const lp_check_finding *f = &r->items[i];
        errors |= f->severity == LP_CHECK_ERROR;
        fprintf(stderr, "%s: %s\n\n", f->severity == LP_CHECK_ERROR ? "Error" : "Warning",
                f->summary);
        if (f->field != NULL && f->index >= 0) {
            fprintf(stderr, "  on %s[%d]\n\n", f->field, f->index);
        } else if (f->field != NULL) {
            fprintf(stderr, "  on %s\n\n", f->field);
        }
        fprintf(stderr, "%s\n\n", f->detail);
    }
    return errors;
}

/* Runs the plan-time checks; EXIT_DIFF when any finding is an error. */
static int run_checks(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m)
{
    lp_check_report *r = NULL;
    lp_error err = LP_ERROR_INIT;
    lp_check_options check = p->check;
    check.allow_oversize = o->no_size_limit;
    check.n_user_sources = p->spec.n_sources; /* the rest are installed dependencies */
    if (lp_check_run(&r, m, &check, &err) < 0) {
        return fail(&err);
    }
    int rc = print_findings(r) ? EXIT_DIFF : 0;
    lp_check_report_free(r);
    return rc;
}

/* The spec as given, with the thread count of the command line. */
static lp_spec spec_of(const cli_opts *o, const lp_spec_package *p)
{
    lp_spec spec = p->spec;
    spec.threads = o->threads;
    if (o->no_size_limit) {
        spec.max_unzipped = 0;
    }
    return spec;
}

static void deps_progress(void *payload, const char *message)
{
    (void)payload;
    if (isatty(STDERR_FILENO)) {
        fprintf(stderr, "lambdapack: %s...\n", message);
    }
}

typedef struct progress progress;
static int progress_cb(const lp_progress *p, void *payload);
static int exit_interrupted(void);

/* Installs the package's dependencies (when it has any) as the resource
 * does, and points *spec at a spec that includes them; *set owns what it
 * borrows. Warns about unpinned requirement files. prog (may be NULL) stops
 * an install after an interrupt. Returns 0, EXIT_ERR or, cancelled, 128 +
 * the signal. */
static int install_deps(const lp_spec_package *p, lp_spec *spec, lp_deps_set **set, progress *prog)
{
    char dir[4096];
    lp_error err = LP_ERROR_INIT;
    lp_deps_request req = LP_DEPS_REQUEST_INIT;
    *set = NULL;
    if (p->n_dependencies == 0) {
        return 0;
    }
    if (lp_deps_default_cache_dir(dir, sizeof(dir)) < 0) {
        fprintf(stderr, "lambdapack: cache directory path too long\n");
        return EXIT_ERR;
    }
    req.runtime = p->check.runtime;
    req.architecture = p->architecture;
    req.cache_dir = dir;
    req.progress = deps_progress;
    if (prog != NULL) {
        req.stop = progress_cb;
        req.stop_payload = prog;
    }
    if (lp_deps_install_all(set, spec, p->dependencies, p->n_dependencies, &req, &err) < 0) {
        fail(&err);
        return err.code == LP_ECANCELED ? exit_interrupted() : EXIT_ERR;
    }
    for (size_t i = 0; i < (*set)->n; i++) {
        const lp_deps_result *r = &(*set)->results[i];
        if (r->unpinned > 0) {
            fprintf(stderr,
                    "Warning: Dependencies not fully pinned\n\n%s has %d requirement(s) without "
                    "== (the first: %s). The package will change whenever a dependency "
                    "publishes a release. Pin every version, with hashes: `pip-compile "
                    "--generate-hashes` or `uv pip compile --generate-hashes`.\n\n",
                    p->dependencies[i].file, r->unpinned, r->unpinned_first);
        }
        if (isatty(STDERR_FILENO)) {
            if (r->cache_hit) {
                fprintf(stderr, "lambdapack: %s: %zu files from the cache\n",
                        p->dependencies[i].file, r->n_files);
            } else {
                fprintf(stderr, "lambdapack: %s: installed %zu files in %.1fs\n",
                        p->dependencies[i].file, r->n_files, r->seconds);
            }
        }
    }
    *spec = (*set)->spec;
    return 0;
}

static double now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The signal (SIGINT, SIGTERM) that arrived while a build ran, else 0; the
 * progress callback then cancels the build, and the packager removes what
 * it had started to write. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = sig;
}

/* A progress line on stderr for builds that take over a second, only when
 * stderr is a terminal, drawn by the packager's progress callback (which
 * the packager never runs on two threads at once) at most every
 * PROGRESS_REDRAW seconds. The same callback cancels the build after an
 * interrupt. */
#define PROGRESS_REDRAW 0.25

struct progress {
    int tty;
    int shown; /* a line was drawn: it needs its newline */
    int active;
    double t0, last;
    const char *output;
    struct sigaction old_int, old_term;
};

static const char *phase_name(lp_progress_phase phase)
{
    switch (phase) {
    case LP_PROGRESS_SELECT:
        return "selecting sources for";
    case LP_PROGRESS_HASH:
        return "hashing sources for";
    case LP_PROGRESS_WRITE:
        return "writing";
    case LP_PROGRESS_VERIFY:
        return "reading";
    case LP_PROGRESS_DEPS:
        return "installing dependencies for";
    }
    return "building";
}

static int progress_cb(const lp_progress *p, void *payload)
{
    progress *pr = payload;
    if (interrupted) {
        return 1;
    }
    double t = now();
    if (!pr->tty || p->phase == LP_PROGRESS_DEPS || t - pr->t0 < 1.0 ||
        t - pr->last < PROGRESS_REDRAW) {
        return 0; /* installs print their own lines */
    }
    pr->last = t;
    if (p->files_total > 0) {
        fprintf(stderr, "\rlambdapack: %s %s... %zu/%zu files, %.1f/%.1f MB %.0fs\033[K",
                phase_name(p->phase), pr->output, p->files_done, p->files_total,
                (double)p->bytes_done / 1e6, (double)p->bytes_total / 1e6, t - pr->t0);
    } else {
        fprintf(stderr, "\rlambdapack: %s %s... %zu files %.0fs\033[K", phase_name(p->phase),
                pr->output, p->files_done, t - pr->t0);
    }
    pr->shown = 1;
    return 0;
}

/* Catches sig once (a second one ends the process as usual), unless it was
 * ignored when we started (nohup, a background job of a script). */
static void catch_once(int sig, struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, old) == 0 && old->sa_handler == SIG_IGN) {
        sigaction(sig, old, NULL);
    }
}

/* Starts the clock and catches SIGINT and SIGTERM (once per command: a
 * started p stays as it is). */
static void progress_start(progress *p, const char *output)
{
    if (p->active) {
        return;
    }
    memset(p, 0, sizeof(*p));
    p->output = output;
    p->tty = isatty(STDERR_FILENO);
    p->t0 = now();
    interrupted = 0;
    catch_once(SIGINT, &p->old_int);
    catch_once(SIGTERM, &p->old_term);
    p->active = 1;
}

static void progress_stop(progress *p)
{
    if (!p->active) {
        return;
    }
    sigaction(SIGINT, &p->old_int, NULL);
    sigaction(SIGTERM, &p->old_term, NULL);
    if (p->shown) {
        fputc('\n', stderr);
    }
    p->active = 0;
}

/* The exit status of a build that an interrupt cancelled: 128 + the
 * signal, as a shell reports a process the signal killed (130 for SIGINT). */
static int exit_interrupted(void)
{
    return 128 + (interrupted != 0 ? (int)interrupted : SIGINT);
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

static const char *BUILD_HELP =
    "usage: lambdapack build -o OUT.zip [options] SOURCE...\n"
    "       lambdapack build -o OUT.zip --from-terraform ADDRESS [--terraform-json FILE]\n"
    "\n"
    "Builds a reproducible Lambda ZIP, byte for byte what lambda_package builds from\n"
    "the same definition, after the same plan-time checks (handler, imports,\n"
    "required files, sizes). A check error writes nothing and exits 1.\n"
    "\n"
    "  -o, --output OUT.zip        the ZIP to write (atomically replaced)\n"
    "      --threads N             worker threads, default one per CPU\n"
    "      --no-cache              compress every file, without the machine's store of\n"
    "                              compressed entries (~/.cache/lambdapack/store)\n"
    "      --json                  print a JSON summary on stdout\n";

static int print_build_json(const lp_manifest *m, const lp_zip_info *info)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "content_hash", m->content_hash,
                  "output_sha256", info->sha256_hex, "output_base64sha256", info->base64sha256,
                  "output_size", (json_int_t)info->size, "unzipped_size",
                  (json_int_t)m->unzipped_size, "file_count", (json_int_t)m->n_files);
    if (j == NULL || json_dumpf(j, stdout, JSON_INDENT(2)) < 0) {
        json_decref(j);
        fprintf(stderr, "lambdapack: cannot write JSON\n");
        return -1;
    }
    json_decref(j);
    fputc('\n', stdout);
    return 0;
}

/* Says whether a ZIP equals the one the state records. */
static void compare_with_state(const cli_opts *o, const lp_zip_info *info)
{
    if (o->tf == NULL || o->rec.output_sha256[0] == '\0') {
        return;
    }
    const char *what =
        strcmp(o->rec.form, "plan") == 0 ? "the plan announces" : "the state records";
    if (strcmp(o->rec.output_sha256, info->sha256_hex) == 0) {
        fprintf(stderr, "lambdapack: identical to the ZIP %s for %s (CodeSha256 %s)\n", what,
                o->from_terraform, info->base64sha256);
    } else {
        fprintf(stderr,
                "lambdapack: differs from the ZIP %s for %s (CodeSha256 %s): the sources "
                "changed since then\n",
                what, o->from_terraform, o->rec.output_base64sha256);
    }
}

static void help(const char *usage)
{
    fputs(usage, stdout);
    fputc('\n', stdout);
    fputs(DEFINITION_HELP, stdout);
}

/* Parses a command's arguments; prints usage for --help. Returns 0 when
 * parsed, 1 when help was printed, -1 after printing an error. */
static int parse_or_help(cli_opts *o, cmd_kind cmd, int argc, char **argv, const char *usage)
{
    int rc = parse_args(o, cmd, argc, argv);
    if (rc == -2) {
        help(usage);
        return 1;
    }
    return rc < 0 ? -1 : 0;
}

/* Installs p's dependencies into *spec (the spec to build, adjusted by the
 * caller), then builds its manifest; prog (may be NULL) is started once
 * the dependencies are in. Returns 0 or EXIT_ERR after printing why. */
static int load_manifest(const lp_spec_package *p, lp_spec *spec, lp_deps_set **deps,
                         lp_manifest **m, progress *prog, const char *output)
{
    lp_error err = LP_ERROR_INIT;
    if (prog != NULL) {
        progress_start(prog, output);
    }
    int rc = install_deps(p, spec, deps, prog);
    if (rc != 0) {
        if (prog != NULL) {
            progress_stop(prog);
        }
        return rc;
    }
    if (prog != NULL) {
        spec->progress = progress_cb;
        spec->progress_payload = prog;
    }
    if (lp_manifest_build(m, spec, &err) < 0) {
        if (prog != NULL) {
            progress_stop(prog);
        }
        fail(&err);
        return err.code == LP_ECANCELED ? exit_interrupted() : EXIT_ERR;
    }
    return 0;
}

static int cmd_build(int argc, char **argv)
{
    cli_opts o;
    opts_init(&o);
    lp_error err = LP_ERROR_INIT;
    lp_manifest *m = NULL;
    lp_zip_info info;
    lp_deps_set *deps = NULL;
    int rc = EXIT_ERR;
    int prc = parse_or_help(&o, CMD_BUILD, argc, argv, BUILD_HELP);
    if (prc != 0) {
        rc = prc > 0 ? 0 : EXIT_ERR;
        goto done;
    }
    if (o.output == NULL) {
        fprintf(stderr, "lambdapack: build needs -o OUT.zip (try --help)\n");
        goto done;
    }
    const lp_spec_package *p = definition(&o, 1);
    if (p == NULL) {
        goto done;
    }
    lp_spec spec = spec_of(&o, p);
    if (o.tf == NULL) {
        spec.output_path = o.output; /* never package the ZIP being written */
    }
    double t0 = now();
    progress prog = {.active = 0};
    if ((rc = load_manifest(p, &spec, &deps, &m, &prog, o.output)) != 0) {
        goto done;
    }
    if ((rc = run_checks(&o, p, m)) != 0) {
        progress_stop(&prog);
        goto done;
    }
    rc = EXIT_ERR;
    lp_zip_options zo = LP_ZIP_OPTIONS_INIT;
    zo.threads = o.threads;
    zo.progress = progress_cb;
    zo.progress_payload = &prog;
    int brc = lp_zip_write_opts(m, o.output, &zo, &info, &err);
    progress_stop(&prog);
    if (brc < 0) {
        rc = fail(&err);
        if (brc == LP_ECANCELED) {
            rc = exit_interrupted();
        }
        goto done;
    }
    lp_check_report *size = calloc(1, sizeof(*size)); /* Lambda's direct-upload limit */
    if (size != NULL && lp_check_zip_size(size, info.size) == 0) {
        print_findings(size);
    }
    lp_check_report_free(size);
    double dt = now() - t0;
    if (prog.shown) {
        fprintf(stderr,
                "lambdapack: %zu files, %" PRIu64 " bytes -> %s (%" PRIu64 " bytes) in %.1fs\n",
                m->n_files, m->unzipped_size, o.output, info.size, dt);
    }
    compare_with_state(&o, &info);
    if (o.json) {
        if (print_build_json(m, &info) < 0) {
            goto done;
        }
    } else {
        printf("%s %s %" PRIu64 " bytes, %zu files\n", o.output, info.base64sha256, info.size,
               m->n_files);
    }
    rc = 0;
done:
    lp_manifest_free(m);
    lp_deps_set_free(deps);
    opts_free(&o);
    return rc;
}

static const char *CHECK_HELP =
    "usage: lambdapack check [options] SOURCE...\n"
    "       lambdapack check --from-terraform ADDRESS [--terraform-json FILE]\n"
    "\n"
    "Runs lambda_package's plan-time checks without writing anything: the runtime,\n"
    "the handler's module and function, the imports it reaches, required files and\n"
    "Lambda's size limit, with the resource's messages. Exit status: 0 no errors\n"
    "(warnings are printed), 1 errors found, 2 the package cannot be read.\n";

/* What check and manifest do with the manifest of the package. */
typedef int (*manifest_action)(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m);

/* Parses, loads the package and its manifest, and hands them to act. */
static int run_on_manifest(int argc, char **argv, cmd_kind cmd, const char *usage,
                           manifest_action act)
{
    cli_opts o;
    opts_init(&o);
    lp_manifest *m = NULL;
    lp_deps_set *deps = NULL;
    int rc = EXIT_ERR;
    int prc = parse_or_help(&o, cmd, argc, argv, usage);
    if (prc != 0) {
        rc = prc > 0 ? 0 : EXIT_ERR;
        goto done;
    }
    const lp_spec_package *p = definition(&o, 1);
    if (p == NULL) {
        goto done;
    }
    lp_spec spec = spec_of(&o, p);
    if (load_manifest(p, &spec, &deps, &m, NULL, NULL) != 0) {
        goto done;
    }
    rc = act(&o, p, m);
done:
    lp_manifest_free(m);
    lp_deps_set_free(deps);
    opts_free(&o);
    return rc;
}

static int check_action(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m)
{
    int rc = run_checks(o, p, m);
    if (rc == 0) {
        printf("%zu files, content_hash %s: no errors%s%s\n", m->n_files, m->content_hash,
               p->check.handler != NULL ? " for handler " : "",
               p->check.handler != NULL ? p->check.handler : "");
    }
    return rc;
}

static int cmd_check(int argc, char **argv)
{
    return run_on_manifest(argc, argv, CMD_CHECK, CHECK_HELP, check_action);
}

static const char *MANIFEST_HELP =
    "usage: lambdapack manifest [--json] [options] SOURCE...\n"
    "       lambdapack manifest [--json] --from-terraform ADDRESS\n"
    "\n"
    "Lists what a build would hold: mode, size, SHA-256 and path of each file,\n"
    "then the content hash. Nothing is written.\n";

static int print_manifest(const lp_manifest *m, int json)
{
    if (!json) {
        for (size_t i = 0; i < m->n_files; i++) {
            const lp_file *f = &m->files[i];
            printf("%04" PRIo32 " %10" PRIu64 " %s %s\n", f->mode, f->size, f->sha256_hex,
                   f->archive_path);
        }
        printf("files %zu\nunzipped_size %" PRIu64 "\ncontent_hash %s\n", m->n_files,
               m->unzipped_size, m->content_hash);
        return 0;
    }
    json_t *files = json_array();
    json_t *root = json_pack("{s:s, s:I, s:I, s:o}", "content_hash", m->content_hash,
                             "unzipped_size", (json_int_t)m->unzipped_size, "file_count",
                             (json_int_t)m->n_files, "files", files);
    if (root == NULL) {
        return -1;
    }
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        char mode[8];
        snprintf(mode, sizeof(mode), "%04" PRIo32, f->mode);
        json_array_append_new(files, json_pack("{s:s, s:s, s:I, s:s, s:b}", "path", f->archive_path,
                                               "mode", mode, "size", (json_int_t)f->size, "sha256",
                                               f->sha256_hex, "directory", f->is_dir));
    }
    int rc = json_dumpf(root, stdout, JSON_INDENT(2));
    json_decref(root);
    fputc('\n', stdout);
    return rc;
}

static int manifest_action_print(const cli_opts *o, const lp_spec_package *p, const lp_manifest *m)
{
    (void)p;
    return print_manifest(m, o->json) < 0 ? EXIT_ERR : 0;
}

static int cmd_manifest(int argc, char **argv)
{
    return run_on_manifest(argc, argv, CMD_MANIFEST, MANIFEST_HELP, manifest_action_print);
}

static const char *kind_name(lp_diff_kind k)
{
    switch (k) {
    case LP_DIFF_MISSING:
        return "missing";
    case LP_DIFF_EXTRA:
        return "extra";
    case LP_DIFF_CHANGED:
        return "changed";
    case LP_DIFF_MODE:
        return "mode";
    }
    return "?";
}

/* Prints differences; *n_diff (when not NULL) gets their number. Returns 0
 * when none, EXIT_DIFF otherwise, EXIT_ERR on failure. */
static int report_diff(const lp_manifest *expected, const lp_manifest *actual, size_t *n_diff)
{
    lp_diff_list *d = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_diff(&d, expected, actual, &err) < 0) {
        return fail(&err);
    }
    for (size_t i = 0; i < d->n; i++) {
        const lp_diff *it = &d->items[i];
        if (it->kind == LP_DIFF_MODE) {
            printf("mode %s (%04" PRIo32 " -> %04" PRIo32 ")\n", it->archive_path,
                   it->expected_mode, it->actual_mode);
        } else {
            printf("%s %s\n", kind_name(it->kind), it->archive_path);
        }
    }
    if (n_diff != NULL) {
        *n_diff = d->n;
    }
    int rc = d->n == 0 ? 0 : EXIT_DIFF;
    lp_diff_list_free(d);
    return rc;
}

/* The hashes of the ZIP m builds: written to a private temporary
 * directory, hashed, removed. */
static int built_zip_info(const lp_manifest *m, int threads, lp_zip_info *info, progress *prog)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/lambdapack-verify-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "lambdapack: cannot create a temporary directory '%s': %s\n", dir,
                strerror(errno));
        return -1;
    }
    char path[4200];
    snprintf(path, sizeof(path), "%s/built.zip", dir);
    lp_error err = LP_ERROR_INIT;
    lp_zip_options zo = LP_ZIP_OPTIONS_INIT;
    zo.threads = threads;
    zo.progress = progress_cb;
    zo.progress_payload = prog;
    int rc = lp_zip_write_opts(m, path, &zo, info, &err);
    unlink(path);
    rmdir(dir);
    if (rc < 0) {
        fail(&err);
        return rc == LP_ECANCELED ? exit_interrupted() : EXIT_ERR;
    }
    return 0;
}

static const char *VERIFY_HELP =
    "usage: lambdapack verify ZIP\n"
    "       lambdapack verify ZIP --from-terraform ADDRESS [--terraform-json FILE] [--contents]\n"
    "       lambdapack verify ZIP [--contents] --against [options] SOURCE...\n"
    "\n"
    "Without a package: reads every entry of ZIP, checking CRCs, sizes and names.\n"
    "With one (--from-terraform, or --against SOURCEs and options): compares ZIP,\n"
    "e.g. one downloaded from Lambda, with what the package builds. It lists each\n"
    "differing entry (missing, extra, changed, mode), then prints ZIP's CodeSha256,\n"
    "the one the sources build (and the one the state records), and whether the\n"
    "bytes are identical. Exit status: 0 same files and identical bytes (with\n"
    "--contents: same files), 1 differences, 2 error.\n";

static int cmd_verify(int argc, char **argv)
{
    cli_opts o;
    opts_init(&o);
    lp_error err = LP_ERROR_INIT;
    lp_manifest *want = NULL, *have = NULL;
    lp_deps_set *deps = NULL;
    progress prog = {.active = 0}; /* the progress line; Ctrl-C stops reading and building */
    int rc = EXIT_ERR;
    int prc = parse_or_help(&o, CMD_VERIFY, argc, argv, VERIFY_HELP);
    if (prc != 0) {
        rc = prc > 0 ? 0 : EXIT_ERR;
        goto done;
    }
    if (o.zip == NULL) {
        fprintf(stderr, "lambdapack: verify needs a ZIP (try --help)\n");
        goto done;
    }
    int compare = o.against || o.from_terraform != NULL;
    if (!compare && (o.first_non_level_arg != NULL || o.contents_only)) {
        /* --level alone says which level the content hash is computed for */
        fprintf(stderr,
                "lambdapack: '%s' needs a package to compare with: --from-terraform "
                "ADDRESS or --against SOURCE...\n",
                o.first_non_level_arg != NULL ? o.first_non_level_arg : "--contents");
        goto done;
    }
    const lp_spec_package *p = NULL;
    if (compare && (p = definition(&o, 1)) == NULL) {
        goto done;
    }
    int level = p != NULL ? p->spec.level : o.pkg.spec.level;
    progress_start(&prog, o.zip);
    lp_zip_options ro = LP_ZIP_OPTIONS_INIT;
    ro.progress = progress_cb;
    ro.progress_payload = &prog;
    if (lp_zip_read_manifest_opts(&have, o.zip, level, &ro, &err) < 0) {
        rc = fail(&err);
        if (err.code == LP_ECANCELED) {
            rc = exit_interrupted();
        }
        goto done;
    }
    if (!compare) {
        printf("%s: %zu entries OK, content_hash %s\n", o.zip, have->n_files, have->content_hash);
        rc = 0;
        goto done;
    }
    lp_spec spec = spec_of(&o, p);
    if (o.tf == NULL) {
        spec.output_path = o.zip;
        if (!spec.directory_entries) {
            spec.directory_entries = have->directory_entries;
        }
    }
    if ((rc = load_manifest(p, &spec, &deps, &want, &prog, o.zip)) != 0) {
        goto done;
    }
    size_t n_diff = 0;
    if ((rc = report_diff(want, have, &n_diff)) == EXIT_ERR) {
        goto done;
    }
    lp_zip_info zip_info, built;
    if (lp_zip_hash_file(o.zip, &zip_info, &err) < 0) {
        rc = fail(&err);
        goto done;
    }
    if ((rc = built_zip_info(want, o.threads, &built, &prog)) != 0) {
        goto done;
    }
    int same_bytes = strcmp(zip_info.sha256_hex, built.sha256_hex) == 0;
    printf("ZIP CodeSha256      %s  %s\n", zip_info.base64sha256, o.zip);
    printf("sources CodeSha256  %s  (what lambda_package builds from them)\n", built.base64sha256);
    if (o.tf != NULL && o.rec.output_base64sha256[0] != '\0') {
        printf("state CodeSha256    %s  (%s.output_base64sha256)\n", o.rec.output_base64sha256,
               o.from_terraform);
    }
    if (n_diff > 0) {
        printf("%s differs from its sources: %zu entr%s listed above; bytes %s\n", o.zip, n_diff,
               n_diff == 1 ? "y" : "ies", same_bytes ? "identical" : "differ");
        rc = EXIT_DIFF;
    } else if (same_bytes) {
        printf("%s matches its sources: same files, identical bytes\n", o.zip);
        rc = 0;
    } else {
        printf("%s has the same files as its sources, but the bytes differ: it was not written "
               "by lambda_package/lambdapack with these settings, so Lambda's CodeSha256 "
               "differs%s\n",
               o.zip, o.contents_only ? " (accepted: --contents)" : "");
        rc = o.contents_only ? 0 : EXIT_DIFF;
    }
done:
    progress_stop(&prog);
    lp_manifest_free(want);
    lp_manifest_free(have);
    lp_deps_set_free(deps);
    opts_free(&o);
    return rc;
}

static const char *DIFF_HELP = "usage: lambdapack diff A.zip B.zip\n"
                               "\n"
                               "Lists the entries that differ between two ZIPs (missing from B,\n"
                               "extra in B, changed, mode). Exit status: 0 same, 1 different,\n"
                               "2 error.\n";

static int cmd_diff(int argc, char **argv)
{
    lp_error err = LP_ERROR_INIT;
    lp_manifest *a = NULL, *b = NULL;
    int rc = EXIT_ERR;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(DIFF_HELP, stdout);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "lambdapack: diff needs two ZIPs (try --help)\n");
        return EXIT_ERR;
    }
    if (lp_zip_read_manifest(&a, argv[1], LP_SPEC_DEFAULT_LEVEL, &err) < 0 ||
        lp_zip_read_manifest(&b, argv[2], LP_SPEC_DEFAULT_LEVEL, &err) < 0) {
        rc = fail(&err);
        goto done;
    }
    rc = report_diff(a, b, NULL);
done:
    lp_manifest_free(a);
    lp_manifest_free(b);
    return rc;
}

static const char *HELP =
    "usage: lambdapack COMMAND [options] ...\n"
    "\n"
    "Reproducible AWS Lambda ZIPs: the lambda_package resource's packager.\n"
    "\n"
    "  build -o OUT.zip SOURCE...    check, then build a ZIP\n"
    "  check SOURCE...               run the plan-time checks only\n"
    "  manifest SOURCE...            list what a build would hold\n"
    "  verify ZIP [--from-terraform ADDRESS | --against SOURCE...]  check a ZIP\n"
    "  diff A.zip B.zip              compare two ZIPs\n"
    "\n"
    "SOURCE is PATH or PATH=PREFIX; --from-terraform ADDRESS takes the package of a\n"
    "lambda_package from `terraform show -json`. `lambdapack COMMAND --help` for more.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return EXIT_ERR;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(HELP, stdout);
        return 0;
    }
    static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
    } commands[] = {
        {"build", cmd_build},   {"check", cmd_check}, {"manifest", cmd_manifest},
        {"verify", cmd_verify}, {"diff", cmd_diff},
    };
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(cmd, commands[i].name) == 0) {
            return commands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "lambdapack: unknown command '%s' (try --help)\n", cmd);
    return EXIT_ERR;
}
